package engine

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// Reference records. A put's change record need not carry the new image:
// the item written in the same batch already holds it, until the item is
// written again. So a put of an image of at least minRefImage bytes is
// logged as a reference (key only, ~50 bytes instead of the item's size;
// smaller images are logged inline), and the write that next changes the item,
// if the reference is still in the log, rewrites the reference into a full
// record carrying the image it is about to replace, in its own batch.
// That keeps, in every consistent view of the store (any snapshot):
//
//	a reference record (k, t) in the log  ⇒  the item at k is the image
//	the commit at t wrote.
//
// A later write of k either sees k's reference in refTracker (set after
// the reference's commit, under k's item lock, which the later write then
// holds) and replaces it in its batch, or sees none because TrimChanges
// forgot it — which it does only after its DeleteRange committed, so every
// view holding the later write holds no reference of k at or below the
// trim. readChanges thus resolves a reference by reading the item in the
// same snapshot as the log.
//
// For large items this halves the bytes a captured write adds to the WAL,
// the memtable and compactions (the image once, not twice), which was most
// of what capture cost a write-heavy table. A rewrite racing a trim can put a full record
// back below the trim mark; no reader reads below the mark, and the next
// trim (which deletes from timestamp 0) removes it.

// maxRefs bounds the references tracked per table (~100 bytes each):
// while the log is not shipped (repository unreachable), puts beyond it
// are logged with their image, which needs no tracking.
var maxRefs = 1 << 18 // a variable for tests

// defaultMinRefImage is the smallest image logged as a reference: smaller
// ones cost less to log than to track (BenchmarkPutCapture, ~150-byte
// items: 0.84–0.89 on/off with references, 0.91–0.96 without).
const defaultMinRefImage = 256

var minRefImage = defaultMinRefImage // a variable for tests

// refShards spreads a table's references over independently locked maps,
// so that concurrent writers and a trim do not serialize on one lock.
const refShards = 64

// errDanglingRef reports a reference record whose item is gone: the
// invariant above was broken (a bug or a corrupt store).
var errDanglingRef = errors.New("engine: change log reference to a missing item")

// refEntry is the log record of an item's newest captured write, a
// reference.
type refEntry struct {
	ts     clock.Timestamp
	seq    uint32
	origin Origin
}

// refTracker holds, for a captured table, the items whose newest record in
// the change log is a reference, by primary key.
type refTracker struct {
	n      atomic.Int64 // references tracked
	shards [refShards]refShard
}

type refShard struct {
	mu sync.Mutex
	m  map[string]refEntry
}

// shard returns the shard of a primary key by its first byte (from the
// partition key's hash, so uniform).
func (r *refTracker) shard(first byte) *refShard {
	return &r.shards[int(first)%refShards]
}

// lookup returns the reference of the item with primary key key, if any,
// and whether another reference may be tracked.
func (r *refTracker) lookup(key []byte) (e refEntry, ok, room bool) {
	n := r.n.Load()
	if n == 0 {
		return e, false, true
	}
	sh := r.shard(key[0])
	sh.mu.Lock()
	e, ok = sh.m[string(key)]
	sh.mu.Unlock()
	return e, ok, n < int64(maxRefs)
}

// set tracks (ref) or forgets the newest record of an item.
func (r *refTracker) set(key string, e refEntry, ref bool) {
	sh := r.shard(key[0])
	sh.mu.Lock()
	defer sh.mu.Unlock()
	_, had := sh.m[key]
	switch {
	case ref:
		if sh.m == nil {
			sh.m = map[string]refEntry{}
		}
		sh.m[key] = e
		if !had {
			r.n.Add(1)
		}
	case had:
		delete(sh.m, key)
		r.n.Add(-1)
	}
}

// refUpdate is what a committed write changes in its table's refTracker:
// its reference (ref) or none (its record carries its image, or it is a
// deletion).
type refUpdate struct {
	refs  *refTracker
	key   string
	entry refEntry
	ref   bool
}

