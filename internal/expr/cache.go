package expr

import "sync"

// The parse cache maps (expression kind, text) to the immutable result of
// lexing, parsing and the checks that do not depend on the request's
// ExpressionAttributeNames/Values. Binding placeholders happens per request.
//
// It is a two-generation cache: lookups consult the current generation, then
// the previous one (promoting hits); when the current generation is full it
// becomes the previous one and the oldest generation is dropped. This bounds
// memory at 2*cacheGenSize entries with LRU-like behaviour and no per-hit
// bookkeeping beyond a read lock.

type exprKind uint8

const (
	kindCondition exprKind = iota
	kindUpdate
	kindProjection
)

type cacheKey struct {
	kind exprKind
	src  string
}

const cacheGenSize = 2048

type parseCache struct {
	mu        sync.RWMutex
	cur, prev map[cacheKey]any
}

var cache = &parseCache{cur: make(map[cacheKey]any)}

// get returns the cached value for k, computing and storing it with f on a
// miss. f must be deterministic (concurrent misses may both call it).
func (c *parseCache) get(k cacheKey, f func() any) any {
	c.mu.RLock()
	v, ok := c.cur[k]
	inPrev := false
	if !ok {
		v, inPrev = c.prev[k]
	}
	c.mu.RUnlock()
	if ok {
		return v
	}
	if !inPrev {
		v = f()
	}
	c.mu.Lock()
	if len(c.cur) >= cacheGenSize {
		c.prev, c.cur = c.cur, make(map[cacheKey]any, cacheGenSize)
	}
	c.cur[k] = v
	c.mu.Unlock()
	return v
}

// reset empties the cache (tests and benchmarks).
func (c *parseCache) reset() {
	c.mu.Lock()
	c.cur, c.prev = make(map[cacheKey]any), nil
	c.mu.Unlock()
}
