package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// query implements Query: one partition, an optional sort key range, read in
// sort key order (or reverse) one page at a time.
func (a *API) query(ctx context.Context, body []byte) (any, error) {
	var in queryInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableRef(&v, "tableName", in.TableName)
	in.constraints(&v)
	v.legacyConditions("keyConditions", in.KeyConditions)
	v.legacyConditions("queryFilter", in.QueryFilter)
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
			{"KeyConditionExpression", in.KeyConditionExpression != nil},
		},
		[]member{
			{"AttributesToGet", in.AttributesToGet != nil},
			{"QueryFilter", in.QueryFilter != nil},
			{"ConditionalOperator", in.ConditionalOperator != ""},
			// KeyConditions may go with the other expressions, just not
			// with KeyConditionExpression.
			{"KeyConditions", in.KeyConditions != nil && in.KeyConditionExpression != nil},
		},
		in.ExpressionAttributeNames, in.ExpressionAttributeValues); err != nil {
		return nil, err
	}
	if err := checkSelect(in.Select, in.ProjectionExpression, in.AttributesToGet, in.IndexName, true); err != nil {
		return nil, err
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return nil, err
	}
	if in.KeyConditions == nil && in.KeyConditionExpression == nil {
		return nil, Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	ectx, err := newExprContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	if err != nil {
		return nil, err
	}
	filter, proj, err := in.compileRead(ectx, "QueryFilter", in.QueryFilter)
	if err != nil {
		return nil, err
	}
	esk, err := in.startKey()
	if err != nil {
		return nil, err
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
	kc, err := in.keyCondition(ectx, src.keySchema())
	if err != nil {
		return nil, err
	}
	if err := checkQueryStartKey(src, esk, kc); err != nil {
		return nil, err
	}
	if err := checkFilterKeys(src.keys(), filter, in.FilterExpression != nil); err != nil {
		return nil, err
	}
	if err := src.checkFilterProjected(filter); err != nil {
		return nil, err
	}
	p, err := a.newPager(ctx, src, &in.readCommon, filter, proj)
	if err != nil {
		return nil, err
	}
	spec := engine.QuerySpec{
		Hash:           kc.HashValue,
		Op:             rangeOps[kc.RangeOp],
		Values:         kc.RangeValues,
		Forward:        in.ScanIndexForward == nil || *in.ScanIndexForward,
		ExclusiveStart: esk,
		Index:          src.name(),
	}
	if err := a.eng.Query(ctx, t.Name, spec, p.visit); err != nil {
		return nil, tableGone(err)
	}
	return p.result(in.ReturnConsumedCapacity), nil
}
