package engine

import (
	"sync"

	"github.com/ebbtide/ebbtide/internal/clock"
)

// inflightCommits tracks the commit timestamps handed out but not yet
// durable, so the resolved timestamp is known (DESIGN §4).
type inflightCommits struct {
	mu  sync.Mutex
	set map[clock.Timestamp]struct{}
}

func (c *inflightCommits) init() { c.set = map[clock.Timestamp]struct{}{} }

// begin assigns the next commit timestamp and records it as in flight.
// Assigning and recording under one lock means no timestamp below the
// resolved timestamp can still be handed out.
func (c *inflightCommits) begin(h *clock.HLC) clock.Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	ts := h.Now()
	c.set[ts] = struct{}{}
	return ts
}

// end records that the commit at ts is finished (durable and visible, or
// abandoned).
func (c *inflightCommits) end(ts clock.Timestamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.set, ts)
}

// resolved returns the highest timestamp such that every commit at or
// below it is finished.
func (c *inflightCommits) resolved(h *clock.HLC) clock.Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := h.Last()
	for ts := range c.set {
		r = min(r, ts-1)
	}
	return r
}

// ResolvedTimestamp returns the resolved timestamp: every write whose
// commit timestamp is at or below it is durable and visible, and no later
// write will get a timestamp at or below it. Change-log shipping (PITR)
// reads up to it.
func (e *Engine) ResolvedTimestamp() clock.Timestamp {
	return e.inflight.resolved(e.hlc)
}
