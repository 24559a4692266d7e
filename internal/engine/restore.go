package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Restores. CreateTable with TableSpec.Restore makes a restore target: a
// CREATING table (its record durable at once, with Restore.InProgress)
// that only a Loader writes. FinishRestore makes it ACTIVE; ResetRestore
// empties it so an interrupted load can start over; DropRestore removes
// it. After a crash the target is still CREATING with Restore.InProgress
// (PendingRestores lists it): whatever the loader had committed is there,
// with matching stats, so ResetRestore and a new load give exact results.

// ErrNotRestoring: NewLoader, ResetRestore, FinishRestore or DropRestore
// on a table that is not a restore in progress (CREATING with
// Restore.InProgress), or a Loader whose restore was reset, finished or
// dropped meanwhile.
var ErrNotRestoring = errors.New("engine: table is not being restored")

// restoreTarget returns the table if it is a restore in progress. Callers
// hold catMu.
func (e *Engine) restoreTarget(name string) (*tableState, error) {
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	if r := ts.rec.Restore; ts.rec.Status != StatusCreating || r == nil || !r.InProgress {
		return nil, fmt.Errorf("%w: %s", ErrNotRestoring, name)
	}
	return ts, nil
}

// ResetRestore empties a restore target: in one durable commit it deletes
// all its items, index entries, TTL entries, item collection sizes and
// stats, and it zeroes the live stats; the catalog record stays as it is.
// A Loader opened before fails from then on (ErrNotRestoring). Used to
// redo an interrupted restore from scratch. ErrTableNotFound;
// ErrNotRestoring unless the table is a restore in progress.
func (e *Engine) ResetRestore(ctx context.Context, table string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, err := e.restoreTarget(table)
	if err != nil {
		return err
	}
	ts.life.Lock()
	defer ts.life.Unlock()
	ts.loadEpoch++
	b := e.db.NewBatch()
	if err := deleteTableKeys(b, ts); err != nil {
		b.Close()
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	ts.stats.reset()
	for _, ix := range ts.layout.Load().indexes {
		ix.stats.reset()
	}
	e.log.Info("restore reset", "table", table, "id", ts.rec.ID)
	return nil
}

// FinishRestore ends a restore: the table and its indexes become ACTIVE
// and Restore.InProgress false (the rest of Restore stays, for
// DescribeTable's RestoreSummary), in a durable commit that also makes
// durable every write committed before it (such as a Loader's). It
// returns the new record. A Loader still open fails from then on.
// ErrTableNotFound; ErrNotRestoring unless the table is a restore in
// progress.
func (e *Engine) FinishRestore(ctx context.Context, table string) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, err := e.restoreTarget(table)
	if err != nil {
		return nil, err
	}
	rec := ts.rec.clone()
	rec.Status = StatusActive
	for i := range rec.Indexes {
		if !rec.Indexes[i].Backfilling {
			rec.Indexes[i].Status = IndexActive
		}
	}
	rec.Restore.InProgress = false
	ts.life.Lock()
	ts.loadEpoch++
	err = e.putRecord(ts, rec)
	ts.life.Unlock()
	if err != nil {
		return nil, err
	}
	ts.rec = rec
	e.resumeTableBackfills(ts) // none unless a future restore builds indexes later
	e.notifyCatalog()
	e.log.Info("restore finished", "table", table, "id", rec.ID)
	return rec.clone(), nil
}

// DropRestore removes a failed restore target entirely, like DeleteTable
// (whatever its DeletionProtection: the restore never completed). A
// Loader still open fails from then on. ErrTableNotFound; ErrNotRestoring
// unless the table is a restore in progress.
func (e *Engine) DropRestore(ctx context.Context, table string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, err := e.restoreTarget(table)
	if err != nil {
		return err
	}
	if _, err := e.dropTable(ts, false); err != nil {
		return err
	}
	e.log.Info("restore dropped", "table", table, "id", ts.rec.ID)
	return nil
}

// PendingRestores returns the records of the tables whose restore is in
// progress (Restore.InProgress), by name: at startup, the restores a crash
// interrupted.
func (e *Engine) PendingRestores(ctx context.Context) ([]*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.RLock()
	var out []*Table
	for _, ts := range e.tables {
		if r := ts.rec.Restore; r != nil && r.InProgress {
			out = append(out, ts.rec.clone())
		}
	}
	e.catMu.RUnlock()
	slices.SortFunc(out, func(a, b *Table) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// reset zeroes the counters.
func (s *liveStats) reset() {
	s.count.Store(0)
	s.size.Store(0)
}
