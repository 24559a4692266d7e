package engine

import (
	"context"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// GetItem reads one item by its full primary key; nil if absent. It sees
// every write acknowledged before it started (strongly consistent).
func (e *Engine) GetItem(ctx context.Context, table string, key attr.Item) (attr.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ts, err := e.lookupReady(table)
	if err != nil {
		return nil, err
	}
	skey, err := ts.itemKey(key)
	if err != nil {
		return nil, err
	}
	return readItem(e.db, skey)
}

// readItem reads and decodes the item at a storage key (nil if absent).
func readItem(r kv.Reader, skey []byte) (attr.Item, error) {
	v, found, err := r.Get(skey)
	if err != nil || !found {
		return nil, err
	}
	return decodeItem(skey, v)
}

// decodeItem decodes a stored item value; skey is for the error message.
func decodeItem(skey, v []byte) (attr.Item, error) {
	it, err := attr.DecodeItem(v)
	if err != nil {
		return nil, fmt.Errorf("engine: corrupt item at %x: %w", skey, err)
	}
	return it, nil
}
