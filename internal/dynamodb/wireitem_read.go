package dynamodb

import (
	"encoding/json"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// readCommon holds the members Query and Scan share; it is embedded in their
// requests. ExclusiveStartKey and ExpressionAttributeValues stay raw so that
// invalid values are reported with DynamoDB's prefixes.
type readCommon struct {
	TableName                 *string
	IndexName                 *string
	Select                    string
	AttributesToGet           []string
	Limit                     *int
	ConsistentRead            bool
	ConditionalOperator       string
	ExclusiveStartKey         map[string]json.RawMessage
	ReturnConsumedCapacity    string
	ProjectionExpression      *string
	FilterExpression          *string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
}

// queryInput is the Query request.
type queryInput struct {
	readCommon
	KeyConditionExpression *string
	KeyConditions          map[string]expr.LegacyCondition
	QueryFilter            map[string]expr.LegacyCondition
	ScanIndexForward       *bool
}

// scanInput is the Scan request.
type scanInput struct {
	readCommon
	ScanFilter    map[string]expr.LegacyCondition
	Segment       *int
	TotalSegments *int
}

// readOutput is the Query and Scan response. Items is left out for
// Select=COUNT and is [] (not absent) when nothing matched.
type readOutput struct {
	Items            []attr.Item       `json:"Items,omitzero"`
	Count            int               `json:"Count"`
	ScannedCount     int               `json:"ScannedCount"`
	LastEvaluatedKey attr.Item         `json:"LastEvaluatedKey,omitempty"`
	ConsumedCapacity *consumedCapacity `json:"ConsumedCapacity,omitempty"`
}
