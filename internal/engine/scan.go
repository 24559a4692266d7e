package engine

import (
	"context"
)

// Scan visits the items of a table, or the projected items of one of its
// secondary indexes (s.Index), or of one parallel-scan segment of either,
// in storage order (partition-key hash order, then sort key), resuming
// strictly after s.ExclusiveStart. Segment i of n covers the hash range
// [i*2^64/n, (i+1)*2^64/n), so the n segments partition the table exactly.
// The iteration sees a consistent view of committed data as of its start.
func (e *Engine) Scan(ctx context.Context, table string, s ScanSpec, visit VisitFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ks, err := e.keySpaceOf(table, s.Index)
	if err != nil {
		return err
	}
	lower, upper, err := ks.scanBounds(s)
	if err != nil {
		return err
	}
	return visitRange(ctx, e.db, lower, upper, false, visit)
}
