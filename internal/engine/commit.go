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
// below it is finished and no later commit can get one at or below it.
// wall is the wall clock as a Timestamp (0: ignore): when no commit is in
// flight the resolved timestamp follows the wall clock, so it keeps
// advancing while the store is idle.
//
// Why this holds for batches committed concurrently:
//   - begin takes the HLC reading and records it in the set under c.mu,
//     and resolved reads the HLC and the set under c.mu. So when resolved
//     returns r, every timestamp handed out so far is either still in the
//     set (and r is below it) or ended; every one handed out later comes
//     from a Now after this Last (or after the Observe below), so it is
//     > r. HLC readings taken outside c.mu (snapshot bounds, capture
//     boundaries) only raise Last; they never become commits.
//   - end is called only once Batch.Commit has returned (or the batch was
//     abandoned): Pebble's commit pipeline returns only after the batch is
//     in the synced WAL and published, i.e. the visible sequence number
//     covers it. Concurrent batches may be sequenced by Pebble in another
//     order than their timestamps; a batch with a lower timestamp that is
//     published later stays in the set until then, so it holds r below its
//     timestamp. Order of publication never matters, only completion.
//   - A commit's change records are in its batch, so they are visible
//     exactly when its items are: reading the log up to r misses nothing.
//   - Across restarts, Open ratchets the HLC above every logged change,
//     every trim mark and every capture boundary (observeChangeLog), and
//     TrimChanges ratchets it to what a shipper trims (also what it
//     shipped before a crash, when it trims at startup), so a wall clock
//     that went back cannot put a new commit below them.
func (c *inflightCommits) resolved(h *clock.HLC, wall clock.Timestamp) clock.Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	if wall > 0 {
		// Later commits get max(Last+1, wall clock) >= wall.
		h.Observe(wall - 1)
	}
	r := h.Last()
	for ts := range c.set {
		r = min(r, ts-1)
	}
	return r
}

// ResolvedTimestamp returns the resolved timestamp: every write whose
// commit timestamp is at or below it is durable and visible, and no later
// write will get a timestamp at or below it. While no commit is in flight
// it follows the engine's clock. Change-log shipping (PITR) reads up to
// it.
func (e *Engine) ResolvedTimestamp() clock.Timestamp {
	return e.inflight.resolved(e.hlc, clock.TimestampAt(e.clock.Now()))
}
