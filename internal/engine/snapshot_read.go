package engine

import (
	"context"
	"errors"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// TableKey names one item: a table and the item's primary key.
type TableKey struct {
	Table string
	Key   attr.Item
}

// GetItems reads several items, of one or more tables, from one consistent
// snapshot of the store (TransactGetItems): every commit is either wholly
// seen or not at all, and the reads see every write acknowledged before
// the call. items[i] is the item of keys[i], nil if absent.
// ErrTableNotFound or ErrInvalidKey if a key names no table or does not
// match its schema.
func (e *Engine) GetItems(ctx context.Context, keys []TableKey) (items []attr.Item, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	skeys := make([][]byte, len(keys))
	for i, k := range keys {
		ts, err := e.lookupReady(k.Table)
		if err != nil {
			return nil, err
		}
		if skeys[i], err = ts.itemKey(k.Key); err != nil {
			return nil, err
		}
	}
	snap := e.db.NewSnapshot()
	defer func() { err = errors.Join(err, snap.Close()) }()
	items = make([]attr.Item, len(keys))
	for i, sk := range skeys {
		if items[i], err = readItem(snap, sk); err != nil {
			return nil, err
		}
	}
	return items, nil
}
