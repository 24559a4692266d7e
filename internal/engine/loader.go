package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// loaderBatchSize is the size at which a Loader commits its batch: large
// enough that per-commit costs vanish, well below Pebble's large-batch
// threshold (half a memtable).
const loaderBatchSize = 4 << 20

// errLoaderClosed: a Loader used after Finish or Close.
var errLoaderClosed = errors.New("engine: loader is closed")

// Loader bulk-loads the items of a restore target (see NewLoader). It is
// not safe for concurrent use. Finish or Close it before Engine.Close.
type Loader struct {
	e     *Engine
	ts    *tableState
	epoch uint64 // ts.loadEpoch when opened
	// batchSize is loaderBatchSize; tests lower it.
	batchSize int
	c         *commitBatch // the batch being filled; nil once closed
	err       error        // the first failure, returned from then on
}

// NewLoader returns a Loader for a restore target (a table created with
// TableSpec.Restore and not yet finished). Nobody else writes such a
// table, so the Loader takes no item locks: it writes the items with
// their index entries, TTL entries, item collection sizes and stats
// exactly as writes through Mutate would, in large batches committed
// without waiting for the disk; Finish makes them durable. Stats (and so
// DescribeTable's ItemCount) grow as the batches commit. Each batch is
// atomic, so after a crash the stored stats match the stored items;
// redoing the load needs ResetRestore first. ErrTableNotFound;
// ErrNotRestoring unless the table is a restore in progress.
func (e *Engine) NewLoader(ctx context.Context, table string) (*Loader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.RLock()
	defer e.catMu.RUnlock()
	ts, err := e.restoreTarget(table)
	if err != nil {
		return nil, err
	}
	// loadEpoch changes only under catMu held exclusively.
	l := &Loader{e: e, ts: ts, epoch: ts.loadEpoch, batchSize: loaderBatchSize}
	l.c = l.newBatch()
	return l, nil
}

// newBatch returns an empty commit batch for the loader.
func (l *Loader) newBatch() *commitBatch {
	return &commitBatch{
		b:       l.e.db.NewBatchSized(l.batchSize + l.batchSize/8), // the last item may overshoot
		r:       l.e.db,
		tables:  map[*tableState]statsDelta{},
		indexes: map[*indexState]statsDelta{},
		colls:   map[string]*collection{},
	}
}

// Add writes one item, which must carry the table's key attributes with
// their types (else an error wrapping ErrInvalidKey, and nothing is
// written). The caller guarantees that no key is added twice; order does
// not matter. The item is not retained.
func (l *Loader) Add(item attr.Item) error { return l.add(item, nil) }

// AddEncoded is Add for an item whose stored encoding the caller already
// holds (a backup or log record: attr.AppendItem's bytes, which the item
// was decoded from); they are stored as they are instead of encoding the
// item again (14 % of a restore's CPU). Neither is retained.
func (l *Loader) AddEncoded(item attr.Item, enc []byte) error { return l.add(item, enc) }

func (l *Loader) add(item attr.Item, enc []byte) error {
	if l.err != nil {
		return l.err
	}
	if l.c == nil {
		return errLoaderClosed
	}
	ts := l.ts
	skey, err := ts.itemKeyOf(item)
	if err != nil {
		return err
	}
	w := pendingWrite{table: ts, skey: skey, new: item, enc: enc}
	if ts.hasLSI {
		if w.collKey, err = ts.collectionKey(skey); err != nil {
			return err
		}
		if l.c.colls[string(w.collKey)] == nil {
			l.c.colls[string(w.collKey)] = &collection{key: w.collKey}
		}
	}
	// The write path proper: old is nil, so nothing is read. The layout
	// cannot change while the table is CREATING.
	if err := l.c.addWrite(0, &w); err != nil {
		return l.fail(err)
	}
	if l.c.b.Len() >= l.batchSize {
		return l.commit(false)
	}
	return nil
}

// Finish commits what is buffered and makes everything the Loader wrote
// durable, then closes the Loader. The table stays CREATING until
// FinishRestore.
func (l *Loader) Finish() error {
	if l.err != nil {
		return l.err
	}
	if l.c == nil {
		return errLoaderClosed
	}
	err := l.commit(true)
	l.Close() // after a failure, the batch it kept
	return err
}

// Close releases the Loader's resources, discarding what is buffered if
// Finish was not called (to abandon a load). Safe to call more than once.
func (l *Loader) Close() {
	if l.c != nil {
		l.c.b.Close()
		l.c = nil
	}
}

// commit commits the batch with its counter deltas and starts a new one;
// or, if final, commits it synced (which makes earlier unsynced commits
// durable too, even if the batch is empty) and starts none.
func (l *Loader) commit(final bool) error {
	ts := l.ts
	ts.life.RLock()
	defer ts.life.RUnlock()
	if ts.deleted || ts.loadEpoch != l.epoch {
		return l.fail(fmt.Errorf("%w: %s was reset, finished or dropped during the load", ErrNotRestoring, ts.name))
	}
	c := l.c
	l.c = nil
	if c.b.Empty() {
		c.b.Close()
		if final {
			return l.fail(l.e.db.SyncWAL())
		}
		l.c = l.newBatch()
		return nil
	}
	if err := c.addCounters(); err != nil {
		c.b.Close()
		return l.fail(err)
	}
	var err error
	if final {
		err = c.b.Commit()
	} else {
		err = c.b.CommitNoSync()
	}
	if err != nil {
		return l.fail(err)
	}
	c.applyStats()
	if !final {
		l.c = l.newBatch()
	}
	return nil
}

// fail records the Loader's first failure, if err is one, and returns
// the Loader's error.
func (l *Loader) fail(err error) error {
	if l.err == nil {
		l.err = err
	}
	return l.err
}

// itemKeyOf returns the storage key of a whole item, checking that it
// carries the table's key attributes with their types.
func (ts *tableState) itemKeyOf(item attr.Item) ([]byte, error) {
	hv, err := keyValue(item, ts.schema.Hash)
	if err != nil {
		return nil, err
	}
	k := ts.items.partitionPrefix(hv)
	if r := ts.schema.Range; r != nil {
		rv, err := keyValue(item, *r)
		if err != nil {
			return nil, err
		}
		k = attr.AppendKey(k, rv)
	}
	return k, nil
}
