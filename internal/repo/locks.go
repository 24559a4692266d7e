package repo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// LockInfo is the clear-JSON content of a lock object.
type LockInfo struct {
	// Type is "writer" or "gc".
	Type string `json:"type"`
	// For names what a writer writes ("kind/id"); empty for GC.
	For string `json:"for,omitempty"`
	// Created and Refreshed come from the writer's clock.
	Created   time.Time `json:"created"`
	Refreshed time.Time `json:"refreshed"`
	// Host and PID identify the process, for operators.
	Host string `json:"host,omitempty"`
	PID  int    `json:"pid,omitempty"`
	// Running tells whether a GC is in progress (GC marker only).
	Running bool `json:"running,omitempty"`
	// Generation changes with every GC that may delete chunks (GC marker
	// only); writers reload their set of known chunks when it changes.
	Generation string `json:"generation,omitempty"`
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (r *Repo) newLockInfo(typ, what string) LockInfo {
	host, _ := os.Hostname()
	now := r.opts.Clock().UTC()
	return LockInfo{Type: typ, For: what, Created: now, Refreshed: now, Host: host, PID: os.Getpid()}
}

func (r *Repo) putLock(ctx context.Context, key string, li LockInfo) error {
	b, _ := json.Marshal(li)
	if err := r.store.Put(ctx, key, b); err != nil {
		return fmt.Errorf("repo: writing lock %s: %w", key, err)
	}
	return nil
}

// readLock returns a lock's content; ok is false when it does not exist.
// An unparsable lock is returned as a zero LockInfo (treated as stale).
func (r *Repo) readLock(ctx context.Context, key string) (li LockInfo, ok bool, err error) {
	b, err := r.store.Get(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return li, false, nil
	}
	if err != nil {
		return li, false, fmt.Errorf("repo: reading lock %s: %w", key, err)
	}
	if json.Unmarshal(b, &li) != nil {
		r.log.Warn("repo: unreadable lock object, treating it as stale", "key", key)
		return LockInfo{}, true, nil
	}
	return li, true, nil
}

// stale reports whether a lock last refreshed at t is abandoned.
func (r *Repo) stale(t time.Time) bool {
	return r.opts.Clock().Sub(t) > r.opts.LockStale
}

// writerLock is a running writer's lock, refreshed in the background.
type writerLock struct {
	r    *Repo
	key  string
	info LockInfo

	mu            sync.Mutex
	lastRefreshed time.Time // on r's clock, last successful write
	lost          error

	stop chan struct{}
	done chan struct{}
}

// acquireWriterLock writes a writer lock, then checks the GC marker (see the
// package documentation for why this order is safe), waiting while a GC
// runs. It then makes sure the known-chunk set matches the GC generation.
func (r *Repo) acquireWriterLock(ctx context.Context, what string) (*writerLock, error) {
	waited := false
	for {
		l := &writerLock{r: r, key: locksPrefix + "w-" + randomHex(12), info: r.newLockInfo("writer", what)}
		if err := r.putLock(ctx, l.key, l.info); err != nil {
			return nil, err
		}
		l.lastRefreshed = l.info.Refreshed
		gc, ok, err := r.readLock(ctx, gcLockKey)
		if err != nil {
			r.store.Delete(context.WithoutCancel(ctx), l.key)
			return nil, err
		}
		if ok && gc.Running && !r.stale(gc.Refreshed) {
			r.store.Delete(context.WithoutCancel(ctx), l.key)
			if !waited {
				r.log.Info("repo: waiting for garbage collection to finish", "for", what, "gc_host", gc.Host, "gc_started", gc.Created)
				waited = true
			}
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(r.opts.LockPoll):
			}
			continue
		}
		if err := r.loadKnown(ctx, gc.Generation); err != nil {
			r.store.Delete(context.WithoutCancel(ctx), l.key)
			return nil, err
		}
		l.stop, l.done = make(chan struct{}), make(chan struct{})
		go l.refreshLoop()
		return l, nil
	}
}

func (l *writerLock) refreshLoop() {
	defer close(l.done)
	t := time.NewTicker(l.r.opts.LockRefresh)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
			l.refresh(context.Background())
		}
	}
}

// refresh rewrites the lock with a new time, unless it has been removed (a
// GC judged it stale): then the writer is marked lost.
func (l *writerLock) refresh(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return
	}
	if _, ok, err := l.r.readLock(ctx, l.key); err != nil {
		return // transient; the staleness check at commit decides
	} else if !ok {
		l.lost = fmt.Errorf("%w: %s was removed (judged stale by a garbage collection)", ErrLockLost, l.key)
		return
	}
	l.info.Refreshed = l.r.opts.Clock().UTC()
	if l.r.putLock(ctx, l.key, l.info) == nil {
		l.lastRefreshed = l.info.Refreshed
	}
}

// check reports whether the writer may still commit: its lock exists and
// was refreshed recently enough that no GC can consider it stale.
func (l *writerLock) check() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost != nil {
		return l.lost
	}
	if age := l.r.opts.Clock().Sub(l.lastRefreshed); age > l.r.opts.LockStale/2 {
		return fmt.Errorf("%w: %s not refreshed for %v (limit %v)", ErrLockLost, l.key, age, l.r.opts.LockStale/2)
	}
	return nil
}

// release stops refreshing and deletes the lock.
func (l *writerLock) release(ctx context.Context) {
	close(l.stop)
	<-l.done
	if err := l.r.store.Delete(context.WithoutCancel(ctx), l.key); err != nil {
		l.r.log.Warn("repo: removing writer lock", "key", l.key, "err", err)
	}
}

// Locks lists the repository's lock objects (writers and the GC marker).
func (r *Repo) Locks(ctx context.Context) (map[string]LockInfo, error) {
	out := map[string]LockInfo{}
	var keys []string
	err := r.store.List(ctx, locksPrefix, func(key string, _ int64) error {
		keys = append(keys, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repo: listing locks: %w", err)
	}
	for _, k := range keys {
		li, ok, err := r.readLock(ctx, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out[strings.TrimPrefix(k, locksPrefix)] = li
		}
	}
	return out, nil
}

// loadKnown (re)lists the chunks when the known set is absent or was listed
// under another GC generation.
func (r *Repo) loadKnown(ctx context.Context, gen string) error {
	r.knownMu.Lock()
	defer r.knownMu.Unlock()
	if r.known != nil && r.knownGen == gen {
		return nil
	}
	known := make(map[ChunkID]int64)
	err := r.store.List(ctx, chunksPrefix, func(key string, size int64) error {
		if id, ok := parseChunkKey(key); ok {
			known[id] = size
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("repo: listing chunks: %w", err)
	}
	r.known, r.knownGen = known, gen
	return nil
}
