package engine

import (
	"context"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Query visits the items of one partition of a table, or of one of its
// secondary indexes (q.Index), in sort-key order (or reverse when
// !q.Forward), restricted by the sort key condition and resuming strictly
// after (before, in reverse) q.ExclusiveStart. On an index, entries with
// equal index keys come in table primary key order, and visit receives the
// projected items. An index still being built (Index.Backfilling) may
// lack entries of older items: DynamoDB refuses to read such an index,
// which is the dynamodb layer's check. The iteration sees a consistent
// view of committed data as of its start.
func (e *Engine) Query(ctx context.Context, table string, q QuerySpec, visit VisitFunc) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ks, err := e.keySpaceOf(table, q.Index)
	if err != nil {
		return err
	}
	lower, upper, err := ks.queryBounds(q)
	if err != nil {
		return err
	}
	return visitRange(ctx, e.db, lower, upper, !q.Forward, visit)
}

// keySpaceOf returns the key space of a table, or of one of its maintained
// secondary indexes when index is not empty.
func (e *Engine) keySpaceOf(table, index string) (*keySpace, error) {
	ts, err := e.lookupReady(table)
	if err != nil {
		return nil, err
	}
	if index == "" {
		return &ts.items, nil
	}
	ix := ts.layout.Load().index(index)
	if ix == nil {
		return nil, fmt.Errorf("%w: %s on table %s", ErrIndexNotFound, index, table)
	}
	return &ix.keys, nil
}

// encodedPrefix returns the key encoding of an S or B value without its
// terminator: the common prefix of the encodings of every value that begins
// with v.
func encodedPrefix(v attr.Value) []byte {
	enc := attr.AppendKey(nil, v)
	term := len(attr.AppendKey(nil, attr.Value{Kind: v.Kind}))
	return enc[:len(enc)-term]
}
