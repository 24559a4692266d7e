package dynamodb

import (
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Items and secondary indexes: the index key rules a written item obeys, an
// item's entry in an index (the projected item), and what a write costs on
// the indexes.

// indexKeyAttrs lists an index's key attributes, partition key first.
func indexKeyAttrs(ix *engine.Index) []engine.KeyAttr {
	if ix.KeySchema.Range == nil {
		return []engine.KeyAttr{ix.KeySchema.Hash}
	}
	return []engine.KeyAttr{ix.KeySchema.Hash, *ix.KeySchema.Range}
}

// Index key rules: an item may lack an index key attribute (it is then not
// in that index: indexes are sparse) but, when present, the attribute has
// the declared type and, a string or binary, is not empty. The first
// violation is reported, index by index (in the table's order), partition
// key before sort key.
type indexKeyRule uint8

const (
	indexKeyType  indexKeyRule = 1 << iota // the declared type
	indexKeyEmpty                          // not an empty string or binary
	indexKeyAll   = indexKeyType | indexKeyEmpty
)

// checkIndexKeys validates the index key attributes of an item put
// (PutItem, BatchWriteItem).
func checkIndexKeys(t *engine.Table, item attr.Item) error {
	return indexKeyError(t, item, indexKeyAll, false)
}

// checkUpdatedIndexKeys validates the index key attributes of an item as an
// update leaves it (UpdateItem): the same rules, but DynamoDB words an empty
// value differently, without naming the index.
func checkUpdatedIndexKeys(t *engine.Table, item attr.Item) error {
	return indexKeyError(t, item, indexKeyAll, true)
}

// indexKeyError returns the first violation of the given rules by item's
// index key attributes, or nil; update selects the update wording of an
// empty value. TransactWriteItems checks the rules separately: DynamoDB
// refuses an empty value before the transaction runs and cancels it with a
// ValidationError reason for a wrong type.
func indexKeyError(t *engine.Table, item attr.Item, rules indexKeyRule, update bool) error {
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		for _, k := range indexKeyAttrs(ix) {
			v, ok := item[k.Name]
			if !ok {
				continue
			}
			if v.Kind != k.Type {
				if rules&indexKeyType != 0 {
					return invalidParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", k.Name, k.Type, v.Kind, ix.Name)
				}
				continue
			}
			empty := ""
			switch {
			case v.Kind == attr.KindS && v.Str == "":
				empty = "string"
			case v.Kind == attr.KindB && len(v.Bin) == 0:
				empty = "binary"
			}
			switch {
			case empty == "" || rules&indexKeyEmpty == 0:
			case update:
				return Validation("One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. "+
					"The AttributeValue for a key attribute cannot contain an empty %s value.", empty)
			default:
				return Validation("One or more parameter values are not valid. A value specified for a secondary index key is not supported. "+
					"The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: %s, IndexKey: %s", empty, ix.Name, k.Name)
			}
		}
	}
	return nil
}

// indexEntry returns item's entry in an index of t: the projected item, or
// false when the item (nil if absent) lacks an index key attribute.
func indexEntry(t *engine.Table, ix *engine.Index, item attr.Item) (attr.Item, bool) {
	if item == nil {
		return nil, false
	}
	for _, k := range indexKeyAttrs(ix) {
		if v, ok := item[k.Name]; !ok || v.Kind != k.Type {
			return nil, false
		}
	}
	if ix.Projection.Type == projectionAll {
		return item, true
	}
	out := attr.Item{}
	for _, k := range append(keyAttrs(t), indexKeyAttrs(ix)...) {
		out[k.Name] = item[k.Name]
	}
	for _, n := range ix.Projection.NonKeyAttributes {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out, true
}

// projects reports whether an index of t holds an attribute.
func projects(t *engine.Table, ix *engine.Index, name string) bool {
	if ix.Projection.Type == projectionAll {
		return true
	}
	isKey := func(k engine.KeyAttr) bool { return k.Name == name }
	return slices.ContainsFunc(keyAttrs(t), isKey) || slices.ContainsFunc(indexKeyAttrs(ix), isKey) ||
		slices.Contains(ix.Projection.NonKeyAttributes, name)
}

// writeUsage is the capacity of one item write on table t (old and new
// being the item before and after, nil when absent): the table's units plus
// those of each index entry the write adds, changes or removes.
func writeUsage(t *engine.Table, old, new attr.Item) usage {
	u := tableUsage(writeUnits(old, new))
	for i := range t.Indexes {
		ix := &t.Indexes[i]
		if n := indexWriteUnits(t, ix, old, new); n > 0 {
			u.addIndex(ix.Local, ix.Name, n)
		}
	}
	return u
}

// indexWriteUnits is what a write costs on one index, 1 unit per KB of entry
// (rounded up) as on the table: adding or removing an entry is one entry
// write, moving it to another index key is two (removal and addition), and
// changing what it projects is one write of the larger version. A write that
// leaves the entry as it was costs nothing on the index.
func indexWriteUnits(t *engine.Table, ix *engine.Index, old, new attr.Item) float64 {
	oe, oldIn := indexEntry(t, ix, old)
	ne, newIn := indexEntry(t, ix, new)
	switch {
	case oldIn && newIn && sameIndexKey(ix, oe, ne):
		if attr.Equal(attr.M(oe), attr.M(ne)) {
			return 0
		}
		return writeUnits(oe, ne)
	case oldIn && newIn:
		return writeUnits(oe, nil) + writeUnits(nil, ne)
	case oldIn:
		return writeUnits(oe, nil)
	case newIn:
		return writeUnits(nil, ne)
	}
	return 0
}

// sameIndexKey reports whether two entries of an index have the same index
// key values.
func sameIndexKey(ix *engine.Index, a, b attr.Item) bool {
	for _, k := range indexKeyAttrs(ix) {
		if !attr.Equal(a[k.Name], b[k.Name]) {
			return false
		}
	}
	return true
}
