package dynamodb

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// A TransactWriteItems ClientRequestToken makes the call idempotent for ten
// minutes: the engine keeps a meta record for the token, created in the same
// atomic commit as the transaction's writes (so it survives a restart
// exactly when the writes do) and expired by the engine. The record holds a
// fingerprint of the request's actions. A call with a known token and the
// same actions is answered as a success without running again (reporting,
// as DynamoDB does, the read units of reading the items rather than the
// write units of writing them); a known token with other actions is an
// IdempotentParameterMismatchException. A canceled transaction writes
// nothing, so its token stays free. The Return* flags of a retry are its
// own and are not part of the fingerprint.

// idempotencyWindow is how long a ClientRequestToken is remembered.
const idempotencyWindow = 10 * time.Minute

// msgIdempotentMismatch is the IdempotentParameterMismatchException text.
const msgIdempotentMismatch = "Request parameters do not match the original request with the same ClientRequestToken"

// tokenRecord is a ClientRequestToken and the fingerprint of the request
// that used it.
type tokenRecord struct {
	token       string
	fingerprint []byte
}

// newTokenRecord fingerprints a request's actions.
func newTokenRecord(token string, acts []*txAction) (*tokenRecord, error) {
	fp, err := fingerprint(acts)
	if err != nil {
		return nil, err
	}
	return &tokenRecord{token: token, fingerprint: fp}, nil
}

// metaKey is the engine meta record key of a token.
func metaKey(token string) string { return "dynamodb/ClientRequestToken/" + token }

// meta is the record to create with the transaction, expiring ten minutes
// after now.
func (r *tokenRecord) meta(now time.Time) engine.MetaRecord {
	return engine.MetaRecord{Key: metaKey(r.token), Value: r.fingerprint, ExpiresAt: now.Add(idempotencyWindow)}
}

// canonicalAction is the part of an action that identifies the request: its
// kind, table and every member that changes what it does, with values
// decoded (so equal numbers compare equal) and maps in key order.
type canonicalAction struct {
	Kind      string
	Table     string
	Key       attr.Item
	Item      attr.Item
	Update    *string
	Condition *string
	Names     map[string]string
	Values    map[string]attr.Value
	ReturnOld string
}

// fingerprint is the SHA-256 of the actions' canonical JSON.
func fingerprint(acts []*txAction) ([]byte, error) {
	canon := make([]canonicalAction, len(acts))
	for i, x := range acts {
		canon[i] = canonicalAction{Kind: x.kind, Table: *x.common.TableName, Key: x.key, Item: x.item,
			Update: x.updateExpr, Condition: x.common.ConditionExpression, Names: x.common.ExpressionAttributeNames,
			Values: x.values, ReturnOld: x.common.ReturnValuesOnConditionCheckFailure}
	}
	b, err := json.Marshal(canon)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

// replayTransaction answers a call whose token the engine remembers: found
// is false when it does not (the call must run). A remembered token with the
// same actions answers like the first call, with ConsumedCapacity reporting
// the transactional reads of the items as they are now.
func (a *API) replayTransaction(ctx context.Context, in *transactWriteItemsInput, acts []*txAction, tok *tokenRecord) (out any, found bool, err error) {
	stored, found, err := a.eng.GetMeta(ctx, metaKey(tok.token))
	if err != nil || !found {
		return nil, false, err
	}
	if string(stored) != string(tok.fingerprint) {
		return nil, true, Dynamo("IdempotentParameterMismatchException", msgIdempotentMismatch)
	}
	res := &transactWriteItemsOutput{}
	if in.ReturnConsumedCapacity != "TOTAL" && in.ReturnConsumedCapacity != "INDEXES" {
		return res, true, nil
	}
	keys := make([]engine.TableKey, len(acts))
	for i, x := range acts {
		keys[i] = engine.TableKey{Table: x.table.Name, Key: x.itemKey}
	}
	items, err := a.eng.GetItems(ctx, keys)
	if err != nil {
		return nil, true, tableGone(err)
	}
	var tally unitTally
	for i, it := range items {
		tally.add(acts[i].table.Name, transactFactor*itemReadUnits(it, true))
	}
	res.ConsumedCapacity = tally.reads(in.ReturnConsumedCapacity)
	return res, true, nil
}
