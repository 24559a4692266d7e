package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
)

// Capacity unit sizes: a write unit covers 1 KB of item, a read unit 4 KB.
const (
	writeUnitBytes = 1024
	readUnitBytes  = 4096
)

// consumedCapacity is the ConsumedCapacity member of item operation responses.
// Single-item operations, Query and Scan report only the aggregate units
// (plus the Table breakdown under INDEXES); DynamoDB adds no read/write split.
type consumedCapacity struct {
	TableName     string         `json:"TableName"`
	CapacityUnits float64        `json:"CapacityUnits"`
	Table         *capacityUnits `json:"Table,omitempty"`
}

// capacityUnits is the per-table (or per-index) breakdown reported under INDEXES.
type capacityUnits struct {
	CapacityUnits float64 `json:"CapacityUnits"`
}

// writeUnits is the cost of one write: 1 unit per KB, rounded up, of the
// larger of the item before and after (nil when absent); at least 1.
func writeUnits(old, new attr.Item) float64 {
	n := 0
	if old != nil {
		n = attr.ItemSize(old)
	}
	if new != nil {
		n = max(n, attr.ItemSize(new))
	}
	return float64(max(1, ceilDiv(n, writeUnitBytes)))
}

// readUnits is the cost of reading size bytes: 1 unit per 4 KB, rounded up and
// at least 1 (a read of a missing item still costs), halved for eventually
// consistent reads.
func readUnits(size int, consistent bool) float64 {
	u := float64(max(1, ceilDiv(size, readUnitBytes)))
	if !consistent {
		u /= 2
	}
	return u
}

// itemReadUnits is the cost of reading one item (nil when absent).
func itemReadUnits(item attr.Item, consistent bool) float64 {
	if item == nil {
		return readUnits(0, consistent)
	}
	return readUnits(attr.ItemSize(item), consistent)
}

// capacity builds the ConsumedCapacity for a ReturnConsumedCapacity setting:
// nil for NONE (or absent), the total for TOTAL, the total and the table's
// share for INDEXES (tables have no indexes yet, so the share is the total).
func capacity(mode, table string, units float64) *consumedCapacity {
	switch mode {
	case "TOTAL":
		return &consumedCapacity{TableName: table, CapacityUnits: units}
	case "INDEXES":
		return &consumedCapacity{TableName: table, CapacityUnits: units, Table: &capacityUnits{units}}
	}
	return nil
}

// capacityTally sums units per table for the batch operations, which report
// one ConsumedCapacity per table.
type capacityTally map[string]float64

// list returns the per-table ConsumedCapacity entries in table name order, or
// nil when none was asked for.
func (c capacityTally) list(mode string) []*consumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	out := make([]*consumedCapacity, 0, len(c))
	for _, t := range sortedKeys(c) {
		out = append(out, capacity(mode, t, c[t]))
	}
	return out
}

// ceilDiv is n/d rounded up, for non-negative n.
func ceilDiv(n, d int) int { return (n + d - 1) / d }
