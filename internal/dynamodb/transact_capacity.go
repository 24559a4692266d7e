package dynamodb

// Transactions cost twice what the same work costs outside one (DynamoDB
// prepares and then commits each item): a transactional write 2 units per KB
// of the larger of the item before and after, a transactional read 2 units per
// 4 KB of the item read (always strongly consistent). Their ConsumedCapacity
// entries also carry the read or write split, as DynamoDB's do.

// transactFactor is the capacity multiplier of transactional reads and writes.
const transactFactor = 2

// transactCapacity is one table's ConsumedCapacity entry of a transactional
// operation.
type transactCapacity struct {
	TableName          string         `json:"TableName"`
	CapacityUnits      float64        `json:"CapacityUnits"`
	ReadCapacityUnits  float64        `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64        `json:"WriteCapacityUnits,omitempty"`
	Table              *transactUnits `json:"Table,omitempty"`
}

// transactUnits is the per-table breakdown reported under INDEXES.
type transactUnits struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

// unitTally sums capacity units per table, remembering the order in which
// the tables first appear in the request.
type unitTally struct {
	tables []string
	units  map[string]float64
}

// add charges units to a table.
func (t *unitTally) add(table string, units float64) {
	if t.units == nil {
		t.units = map[string]float64{}
	}
	if _, ok := t.units[table]; !ok {
		t.tables = append(t.tables, table)
	}
	t.units[table] += units
}

// reads returns the entries for a ReturnConsumedCapacity setting when the
// units are read units (nil for NONE).
func (t *unitTally) reads(mode string) []*transactCapacity {
	return t.list(mode, func(u float64) (float64, float64) { return u, 0 })
}

// writes returns the entries for a ReturnConsumedCapacity setting when the
// units are write units (nil for NONE).
func (t *unitTally) writes(mode string) []*transactCapacity {
	return t.list(mode, func(u float64) (float64, float64) { return 0, u })
}

// list builds the entries in first-appearance order; split says which part
// of the units are reads and which writes.
func (t *unitTally) list(mode string, split func(float64) (read, write float64)) []*transactCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	out := make([]*transactCapacity, 0, len(t.tables))
	for _, name := range t.tables {
		u := t.units[name]
		r, w := split(u)
		c := &transactCapacity{TableName: name, CapacityUnits: u, ReadCapacityUnits: r, WriteCapacityUnits: w}
		if mode == "INDEXES" {
			c.Table = &transactUnits{CapacityUnits: u, ReadCapacityUnits: r, WriteCapacityUnits: w}
		}
		out = append(out, c)
	}
	return out
}