// publishRefs applies committed updates (the writer still holds the
// items' locks).
func publishRefs(us []refUpdate) {
	for _, u := range us {
		u.refs.set(u.key, u.entry, u.ref)
	}
}

// trim forgets the references at or below upTo (after TrimChanges
// committed their deletion).
func (r *refTracker) trim(upTo clock.Timestamp) {
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		for k, e := range sh.m {
			if e.ts <= upTo {
				delete(sh.m, k)
				r.n.Add(-1)
			}
		}
		sh.mu.Unlock()
	}
}

// reset forgets every reference (the log was dropped; no write runs).
func (r *refTracker) reset() {
	for i := range r.shards {
		r.shards[i].m = nil
	}
	r.n.Store(0)
}

// note records, at Open, a record of the log read in (TS, Seq) order:
// the newest record of each key decides whether it has a reference.
func (r *refTracker) note(c *Change, ref bool) {
	r.set(string(c.Key), refEntry{ts: c.TS, seq: c.Seq, origin: c.Origin}, ref)
}

// addChange puts the change record of write w, committed at commitTS,
// into the batch: a reference for a put while there is room, else the
// image (nil for a delete). If the item's previous write is still logged
// as a reference, that record is rewritten with the image w replaces.
func (c *commitBatch) addChange(w *pendingWrite, commitTS clock.Timestamp) error {
	ts := w.table
	key := w.skey[len(ts.prefix):] // PrimaryKey's encoding
	prev, ok, room := ts.refs.lookup(key)
	if ok {
		if w.old == nil {
			return errDanglingRef
		}
		old := attr.AppendItem(nil, w.old)
		if err := c.setChange(ts.id, prev.ts, prev.seq, appendChangeValue(c.valueBuf(key, old), prev.origin, key, old)); err != nil {
			return err
		}
	}
	var u refUpdate
	if ok || w.new != nil && len(w.enc) >= minRefImage {
		u = refUpdate{refs: &ts.refs, key: string(key)}
	}
	seq := c.nextSeq(ts)
	var v []byte
	if w.new != nil && len(w.enc) >= minRefImage && (room || ok) {
		u.ref, u.entry = true, refEntry{ts: commitTS, seq: seq, origin: w.origin}
		v = appendChangeRef(c.valueBuf(key, nil), w.origin, key)
	} else {
		var item []byte
		if w.new != nil {
			item = w.enc
		}
		v = appendChangeValue(c.valueBuf(key, item), w.origin, key, item)
	}
	if u.refs != nil {
		c.refUpdates = append(c.refUpdates, u)
	}
	return c.setChange(ts.id, commitTS, seq, v)
}

// valueBuf returns an empty buffer with room for a record's value.
func (c *commitBatch) valueBuf(key, item []byte) []byte {
	if need := changeValueLen(key, item); cap(c.buf) < need {
		c.buf = make([]byte, 0, max(need, 2*cap(c.buf), 256))
	}
	return c.buf[:0]
}

// setChange puts the record (ts, seq) of table id with value v.
func (c *commitBatch) setChange(id [tableIDLen]byte, ts clock.Timestamp, seq uint32, v []byte) error {
	var k [changeKeyLen]byte
	return c.b.Set(appendChangeKey(k[:0], id, ts, seq), v) // Set copies
}

// resolveRef appends to dst the image a reference record stands for: the
// item ref (its key within the table, items the table's items prefix) in
// r, the view the record was read in; key is scratch space for the full
// item key, returned for reuse. A Get, not a
// seek of one iterator over the items: a Get consults the sstables' bloom
// filters, and measured 1.3–2.2 µs per record against 12–15 µs
// (BenchmarkReadChanges).
func resolveRef(r kv.Reader, items, dst, key, ref []byte) (image, itemKey []byte, err error) {
	itemKey = append(append(key, items...), ref...)
	image, found, err := r.AppendGet(dst, itemKey)
	if err != nil {
		return dst, itemKey, err
	}
	if !found {
		return dst, itemKey, errDanglingRef
	}
	return image, itemKey, nil
}
