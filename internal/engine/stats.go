package engine

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ebbtide/ebbtide/internal/kv"
)

// Table stats are two int64 counters at statsKey(tableId): item count and
// total size (attr.ItemSize). Every write adds its deltas to them with a kv
// merge in the same batch as the items, so they are exactly as durable as
// the items, and concurrent writers never read-modify-write them. The
// merged values are read once at Open and then tracked in memory (updated
// after each commit), which keeps Stats O(1) for any table size.
const (
	statCount = iota
	statSize
	numStats
)

// liveStats are a table's counters in memory.
type liveStats struct {
	count atomic.Int64
	size  atomic.Int64
}

// statsDelta is one commit's change to a table's counters.
type statsDelta struct {
	count, size int64
}

func (d statsDelta) isZero() bool { return d == statsDelta{} }

// addTo puts the delta into batch b.
func (d statsDelta) addTo(b *kv.Batch, ts *tableState) error {
	return b.AddCounters(statsKey(ts.id), d.count, d.size)
}

// apply folds a committed delta into the in-memory counters.
func (s *liveStats) apply(d statsDelta) {
	s.count.Add(d.count)
	s.size.Add(d.size)
}

// loadStats reads a table's merged counters from the store.
func (e *Engine) loadStats(ts *tableState) error {
	v, _, err := e.db.Get(statsKey(ts.id))
	if err != nil {
		return err
	}
	c := kv.DecodeCounters(v, numStats)
	ts.stats.count.Store(c[statCount])
	ts.stats.size.Store(c[statSize])
	return nil
}

// Stats returns a table's live item count and size (sum of attr.ItemSize).
// ErrTableNotFound if t has been deleted (even if its name was reused).
func (e *Engine) Stats(ctx context.Context, t *Table) (TableStats, error) {
	if err := ctx.Err(); err != nil {
		return TableStats{}, err
	}
	ts, err := e.lookup(t.Name)
	if err != nil {
		return TableStats{}, err
	}
	if ts.id.String() != t.ID {
		return TableStats{}, fmt.Errorf("%w: %s (id %s)", ErrTableNotFound, t.Name, t.ID)
	}
	return TableStats{ItemCount: ts.stats.count.Load(), SizeBytes: ts.stats.size.Load()}, nil
}
