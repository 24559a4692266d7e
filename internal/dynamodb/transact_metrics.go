package dynamodb

import (
	"math"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// collectionMetrics builds the ItemCollectionMetrics of a committed
// transaction (ReturnItemCollectionMetrics=SIZE): for each table with local
// secondary indexes, one entry per item collection the transaction wrote
// to, with its size after the commit. Tables without local secondary
// indexes have no item collections and are left out, as are condition
// checks, which write nothing. Nil when nothing qualifies.
func collectionMetrics(acts []*txAction, results []engine.MutationResult) map[string][]*itemCollectionMetrics {
	var out map[string][]*itemCollectionMetrics
	seen := map[string]*itemCollectionMetrics{}
	for i, res := range results {
		x := acts[i]
		if x.kind == kindConditionCheck || res.ItemCollectionSize == 0 {
			continue
		}
		hash := x.table.KeySchema.Hash.Name
		pk := attr.Item{hash: x.itemKey[hash]}
		id := x.table.Name + "\x00" + keyString(pk)
		if m, ok := seen[id]; ok {
			m.SizeEstimateRangeGB = sizeEstimateGB(res.ItemCollectionSize)
			continue
		}
		m := &itemCollectionMetrics{ItemCollectionKey: pk, SizeEstimateRangeGB: sizeEstimateGB(res.ItemCollectionSize)}
		seen[id] = m
		if out == nil {
			out = map[string][]*itemCollectionMetrics{}
		}
		out[x.table.Name] = append(out[x.table.Name], m)
	}
	return out
}

// sizeEstimateGB is DynamoDB's SizeEstimateRangeGB for a collection of n
// bytes: the whole gigabytes below and above it.
func sizeEstimateGB(n int64) [2]float64 {
	low := math.Floor(float64(n) / (1 << 30))
	return [2]float64{low, low + 1}
}
