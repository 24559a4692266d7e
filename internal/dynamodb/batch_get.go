package dynamodb

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// BatchGetItem limits: 100 keys per call, 16 MB of items per response (the
// keys beyond it are returned as UnprocessedKeys).
const (
	maxBatchGetKeys  = 100
	maxBatchGetBytes = 16 << 20
)

// batchGetTable is one table's validated part of a BatchGetItem call.
type batchGetTable struct {
	name  string
	req   *keysAndAttributes
	table *engine.Table
	proj  *expr.Projection
}

// batchGetItem implements BatchGetItem: up to 100 keys over several tables,
// each read like GetItem with the table's projection and consistency.
func (a *API) batchGetItem(ctx context.Context, body []byte) (any, error) {
	var in batchGetItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	names := sortedKeys(in.RequestItems)
	var v violations
	v.returnConsumedCapacity(in.ReturnConsumedCapacity)
	v.requestItems(names, in.RequestItems == nil)
	for _, n := range names {
		ka := in.RequestItems[n]
		path := "requestItems." + n + ".member."
		if ka == nil || ka.Keys == nil {
			v.addNull(path + "keys")
			continue
		}
		if len(ka.Keys) < 1 || len(ka.Keys) > maxBatchGetKeys {
			constraint := "Member must have length greater than or equal to 1"
			if len(ka.Keys) > maxBatchGetKeys {
				constraint = "Member must have length less than or equal to " + strconv.Itoa(maxBatchGetKeys)
			}
			v.add(renderKeys(ka.Keys), path+"keys", constraint)
		}
		v.attributesToGet(path+"attributesToGet", ka.AttributesToGet)
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	tables := make([]*batchGetTable, 0, len(names))
	total := 0
	for _, n := range names {
		bt, err := prepareBatchGetTable(n, in.RequestItems[n], &total)
		if err != nil {
			return nil, err
		}
		tables = append(tables, bt)
	}
	for _, bt := range tables {
		t, err := a.batchTable(ctx, bt.name)
		if err != nil {
			return nil, err
		}
		for _, key := range bt.req.Keys {
			if err := checkKey(t, key); err != nil {
				return nil, err
			}
		}
		bt.table = t
	}
	return a.readBatch(ctx, tables, in.ReturnConsumedCapacity)
}

// prepareBatchGetTable applies the per-table checks (expression parameters,
// duplicate keys, the call-wide key count kept in total) and compiles the
// table's projection.
func prepareBatchGetTable(name string, ka *keysAndAttributes, total *int) (*batchGetTable, error) {
	if err := checkExpressionParams(
		[]member{{"ProjectionExpression", ka.ProjectionExpression != nil}},
		[]member{{"AttributesToGet", ka.AttributesToGet != nil}},
		ka.ExpressionAttributeNames, nil); err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(ka.Keys))
	for _, key := range ka.Keys {
		ks := keyString(key)
		if seen[ks] {
			return nil, Validation("Provided list of item keys contains duplicates")
		}
		seen[ks] = true
		if *total++; *total > maxBatchGetKeys {
			return nil, Validation("Too many items requested for the BatchGetItem call")
		}
	}
	if err := checkAttributesToGet(ka.AttributesToGet); err != nil {
		return nil, err
	}
	ectx, err := newExprContext(ka.ExpressionAttributeNames, nil)
	if err != nil {
		return nil, err
	}
	proj, err := compileProjection(ectx, ka.ProjectionExpression, ka.AttributesToGet)
	if err != nil {
		return nil, err
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, exprError(err)
	}
	return &batchGetTable{name: name, req: ka, proj: proj}, nil
}

// readBatch reads the keys of a validated BatchGetItem, table by table,
// until the items returned reach the response size limit; keys left over
// become UnprocessedKeys.
func (a *API) readBatch(ctx context.Context, tables []*batchGetTable, mode string) (*batchGetItemOutput, error) {
	out := &batchGetItemOutput{
		Responses:       make(map[string][]attr.Item, len(tables)),
		UnprocessedKeys: map[string]*keysAndAttributes{},
	}
	tally := capacityTally{}
	size := 0
	for _, bt := range tables {
		consistent := bt.req.ConsistentRead != nil && *bt.req.ConsistentRead
		items := []attr.Item{}
		for i, key := range bt.req.Keys {
			if size >= maxBatchGetBytes {
				left := *bt.req
				left.Keys = bt.req.Keys[i:]
				out.UnprocessedKeys[bt.name] = &left
				break
			}
			item, err := a.eng.GetItem(ctx, bt.table.Name, key)
			if err != nil {
				return nil, tableGone(err)
			}
			tally.add(bt.name, tableUsage(itemReadUnits(item, consistent)))
			if item == nil {
				continue
			}
			item = project(bt.proj, item)
			size += attr.ItemSize(item)
			items = append(items, item)
		}
		out.Responses[bt.name] = items
	}
	out.ConsumedCapacity = tally.list(mode)
	return out, nil
}

// renderKeys renders a list of keys for a constraint message.
func renderKeys(keys []attr.Item) string {
	b, err := json.Marshal(keys)
	if err != nil {
		return "[...]"
	}
	return string(b)
}
