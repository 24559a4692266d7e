package engine

import (
	"bytes"
	"context"
	"errors"
	"runtime"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// backfillBatch is how many items a backfill handles per commit: small
// enough that the item locks it holds delay foreground writes by about
// one commit, large enough to share that commit's fsync widely.
const backfillBatch = 128

// errBackfillObsolete stops a backfill whose index (or TTL setting) or
// table is gone.
var errBackfillObsolete = errors.New("engine: backfill no longer needed")

// backfillJob builds, from the items already in a table, either one
// index's entries or the TTL index. Writes maintain the target from the
// moment it is published, so the job only adds what items written before
// then lack. It handles each item under the item's lock, from the item as
// committed, and adds an index entry only if it is absent: the result is
// exact whatever writes run meanwhile, and a job that is interrupted can
// simply start again from the beginning.
type backfillJob struct {
	ts    *tableState
	index *indexState // the index to build, or nil for the TTL index
	ttl   *ttlConfig  // the TTL setting to build the TTL index for
}

// live reports whether the job's target is still maintained in layout l.
func (j backfillJob) live(l *tableLayout) bool {
	if j.index != nil {
		return l.index(j.index.name) == j.index
	}
	return l.ttl == j.ttl
}

// resumeBackfills restarts, at Open, the backfills that were interrupted,
// except on CREATING tables (FinishRestore starts theirs).
func (e *Engine) resumeBackfills() {
	for _, ts := range e.tables {
		if ts.checkReady() == nil {
			e.resumeTableBackfills(ts)
		}
	}
}

// resumeTableBackfills starts the backfills the table's record says are
// unfinished. Callers hold catMu (or are Open).
func (e *Engine) resumeTableBackfills(ts *tableState) {
	l := ts.layout.Load()
	for _, ix := range l.indexes {
		if ix.backfilling.Load() {
			e.startBackfill(backfillJob{ts: ts, index: ix})
		}
	}
	if ts.rec.TTLBackfilling && l.ttl != nil {
		e.startBackfill(backfillJob{ts: ts, ttl: l.ttl})
	}
}

// startBackfill runs a job in the background and records its completion.
func (e *Engine) startBackfill(j backfillJob) {
	e.goBackground(func(ctx context.Context) {
		err := e.runBackfill(ctx, j)
		switch {
		case err == nil:
			e.finishBackfill(j)
		case errors.Is(err, errBackfillObsolete), ctx.Err() != nil:
		default:
			e.log.Error("backfill failed; it restarts at the next open", "table", j.ts.name, "index", j.name(), "err", err)
		}
	})
}

// name names the job's target for logs.
func (j backfillJob) name() string {
	if j.index != nil {
		return j.index.name
	}
	return "TTL"
}

// runBackfill walks the table in key order, one batch of items at a time,
// yielding between batches so foreground work keeps its pace.
func (e *Engine) runBackfill(ctx context.Context, j backfillJob) error {
	lower, upper := j.ts.prefix, prefixEnd(j.ts.prefix)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		keys, err := e.nextKeys(lower, upper, backfillBatch)
		if err != nil || len(keys) == 0 {
			return err
		}
		if err := e.backfillKeys(j, keys); err != nil {
			return err
		}
		lower = keySuccessor(keys[len(keys)-1])
		if e.afterBackfillBatch != nil {
			e.afterBackfillBatch(ctx)
		}
		runtime.Gosched()
	}
}

// nextKeys returns up to n keys in [lower, upper), copied.
func (e *Engine) nextKeys(lower, upper []byte, n int) ([][]byte, error) {
	it, err := e.db.NewIter(lower, upper)
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	for ok := it.First(); ok && len(keys) < n; ok = it.Next() {
		keys = append(keys, bytes.Clone(it.Key()))
	}
	return keys, it.Close()
}

// backfillKeys adds the missing target entries of the items at keys, in
// one commit, holding the table's life lock and the items' locks.
func (e *Engine) backfillKeys(j backfillJob, keys [][]byte) error {
	ts := j.ts
	ts.life.RLock()
	defer ts.life.RUnlock()
	if ts.deleted || !j.live(ts.layout.Load()) {
		return errBackfillObsolete
	}
	stripes := make([]int, len(keys))
	for i, k := range keys {
		stripes[i] = stripeOf(k)
	}
	defer e.locks.lock(stripes)()
	b := e.db.NewBatch()
	var d statsDelta
	for _, k := range keys {
		item, err := readItem(e.db, k)
		if err != nil {
			b.Close()
			return err
		}
		if item == nil {
			continue
		}
		if j.index == nil {
			if exp, ok := ttlExpiry(item, j.ttl.attr); ok {
				err = b.Set(ts.ttlKey(exp, k), nil)
			}
		} else {
			d, err = e.backfillEntry(b, j.index, item, d)
		}
		if err != nil {
			b.Close()
			return err
		}
	}
	if !d.isZero() {
		if err := d.addTo(b, j.index.statsKey); err != nil {
			b.Close()
			return err
		}
	}
	if b.Empty() {
		return b.Close()
	}
	if err := b.Commit(); err != nil {
		return err
	}
	if j.index != nil {
		j.index.stats.apply(d)
	}
	return nil
}

// backfillEntry adds item's entry in ix to b unless the item is not in the
// index or the entry exists, returning d plus the entry's stats.
func (e *Engine) backfillEntry(b *kv.Batch, ix *indexState, item attr.Item, d statsDelta) (statsDelta, error) {
	en, ok := ix.entry(item)
	if !ok {
		return d, nil
	}
	_, present, err := e.db.Get(en.key)
	if err != nil || present {
		return d, err
	}
	d.count++
	d.size += en.size()
	return d, b.Set(en.key, attr.AppendItem(nil, en.proj))
}

// finishBackfill records that a job completed: the index becomes ACTIVE,
// or the TTL setting stops saying it is backfilling.
func (e *Engine) finishBackfill(j backfillJob) {
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts := j.ts
	if e.tables[ts.name] != ts || !j.live(ts.layout.Load()) {
		return
	}
	rec := ts.rec.clone()
	if j.index != nil {
		for i := range rec.Indexes {
			if rec.Indexes[i].ID == j.index.id {
				rec.Indexes[i].Status = IndexActive
				rec.Indexes[i].Backfilling = false
			}
		}
	} else {
		rec.TTLBackfilling = false
	}
	if err := e.putRecord(ts, rec); err != nil {
		e.log.Error("recording a finished backfill failed; it restarts at the next open", "table", ts.name, "index", j.name(), "err", err)
		return
	}
	ts.rec = rec
	if j.index != nil {
		j.index.backfilling.Store(false)
	}
	e.notifyCatalog()
	e.log.Info("backfill done", "table", ts.name, "index", j.name())
}
