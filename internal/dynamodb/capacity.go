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
// Single-item operations, Query and Scan report only the aggregate units,
// plus under INDEXES the share of the table and of each secondary index the
// operation read or wrote; DynamoDB adds no read/write split.
type consumedCapacity struct {
	TableName              string                   `json:"TableName"`
	CapacityUnits          float64                  `json:"CapacityUnits"`
	Table                  *capacityUnits           `json:"Table,omitempty"`
	LocalSecondaryIndexes  map[string]capacityUnits `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes map[string]capacityUnits `json:"GlobalSecondaryIndexes,omitempty"`
}

// capacityUnits is the per-table (or per-index) breakdown reported under INDEXES.
type capacityUnits struct {
	CapacityUnits float64 `json:"CapacityUnits"`
}

// usage is the capacity an operation consumed on a table and on each of its
// secondary indexes.
type usage struct {
	table  float64
	local  map[string]float64
	global map[string]float64
}

// tableUsage is the usage of an operation that touched only the table.
func tableUsage(units float64) usage { return usage{table: units} }

// addIndex charges units to a secondary index.
func (u *usage) addIndex(local bool, name string, units float64) {
	m := &u.global
	if local {
		m = &u.local
	}
	if *m == nil {
		*m = map[string]float64{}
	}
	(*m)[name] += units
}

// add adds another usage of the same table.
func (u *usage) add(o usage) {
	u.table += o.table
	for n, x := range o.local {
		u.addIndex(true, n, x)
	}
	for n, x := range o.global {
		u.addIndex(false, n, x)
	}
}

// scaled is the usage multiplied by f (transactions cost twice as much).
func (u usage) scaled(f float64) usage {
	out := tableUsage(u.table * f)
	for n, x := range u.local {
		out.addIndex(true, n, x*f)
	}
	for n, x := range u.global {
		out.addIndex(false, n, x*f)
	}
	return out
}

// total is the units consumed on the table and its indexes together.
func (u usage) total() float64 {
	t := u.table
	for _, x := range u.local {
		t += x
	}
	for _, x := range u.global {
		t += x
	}
	return t
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
// nil for NONE (or absent), the total for TOTAL, the total and the shares of
// the table and of each index for INDEXES.
func capacity(mode, table string, u usage) *consumedCapacity {
	switch mode {
	case "TOTAL":
		return &consumedCapacity{TableName: table, CapacityUnits: u.total()}
	case "INDEXES":
		return &consumedCapacity{TableName: table, CapacityUnits: u.total(), Table: &capacityUnits{u.table},
			LocalSecondaryIndexes: breakdown(u.local), GlobalSecondaryIndexes: breakdown(u.global)}
	}
	return nil
}

// breakdown renders per-index units (nil when there are none).
func breakdown(m map[string]float64) map[string]capacityUnits {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]capacityUnits, len(m))
	for n, u := range m {
		out[n] = capacityUnits{u}
	}
	return out
}

// capacityTally sums usage per table for the batch operations, which report
// one ConsumedCapacity per table.
type capacityTally map[string]usage

// add charges a usage to a table.
func (c capacityTally) add(table string, u usage) {
	x := c[table]
	x.add(u)
	c[table] = x
}

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
