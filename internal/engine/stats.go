package engine

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/ebbtide/ebbtide/internal/kv"
)

// Table stats are two int64 counters at statsKey(tableId): item count and
// total size (attr.ItemSize); each index has the same pair (entry count,
// entry sizes) at indexStatsKey. Every write adds its deltas to them with a kv
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

// addTo merges the delta into the counters at key, in batch b.
func (d statsDelta) addTo(b *kv.Batch, key []byte) error {
	return b.AddCounters(key, d.count, d.size)
}

// apply folds a committed delta into the in-memory counters.
func (s *liveStats) apply(d statsDelta) {
	s.count.Add(d.count)
	s.size.Add(d.size)
}

// loadStats reads the merged counters of a table and of its indexes from
// the store.
func (e *Engine) loadStats(ts *tableState) error {
	if err := e.loadCounters(&ts.stats, statsKey(ts.id)); err != nil {
		return err
	}
	for _, ix := range ts.layout.Load().indexes {
		if err := e.loadCounters(&ix.stats, ix.statsKey); err != nil {
			return err
		}
	}
	return nil
}

// loadCounters reads the merged counters at key into s.
func (e *Engine) loadCounters(s *liveStats, key []byte) error {
	v, _, err := e.db.Get(key)
	if err != nil {
		return err
	}
	c := kv.DecodeCounters(v, numStats)
	s.count.Store(c[statCount])
	s.size.Store(c[statSize])
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
