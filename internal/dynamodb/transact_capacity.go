package dynamodb

// Transactions cost twice what the same work costs outside one (DynamoDB
// prepares and then commits each item): a transactional write 2 units per KB
// of the larger of the item before and after, plus twice what a write costs
// on each secondary index whose entry it adds, changes or removes (see
// writeUsage); a transactional read 2 units per 4 KB of the item read
// (always strongly consistent). Their ConsumedCapacity entries also carry
// the read or write split, as DynamoDB's do, and under INDEXES the shares of
// the table and of each index.

// transactFactor is the capacity multiplier of transactional reads and writes.
const transactFactor = 2

// transactCapacity is one table's ConsumedCapacity entry of a transactional
// operation.
type transactCapacity struct {
	TableName              string                   `json:"TableName"`
	CapacityUnits          float64                  `json:"CapacityUnits"`
	ReadCapacityUnits      float64                  `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     float64                  `json:"WriteCapacityUnits,omitempty"`
	Table                  *transactUnits           `json:"Table,omitempty"`
	LocalSecondaryIndexes  map[string]transactUnits `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes map[string]transactUnits `json:"GlobalSecondaryIndexes,omitempty"`
}

// transactUnits is the per-table (or per-index) breakdown reported under
// INDEXES.
type transactUnits struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

// unitTally sums capacity usage per table, remembering the order in which
// the tables first appear in the request.
type unitTally struct {
	tables []string
	usage  map[string]usage
}

// add charges units to a table itself.
func (t *unitTally) add(table string, units float64) {
	t.addUsage(table, tableUsage(units))
}

// addUsage charges a usage (the table's and its indexes' shares) to a table.
func (t *unitTally) addUsage(table string, u usage) {
	if t.usage == nil {
		t.usage = map[string]usage{}
	}
	x, ok := t.usage[table]
	if !ok {
		t.tables = append(t.tables, table)
	}
	x.add(u)
	t.usage[table] = x
}

// reads returns the entries for a ReturnConsumedCapacity setting when the
// units are read units (nil for NONE).
func (t *unitTally) reads(mode string) []*transactCapacity {
	return t.list(mode, func(u float64) transactUnits { return transactUnits{CapacityUnits: u, ReadCapacityUnits: u} })
}

// writes returns the entries for a ReturnConsumedCapacity setting when the
// units are write units (nil for NONE).
func (t *unitTally) writes(mode string) []*transactCapacity {
	return t.list(mode, func(u float64) transactUnits { return transactUnits{CapacityUnits: u, WriteCapacityUnits: u} })
}

// list builds the entries in first-appearance order: the total, and under
// INDEXES the shares of the table and of each index; split says which part
// of some units are reads and which writes.
func (t *unitTally) list(mode string, split func(float64) transactUnits) []*transactCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	out := make([]*transactCapacity, 0, len(t.tables))
	for _, name := range t.tables {
		u := t.usage[name]
		total := split(u.total())
		c := &transactCapacity{TableName: name, CapacityUnits: total.CapacityUnits,
			ReadCapacityUnits: total.ReadCapacityUnits, WriteCapacityUnits: total.WriteCapacityUnits}
		if mode == "INDEXES" {
			table := split(u.table)
			c.Table = &table
			c.LocalSecondaryIndexes = transactBreakdown(u.local, split)
			c.GlobalSecondaryIndexes = transactBreakdown(u.global, split)
		}
		out = append(out, c)
	}
	return out
}

// transactBreakdown renders per-index units (nil when there are none).
func transactBreakdown(m map[string]float64, split func(float64) transactUnits) map[string]transactUnits {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]transactUnits, len(m))
	for n, u := range m {
		out[n] = split(u)
	}
	return out
}
