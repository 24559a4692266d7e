package engine

import (
	"context"
	"fmt"
)

// Scan visits the items of a table, or of one parallel-scan segment of it,
// in storage order (partition-key hash order, then sort key), resuming
// strictly after s.ExclusiveStart. Segment i of n covers the hash range
// [i*2^64/n, (i+1)*2^64/n), so the n segments partition the table exactly.
// The iteration sees a consistent view of committed data as of its start.
func (e *Engine) Scan(ctx context.Context, table string, s ScanSpec, visit VisitFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return err
	}
	total := max(s.TotalSegments, 1)
	if s.Segment < 0 || s.Segment >= total {
		return fmt.Errorf("%w: segment %d of %d", ErrInvalidSegment, s.Segment, total)
	}
	lower, upper := segmentBounds(ts.prefix, s.Segment, total)
	if s.ExclusiveStart != nil {
		start, err := ts.itemKey(s.ExclusiveStart)
		if err != nil {
			return err
		}
		lower = maxKey(lower, keySuccessor(start))
	}
	return visitRange(ctx, e.db, lower, upper, false, visit)
}
