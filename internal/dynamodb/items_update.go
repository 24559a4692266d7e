package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// updateItem implements UpdateItem: apply the UpdateExpression (or legacy
// AttributeUpdates) to the stored item, or to a new item holding just the
// key (upsert), atomically once the condition holds.
func (a *API) updateItem(ctx context.Context, body []byte) (any, error) {
	var in updateItemInput
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
	if err := in.checkExpressionParams(
		[]member{{"UpdateExpression", in.UpdateExpression != nil}},
		[]member{{"AttributeUpdates", in.AttributeUpdates != nil}}); err != nil {
		return nil, err
	}
	ectx, err := in.exprContext()
	if err != nil {
		return nil, err
	}
	upd, err := compileUpdate(ectx, in.UpdateExpression, in.AttributeUpdates)
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
	if err := checkKeyNotUpdated(t, upd); err != nil {
		return nil, err
	}
	res, err := a.eng.Mutate(ctx, t.Name, in.Key, func(old attr.Item) (attr.Item, error) {
		if err := checkCondition(cond, old, in.returnOldOnFailure()); err != nil {
			return nil, err
		}
		base := old
		if base == nil {
			base = in.Key
		}
		if upd == nil { // no update at all: the item (or just its key) is written as is
			return base, nil
		}
		item, _, err := upd.Apply(base)
		if err != nil {
			return nil, exprError(err)
		}
		if attr.ItemSize(item) > maxItemBytes {
			return nil, Validation("Item size to update has exceeded the maximum allowed size")
		}
		if err := checkUpdatedIndexKeys(t, item); err != nil {
			return nil, err
		}
		return item, nil
	})
	if err != nil {
		return nil, writeError(err)
	}
	return &writeOutput{
		Attributes:            updateReturnValues(in.ReturnValues, res, upd),
		ConsumedCapacity:      capacity(in.ReturnConsumedCapacity, t.Name, writeUsage(t, res.Old, res.New)),
		ItemCollectionMetrics: writeCollectionMetrics(in.ReturnItemCollectionMetrics, t, in.Key, res.ItemCollectionSize),
	}, nil
}

// compileUpdate compiles the UpdateExpression or the legacy AttributeUpdates;
// nil when the request has neither (UpdateItem then writes just the key).
func compileUpdate(ectx *expr.Context, update *string, legacy map[string]expr.AttributeValueUpdate) (*expr.Update, error) {
	switch {
	case update != nil:
		u, err := ectx.ParseUpdate(*update)
		return u, exprError(err)
	case len(legacy) > 0:
		u, err := expr.FromAttributeUpdates(legacy)
		return u, exprError(err)
	}
	return nil, nil
}

// checkKeyNotUpdated rejects updates that target a key attribute.
func checkKeyNotUpdated(t *engine.Table, upd *expr.Update) error {
	if upd == nil {
		return nil
	}
	names := make([]string, 0, 2)
	for _, k := range keyAttrs(t) {
		names = append(names, k.Name)
	}
	if name, ok := upd.TouchesTopLevel(names...); ok {
		return Validation("One or more parameter values were invalid: Cannot update attribute %s. This attribute is part of the key", name)
	}
	return nil
}

// updateReturnValues selects the Attributes UpdateItem returns: the whole
// item before or after, or only what the update targeted (down to nested
// paths: SET a.b returns {a: {b}}), as it was before or is after. Nothing
// targeted on that side (a new attribute's old value, a removed one's new
// value) leaves Attributes out.
func updateReturnValues(mode string, res engine.MutationResult, upd *expr.Update) attr.Item {
	switch mode {
	case "ALL_OLD":
		return res.Old
	case "ALL_NEW":
		return res.New
	}
	if upd == nil {
		return nil
	}
	switch {
	case mode == "UPDATED_OLD" && res.Old != nil:
		return upd.UpdatedPaths().Apply(res.Old)
	case mode == "UPDATED_NEW" && res.New != nil:
		return upd.UpdatedPaths().Apply(res.New)
	}
	return nil
}
