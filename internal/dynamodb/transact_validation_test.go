package dynamodb

import (
	"fmt"
	"strings"
	"testing"
)

// twi wraps TransactItems entries (JSON) into a TransactWriteItems request.
func twi(entries ...string) string {
	return `{"TransactItems":[` + strings.Join(entries, ",") + `]}`
}

// tgi wraps TransactItems entries (JSON) into a TransactGetItems request.
func tgi(entries ...string) string {
	return `{"TransactItems":[` + strings.Join(entries, ",") + `]}`
}

// Texts shared by several cases.
const (
	msgNull     = "failed to satisfy constraint: Member must not be null"
	msgCanceled = "Transaction cancelled, please refer cancellation reasons for specific reasons "
)

func TestTransactWriteValidation(t *testing.T) {
	e := newItemEnv(t)
	put := func(table, item string) string {
		return `{"Put":{"TableName":"` + table + `","Item":` + item + `}}`
	}
	big := strings.Repeat("x", 400*1024)
	nearlyBig := `{"pk":{"S":"%d"},"b":{"S":"` + strings.Repeat("x", 390*1024) + `"}}`
	var many, heavy []string
	for i := range 101 {
		many = append(many, put("hash", fmt.Sprintf(`{"pk":{"S":"%d"}}`, i)))
	}
	for i := range 11 {
		heavy = append(heavy, put("hash", fmt.Sprintf(nearlyBig, i)))
	}
	runItemValidationCases(t, e, []itemValidationCase{
		// Coral constraints.
		{"empty body", "TransactWriteItems", `{}`, "",
			"1 validation error detected: Value null at 'transactItems' " + msgNull},
		{"bad enums", "TransactWriteItems", `{"TransactItems":[],"ReturnConsumedCapacity":"hi","ReturnItemCollectionMetrics":"hi"}`, "",
			"3 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
				"Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]; " +
				"Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too many", "TransactWriteItems", twi(many...), "",
			"1 validation error detected: Value '" + javaObjectList("TransactWriteItem", 101) + "' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"put without members", "TransactWriteItems", twi(`{"Put":{}}`), "",
			"2 validation errors detected: Value null at 'transactItems.1.member.put.item' " + msgNull +
				"; Value null at 'transactItems.1.member.put.tableName' " + msgNull},
		{"update without members", "TransactWriteItems", twi(`{"Update":{}}`), "",
			"3 validation errors detected: Value null at 'transactItems.1.member.update.key' " + msgNull +
				"; Value null at 'transactItems.1.member.update.updateExpression' " + msgNull +
				"; Value null at 'transactItems.1.member.update.tableName' " + msgNull},
		{"check without condition", "TransactWriteItems", twi(`{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"a"}}}}`), "",
			"1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' " + msgNull},
		{"put and delete without members", "TransactWriteItems", twi(`{"Put":{},"Delete":{}}`), "",
			"4 validation errors detected: Value null at 'transactItems.1.member.delete.key' " + msgNull +
				"; Value null at 'transactItems.1.member.delete.tableName' " + msgNull +
				"; Value null at 'transactItems.1.member.put.item' " + msgNull +
				"; Value null at 'transactItems.1.member.put.tableName' " + msgNull},
		{"bad table name and failure return", "TransactWriteItems",
			twi(put("hash", `{"pk":{"S":"a"}}`), `{"Delete":{"TableName":"a b","Key":{},"ReturnValuesOnConditionCheckFailure":"ALL_NEW"}}`), "",
			"2 validation errors detected: Value 'a b' at 'transactItems.2.member.delete.tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" +
				"; Value 'ALL_NEW' at 'transactItems.2.member.delete.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"},
		{"token too long", "TransactWriteItems", `{"TransactItems":[` + put("hash", `{"pk":{"S":"a"}}`) + `],"ClientRequestToken":"` + strings.Repeat("t", 37) + `"}`, "",
			"1 validation error detected: Value '" + strings.Repeat("t", 37) + "' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36"},
		{"empty token", "TransactWriteItems", `{"TransactItems":[` + put("hash", `{"pk":{"S":"a"}}`) + `],"ClientRequestToken":""}`, "",
			"1 validation error detected: Value '' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"arn of another region", "TransactWriteItems", twi(put("arn:aws:dynamodb:eu-west-1:000000000000:table/hash", `{"pk":{"S":"a"}}`)), "",
			"1 validation error detected: Invalid AWS region in 'arn:aws:dynamodb:eu-west-1:000000000000:table/hash'"},

		// One action per entry.
		{"no action", "TransactWriteItems", twi(`{}`), "", msgNoTransactAction},
		{"two actions", "TransactWriteItems", twi(`{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}}},"Delete":{"TableName":"hash","Key":{"pk":{"S":"a"}}}}`), "",
			msgManyTransactActions},

		// Expressions, checked for every action before any table.
		{"names without expression", "TransactWriteItems", twi(`{"Delete":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ExpressionAttributeNames":{"#a":"a"}}}`), "",
			"ExpressionAttributeNames can only be specified when using expressions"},
		{"values without expression", "TransactWriteItems", twi(`{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}},"ExpressionAttributeValues":{":a":{"S":"a"}}}}`), "",
			"ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"},
		{"empty values", "TransactWriteItems", twi(`{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(#n0)","ExpressionAttributeNames":{"#n0":"pk"},"ExpressionAttributeValues":{}}}`), "",
			"ExpressionAttributeValues must not be empty"},
		{"bad name key", "TransactWriteItems", twi(`{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ConditionExpression":"#c = :v","ExpressionAttributeNames":{"c":"note"},"ExpressionAttributeValues":{":v":{"S":"old"}}}}`,
			`{"ConditionCheck":{"TableName":"nosuch","Key":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)"}}`), "",
			`ExpressionAttributeNames contains invalid key: Syntax error; key: "c"`},
		{"bad update after missing table", "TransactWriteItems", twi(`{"ConditionCheck":{"TableName":"nosuch","Key":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)"}}`,
			`{"Update":{"TableName":"hash","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET note = :v +","ExpressionAttributeValues":{":v":{"N":"1"}}}}`), "",
			`Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "+"`},
		{"two SET clauses", "TransactWriteItems", twi(`{"Update":{"TableName":"range","Key":{"pk":{"S":"s"},"sk":{"S":"t"}},"UpdateExpression":"SET a = :a SET b = :b","ExpressionAttributeValues":{":a":{"N":"1"},":b":{"N":"1"}}}}`), "",
			`Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"undefined name", "TransactWriteItems", twi(`{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ConditionExpression":"#missing = :v","ExpressionAttributeValues":{":v":{"S":"old"}}}}`), "",
			"Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #missing"},
		{"unused name", "TransactWriteItems", twi(`{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}},"ConditionExpression":"attribute_not_exists(pk)","ExpressionAttributeNames":{"#unused":"note"}}}`), "",
			"Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"},
		{"item too big", "TransactWriteItems", twi(put("nosuch", `{"pk":{"S":"a"},"b":{"S":"`+big+`"}}`)), "",
			"Item size has exceeded the maximum allowed size"},
		{"payload too big", "TransactWriteItems", twi(heavy...), "",
			"Transaction payload size cannot exceed 4MB. Payload Size: : Transaction payload size cannot exceed 4MB. Payload Size: 4393005"},

		// Tables, keys and duplicates.
		{"missing table", "TransactWriteItems", twi(put("hash", `{"pk":{"S":"a"}}`), put("nosuch", `{"pk":{"S":"a"}}`)), "ResourceNotFoundException",
			"Requested resource not found"},
		{"missing table before duplicates", "TransactWriteItems", twi(`{"Delete":{"TableName":"nosuch","Key":{"a":{"S":"1"}}}}`, put("nosuch", `{"a":{"S":"1"}}`)), "ResourceNotFoundException",
			"Requested resource not found"},
		{"key schema", "TransactWriteItems", twi(`{"Delete":{"TableName":"range","Key":{"pk":{"S":"a"}}}}`), "", msgKeySchema},
		{"put missing key", "TransactWriteItems", twi(put("range", `{"pk":{"S":"a"}}`)), "",
			"One or more parameter values were invalid: Missing the key sk in the item"},
		{"empty key", "TransactWriteItems", twi(`{"Update":{"TableName":"hash","Key":{"pk":{"S":""}},"UpdateExpression":"SET sth = :v","ExpressionAttributeValues":{":v":{"N":"0"}}}}`), "",
			msgEmptyKey + "pk"},
		{"update of key", "TransactWriteItems", twi(`{"Update":{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"b"}},"UpdateExpression":"SET sk = :v","ExpressionAttributeValues":{":v":{"S":"c"}}}}`), "",
			"One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key"},
		{"two updates of one item", "TransactWriteItems", twi(
			`{"Update":{"TableName":"hash","Key":{"pk":{"S":"foo"}},"UpdateExpression":"SET #e = :v","ExpressionAttributeNames":{"#e":"email"},"ExpressionAttributeValues":{":v":{"S":"1"}}}}`,
			`{"Update":{"TableName":"hash","Key":{"pk":{"S":"foo"}},"UpdateExpression":"SET #e = :v","ExpressionAttributeNames":{"#e":"email"},"ExpressionAttributeValues":{":v":{"S":"2"}}}}`), "",
			msgDuplicateTransactItem},
		{"put and delete of one item, keys in another order", "TransactWriteItems", twi(
			put("range", `{"pk":{"S":"p"},"sk":{"S":"s"},"f":{"S":"x"}}`), `{"Delete":{"TableName":"range","Key":{"sk":{"S":"s"},"pk":{"S":"p"}}}}`), "",
			msgDuplicateTransactItem},
		{"name and ARN of one table", "TransactWriteItems", twi(
			`{"ConditionCheck":{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/hash","Key":{"pk":{"S":"a"}},"ConditionExpression":"attribute_exists(pk)"}}`,
			put("hash", `{"pk":{"S":"a"}}`)), "",
			msgDuplicateTransactItem},
	})
}

func TestTransactGetValidation(t *testing.T) {
	e := newItemEnv(t)
	get := func(table, key string) string {
		return `{"Get":{"TableName":"` + table + `","Key":` + key + `}}`
	}
	var many []string
	for i := range 101 {
		many = append(many, get("hash", fmt.Sprintf(`{"pk":{"S":"%d"}}`, i)))
	}
	runItemValidationCases(t, e, []itemValidationCase{
		{"empty body", "TransactGetItems", `{}`, "",
			"1 validation error detected: Value null at 'transactItems' " + msgNull},
		{"empty list and bad capacity", "TransactGetItems", `{"TransactItems":[],"ReturnConsumedCapacity":"hi"}`, "",
			"2 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
				"Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"too many", "TransactGetItems", tgi(many...), "",
			"1 validation error detected: Value '" + javaObjectList("TransactGetItem", 101) + "' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"no get", "TransactGetItems", tgi(`{}`), "",
			"1 validation error detected: Value null at 'transactItems.1.member.get' " + msgNull},
		{"empty get", "TransactGetItems", tgi(get("hash", `{"pk":{"S":"a"}}`), `{"Get":{}}`), "",
			"2 validation errors detected: Value null at 'transactItems.2.member.get.key' " + msgNull +
				"; Value null at 'transactItems.2.member.get.tableName' " + msgNull},
		{"names without projection", "TransactGetItems", tgi(`{"Get":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ExpressionAttributeNames":{"#a":"a"}}}`), "",
			"ExpressionAttributeNames can only be specified when using expressions"},
		{"unused name", "TransactGetItems", tgi(`{"Get":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ProjectionExpression":"a","ExpressionAttributeNames":{"#a":"a"}}}`), "",
			"Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"},
		{"missing table", "TransactGetItems", tgi(get("hash", `{"pk":{"S":"1"}}`), get("nosuch", `{"pk":{"S":"1"}}`)), "ResourceNotFoundException",
			"Requested resource not found"},
		{"key schema", "TransactGetItems", tgi(get("range", `{"pk":{"S":"1"}}`)), "", msgKeySchema},
		{"one item twice", "TransactGetItems", tgi(get("hash", `{"pk":{"S":"1"}}`), get("arn:aws:dynamodb:us-east-1:000000000000:table/hash", `{"pk":{"S":"1"}}`)), "",
			msgDuplicateTransactItem},
	})
}
