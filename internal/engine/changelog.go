package engine

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// Change capture (DESIGN §3, §7). While a table's capture is on
// (SetChangeCapture), every commit that changes one of its items also
// writes, in the same Pebble batch, one change record per changed item:
// the commit timestamp, the item's order within the commit, its primary
// key and its new image (nil for a deletion), and who asked (a client or
// the TTL expirer). So a change record is durable exactly when its item
// is, and a crash never leaves one without the other. Writes that change
// nothing (a failed condition, a delete of an absent item, a function
// returning the old item) commit nothing and log nothing. Writes that
// only maintain derived data (index and TTL backfills) and bulk loads of
// restore targets (Loader) are not captured.
//
// A shipper reads the log up to the resolved timestamp (ReadChanges up to
// ResolvedTimestamp): no commit at or below it can still appear, so
// nothing is ever missed. It then trims what it shipped (TrimChanges).

// Change is one captured write of an item.
type Change struct {
	// TS is the commit timestamp (HLC); a transaction's changes share it.
	TS clock.Timestamp
	// Seq is the change's order within the commit: 0, 1, ... over the
	// changes of one table in one commit, in the order of the mutations.
	Seq uint32
	// Key is the item's primary key, as PrimaryKey encodes it.
	Key []byte
	// Item is the new item in its stored encoding (attr.AppendItem,
	// decodable with attr.DecodeItem); nil for a delete.
	Item []byte
	// Origin is OriginRequest, or OriginTTL for a TTL expiry deletion.
	Origin Origin
}

// changeSeq counts one table's change records in a commit.
type changeSeq struct {
	ts *tableState
	n  uint32
}

// PrimaryKey returns the encoding of item's primary key under ks: the same
// bytes Change.Key holds, so a base snapshot's items and the log's changes
// can be matched by key. It is the item's storage key without the table
// prefix (hash64 of the partition key, then the order-preserving
// encodings of the partition and sort keys), so it is independent of the
// table id (stable across tables with the same key schema), and
// bytes.Compare orders keys as TableSnapshot.Items and Scan order items.
// item may hold other attributes; it must hold the key attributes with
// their types (else an error wrapping ErrInvalidKey).
func PrimaryKey(ks KeySchema, item attr.Item) ([]byte, error) {
	hv, err := keyValue(item, ks.Hash)
	if err != nil {
		return nil, err
	}
	k := appendPartition(make([]byte, 0, 48), nil, hv)
	if ks.Range != nil {
		rv, err := keyValue(item, *ks.Range)
		if err != nil {
			return nil, err
		}
		k = attr.AppendKey(k, rv)
	}
	return k, nil
}

// nextSeq returns the seq of the table's next change record in the
// commit.
func (c *commitBatch) nextSeq(ts *tableState) uint32 {
	for i := range c.changes {
		if c.changes[i].ts == ts {
			n := c.changes[i].n
			c.changes[i].n++
			return n
		}
	}
	c.changes = append(c.changes, changeSeq{ts: ts, n: 1})
	return 0
}

// ReadChanges calls fn for the table's captured changes with
// after < TS <= upTo, in (TS, Seq) order, from one consistent view of the
// log. Read up to ResolvedTimestamp to be sure no change at or below upTo
// can still appear. The Change's slices are valid only during fn (they
// are reused: copy what must outlive the call). fn's error stops the read
// and is returned as is. ErrTableNotFound.
func (e *Engine) ReadChanges(ctx context.Context, table string, after, upTo clock.Timestamp, fn func(Change) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return err
	}
	// One view for the log and the items its references point to.
	snap := e.db.NewSnapshot()
	defer snap.Close()
	return readChanges(ctx, snap, ts.id, ts.prefix, after, upTo, fn)
}

// ReadChanges calls fn for the changes with after < TS <= upTo that the
// table's change log held at the snapshot instant (see Engine.ReadChanges):
// with DeleteTableWithSnapshot, the changes not yet shipped when the table
// was deleted.
func (s *TableSnapshot) ReadChanges(ctx context.Context, after, upTo clock.Timestamp, fn func(Change) error) error {
	if s.closed.Load() {
		return errSnapshotClosed
	}
	var id [tableIDLen]byte
	copy(id[:], s.prefix[1:])
	return readChanges(ctx, s.snap, id, s.prefix, after, upTo, fn)
}

// maxTrimAhead bounds how far past the wall clock TrimChanges ratchets
// the commit clock.
const maxTrimAhead = time.Hour

// readChanges walks the log records of table id with after < TS <= upTo
// in the view r, reading the images of reference records from the
// table's items (prefix items) in the same view.
func readChanges(ctx context.Context, r kv.Reader, id [tableIDLen]byte, items []byte, after, upTo clock.Timestamp, fn func(Change) error) error {
	if upTo <= after {
		return nil
	}
	var item, key []byte // reused: resolved images, their keys
	return walkLog(ctx, r, changeBound(id, after+1), changeUpper(id, upTo), func(c Change, ref bool) error {
		if ref {
			var err error
			if item, key, err = resolveRef(r, items, item[:0], key[:0], c.Key); err != nil {
				return fmt.Errorf("%w (at %v/%d)", err, c.TS, c.Seq)
			}
			c.Item = item
		}
		return fn(c)
	})
}

