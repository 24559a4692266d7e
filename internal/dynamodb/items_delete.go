package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// deleteItem implements DeleteItem: remove the item atomically once its
// condition holds. Deleting an absent item succeeds (and still costs a unit).
func (a *API) deleteItem(ctx context.Context, body []byte) (any, error) {
	var in deleteItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableRef(&v, "tableName", in.TableName)
	if in.Key == nil {
		v.addNull("key")
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
	if err := checkKey(t, in.Key); err != nil {
		return nil, err
	}
	res, err := a.eng.Mutate(ctx, t.Name, in.Key, func(old attr.Item) (attr.Item, error) {
		if err := checkCondition(cond, old, in.returnOldOnFailure()); err != nil {
			return nil, err
		}
		return nil, nil
	})
	if err != nil {
		return nil, writeError(err)
	}
	out := &writeOutput{
		ConsumedCapacity:      capacity(in.ReturnConsumedCapacity, t.Name, writeUsage(t, res.Old, nil)),
		ItemCollectionMetrics: writeCollectionMetrics(in.ReturnItemCollectionMetrics, t, in.Key, res.ItemCollectionSize),
	}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = res.Old
	}
	return out, nil
}
