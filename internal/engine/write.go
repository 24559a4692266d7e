package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// pendingWrite is one mutation on its way through the write path.
type pendingWrite struct {
	table *tableState
	key   attr.Item
	skey  []byte // storage key
	fn    MutateFunc
	old   attr.Item
	new   attr.Item
}

// changed reports whether the write must store anything: Fn returning old
// itself (or nil for an absent item) is a no-op.
func (w *pendingWrite) changed() bool {
	return reflect.ValueOf(w.old).UnsafePointer() != reflect.ValueOf(w.new).UnsafePointer()
}

// Mutate applies one MutateFunc atomically and durably (synced before
// return). fn's error is returned as is, with the result's Old set.
func (e *Engine) Mutate(ctx context.Context, table string, key attr.Item, fn MutateFunc) (MutationResult, error) {
	res, errs, err := e.MutateMany(ctx, []Mutation{{Table: table, Key: key, Fn: fn}})
	switch {
	case errors.Is(err, ErrTransactionCanceled):
		return res[0], errs[0]
	case err != nil:
		return MutationResult{}, err
	}
	return res[0], nil
}

// MutateMany applies several mutations (distinct items, possibly of several
// tables) as one atomic, durable commit with one commit timestamp: every Fn
// runs under all the item locks. If any Fn returns an error (or changes its
// item's key), nothing is written, err is ErrTransactionCanceled, errs[i]
// holds each Fn's error (nil for those that succeeded) and results[i].Old
// the item each Fn saw. Other errors (unknown table, invalid or duplicate
// key, storage failure) return nil results and errs.
func (e *Engine) MutateMany(ctx context.Context, muts []Mutation) (results []MutationResult, errs []error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ws, err := e.prepare(muts)
	if err != nil {
		return nil, nil, err
	}
	unlockTables, err := lockTables(ws)
	if err != nil {
		return nil, nil, err
	}
	defer unlockTables()
	stripes := make([]int, len(ws))
	for i := range ws {
		stripes[i] = stripeOf(ws[i].skey)
	}
	defer e.locks.lock(stripes)()

	results = make([]MutationResult, len(ws))
	errs = make([]error, len(ws))
	canceled := false
	for i := range ws {
		w := &ws[i]
		if w.old, err = readItem(e.db, w.skey); err != nil {
			return nil, nil, err
		}
		results[i].Old = w.old
		nu, ferr := w.fn(w.old)
		if ferr == nil && nu != nil && !w.table.sameKey(nu, w.key) {
			ferr = fmt.Errorf("%w: table %s", ErrKeyChanged, w.table.name)
		}
		if ferr != nil {
			errs[i], canceled = ferr, true
			continue
		}
		w.new = nu
	}
	if canceled {
		return results, errs, ErrTransactionCanceled
	}
	if err := e.apply(ws); err != nil {
		return nil, nil, err
	}
	for i := range ws {
		results[i].New = ws[i].new
	}
	return results, errs, nil
}

// prepare resolves tables and storage keys and rejects duplicate items.
func (e *Engine) prepare(muts []Mutation) ([]pendingWrite, error) {
	ws := make([]pendingWrite, len(muts))
	for i, m := range muts {
		ts, err := e.lookup(m.Table)
		if err != nil {
			return nil, err
		}
		skey, err := ts.itemKey(m.Key)
		if err != nil {
			return nil, err
		}
		ws[i] = pendingWrite{table: ts, key: m.Key, skey: skey, fn: m.Fn}
	}
	if len(ws) > 1 {
		keys := make([][]byte, len(ws))
		for i := range ws {
			keys[i] = ws[i].skey
		}
		slices.SortFunc(keys, bytes.Compare)
		for i := 1; i < len(keys); i++ {
			if bytes.Equal(keys[i-1], keys[i]) {
				return nil, ErrDuplicateItem
			}
		}
	}
	return ws, nil
}

// lockTables holds the tables' life locks shared (in TableId order, so that
// concurrent DeleteTables cannot deadlock writers) and fails with
// ErrTableNotFound if one was deleted since it was looked up.
func lockTables(ws []pendingWrite) (unlock func(), err error) {
	var tables []*tableState
	for _, w := range ws {
		if !slices.Contains(tables, w.table) {
			tables = append(tables, w.table)
		}
	}
	slices.SortFunc(tables, func(a, b *tableState) int { return bytes.Compare(a.id[:], b.id[:]) })
	unlock = func() {
		for _, ts := range tables {
			ts.life.RUnlock()
		}
	}
	for i, ts := range tables {
		ts.life.RLock()
		if ts.deleted {
			for _, held := range tables[:i+1] {
				held.life.RUnlock()
			}
			return nil, fmt.Errorf("%w: deleted during the write", ErrTableNotFound)
		}
	}
	return unlock, nil
}

// apply writes the changed items, and the tables' stats deltas, in one
// batch at one commit timestamp, synced before returning.
func (e *Engine) apply(ws []pendingWrite) error {
	if !slices.ContainsFunc(ws, func(w pendingWrite) bool { return w.changed() }) {
		return nil
	}
	commitTS := e.inflight.begin(e.hlc)
	defer e.inflight.end(commitTS)

	b := e.db.NewBatch()
	deltas := map[*tableState]statsDelta{}
	for i := range ws {
		w := &ws[i]
		if !w.changed() {
			continue
		}
		d := deltas[w.table]
		if w.old != nil {
			d.count--
			d.size -= int64(attr.ItemSize(w.old))
		}
		var err error
		if w.new != nil {
			d.count++
			d.size += int64(attr.ItemSize(w.new))
			err = b.Set(w.skey, attr.AppendItem(nil, w.new))
		} else {
			err = b.Delete(w.skey)
		}
		if err != nil {
			b.Close()
			return err
		}
		deltas[w.table] = d
		// Change capture hook: the change-log record of this write (PITR,
		// later Streams; DESIGN §3) goes into b here, keyed by commitTS.
	}
	for ts, d := range deltas {
		if d.isZero() {
			continue
		}
		if err := d.addTo(b, ts); err != nil {
			b.Close()
			return err
		}
	}
	if err := b.Commit(); err != nil {
		return err
	}
	for ts, d := range deltas {
		ts.stats.apply(d)
	}
	return nil
}
