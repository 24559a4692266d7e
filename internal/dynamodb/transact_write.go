package dynamodb

import (
	"context"
	"errors"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// transactWriteItems implements TransactWriteItems: up to 100 conditional
// puts, updates, deletes and condition checks on distinct items of one or
// more tables, committed together, at one commit timestamp, or not at all.
// The whole request is validated first (every action's expressions before
// any table is looked up), then the tables, the keys and duplicates; a
// ClientRequestToken makes a retry within ten minutes answer without
// running again.
func (a *API) transactWriteItems(ctx context.Context, body []byte) (any, error) {
	var in transactWriteItemsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	acts, err := a.checkTransactWrite(&in)
	if err != nil {
		return nil, err
	}
	if err := a.bindTransactWrite(ctx, acts); err != nil {
		return nil, err
	}
	if in.ClientRequestToken == nil {
		return a.commitTransaction(ctx, &in, acts, nil)
	}
	tok, err := newTokenRecord(*in.ClientRequestToken, acts)
	if err != nil {
		return nil, err
	}
	if out, found, err := a.replayTransaction(ctx, &in, acts, tok); found || err != nil {
		return out, err
	}
	out, err := a.commitTransaction(ctx, &in, acts, tok)
	if errors.Is(err, engine.ErrMetaExists) { // a concurrent call with the token committed first
		if out, found, err := a.replayTransaction(ctx, &in, acts, tok); found || err != nil {
			return out, err
		}
	}
	return out, err
}

// checkTransactWrite validates what can be validated without the engine and
// returns the request's actions: Coral constraints, one action per entry,
// then each action's expressions and item size, then the payload size.
func (a *API) checkTransactWrite(in *transactWriteItemsInput) ([]*txAction, error) {
	var v violations
	v.returnConsumedCapacity(in.ReturnConsumedCapacity)
	v.returnItemCollectionMetrics(in.ReturnItemCollectionMetrics)
	v.transactItems(len(in.TransactItems), in.TransactItems == nil, "TransactWriteItem")
	entries := make([][]*txAction, len(in.TransactItems))
	var later error
	for i := range in.TransactItems {
		entries[i] = in.TransactItems[i].actions(i)
		for _, x := range entries[i] {
			if err := x.constraints(a, &v); err != nil && later == nil {
				later = err
			}
		}
	}
	v.clientRequestToken(in.ClientRequestToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	if later != nil {
		return nil, later
	}
	acts := make([]*txAction, len(entries))
	for i, xs := range entries {
		switch len(xs) {
		case 0:
			return nil, Validation(msgNoTransactAction)
		case 1:
			acts[i] = xs[0]
		default:
			return nil, Validation(msgManyTransactActions)
		}
	}
	payload := 0
	for _, x := range acts {
		if err := x.compile(); err != nil {
			return nil, err
		}
		payload += x.payload()
	}
	if payload > maxTransactPayload {
		return nil, payloadTooLarge(payload)
	}
	return acts, nil
}

// bindTransactWrite looks up the actions' tables, checks their keys against
// the tables' schemas, and refuses two actions on one item.
func (a *API) bindTransactWrite(ctx context.Context, acts []*txAction) error {
	refs := make([]string, len(acts))
	for i, x := range acts {
		refs[i] = x.tableRef
	}
	tables, err := a.transactTables(ctx, refs)
	if err != nil {
		return err
	}
	for _, x := range acts {
		if err := x.bindTable(tables[x.tableRef]); err != nil {
			return err
		}
	}
	seen := make(itemSet, len(acts))
	for _, x := range acts {
		if err := seen.add(x.table, x.itemKey); err != nil {
			return err
		}
	}
	return nil
}

// commitTransaction runs the actions as one engine commit, with the
// ClientRequestToken's record (tok, nil without a token) written in the same
// commit, and builds the response or the TransactionCanceledException.
func (a *API) commitTransaction(ctx context.Context, in *transactWriteItemsInput, acts []*txAction, tok *tokenRecord) (any, error) {
	muts := make([]engine.Mutation, len(acts))
	for i, x := range acts {
		muts[i] = x.mutation()
	}
	var opts engine.MutateOptions
	if tok != nil {
		opts.Meta = []engine.MetaRecord{tok.meta(a.now())}
	}
	results, errs, err := a.eng.MutateManyWith(ctx, muts, opts)
	switch {
	case errors.Is(err, engine.ErrTransactionCanceled):
		return nil, transactionCanceled(errs)
	case err != nil:
		return nil, tableGone(err)
	}
	var tally unitTally
	for i, res := range results {
		x := acts[i]
		tally.addUsage(x.table.Name, writeUsage(x.table, res.Old, res.New).scaled(transactFactor))
	}
	out := &transactWriteItemsOutput{ConsumedCapacity: tally.writes(in.ReturnConsumedCapacity)}
	if in.ReturnItemCollectionMetrics == "SIZE" {
		out.ItemCollectionMetrics = collectionMetrics(acts, results)
	}
	return out, nil
}
