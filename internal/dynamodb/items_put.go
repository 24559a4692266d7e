package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// putItem implements PutItem: validate, then replace the item atomically once
// its condition holds against the stored item.
func (a *API) putItem(ctx context.Context, body []byte) (any, error) {
	var in putItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableRef(&v, "tableName", in.TableName)
	if in.Item == nil {
		v.addNull("item")
	}
	in.constraints(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	if err := in.checkExpressionParams(nil, nil); err != nil {
		return nil, err
	}
	if err := in.checkOldOnlyReturnValues(); err != nil {
		return nil, err
	}
	if attr.ItemSize(in.Item) > maxItemBytes {
		return nil, Validation("Item size has exceeded the maximum allowed size")
	}
	ectx, err := in.exprContext()
	if err != nil {
		return nil, err
	}
	cond, err := in.condition(ectx)
	if err != nil {
		return nil, err
	}

	t, err := a.itemTable(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := checkItemKey(t, in.Item); err != nil {
		return nil, err
	}
	res, err := a.eng.Mutate(ctx, t.Name, itemKey(t, in.Item), func(old attr.Item) (attr.Item, error) {
		if err := checkCondition(cond, old, in.returnOldOnFailure()); err != nil {
			return nil, err
		}
		return in.Item, nil
	})
	if err != nil {
		return nil, writeError(err)
	}
	out := &writeOutput{
		ConsumedCapacity:      capacity(in.ReturnConsumedCapacity, t.Name, writeUsage(t, res.Old, res.New)),
		ItemCollectionMetrics: writeCollectionMetrics(in.ReturnItemCollectionMetrics, t, in.Item, res.ItemCollectionSize),
	}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = res.Old
	}
	return out, nil
}
