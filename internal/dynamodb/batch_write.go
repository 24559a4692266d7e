package dynamodb

import (
	"context"
	"errors"
	"strconv"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// maxBatchWrites is the BatchWriteItem limit on requests per call.
const maxBatchWrites = 25

// batchWriteItem implements BatchWriteItem: up to 25 puts and deletes over
// several tables, committed together in one atomic, durable engine batch.
// DynamoDB promises less (each write on its own), so this is always allowed.
func (a *API) batchWriteItem(ctx context.Context, body []byte) (any, error) {
	var in batchWriteItemInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	names := sortedKeys(in.RequestItems)
	if err := in.constraints(names); err != nil {
		return nil, err
	}
	total := 0
	for _, n := range names {
		for _, r := range in.RequestItems[n] {
			if (r.PutRequest == nil) == (r.DeleteRequest == nil) {
				return nil, Validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			}
			if r.PutRequest != nil && attr.ItemSize(r.PutRequest.Item) > maxItemBytes {
				return nil, Validation("Item size has exceeded the maximum allowed size")
			}
			total++
		}
	}
	if total > maxBatchWrites {
		return nil, Validation("Too many items requested for the BatchWriteItem call")
	}

	var muts []engine.Mutation
	var keys []string          // the RequestItems key of each mutation
	var tables []*engine.Table // the table of each mutation
	for _, n := range names {
		t, err := a.batchTable(ctx, n)
		if err != nil {
			return nil, err
		}
		tm, err := tableMutations(t, in.RequestItems[n])
		if err != nil {
			return nil, err
		}
		muts = append(muts, tm...)
		for range tm {
			keys, tables = append(keys, n), append(tables, t)
		}
	}
	results, errs, err := a.eng.MutateMany(ctx, muts)
	if errors.Is(err, engine.ErrTransactionCanceled) {
		// Only an item collection outgrowing its limit cancels a batch.
		for _, e := range errs {
			if e != nil {
				return nil, writeError(e)
			}
		}
	}
	if err != nil {
		return nil, tableGone(err)
	}
	tally := capacityTally{}
	collections := collectionTally{mode: in.ReturnItemCollectionMetrics}
	for i, res := range results {
		tally.add(keys[i], writeUsage(tables[i], res.Old, res.New))
		collections.add(keys[i], tables[i], muts[i].Key, res.ItemCollectionSize)
	}
	return &batchWriteItemOutput{
		UnprocessedItems:      map[string][]writeRequest{},
		ConsumedCapacity:      tally.list(in.ReturnConsumedCapacity),
		ItemCollectionMetrics: collections.out,
	}, nil
}

// constraints checks the Coral constraints of a BatchWriteItem request.
func (in *batchWriteItemInput) constraints(names []string) error {
	var v violations
	v.returnConsumedCapacity(in.ReturnConsumedCapacity)
	v.returnItemCollectionMetrics(in.ReturnItemCollectionMetrics)
	v.requestItems(names, in.RequestItems == nil)
	for _, n := range names {
		if reqs := in.RequestItems[n]; len(reqs) < 1 || len(reqs) > maxBatchWrites {
			v.add("{"+n+"}", "requestItems", "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]")
			break
		}
	}
	for _, n := range names {
		for i, r := range in.RequestItems[n] {
			path := "requestItems." + n + ".member." + strconv.Itoa(i+1) + ".member."
			if r.DeleteRequest != nil && r.DeleteRequest.Key == nil {
				v.addNull(path + "deleteRequest.key")
			}
			if r.PutRequest != nil && r.PutRequest.Item == nil {
				v.addNull(path + "putRequest.item")
			}
		}
	}
	return v.err()
}

// tableMutations validates one table's write requests against its key
// schema (any key mismatch reads as "does not match the schema", as in
// DynamoDB) and duplicates, and turns them into engine mutations.
func tableMutations(t *engine.Table, reqs []writeRequest) ([]engine.Mutation, error) {
	muts := make([]engine.Mutation, 0, len(reqs))
	seen := make(map[string]bool, len(reqs))
	for _, r := range reqs {
		var key, item attr.Item
		if r.PutRequest != nil {
			item = r.PutRequest.Item
			if err := checkItemKey(t, item); err != nil {
				return nil, batchKeyError(t, item, err)
			}
			key = itemKey(t, item)
		} else {
			key = r.DeleteRequest.Key
			if err := checkKey(t, key); err != nil {
				return nil, err
			}
		}
		ks := keyString(key)
		if seen[ks] {
			return nil, Validation("Provided list of item keys contains duplicates")
		}
		seen[ks] = true
		muts = append(muts, engine.Mutation{Table: t.Name, Key: key, Fn: func(attr.Item) (attr.Item, error) { return item, nil }})
	}
	return muts, nil
}

// batchKeyError rewords a put's missing-key or key-type error the way
// BatchWriteItem reports it; other key errors (empty values, sizes) stay.
func batchKeyError(t *engine.Table, item attr.Item, err error) error {
	for _, k := range keyAttrs(t) {
		if v, ok := item[k.Name]; !ok || v.Kind != k.Type {
			return Validation(msgKeySchema)
		}
	}
	return err
}