// walkLog decodes the log records in [lower, upper) of r in order and
// calls fn with each (its slices alias the iterator's, valid during the
// call) and whether it is a reference record.
func walkLog(ctx context.Context, r kv.Reader, lower, upper []byte, fn func(c Change, ref bool) error) (err error) {
	it, err := r.NewIter(lower, upper)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}()
	for n, ok := 0, it.First(); ok; n, ok = n+1, it.Next() {
		if n%ctxCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var c Change
		if c.TS, c.Seq, err = parseChangeKey(it.Key()); err != nil {
			return err
		}
		v, err := it.Value()
		if err != nil {
			return err
		}
		ref, err := decodeChangeValue(v, &c)
		if err != nil {
			return fmt.Errorf("%w (at %v/%d)", err, c.TS, c.Seq)
		}
		if err := fn(c, ref); err != nil {
			return err
		}
	}
	return nil
}

// HasChanges reports whether the table has captured changes with
// TS > after (one seek). ErrTableNotFound.
func (e *Engine) HasChanges(ctx context.Context, table string, after clock.Timestamp) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return false, err
	}
	if after == ^clock.Timestamp(0) {
		return false, nil
	}
	it, err := e.db.NewIter(changeBound(ts.id, after+1), prefixEnd(changeLogPrefix(ts.id)))
	if err != nil {
		return false, err
	}
	found := it.First()
	return found, it.Close()
}

// TrimChanges removes the table's captured changes with TS <= upTo (after
// they were shipped), durably. Trim only what was read up to a resolved
// timestamp: a commit at or below upTo still in flight would survive the
// trim. upTo also ratchets the commit clock and is recorded as the log's
// trim mark, which Open ratchets the clock above: every later commit,
// after a restart too, gets a timestamp above upTo even if the wall clock
// went back (so a shipper that trims what it shipped, also at startup,
// never sees a commit land in its past). An upTo more than
// maxTrimAhead past the wall clock (say math.MaxUint64, "everything")
// moves neither. Trimming a table whose capture is off does nothing (its
// log is empty). ErrTableNotFound.
func (e *Engine) TrimChanges(ctx context.Context, table string, upTo clock.Timestamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return err
	}
	// Shared, like a write: the table cannot be deleted, nor its capture
	// turned off (which drops the log), while the trim commits, so it
	// never leaves a mark behind a dropped log.
	ts.life.RLock()
	defer ts.life.RUnlock()
	if ts.deleted {
		return fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if !ts.layout.Load().capture {
		return nil
	}
	e.trimMu.Lock() // the mark only grows
	defer e.trimMu.Unlock()
	p := changeLogPrefix(ts.id)
	mark := upTo
	if mark > clock.TimestampAt(e.clock.Now().Add(maxTrimAhead)) {
		mark = e.hlc.Last()
	}
	e.hlc.Observe(mark)
	v, found, err := e.db.Get(p)
	if err != nil {
		return err
	}
	b := e.db.NewBatch()
	err = b.DeleteRange(changeBound(ts.id, 0), changeUpper(ts.id, upTo))
	if err == nil && (!found || len(v) != 8 || clock.Timestamp(binary.BigEndian.Uint64(v)) < mark) {
		err = b.Set(p, binary.BigEndian.AppendUint64(nil, uint64(mark)))
	}
	if err != nil {
		b.Close()
		return err
	}
	if err := b.Commit(); err != nil {
		return err
	}
	ts.refs.trim(upTo) // only now: see changelog_refs.go
	return nil
}

// observeChangeLog ratchets the commit clock (at Open) above every
// timestamp the table's capture has used: its capture boundary, the
// newest record of its log and its trim mark. Commits after a restart
// then never get a timestamp at or below a change already logged or
// shipped, even if the wall clock went back.
func (e *Engine) observeChangeLog(ts *tableState) error {
	if !ts.rec.ChangeCapture {
		return nil
	}
	e.hlc.Observe(ts.rec.ChangeCaptureFrom)
	p := changeLogPrefix(ts.id)
	it, err := e.db.NewIter(p, prefixEnd(p))
	if err != nil {
		return err
	}
	if it.Last() && len(it.Key()) == changeKeyLen {
		t, _, err := parseChangeKey(it.Key())
		if err != nil {
			it.Close()
			return err
		}
		e.hlc.Observe(t)
	}
	if it.First() && len(it.Key()) == len(p) {
		v, err := it.Value()
		if err != nil {
			it.Close()
			return err
		}
		if len(v) == 8 {
			e.hlc.Observe(clock.Timestamp(binary.BigEndian.Uint64(v)))
		}
	}
	if err := it.Close(); err != nil {
		return err
	}
	return loadRefs(e.db, ts)
}

// loadRefs rebuilds the table's refTracker from its log (at Open).
func loadRefs(r kv.Reader, ts *tableState) error {
	return walkLog(context.Background(), r, changeBound(ts.id, 0), prefixEnd(changeLogPrefix(ts.id)), func(c Change, ref bool) error {
		ts.refs.note(&c, ref)
		return nil
	})
}
