package engine

import (
	"fmt"
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// commitBatch accumulates one commit: the batch and the counter deltas of
// the tables, indexes and item collections it touches.
type commitBatch struct {
	b       *kv.Batch
	r       kv.Reader // committed state, read under the writes' locks
	tables  map[*tableState]statsDelta
	indexes map[*indexState]statsDelta
	colls   map[string]*collection // tables with LSIs only
	// changes counts, per table, the change records of the commit so far
	// (their seqs); buf is where they are encoded; refUpdates are their
	// effects on the tables' refTrackers, published once committed.
	changes    []changeSeq
	buf        []byte
	refUpdates []refUpdate
}

// collection is one item collection a commit touches.
type collection struct {
	key    []byte
	base   int64 // size before the commit
	delta  int64
	writes []int // the writes that grow it
}

// apply writes the changed items, with their index entries, TTL entries,
// change records and counter deltas, and the meta records, in one batch at
// one commit timestamp, synced before returning; then it fills in the
// results' CommitTS and ItemCollectionSize. If an item collection would
// outgrow ItemCollectionSizeLimit it writes nothing, sets errs for the
// writes that grow it and returns ErrTransactionCanceled.
func (e *Engine) apply(ws []pendingWrite, metas []metaWrite, results []MutationResult, errs []error) error {
	c := &commitBatch{
		r:       e.db,
		tables:  map[*tableState]statsDelta{},
		indexes: map[*indexState]statsDelta{},
		colls:   map[string]*collection{},
	}
	if err := c.readCollections(ws); err != nil {
		return err
	}
	if len(metas) == 0 && !slices.ContainsFunc(ws, func(w pendingWrite) bool { return w.changed() }) {
		c.reportCollections(ws, results)
		return nil
	}
	commitTS := e.inflight.begin(e.hlc)
	defer e.inflight.end(commitTS)

	c.b = e.db.NewBatch()
	if err := e.fill(c, ws, metas, commitTS); err != nil {
		c.b.Close()
		return err
	}
	if c.overfull(errs) {
		c.b.Close()
		return ErrTransactionCanceled
	}
	if err := c.b.Commit(); err != nil {
		return err
	}
	publishRefs(c.refUpdates) // still under the items' locks
	c.applyStats()
	for i := range results {
		results[i].CommitTS = commitTS
	}
	c.reportCollections(ws, results)
	return nil
}

// fill puts every change of the commit into the batch.
func (e *Engine) fill(c *commitBatch, ws []pendingWrite, metas []metaWrite, commitTS clock.Timestamp) error {
	for i := range ws {
		w := &ws[i]
		if !w.changed() {
			continue
		}
		if err := c.addWrite(i, w); err != nil {
			return err
		}
		// Change capture: the change-log record of this write (PITR,
		// Streams; DESIGN §3) goes into the same batch, keyed by
		// commitTS, carrying w.origin (a TTL deletion is a service
		// deletion). The layout is the one addWrite used: the write
		// holds the table's life lock.
		if w.table.layout.Load().capture {
			if err := c.addChange(w, commitTS); err != nil {
				return err
			}
		}
		if e.captureChange != nil {
			if err := e.captureChange(c.b, commitTS, w); err != nil {
				return err
			}
		}
	}
	for _, m := range metas {
		if err := m.addTo(c.b); err != nil {
			return err
		}
	}
	return c.addCounters()
}

// addCounters puts the counter deltas of the commit into the batch: table
// and index stats, item collection sizes.
func (c *commitBatch) addCounters() error {
	for ts, d := range c.tables {
		if !d.isZero() {
			if err := d.addTo(c.b, statsKey(ts.id)); err != nil {
				return err
			}
		}
	}
	for ix, d := range c.indexes {
		if !d.isZero() {
			if err := d.addTo(c.b, ix.statsKey); err != nil {
				return err
			}
		}
	}
	for _, cl := range c.colls {
		if cl.delta != 0 {
			if err := c.b.AddCounters(cl.key, cl.delta); err != nil {
				return err
			}
		}
	}
	return nil
}

// addWrite adds one changed item: the item itself, its entries in the
// table's maintained indexes and TTL index, and its counter deltas.
func (c *commitBatch) addWrite(i int, w *pendingWrite) error {
	ts := w.table
	layout := ts.layout.Load() // stable: the write holds ts.life
	oldSize, newSize := int64(attr.ItemSize(w.old)), int64(attr.ItemSize(w.new))
	d := c.tables[ts]
	d.size += newSize - oldSize
	var enc []byte
	var err error
	if w.old != nil {
		d.count--
	}
	if w.new != nil {
		d.count++
		if w.enc == nil { // else the loader's caller had it (Loader.AddEncoded)
			w.enc = attr.AppendItem(nil, w.new)
		}
		enc = w.enc
		err = c.b.Set(w.skey, enc)
	} else {
		err = c.b.Delete(w.skey)
	}
	if err != nil {
		return err
	}
	c.tables[ts] = d
	grow := newSize - oldSize
	for _, ix := range layout.indexes {
		sz, err := c.addIndexChanges(ix, w.old, w.new, enc)
		if err != nil {
			return err
		}
		if ix.local {
			grow += sz
		}
	}
	if layout.ttl != nil {
		if err := c.addTTLChanges(ts, layout.ttl.attr, w); err != nil {
			return err
		}
	}
	if cl := c.colls[string(w.collKey)]; cl != nil {
		cl.delta += grow
		if grow > 0 {
			cl.writes = append(cl.writes, i)
		}
	}
	return nil
}

// applyStats folds the committed deltas into the in-memory counters.
func (c *commitBatch) applyStats() {
	for ts, d := range c.tables {
		ts.stats.apply(d)
	}
	for ix, d := range c.indexes {
		ix.stats.apply(d)
	}
}

// readCollections reads the current size of every item collection the
// writes touch (under their locks, so the sizes are exact).
func (c *commitBatch) readCollections(ws []pendingWrite) error {
	for i := range ws {
		ck := ws[i].collKey
		if ck == nil || c.colls[string(ck)] != nil {
			continue
		}
		size, err := readCollectionSize(c.r, ck)
		if err != nil {
			return err
		}
		c.colls[string(ck)] = &collection{key: ck, base: size}
	}
	return nil
}

// overfull reports whether a collection grows beyond the limit, and sets
// the errors of the writes that grow it.
func (c *commitBatch) overfull(errs []error) bool {
	over := false
	for _, cl := range c.colls {
		if cl.delta > 0 && cl.base+cl.delta > ItemCollectionSizeLimit {
			over = true
			for _, i := range cl.writes {
				errs[i] = fmt.Errorf("%w: %d bytes, limit %d", ErrItemCollectionTooLarge, cl.base+cl.delta, ItemCollectionSizeLimit)
			}
		}
	}
	return over
}

// reportCollections sets the results' ItemCollectionSize.
func (c *commitBatch) reportCollections(ws []pendingWrite, results []MutationResult) {
	for i := range ws {
		if cl := c.colls[string(ws[i].collKey)]; cl != nil {
			results[i].ItemCollectionSize = cl.base + cl.delta
		}
	}
}
