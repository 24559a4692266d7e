package dynamodb

import (
	"encoding/json"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// Wire shapes of the single-item operations. Optional strings that must be
// told apart from "" (expressions, names) are pointers; ExpressionAttributeValues
// stay raw so that an invalid value is reported with its key.

// writeCommon holds the members PutItem, UpdateItem and DeleteItem share;
// it is embedded in their requests.
type writeCommon struct {
	ConditionExpression                 *string
	ConditionalOperator                 string
	Expected                            map[string]expr.ExpectedAttributeValue
	ExpressionAttributeNames            map[string]string
	ExpressionAttributeValues           map[string]json.RawMessage
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ReturnValues                        string
	ReturnValuesOnConditionCheckFailure string
}

// putItemInput is the PutItem request.
type putItemInput struct {
	TableName *string
	Item      attr.Item
	writeCommon
}

// getItemInput is the GetItem request.
type getItemInput struct {
	TableName                *string
	Key                      attr.Item
	AttributesToGet          []string
	ConsistentRead           bool
	ProjectionExpression     *string
	ExpressionAttributeNames map[string]string
	ReturnConsumedCapacity   string
}

// updateItemInput is the UpdateItem request.
type updateItemInput struct {
	TableName        *string
	Key              attr.Item
	UpdateExpression *string
	AttributeUpdates map[string]expr.AttributeValueUpdate
	writeCommon
}

// deleteItemInput is the DeleteItem request.
type deleteItemInput struct {
	TableName *string
	Key       attr.Item
	writeCommon
}

// writeOutput is the PutItem, UpdateItem and DeleteItem response.
type writeOutput struct {
	Attributes            attr.Item              `json:"Attributes,omitempty"`
	ConsumedCapacity      *consumedCapacity      `json:"ConsumedCapacity,omitempty"`
	ItemCollectionMetrics *itemCollectionMetrics `json:"ItemCollectionMetrics,omitempty"`
}

// getItemOutput is the GetItem response: Item is absent when the item does
// not exist and {} when it exists but the projection selects nothing.
type getItemOutput struct {
	Item             attr.Item         `json:"Item,omitzero"`
	ConsumedCapacity *consumedCapacity `json:"ConsumedCapacity,omitempty"`
}
