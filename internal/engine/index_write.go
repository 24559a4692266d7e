package engine

import (
	"bytes"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// addIndexChanges adds to the commit the change of one item's entry in
// one index, old and new being the item before and after (nil if absent),
// newEnc the encoded new item. It returns the change in the index's size
// (for item collections).
func (c *commitBatch) addIndexChanges(ix *indexState, old, new attr.Item, newEnc []byte) (int64, error) {
	oe, oldIn := ix.entry(old)
	ne, newIn := ix.entry(new)
	sameKey := oldIn && newIn && bytes.Equal(oe.key, ne.key)
	if oldIn && ix.backfilling.Load() {
		// The backfill may not have reached this item yet.
		_, present, err := c.r.Get(oe.key)
		if err != nil {
			return 0, err
		}
		oldIn = present
	}
	if oldIn && sameKey && ix.proj.Type != ProjectionAll && itemsEqual(oe.proj, ne.proj) {
		return 0, nil // the entry does not change
	}
	var d statsDelta
	if oldIn {
		d.count--
		d.size -= oe.size()
		if !sameKey {
			if err := c.b.Delete(oe.key); err != nil {
				return 0, err
			}
		}
	}
	if newIn {
		val := newEnc
		if ix.proj.Type != ProjectionAll {
			val = attr.AppendItem(nil, ne.proj)
		}
		if err := c.b.Set(ne.key, val); err != nil {
			return 0, err
		}
		d.count++
		d.size += ne.size()
	}
	sum := c.indexes[ix]
	sum.count += d.count
	sum.size += d.size
	c.indexes[ix] = sum
	return d.size, nil
}

// itemsEqual reports whether two items have the same attributes with equal
// values.
func itemsEqual(a, b attr.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for n, v := range a {
		w, ok := b[n]
		if !ok || !attr.Equal(v, w) {
			return false
		}
	}
	return true
}
