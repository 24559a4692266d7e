package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// errSnapshotClosed: a TableSnapshot used after Close.
var errSnapshotClosed = errors.New("engine: table snapshot is closed")

// TableSnapshot is one table's contents pinned at an instant, for
// backups: a Pebble snapshot, so it costs writers nothing and keeps
// seeing the table even after writes, deletes or DeleteTable. Close it
// when done (before Engine.Close): until then it pins the old versions of
// everything written since. Its methods are safe for concurrent use,
// except Close.
type TableSnapshot struct {
	snap   *kv.Snapshot
	rec    *Table
	prefix []byte // itemsPrefix of the table
	stats  TableStats
	lo, hi clock.Timestamp
	closed atomic.Bool
}

// SnapshotTable pins the table as of the call: every write acknowledged
// before it is in the snapshot, nothing committed after it is. It blocks
// neither writers nor readers (it holds the catalog lock shared for an
// instant, so the record matches the data). ErrTableNotFound;
// ErrTableNotReady while the table is CREATING.
func (e *Engine) SnapshotTable(ctx context.Context, table string) (*TableSnapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.RLock()
	defer e.catMu.RUnlock()
	ts, ok := e.tables[table]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	return e.pinTable(ts, false)
}

// pinTable pins the table's current state, with its record and stats.
// Callers hold catMu (shared at least), so the record matches the data;
// quiesced says they also hold the table's life lock exclusively, so no
// write of the table is in flight. Bounds: lo is resolved before pinning,
// so every commit at or below lo is visible to the snapshot; hi is read
// after pinning, so every commit the snapshot sees took its timestamp
// before, below hi. A quiesced table's commits all finished before hi
// was read, so the snapshot holds every commit of the table below hi and
// lo is hi-1.
func (e *Engine) pinTable(ts *tableState, quiesced bool) (*TableSnapshot, error) {
	lo := e.ResolvedTimestamp()
	snap := e.db.NewSnapshot()
	hi := e.hlc.Now()
	if quiesced {
		lo = hi - 1
	}
	s := &TableSnapshot{snap: snap, rec: ts.rec.clone(), prefix: ts.prefix, lo: lo, hi: hi}
	v, _, err := snap.Get(statsKey(ts.id))
	if err != nil {
		snap.Close()
		return nil, err
	}
	c := kv.DecodeCounters(v, numStats)
	s.stats = TableStats{ItemCount: c[statCount], SizeBytes: c[statSize]}
	return s, nil
}

// Table returns the table's catalog record as of the snapshot.
func (s *TableSnapshot) Table() *Table { return s.rec.clone() }

// Stats returns the table's exact item count and size as of the snapshot
// (read from the snapshot's stats).
func (s *TableSnapshot) Stats() TableStats { return s.stats }

// Bounds returns timestamps around the snapshot instant: every commit
// with a timestamp at or below lo is in the snapshot, and every commit in
// it has a timestamp below hi (lo < hi). A point-in-time recovery from the
// snapshot replays the change log from there.
func (s *TableSnapshot) Bounds() (lo, hi clock.Timestamp) { return s.lo, s.hi }

// Items calls fn with each of the table's items in storage key order, as
// stored (attr.AppendItem bytes, decodable with attr.DecodeItem). The
// slice is valid only during the call. It stops at fn's error, which it
// returns as is, or when ctx is done.
func (s *TableSnapshot) Items(ctx context.Context, fn func(encoded []byte) error) (err error) {
	if s.closed.Load() {
		return errSnapshotClosed
	}
	it, err := s.snap.NewIter(s.prefix, prefixEnd(s.prefix))
	if err != nil {
		return err
	}
	defer func() {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}()
	for n, ok := 0, it.First(); ok; n, ok = n+1, it.Next() {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the snapshot. Calling it again does nothing.
func (s *TableSnapshot) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.snap.Close()
}
