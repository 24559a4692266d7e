package engine

import (
	"context"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/clock"
)

// SetChangeCapture turns the capture of the table's writes on or off,
// durably (Table.ChangeCapture in the catalog record). It swaps the
// table's layout under the table's life lock held exclusively, so every
// write either is captured or not, never half: writes hold that lock
// shared from their first read to their commit.
//
// It returns the new record and a boundary from, a fresh commit-clock
// reading taken while the lock is held. Turning capture on, every commit
// with a timestamp > from is captured and none with timestamp <= from
// (commits before hold older timestamps, later ones newer); the record's
// ChangeCaptureFrom keeps from, and turning on a table already captured
// changes nothing and returns that boundary. Turning capture off deletes
// the table's whole log in the same commit as the record; no commit with
// a timestamp > from is captured (off on a table not captured changes
// nothing). ErrTableNotFound; ErrTableNotReady while the table is
// CREATING.
func (e *Engine) SetChangeCapture(ctx context.Context, table string, on bool) (t *Table, from clock.Timestamp, err error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[table]
	if !ok {
		return nil, 0, fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if err := ts.checkReady(); err != nil {
		return nil, 0, err
	}
	if ts.rec.ChangeCapture == on {
		if on {
			return ts.rec.clone(), ts.rec.ChangeCaptureFrom, nil
		}
		return ts.rec.clone(), e.hlc.Now(), nil
	}
	rec := ts.rec.clone()
	rec.ChangeCapture = on
	ts.life.Lock()
	from = e.hlc.Now()
	rec.ChangeCaptureFrom = 0
	if on {
		rec.ChangeCaptureFrom = from
	}
	err = e.putCaptureRecord(ts, rec)
	if err == nil {
		ts.layout.Store(ts.layout.Load().withCapture(on))
		ts.refs.reset() // on: the log is empty; off: dropped
	}
	ts.life.Unlock()
	if err != nil {
		return nil, 0, err
	}
	ts.rec = rec
	e.notifyCatalog()
	e.log.Info("change capture updated", "table", table, "on", on, "from", from)
	return rec.clone(), from, nil
}

// putCaptureRecord durably stores rec, dropping the table's change log
// (and its trim mark) in the same commit when capture goes off.
func (e *Engine) putCaptureRecord(ts *tableState, rec *Table) error {
	b := e.db.NewBatch()
	var err error
	if !rec.ChangeCapture {
		p := changeLogPrefix(ts.id)
		err = b.DeleteRange(p, prefixEnd(p))
	}
	if err == nil {
		err = e.addRecord(b, ts, rec)
	}
	if err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}

// DeleteTableWithSnapshot is DeleteTable that also returns a TableSnapshot
// pinned inside the same critical section, just before the keys are
// removed: exactly the table's last state, since no write can land
// between (every write acknowledged before the call is in it). Its
// record is the table's as it was (not DELETING); its change log is the
// one the deletion removed (TableSnapshot.ReadChanges); its Bounds are
// (hi-1, hi): every commit of the table took a timestamp below hi. The
// caller must Close it. Same errors as DeleteTable.
func (e *Engine) DeleteTableWithSnapshot(ctx context.Context, name string) (*Table, *TableSnapshot, error) {
	return e.deleteTable(ctx, name, true)
}
