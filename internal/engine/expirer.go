package engine

import (
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// expireBatch is how many expired items one expiry commit deletes.
const expireBatch = 64

// startExpirer runs ExpireNow every ttlInterval of the engine's clock
// until Close.
func (e *Engine) startExpirer() {
	t := e.clock.NewTicker(e.ttlInterval)
	e.goBackground(func(ctx context.Context) {
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C():
				if _, err := e.ExpireNow(ctx); err != nil && ctx.Err() == nil {
					e.log.Error("expiry pass failed", "err", err)
				}
			}
		}
	})
}

// ExpireNow runs one expiry pass synchronously: for every table with TTL
// enabled it deletes the items whose expiry has passed (at most
// Options.TTLMaxPerPass; the rest wait for the next pass), each through
// the normal write path under its lock after checking again that it is
// still expired, as an OriginTTL write (a service deletion), with its
// index entries. It also removes expired meta records. It returns the
// number of items deleted. The background expirer calls it every
// Options.TTLInterval of the engine's clock.
func (e *Engine) ExpireNow(ctx context.Context) (int, error) {
	now := e.clock.Now()
	e.catMu.RLock()
	var tables []*tableState
	for _, ts := range e.tables {
		if ts.layout.Load().ttl != nil && ts.checkReady() == nil {
			tables = append(tables, ts)
		}
	}
	e.catMu.RUnlock()
	total := 0
	for _, ts := range tables {
		n, err := e.expireTable(ctx, ts, now.Unix(), e.ttlMaxPerPass-total)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, e.expireMeta(ctx, now)
}

// ExpiredItems returns how many items TTL has deleted since Open.
func (e *Engine) ExpiredItems() int64 {
	return e.expired.Load()
}

// expireTable deletes up to budget of a table's items whose expiry lies in
// [now-ttlMaxAge, now), walking its TTL index in small batches.
func (e *Engine) expireTable(ctx context.Context, ts *tableState, now int64, budget int) (int, error) {
	lower, upper := ts.ttlBound(now-ttlMaxAge), ts.ttlBound(now)
	total := 0
	for total < budget {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		ekeys, err := e.nextKeys(lower, upper, min(expireBatch, budget-total))
		if err != nil || len(ekeys) == 0 {
			return total, err
		}
		ws := make([]pendingWrite, len(ekeys))
		for i, ek := range ekeys {
			ws[i] = pendingWrite{table: ts, skey: ts.itemKeyOfTTL(ek), fn: expireFn(ts, now), origin: OriginTTL}
		}
		results, _, err := e.commitWrites(ws, nil)
		if errors.Is(err, ErrTableNotFound) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
		for _, r := range results {
			if r.Old != nil && r.New == nil {
				total++
				e.expired.Add(1)
			}
		}
		lower = keySuccessor(ekeys[len(ekeys)-1])
		runtime.Gosched()
	}
	return total, nil
}

// expireFn deletes the item if, under its lock, it is still expired at now
// by the table's current TTL setting; otherwise it writes nothing.
func expireFn(ts *tableState, now int64) MutateFunc {
	return func(old attr.Item) (attr.Item, error) {
		cfg := ts.layout.Load().ttl // stable: the write holds ts.life
		if old == nil || cfg == nil {
			return old, nil
		}
		if exp, ok := ttlExpiry(old, cfg.attr); ok && ttlDue(exp, now) {
			return nil, nil
		}
		return old, nil
	}
}

// expireMeta deletes the meta records that expired at or before now, and
// their queue entries, walking the expiry queue.
func (e *Engine) expireMeta(ctx context.Context, now time.Time) error {
	lower := []byte{prefixMeta, metaQueueTag}
	upper := binary.BigEndian.AppendUint64([]byte{prefixMeta, metaQueueTag}, uint64(now.UnixMicro()+1))
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		qkeys, err := e.nextKeys(lower, upper, expireBatch)
		if err != nil || len(qkeys) == 0 {
			return err
		}
		if err := e.dropExpiredMeta(qkeys); err != nil {
			return err
		}
		lower = keySuccessor(qkeys[len(qkeys)-1])
		runtime.Gosched()
	}
}

// dropExpiredMeta deletes the given queue entries and, under their locks,
// the records they name unless the records were replaced since (with
// another expiry).
func (e *Engine) dropExpiredMeta(qkeys [][]byte) error {
	rkeys := make([][]byte, len(qkeys))
	stripes := make([]int, len(qkeys))
	for i, q := range qkeys {
		rkeys[i] = metaKey(string(q[10:]))
		stripes[i] = stripeOf(rkeys[i])
	}
	defer e.locks.lock(stripes)()
	b := e.db.NewBatch()
	for i, q := range qkeys {
		v, found, err := e.db.Get(rkeys[i])
		if err != nil {
			b.Close()
			return err
		}
		if exp, _, ok := decodeMeta(v); found && ok && exp == int64(binary.BigEndian.Uint64(q[2:10])) {
			err = b.Delete(rkeys[i])
		}
		if err == nil {
			err = b.Delete(q)
		}
		if err != nil {
			b.Close()
			return err
		}
	}
	return b.Commit()
}
