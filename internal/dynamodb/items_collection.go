package dynamodb

import (
	"errors"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Item collections: in a table with local secondary indexes, the items
// sharing a partition key (with their LSI entries) form a collection of at
// most 10 GB. Writes asked for ReturnItemCollectionMetrics=SIZE report the
// collection they wrote to; a write that would outgrow it fails.

// writeError maps an engine error of an item write to DynamoDB's error:
// a write beyond the item collection limit is an
// ItemCollectionSizeLimitExceededException, and a table deleted or not ready
// meanwhile a ResourceNotFoundException. Other errors pass through.
func writeError(err error) error {
	if errors.Is(err, engine.ErrItemCollectionTooLarge) {
		return Dynamo("ItemCollectionSizeLimitExceededException", "Item collection size limit exceeded")
	}
	return tableGone(err)
}

// hasLocalIndex reports whether a table has local secondary indexes (and so
// item collections).
func hasLocalIndex(t *engine.Table) bool {
	for _, ix := range t.Indexes {
		if ix.Local {
			return true
		}
	}
	return false
}

// writeCollectionMetrics is the ItemCollectionMetrics of one write of the item
// with key (or item) key to table t, with the collection's size after it;
// nil unless mode is SIZE and t has local secondary indexes.
func writeCollectionMetrics(mode string, t *engine.Table, key attr.Item, size int64) *itemCollectionMetrics {
	if mode != "SIZE" || !hasLocalIndex(t) {
		return nil
	}
	h := t.KeySchema.Hash.Name
	return &itemCollectionMetrics{ItemCollectionKey: attr.Item{h: key[h]}, SizeEstimateRangeGB: sizeEstimateGB(size)}
}

// collectionTally gathers the ItemCollectionMetrics of a batch of writes per
// table: one entry per collection written, with its size after the batch.
type collectionTally struct {
	mode string
	out  map[string][]*itemCollectionMetrics
	seen map[string]*itemCollectionMetrics // by table and partition key
}

// add records one write to table t (under the RequestItems key name).
func (c *collectionTally) add(name string, t *engine.Table, key attr.Item, size int64) {
	m := writeCollectionMetrics(c.mode, t, key, size)
	if m == nil {
		return
	}
	id := name + "\x00" + keyString(m.ItemCollectionKey)
	if prev, ok := c.seen[id]; ok {
		prev.SizeEstimateRangeGB = m.SizeEstimateRangeGB
		return
	}
	if c.out == nil {
		c.out, c.seen = map[string][]*itemCollectionMetrics{}, map[string]*itemCollectionMetrics{}
	}
	c.seen[id] = m
	c.out[name] = append(c.out[name], m)
}
