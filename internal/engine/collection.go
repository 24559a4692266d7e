package engine

import (
	"context"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// Item collections. For a table with local secondary indexes, every
// commit merges into 'p' + tableId + hash + key(pk) the change in size of
// that partition key's collection: attr.ItemSize of its items plus the
// sizes of their LSI entries (projected item + 100 bytes, as IndexStats
// counts them). Writes to such a table also lock the collection key's
// stripe, so the size a write checks against ItemCollectionSizeLimit is
// exact.

// collectionKey returns the collection size key of the item at storage
// key skey.
func (ts *tableState) collectionKey(skey []byte) ([]byte, error) {
	n := len(ts.prefix) + 8
	if len(skey) < n {
		return nil, fmt.Errorf("engine: short item key %x", skey)
	}
	_, rest, err := attr.DecodeKey(skey[n:], ts.schema.Hash.Type)
	if err != nil {
		return nil, fmt.Errorf("engine: item key %x: %w", skey, err)
	}
	part := skey[len(ts.prefix) : len(skey)-len(rest)] // hash + key(pk)
	return append(tablePrefix(prefixCollection, ts.id), part...), nil
}

// readCollectionSize reads a collection's merged size.
func readCollectionSize(r kv.Reader, key []byte) (int64, error) {
	v, _, err := r.Get(key)
	if err != nil {
		return 0, err
	}
	return kv.DecodeCounters(v, 1)[0], nil
}

// ItemCollectionSize returns the size in bytes of the item collection of
// partition key pk in a table with local secondary indexes: the sum of
// attr.ItemSize of its items plus the sizes of their LSI entries (counted
// as IndexStats counts them). It is 0 for tables without LSIs.
func (e *Engine) ItemCollectionSize(ctx context.Context, table string, pk attr.Value) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return 0, err
	}
	if pk.Kind != ts.schema.Hash.Type {
		return 0, fmt.Errorf("%w: partition key is %s, want %s", ErrInvalidKey, pk.Kind, ts.schema.Hash.Type)
	}
	if !ts.hasLSI {
		return 0, nil
	}
	p := ts.items.partitionPrefix(pk)
	return readCollectionSize(e.db, append(tablePrefix(prefixCollection, ts.id), p[len(ts.prefix):]...))
}
