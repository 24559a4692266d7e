package engine

import (
	"context"
	"fmt"
	"time"
)

// ListMeta returns the unexpired meta records whose keys start with
// prefix, in key order. It is meant for small sets (jobs in progress).
func (e *Engine) ListMeta(ctx context.Context, prefix string) ([]MetaRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lo := metaKey(prefix)
	it, err := e.db.NewIter(lo, prefixEnd(lo))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	now := e.clock.Now().UnixMicro()
	var out []MetaRecord
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			return nil, err
		}
		exp, val, ok := decodeMeta(v)
		if !ok {
			return nil, fmt.Errorf("engine: corrupt meta record at %q", it.Key())
		}
		if exp <= now {
			continue
		}
		out = append(out, MetaRecord{Key: string(it.Key()[2:]), Value: append([]byte(nil), val...),
			ExpiresAt: time.UnixMicro(exp)})
	}
	return out, it.Error()
}

// DeleteMeta removes a meta record (and its expiry queue entry), durably.
// Deleting a missing record is not an error.
func (e *Engine) DeleteMeta(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	k := metaKey(key)
	defer e.locks.lock([]int{stripeOf(k)})()
	v, found, err := e.db.Get(k)
	if err != nil || !found {
		return err
	}
	b := e.db.NewBatch()
	err = b.Delete(k)
	if exp, _, ok := decodeMeta(v); ok && err == nil {
		err = b.Delete(metaQueueKey(exp, key))
	}
	if err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}
