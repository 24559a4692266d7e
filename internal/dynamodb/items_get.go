package dynamodb

import (
	"context"
)

// getItem implements GetItem. Reads are always served from the latest
// committed state; ConsistentRead only changes the capacity reported.
func (a *API) getItem(ctx context.Context, body []byte) (any, error) {
	var in getItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	v.returnConsumedCapacity(in.ReturnConsumedCapacity)
	v.attributesToGet("attributesToGet", in.AttributesToGet)
	name, later := a.tableRef(&v, "tableName", in.TableName)
	if in.Key == nil {
		v.addNull("key")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	if err := checkExpressionParams(
		[]member{{"ProjectionExpression", in.ProjectionExpression != nil}},
		[]member{{"AttributesToGet", in.AttributesToGet != nil}},
		in.ExpressionAttributeNames, nil); err != nil {
		return nil, err
	}
	if err := checkAttributesToGet(in.AttributesToGet); err != nil {
		return nil, err
	}
	ectx, err := newExprContext(in.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := compileProjection(ectx, in.ProjectionExpression, in.AttributesToGet)
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
	if err := checkKey(t, in.Key); err != nil {
		return nil, err
	}
	item, err := a.eng.GetItem(ctx, t.Name, in.Key)
	if err != nil {
		return nil, tableGone(err)
	}
	out := &getItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, t.Name, tableUsage(itemReadUnits(item, in.ConsistentRead)))}
	if item != nil {
		out.Item = project(proj, item)
	}
	return out, nil
}
