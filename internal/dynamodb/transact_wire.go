package dynamodb

import (
	"encoding/json"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Wire shapes of TransactWriteItems and TransactGetItems. The action types
// carry their model shapes' names (Put, Update, ...) because Coral names the
// class it wanted in its SerializationException texts.
// ExpressionAttributeValues stay raw so that an invalid value is reported
// with its key.

// transactWriteItemsInput is the TransactWriteItems request.
type transactWriteItemsInput struct {
	TransactItems               []TransactWriteItem
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
	ClientRequestToken          *string
}

// TransactWriteItem is one action of a TransactWriteItems request: exactly
// one member must be set.
type TransactWriteItem struct {
	ConditionCheck *ConditionCheck
	Put            *Put
	Delete         *Delete
	Update         *Update
}

// transactCommon holds the members every write action has.
type transactCommon struct {
	TableName                           *string
	ConditionExpression                 *string
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]json.RawMessage
	ReturnValuesOnConditionCheckFailure string
}

// ConditionCheck checks a condition on an item the transaction does not write.
type ConditionCheck struct {
	Key attr.Item
	transactCommon
}

// Put writes a whole item.
type Put struct {
	Item attr.Item
	transactCommon
}

// Delete removes an item.
type Delete struct {
	Key attr.Item
	transactCommon
}

// Update applies an UpdateExpression to an item (or creates it).
type Update struct {
	Key              attr.Item
	UpdateExpression *string
	transactCommon
}

// transactWriteItemsOutput is the TransactWriteItems response.
type transactWriteItemsOutput struct {
	ConsumedCapacity      []*transactCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// itemCollectionMetrics describes the item collection (the items sharing a
// partition key in a table with local secondary indexes) a write changed.
type itemCollectionMetrics struct {
	ItemCollectionKey   attr.Item  `json:"ItemCollectionKey"`
	SizeEstimateRangeGB [2]float64 `json:"SizeEstimateRangeGB"`
}

// cancellationReason is one entry of a TransactionCanceledException's
// CancellationReasons: Code "None" for an action that did not fail.
type cancellationReason struct {
	Code    string    `json:"Code"`
	Message string    `json:"Message,omitempty"`
	Item    attr.Item `json:"Item,omitempty"`
}

// transactGetItemsInput is the TransactGetItems request.
type transactGetItemsInput struct {
	TransactItems          []TransactGetItem
	ReturnConsumedCapacity string
}

// TransactGetItem is one read of a TransactGetItems request.
type TransactGetItem struct {
	Get *Get
}

// Get reads one item, optionally projected.
type Get struct {
	TableName                *string
	Key                      attr.Item
	ProjectionExpression     *string
	ExpressionAttributeNames map[string]string
}

// transactGetItemsOutput is the TransactGetItems response: one entry per
// Get, in request order, {} for an item that does not exist.
type transactGetItemsOutput struct {
	Responses        []itemResponse      `json:"Responses"`
	ConsumedCapacity []*transactCapacity `json:"ConsumedCapacity,omitempty"`
}

// itemResponse is one TransactGetItems result.
type itemResponse struct {
	Item attr.Item `json:"Item,omitzero"`
}
