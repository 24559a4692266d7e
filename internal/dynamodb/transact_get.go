package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// txGet is one validated read of a TransactGetItems request.
type txGet struct {
	get      *Get
	tableRef string
	proj     *expr.Projection
	table    *engine.Table
}

// transactGetItems implements TransactGetItems: up to 100 reads of distinct
// items, of one or more tables, all from one consistent snapshot, so no
// transaction is ever seen half applied. Each read costs two read units per
// 4 KB of the item (a missing item costs two).
func (a *API) transactGetItems(ctx context.Context, body []byte) (any, error) {
	var in transactGetItemsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	gets, err := a.checkTransactGet(&in)
	if err != nil {
		return nil, err
	}
	refs := make([]string, len(gets))
	for i, g := range gets {
		refs[i] = g.tableRef
	}
	tables, err := a.transactTables(ctx, refs)
	if err != nil {
		return nil, err
	}
	keys := make([]engine.TableKey, len(gets))
	seen := make(itemSet, len(gets))
	for i, g := range gets {
		g.table = tables[g.tableRef]
		if err := checkKey(g.table, g.get.Key); err != nil {
			return nil, err
		}
		keys[i] = engine.TableKey{Table: g.table.Name, Key: g.get.Key}
	}
	for _, g := range gets {
		if err := seen.add(g.table, g.get.Key); err != nil {
			return nil, err
		}
	}
	items, err := a.eng.GetItems(ctx, keys)
	if err != nil {
		return nil, tableGone(err)
	}
	out := &transactGetItemsOutput{Responses: make([]itemResponse, len(gets))}
	var tally unitTally
	for i, it := range items {
		tally.add(gets[i].table.Name, transactFactor*itemReadUnits(it, true))
		if it != nil {
			out.Responses[i].Item = project(gets[i].proj, it)
		}
	}
	out.ConsumedCapacity = tally.reads(in.ReturnConsumedCapacity)
	return out, nil
}

// checkTransactGet validates a TransactGetItems request without the engine:
// Coral constraints, then each read's projection and names.
func (a *API) checkTransactGet(in *transactGetItemsInput) ([]*txGet, error) {
	var v violations
	v.returnConsumedCapacity(in.ReturnConsumedCapacity)
	v.transactItems(len(in.TransactItems), in.TransactItems == nil, "TransactGetItem")
	gets := make([]*txGet, len(in.TransactItems))
	var later error
	for i, item := range in.TransactItems {
		path := transactMember(i, "get")
		if item.Get == nil {
			v.addNull(path[:len(path)-1])
			continue
		}
		if item.Get.Key == nil {
			v.addNull(path + "key")
		}
		name, err := a.tableRef(&v, path+"tableName", item.Get.TableName)
		if err != nil && later == nil {
			later = err
		}
		gets[i] = &txGet{get: item.Get, tableRef: name}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	for _, g := range gets {
		if err := g.compile(); err != nil {
			return nil, err
		}
	}
	return gets, nil
}

// compile applies the expression rules to a read and compiles its
// projection.
func (g *txGet) compile() error {
	names := g.get.ExpressionAttributeNames
	if err := checkExpressionParams([]member{{"ProjectionExpression", g.get.ProjectionExpression != nil}}, nil, names, nil); err != nil {
		return err
	}
	ectx, err := newExprContext(names, nil)
	if err != nil {
		return err
	}
	if g.proj, err = compileProjection(ectx, g.get.ProjectionExpression, nil); err != nil {
		return err
	}
	return exprError(ectx.CheckUnused())
}
