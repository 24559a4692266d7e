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
	table  *tableState
	key    attr.Item // nil for engine-internal writes (fn never changes the key)
	skey   []byte    // storage key
	fn     MutateFunc
	origin Origin
	// collKey is the key of the item's collection size, for tables with
	// local secondary indexes; nil otherwise.
	collKey []byte
	old     attr.Item
	new     attr.Item
	// enc is new's stored encoding (nil for a deletion), set when the
	// write is added to a commit (or given by Loader.AddEncoded).
	enc []byte
}

// changed reports whether the write must store anything: Fn returning old
// itself (or nil for an absent item) is a no-op.
func (w *pendingWrite) changed() bool {
	return reflect.ValueOf(w.old).UnsafePointer() != reflect.ValueOf(w.new).UnsafePointer()
}

// Mutate applies one MutateFunc atomically and durably (synced before
// return), maintaining the table's indexes in the same commit. fn's error
// is returned as is (as is ErrItemCollectionTooLarge), with the result's
// Old set.
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
// runs under all the item locks, and the items' index entries, TTL entries
// and statistics are written in the same batch. If any Fn returns an error
// (or changes its item's key, or would grow an item collection beyond
// ItemCollectionSizeLimit), nothing is written, err is
// ErrTransactionCanceled, errs[i] holds each mutation's error (nil for
// those that succeeded) and results[i].Old the item each Fn saw. Other
// errors (unknown table, invalid or duplicate key, storage failure) return
// nil results and errs.
func (e *Engine) MutateMany(ctx context.Context, muts []Mutation) (results []MutationResult, errs []error, err error) {
	return e.MutateManyWith(ctx, muts, MutateOptions{})
}

// MutateManyWith is MutateMany with options: opts.Meta records are
// created in the same commit (ErrMetaExists, with nil results and errs, if
// one exists already).
func (e *Engine) MutateManyWith(ctx context.Context, muts []Mutation, opts MutateOptions) (results []MutationResult, errs []error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ws, err := e.prepare(muts)
	if err != nil {
		return nil, nil, err
	}
	metas, err := prepareMeta(opts.Meta)
	if err != nil {
		return nil, nil, err
	}
	return e.commitWrites(ws, metas)
}

// prepare resolves tables and storage keys and rejects duplicate items.
func (e *Engine) prepare(muts []Mutation) ([]pendingWrite, error) {
	ws := make([]pendingWrite, len(muts))
	for i, m := range muts {
		ts, err := e.lookupReady(m.Table)
		if err != nil {
			return nil, err
		}
		skey, err := ts.itemKey(m.Key)
		if err != nil {
			return nil, err
		}
		ws[i] = pendingWrite{table: ts, key: m.Key, skey: skey, fn: m.Fn, origin: m.Origin}
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

// commitWrites runs the writes' functions under the locks of their tables,
// items, item collections and meta records, then commits the result.
func (e *Engine) commitWrites(ws []pendingWrite, metas []metaWrite) (results []MutationResult, errs []error, err error) {
	unlockTables, err := lockTables(ws)
	if err != nil {
		return nil, nil, err
	}
	defer unlockTables()
	stripes := make([]int, 0, len(ws)+len(metas))
	for i := range ws {
		stripes = append(stripes, stripeOf(ws[i].skey))
		if ws[i].table.hasLSI {
			ck, err := ws[i].table.collectionKey(ws[i].skey)
			if err != nil {
				return nil, nil, err
			}
			ws[i].collKey = ck
			stripes = append(stripes, stripeOf(ck))
		}
	}
	for _, m := range metas {
		stripes = append(stripes, stripeOf(m.key))
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
		var ferr error
		w.new, ferr = w.fn(w.old)
		if ferr == nil && w.new != nil && w.changed() && !w.table.sameKey(w.new, w.key) {
			ferr = fmt.Errorf("%w: table %s", ErrKeyChanged, w.table.name)
		}
		if ferr != nil {
			errs[i], canceled = ferr, true
		}
	}
	if canceled {
		return results, errs, ErrTransactionCanceled
	}
	if err := e.checkMeta(metas); err != nil {
		return nil, nil, err
	}
	if err := e.apply(ws, metas, results, errs); err != nil {
		if errors.Is(err, ErrTransactionCanceled) {
			return results, errs, err
		}
		return nil, nil, err
	}
	for i := range ws {
		results[i].New = ws[i].new
	}
	return results, errs, nil
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
