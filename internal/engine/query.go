package engine

import (
	"bytes"
	"context"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Query visits the items of one partition in sort-key order (or reverse
// when !q.Forward), restricted by the sort key condition and resuming
// strictly after (before, in reverse) q.ExclusiveStart. The iteration sees a
// consistent view of committed data as of its start.
func (e *Engine) Query(ctx context.Context, table string, q QuerySpec, visit VisitFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ts, err := e.lookup(table)
	if err != nil {
		return err
	}
	lower, upper, err := ts.queryBounds(q)
	if err != nil {
		return err
	}
	return visitRange(ctx, e.db, lower, upper, !q.Forward, visit)
}

// queryBounds returns the storage key range [lower, upper) a query covers.
func (ts *tableState) queryBounds(q QuerySpec) (lower, upper []byte, err error) {
	if q.Hash.Kind != ts.schema.Hash.Type {
		return nil, nil, fmt.Errorf("%w: partition key is %s, want %s", ErrInvalidKey, q.Hash.Kind, ts.schema.Hash.Type)
	}
	p := ts.partitionPrefix(q.Hash)
	lower, upper = p, prefixEnd(p)
	if q.Op != RangeNone {
		if lower, upper, err = ts.rangeBounds(p, q.Op, q.Values); err != nil {
			return nil, nil, err
		}
	}
	if q.ExclusiveStart != nil {
		start, err := ts.itemKey(q.ExclusiveStart)
		if err != nil {
			return nil, nil, err
		}
		if !bytes.HasPrefix(start, p) {
			return nil, nil, fmt.Errorf("%w: ExclusiveStart is outside the queried partition", ErrInvalidKey)
		}
		if q.Forward {
			lower = maxKey(lower, keySuccessor(start))
		} else {
			upper = minKey(upper, start)
		}
	}
	return lower, upper, nil
}

// rangeBounds returns the key range of a sort key condition within
// partition prefix p.
func (ts *tableState) rangeBounds(p []byte, op RangeOp, vals []attr.Value) (lower, upper []byte, err error) {
	rk := ts.schema.Range
	if rk == nil {
		return nil, nil, fmt.Errorf("%w: the table has no sort key", ErrInvalidKey)
	}
	want := 1
	if op == RangeBetween {
		want = 2
	}
	if len(vals) != want {
		return nil, nil, fmt.Errorf("%w: sort key condition needs %d values, got %d", ErrInvalidKey, want, len(vals))
	}
	for _, v := range vals {
		if v.Kind != rk.Type {
			return nil, nil, fmt.Errorf("%w: sort key value is %s, want %s", ErrInvalidKey, v.Kind, rk.Type)
		}
	}
	at := func(v attr.Value) []byte { return attr.AppendKey(bytes.Clone(p), v) }
	end := prefixEnd(p)
	switch op {
	case RangeEQ:
		k := at(vals[0])
		return k, keySuccessor(k), nil
	case RangeLT:
		return p, at(vals[0]), nil
	case RangeLE:
		return p, keySuccessor(at(vals[0])), nil
	case RangeGT:
		return keySuccessor(at(vals[0])), end, nil
	case RangeGE:
		return at(vals[0]), end, nil
	case RangeBetween:
		return at(vals[0]), keySuccessor(at(vals[1])), nil
	case RangeBeginsWith:
		if rk.Type == attr.KindN {
			return nil, nil, fmt.Errorf("%w: BEGINS_WITH on a number sort key", ErrInvalidKey)
		}
		k := append(bytes.Clone(p), encodedPrefix(vals[0])...)
		return k, prefixEnd(k), nil
	}
	return nil, nil, fmt.Errorf("engine: unknown sort key operator %d", op)
}

// encodedPrefix returns the key encoding of an S or B value without its
// terminator: the common prefix of the encodings of every value that begins
// with v.
func encodedPrefix(v attr.Value) []byte {
	enc := attr.AppendKey(nil, v)
	term := len(attr.AppendKey(nil, attr.Value{Kind: v.Kind}))
	return enc[:len(enc)-term]
}
