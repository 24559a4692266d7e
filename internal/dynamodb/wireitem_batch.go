package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
)

// keysAndAttributes is one table's part of a BatchGetItem request, and of its
// UnprocessedKeys (which repeat the table's options with the keys left over).
type keysAndAttributes struct {
	Keys                     []attr.Item       `json:"Keys"`
	AttributesToGet          []string          `json:"AttributesToGet,omitempty"`
	ConsistentRead           *bool             `json:"ConsistentRead,omitempty"`
	ProjectionExpression     *string           `json:"ProjectionExpression,omitempty"`
	ExpressionAttributeNames map[string]string `json:"ExpressionAttributeNames,omitempty"`
}

// batchGetItemInput is the BatchGetItem request.
type batchGetItemInput struct {
	RequestItems           map[string]*keysAndAttributes
	ReturnConsumedCapacity string
}

// batchGetItemOutput is the BatchGetItem response: every requested table
// appears in Responses (possibly []), and UnprocessedKeys is {} when
// everything was read.
type batchGetItemOutput struct {
	Responses        map[string][]attr.Item        `json:"Responses"`
	UnprocessedKeys  map[string]*keysAndAttributes `json:"UnprocessedKeys"`
	ConsumedCapacity []*consumedCapacity           `json:"ConsumedCapacity,omitempty"`
}

// putRequest is the PutRequest of a BatchWriteItem entry.
type putRequest struct {
	Item attr.Item `json:"Item"`
}

// deleteRequest is the DeleteRequest of a BatchWriteItem entry.
type deleteRequest struct {
	Key attr.Item `json:"Key"`
}

// writeRequest is one BatchWriteItem entry: exactly one of its members is set.
type writeRequest struct {
	PutRequest    *putRequest    `json:"PutRequest,omitempty"`
	DeleteRequest *deleteRequest `json:"DeleteRequest,omitempty"`
}

// batchWriteItemInput is the BatchWriteItem request.
type batchWriteItemInput struct {
	RequestItems                map[string][]writeRequest
	ReturnConsumedCapacity      string
	ReturnItemCollectionMetrics string
}

// batchWriteItemOutput is the BatchWriteItem response; UnprocessedItems is
// always {} since every write of a valid batch is committed.
type batchWriteItemOutput struct {
	UnprocessedItems      map[string][]writeRequest           `json:"UnprocessedItems"`
	ConsumedCapacity      []*consumedCapacity                 `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics map[string][]*itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}
