package dynamodb

import (
	"fmt"
	"strings"
	"testing"
)

// itemValidationCase is one request the item operations must reject with an
// exact DynamoDB message.
type itemValidationCase struct {
	name, op, body string
	typ            string // error type after '#'; ValidationException when empty
	msg            string
}

// runItemValidationCases checks each case's error type and message.
func runItemValidationCases(t *testing.T, e *itemEnv, cases []itemValidationCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.callErr(c.op, c.body)
			typ := c.typ
			if typ == "" {
				typ = "ValidationException"
			}
			if _, got, _ := strings.Cut(err.Type, "#"); got != typ || err.Message != c.msg {
				t.Errorf("got %s: %q\nwant %s: %q", got, err.Message, typ, c.msg)
			}
		})
	}
}

const (
	msgEmptyKey = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: "
	msgRVOld    = "ReturnValues can only be ALL_OLD or NONE"
)

func TestWriteValidation(t *testing.T) {
	e := newItemEnv(t)
	big := strings.Repeat("x", 400*1024)
	runItemValidationCases(t, e, []itemValidationCase{
		{"put no table no item", "PutItem", `{}`, "",
			"2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'item' failed to satisfy constraint: Member must not be null"},
		{"put bad enums", "PutItem", `{"TableName":"hash","Item":{},"ReturnConsumedCapacity":"hi","ReturnValues":"hi"}`, "",
			"2 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"},
		{"put bad failure return", "PutItem", `{"TableName":"hash","Item":{},"ReturnValuesOnConditionCheckFailure":"ALL_NEW"}`, "",
			"1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"},
		{"put return values", "PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"}},"ReturnValues":"ALL_NEW"}`, "", msgRVOld},
		{"put mixed params", "PutItem", `{"TableName":"hash","Item":{},"Expected":{"a":{"Exists":false}},"ConditionExpression":"attribute_exists(a)"}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"},
		{"put names without expression", "PutItem", `{"TableName":"hash","Item":{},"ExpressionAttributeNames":{"#a":"a"}}`, "",
			"ExpressionAttributeNames can only be specified when using expressions"},
		{"put values without expression", "PutItem", `{"TableName":"hash","Item":{},"ExpressionAttributeValues":{":a":{"S":"a"}}}`, "",
			"ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
		{"put empty values", "PutItem", `{"TableName":"hash","Item":{},"ConditionExpression":"a = :a","ExpressionAttributeValues":{}}`, "",
			"ExpressionAttributeValues must not be empty"},
		{"put bad value key", "PutItem", `{"TableName":"hash","Item":{},"ConditionExpression":"a = :a","ExpressionAttributeValues":{"a":{"S":"a"}}}`, "",
			`ExpressionAttributeValues contains invalid key: Syntax error; key: "a"`},
		{"put invalid value", "PutItem", `{"TableName":"hash","Item":{},"ConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"a","N":"1"}}}`, "",
			"ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key :a"},
		{"put unused value", "PutItem", `{"TableName":"hash","Item":{},"ConditionExpression":"a = :a","ExpressionAttributeValues":{":a":{"S":"a"},":b":{"S":"b"}}}`, "",
			"Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}"},
		{"put empty condition", "PutItem", `{"TableName":"hash","Item":{},"ConditionExpression":""}`, "",
			"Invalid ConditionExpression: The expression can not be empty;"},
		{"put too big", "PutItem", `{"TableName":"nosuch","Item":{"pk":{"S":"a"},"b":{"S":"` + big + `"}}}`, "",
			"Item size has exceeded the maximum allowed size"},
		{"put no table", "PutItem", `{"TableName":"nosuch","Item":{"pk":{"S":"a"}}}`, "ResourceNotFoundException",
			"Requested resource not found"},
		{"put missing key", "PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"}}}`, "",
			"One or more parameter values were invalid: Missing the key sk in the item"},
		{"put key type", "PutItem", `{"TableName":"hash","Item":{"pk":{"N":"1"}}}`, "",
			"One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"},
		{"put empty key", "PutItem", `{"TableName":"hash","Item":{"pk":{"S":""}}}`, "", msgEmptyKey + "pk"},
		{"put hash too big", "PutItem", `{"TableName":"hash","Item":{"pk":{"S":"` + strings.Repeat("a", 2049) + `"}}}`, "",
			"One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes"},
		{"put range too big", "PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"` + strings.Repeat("a", 1025) + `"}}}`, "",
			"One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes"},

		{"delete no key", "DeleteItem", `{"TableName":"hash"}`, "",
			"1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"delete return values", "DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnValues":"UPDATED_OLD"}`, "", msgRVOld},
		{"delete key schema", "DeleteItem", `{"TableName":"range","Key":{"pk":{"S":"a"}}}`, "", msgKeySchema},
		{"delete empty range key", "DeleteItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":""}}}`, "", msgEmptyKey + "sk"},

		{"update mixed params", "UpdateItem", `{"TableName":"hash","Key":{},"AttributeUpdates":{"a":{"Action":"DELETE"}},"UpdateExpression":"REMOVE a"}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"},
		{"update values without expression", "UpdateItem", `{"TableName":"hash","Key":{},"ExpressionAttributeValues":{":a":{"S":"a"}}}`, "",
			"ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and ConditionExpression are null"},
		{"update key attribute", "UpdateItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET pk = :v","ExpressionAttributeValues":{":v":{"S":"b"}}}`, "",
			"One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"},
		{"update legacy key attribute", "UpdateItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"b"}},"AttributeUpdates":{"sk":{"Value":{"S":"c"}}}}`, "",
			"One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
		{"update key type", "UpdateItem", `{"TableName":"hash","Key":{"pk":{"B":"YQ=="}},"UpdateExpression":"REMOVE a"}`, "", msgKeySchema},
		{"update too big", "UpdateItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET b = :b","ExpressionAttributeValues":{":b":{"S":"` + big + `"}}}`, "",
			"Item size to update has exceeded the maximum allowed size"},
	})
}

func TestGetValidation(t *testing.T) {
	e := newItemEnv(t)
	runItemValidationCases(t, e, []itemValidationCase{
		{"no table no key", "GetItem", `{}`, "",
			"2 validation errors detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null; Value null at 'key' failed to satisfy constraint: Member must not be null"},
		{"empty attributes", "GetItem", `{"TableName":"hash","Key":{},"AttributesToGet":[]}`, "",
			"1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"mixed params", "GetItem", `{"TableName":"hash","Key":{},"AttributesToGet":["a"],"ProjectionExpression":"a"}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
		{"names without projection", "GetItem", `{"TableName":"hash","Key":{},"ExpressionAttributeNames":{"#a":"a"}}`, "",
			"ExpressionAttributeNames can only be specified when using expressions"},
		{"empty names", "GetItem", `{"TableName":"hash","Key":{},"ProjectionExpression":"a","ExpressionAttributeNames":{}}`, "",
			"ExpressionAttributeNames must not be empty"},
		{"unused name", "GetItem", `{"TableName":"hash","Key":{},"ProjectionExpression":"a","ExpressionAttributeNames":{"#b":"b"}}`, "",
			"Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"},
		{"duplicate attribute", "GetItem", `{"TableName":"hash","Key":{},"AttributesToGet":["a","b","a"]}`, "",
			"One or more parameter values were invalid: Duplicate value in attribute name: a"},
		{"no table", "GetItem", `{"TableName":"nosuch","Key":{"pk":{"S":"a"}}}`, "ResourceNotFoundException", "Requested resource not found"},
		{"extra key attribute", "GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"},"x":{"S":"a"}}}`, "", msgKeySchema},
		{"wrong key name", "GetItem", `{"TableName":"hash","Key":{"x":{"S":"a"}}}`, "", msgKeySchema},
		{"key type", "GetItem", `{"TableName":"hash","Key":{"pk":{"SS":["a"]}}}`, "", msgKeySchema},
		{"missing range", "GetItem", `{"TableName":"range","Key":{"pk":{"S":"a"}}}`, "", msgKeySchema},
		{"empty key", "GetItem", `{"TableName":"hash","Key":{"pk":{"S":""}}}`, "", msgEmptyKey + "pk"},
	})
}

func TestReadValidation(t *testing.T) {
	e := newItemEnv(t)
	q := `"TableName":"range","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}`
	runItemValidationCases(t, e, []itemValidationCase{
		{"query no conditions", "Query", `{"TableName":"range"}`, "",
			"Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."},
		{"query limit", "Query", `{` + q + `,"Limit":0}`, "",
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"query select enum", "Query", `{` + q + `,"Select":"count"}`, "",
			"1 validation error detected: Value 'count' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"},
		{"query legacy operator", "Query", `{"TableName":"range","KeyConditions":{"pk":{"ComparisonOperator":"EQUALS"}}}`, "",
			"1 validation error detected: Value 'EQUALS' at 'keyConditions.pk.member.comparisonOperator' failed to satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"},
		{"query mixed params", "Query", `{` + q + `,"AttributesToGet":["a"],"QueryFilter":{},"ProjectionExpression":"a","FilterExpression":"b = :p"}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet, QueryFilter} Expression parameters: {ProjectionExpression, FilterExpression, KeyConditionExpression}"},
		{"query both key conditions", "Query", `{` + q + `,"KeyConditions":{}}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {KeyConditions} Expression parameters: {KeyConditionExpression}"},
		{"query values without expression", "Query", `{"TableName":"range","KeyConditions":{},"ExpressionAttributeValues":{":a":{"S":"a"}}}`, "",
			"ExpressionAttributeValues can only be specified when using expressions: FilterExpression and KeyConditionExpression are null"},
		{"query count with projection", "Query", `{` + q + `,"Select":"COUNT","ProjectionExpression":"a"}`, "",
			"1 validation error detected: Cannot specify the ProjectionExpression when choosing to get only the Count"},
		{"query all with attributes", "Query", `{"TableName":"range","KeyConditions":{},"Select":"ALL_ATTRIBUTES","AttributesToGet":["a"]}`, "",
			"1 validation error detected: Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES"},
		{"query projected on table", "Query", `{` + q + `,"Select":"ALL_PROJECTED_ATTRIBUTES"}`, "",
			"1 validation error detected: ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"},
		{"query specific without projection", "Query", `{` + q + `,"Select":"SPECIFIC_ATTRIBUTES"}`, "",
			"1 validation error detected: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"},
		{"query no table", "Query", `{"TableName":"nosuch","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}}}`,
			"ResourceNotFoundException", "Requested resource not found"},
		{"query index", "Query", `{` + q + `,"IndexName":"byColour"}`, "", "The table does not have the specified index: byColour"},
		{"query hash type", "Query", `{"TableName":"range","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"N":"1"}}}`, "",
			"One or more parameter values were invalid: Condition parameter type does not match schema type"},
		{"query range type", "Query", `{"TableName":"rangeN","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]},"sk":{"ComparisonOperator":"GT","AttributeValueList":[{"S":"1"}]}}}`, "",
			"One or more parameter values were invalid: Condition parameter type does not match schema type"},
		{"query filter on key", "Query", `{"TableName":"range","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"a"}]}},"QueryFilter":{"sk":{"ComparisonOperator":"NOT_NULL"}}}`, "",
			"QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"},
		{"query start key names", "Query", `{` + q + `,"ExclusiveStartKey":{"pk":{"S":"a"}}}`, "", "The provided starting key is invalid"},
		{"query start key type", "Query", `{` + q + `,"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"N":"1"}}}`, "", msgKeySchema},
		{"query start key partition", "Query", `{` + q + `,"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"S":"1"}}}`, "",
			"The provided starting key is outside query boundaries based on provided conditions"},
		{"query start key range", "Query", `{"TableName":"range","KeyConditionExpression":"pk = :p AND sk > :s","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"S":"m"}},"ExclusiveStartKey":{"pk":{"S":"a"},"sk":{"S":"a"}}}`, "",
			"The provided starting key does not match the range key predicate"},
		{"query start key restart", "Query", `{"TableName":"range","KeyConditionExpression":"pk = :p AND sk < :s","ExpressionAttributeValues":{":p":{"S":"a"},":s":{"S":"m"}},"ExclusiveStartKey":{"pk":{"S":"b"},"sk":{"S":"a"}}}`, "",
			"The query can return at most one row and cannot be restarted"},
		{"query start key value", "Query", `{` + q + `,"ExclusiveStartKey":{"pk":{"S":"a","N":"1"}}}`, "",
			"The provided starting key is invalid: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},

		{"scan segment alone", "Scan", `{"TableName":"hash","Segment":1}`, "",
			"The TotalSegments parameter is required but was not present in the request when Segment parameter is present"},
		{"scan total alone", "Scan", `{"TableName":"hash","TotalSegments":2}`, "",
			"The Segment parameter is required but was not present in the request when parameter TotalSegments is present"},
		{"scan segment too high", "Scan", `{"TableName":"hash","Segment":1,"TotalSegments":1}`, "",
			"The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 1 is not less than TotalSegments: 1"},
		{"scan segment ranges", "Scan", `{"TableName":"hash","Segment":-1,"TotalSegments":1000001}`, "",
			"2 validation errors detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000; Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"scan mixed params", "Scan", `{"TableName":"hash","ScanFilter":{},"ConditionalOperator":"OR","FilterExpression":"a = b"}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {ScanFilter, ConditionalOperator} Expression parameters: {FilterExpression}"},
		{"scan values without filter", "Scan", `{"TableName":"hash","ProjectionExpression":"a","ExpressionAttributeValues":{":a":{"S":"a"}}}`, "",
			"ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"},
		{"scan count with projection", "Scan", `{"TableName":"hash","Select":"COUNT","ProjectionExpression":"a"}`, "",
			"Cannot specify the ProjectionExpression when choosing to get only the Count"},
		{"scan projected on table", "Scan", `{"TableName":"hash","Select":"ALL_PROJECTED_ATTRIBUTES"}`, "",
			"ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"},
		{"scan empty filter", "Scan", `{"TableName":"hash","FilterExpression":""}`, "",
			"Invalid FilterExpression: The expression can not be empty;"},
		{"scan start key", "Scan", `{"TableName":"range","ExclusiveStartKey":{"pk":{"S":"a"}}}`, "",
			"The provided starting key is invalid: The provided key element does not match the schema"},
		{"scan index", "Scan", `{"TableName":"hash","IndexName":"byColour"}`, "", "The table does not have the specified index: byColour"},
	})
}

func TestBatchValidation(t *testing.T) {
	e := newItemEnv(t)
	keys := func(n, from int) string {
		k := make([]string, n)
		for i := range k {
			k[i] = fmt.Sprintf(`{"pk":{"S":"%d"}}`, from+i)
		}
		return strings.Join(k, ",")
	}
	puts := func(n, from int) string {
		k := make([]string, n)
		for i := range k {
			k[i] = fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%d"}}}}`, from+i)
		}
		return strings.Join(k, ",")
	}
	runItemValidationCases(t, e, []itemValidationCase{
		{"get no items", "BatchGetItem", `{}`, "",
			"1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null"},
		{"get empty items", "BatchGetItem", `{"RequestItems":{}}`, "",
			"1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"get short table name", "BatchGetItem", `{"RequestItems":{"a":{"Keys":[{}]}}}`, "",
			"1 validation error detected: Value '{a}' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"},
		{"get no keys", "BatchGetItem", `{"RequestItems":{"hash":{}}}`, "",
			"1 validation error detected: Value null at 'requestItems.hash.member.keys' failed to satisfy constraint: Member must not be null"},
		{"get too many keys over tables", "BatchGetItem", `{"RequestItems":{"hash":{"Keys":[` + keys(60, 0) + `]},"range":{"Keys":[` + keys(41, 0) + `]}}}`, "",
			"Too many items requested for the BatchGetItem call"},
		{"get duplicates", "BatchGetItem", `{"RequestItems":{"nosuch":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}},{"pk":{"S":"a"}}]}}}`, "",
			"Provided list of item keys contains duplicates"},
		{"get mixed params", "BatchGetItem", `{"RequestItems":{"hash":{"Keys":[{}],"AttributesToGet":["a"],"ProjectionExpression":"a"}}}`, "",
			"Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"},
		{"get no table", "BatchGetItem", `{"RequestItems":{"nosuch":{"Keys":[{"pk":{"S":"a"}}]}}}`, "ResourceNotFoundException", "Requested resource not found"},
		{"get key schema", "BatchGetItem", `{"RequestItems":{"range":{"Keys":[{"pk":{"S":"a"}}]}}}`, "", msgKeySchema},

		{"write empty items", "BatchWriteItem", `{"RequestItems":{}}`, "",
			"1 validation error detected: Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"write more than 25", "BatchWriteItem", `{"RequestItems":{"hash":[` + puts(26, 0) + `]}}`, "",
			"1 validation error detected: Value '{hash}' at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]"},
		{"write null item", "BatchWriteItem", `{"RequestItems":{"hash":[{"PutRequest":{}}]}}`, "",
			"1 validation error detected: Value null at 'requestItems.hash.member.1.member.putRequest.item' failed to satisfy constraint: Member must not be null"},
		{"write empty request", "BatchWriteItem", `{"RequestItems":{"hash":[{}]}}`, "",
			"Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{"write too many over tables", "BatchWriteItem", `{"RequestItems":{"hash":[` + puts(13, 0) + `],"range":[` + puts(13, 0) + `]}}`, "",
			"Too many items requested for the BatchWriteItem call"},
		{"write no table", "BatchWriteItem", `{"RequestItems":{"nosuch":[` + puts(1, 0) + `]}}`, "ResourceNotFoundException", "Requested resource not found"},
		{"write duplicates", "BatchWriteItem", `{"RequestItems":{"hash":[{"PutRequest":{"Item":{"pk":{"S":"a"},"x":{"S":"1"}}}},{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]}}`, "",
			"Provided list of item keys contains duplicates"},
		{"write missing key", "BatchWriteItem", `{"RequestItems":{"range":[{"PutRequest":{"Item":{"pk":{"S":"a"}}}}]}}`, "", msgKeySchema},
		{"write empty key", "BatchWriteItem", `{"RequestItems":{"hash":[{"PutRequest":{"Item":{"pk":{"S":""}}}}]}}`, "", msgEmptyKey + "pk"},
	})
}
