package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// scan implements Scan: the whole table, or one segment of a parallel scan,
// in storage order one page at a time.
func (a *API) scan(ctx context.Context, body []byte) (any, error) {
	var in scanInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableRef(&v, "tableName", in.TableName)
	in.constraints(&v)
	v.legacyConditions("scanFilter", in.ScanFilter)
	in.segmentConstraints(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	if err := checkExpressionParams(
		[]member{
			{"ProjectionExpression", in.ProjectionExpression != nil},
			{"FilterExpression", in.FilterExpression != nil},
		},
		[]member{
			{"AttributesToGet", in.AttributesToGet != nil},
			{"ScanFilter", in.ScanFilter != nil},
			{"ConditionalOperator", in.ConditionalOperator != ""},
		},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	if err := checkSelect(in.Select, in.ProjectionExpression, in.AttributesToGet, in.IndexName, false); err != nil {
		return nil, err
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return nil, err
	}
	esk, err := in.startKey()
	if err != nil {
		return nil, err
	}
	if err := in.checkSegments(); err != nil {
		return nil, err
	}
	ectx, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	filter, proj, err := in.compileRead(ectx, "ScanFilter", in.ScanFilter)
	if err != nil {
		return nil, err
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, exprError(err)
	}

	t, err := a.itemTable(ctx, name)
	if err != nil {
		return nil, err
	}
	src, err := sourceOf(t, in.IndexName)
	if err != nil {
		return nil, err
	}
	if err := src.checkConsistentRead(in.ConsistentRead); err != nil {
		return nil, err
	}
	if err := checkScanStartKey(src, esk, effectiveSelect(&in.readCommon)); err != nil {
		return nil, err
	}
	p, err := a.newPager(ctx, src, &in.readCommon, filter, proj)
	if err != nil {
		return nil, err
	}
	spec := engine.ScanSpec{ExclusiveStart: esk, Index: src.name()}
	if in.TotalSegments != nil {
		spec.Segment, spec.TotalSegments = *in.Segment, *in.TotalSegments
	}
	if err := a.eng.Scan(ctx, t.Name, spec, p.visit); err != nil {
		return nil, tableGone(err)
	}
	return p.result(in.ReturnConsumedCapacity), nil
}

// checkScanStartKey validates a Scan's ExclusiveStartKey. On a table it is
// the table's full primary key, reported as an invalid starting key. On an
// index, DynamoDB checks the key attributes (see checkStartKeyShape), then
// Select (sel), then the table's key.
func checkScanStartKey(s readSource, esk attr.Item, sel string) error {
	if esk == nil {
		return nil
	}
	if s.index == nil {
		if err := checkKey(s.table, esk); err != nil {
			return Validation("The provided starting key is invalid: %s", err.(*Error).Message)
		}
		return nil
	}
	if err := checkStartKeyShape(s, esk); err != nil {
		return err
	}
	if err := s.checkSelectAll(sel); err != nil {
		return err
	}
	return checkStartKeyTable(s, esk)
}
