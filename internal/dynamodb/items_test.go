package dynamodb

import (
	"strings"
	"testing"
)

func TestPutGetDelete(t *testing.T) {
	e := newItemEnv(t)
	item := `{"pk":{"S":"a"},"n":{"N":"1.50"},"b":{"B":"AQI="},"l":{"L":[{"S":"x"},{"NULL":true}]},"m":{"M":{"k":{"BOOL":true}}},"ss":{"SS":["x","y"]}}`
	e.expect("PutItem", `{"TableName":"hash","Item":`+item+`}`, `{}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}}}`,
		`{"Item":{"pk":{"S":"a"},"n":{"N":"1.5"},"b":{"B":"AQI="},"l":{"L":[{"S":"x"},{"NULL":true}]},"m":{"M":{"k":{"BOOL":true}}},"ss":{"SS":["x","y"]}}}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"nope"}}}`, `{}`)

	// Projections: expression with names and nested paths, legacy list, and
	// an existing item with none of the attributes.
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#n, l[0], m.k","ExpressionAttributeNames":{"#n":"n"}}`,
		`{"Item":{"n":{"N":"1.5"},"l":{"L":[{"S":"x"}]},"m":{"M":{"k":{"BOOL":true}}}}}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"AttributesToGet":["pk","zz"]}`, `{"Item":{"pk":{"S":"a"}}}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ProjectionExpression":"zz"}`, `{"Item":{}}`)

	// Put replaces the whole item; ALL_OLD returns what was there.
	e.expect("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"},"v":{"S":"2"}},"ReturnValues":"ALL_OLD"}`, `{"Attributes":`+
		`{"pk":{"S":"a"},"n":{"N":"1.5"},"b":{"B":"AQI="},"l":{"L":[{"S":"x"},{"NULL":true}]},"m":{"M":{"k":{"BOOL":true}}},"ss":{"SS":["x","y"]}}}`)
	e.expect("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"new"}},"ReturnValues":"ALL_OLD"}`, `{}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ConsistentRead":true}`, `{"Item":{"pk":{"S":"a"},"v":{"S":"2"}}}`)

	e.expect("DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"}`, `{"Attributes":{"pk":{"S":"a"},"v":{"S":"2"}}}`)
	e.expect("DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnValues":"ALL_OLD"}`, `{}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}}}`, `{}`)
}

func TestConditionalWrites(t *testing.T) {
	e := newItemEnv(t)
	put := `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}`
	e.expect("PutItem", put, `{}`)
	err := e.callErr("PutItem", put)
	if err.Type != "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" || err.Message != "The conditional request failed" || err.Item != nil {
		t.Fatalf("got %+v", err)
	}

	// ALL_OLD on failure returns the stored item with the error.
	err = e.callErr("PutItem", strings.Replace(put, `"attribute_not_exists(pk)"`, `"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"`, 1))
	jsonEqual(t, mustJSON(t, err.Item), `{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"1"}}`)

	// Legacy Expected, both ways.
	e.callErr("PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"1"}},"Expected":{"v":{"Exists":false}}}`)
	e.expect("PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"2"}},"Expected":{"v":{"Value":{"N":"1"}}}}`, `{}`)
	e.expect("PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"3"}},"Expected":{"v":{"ComparisonOperator":"GT","AttributeValueList":[{"N":"5"}]},"w":{"ComparisonOperator":"NULL"}},"ConditionalOperator":"OR"}`, `{}`)

	// Conditional update and delete leave the item alone when false.
	upd := `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"UpdateExpression":"SET v = :n","ConditionExpression":"v = :old","ExpressionAttributeValues":{":n":{"N":"9"},":old":{"N":"1"}},"ReturnValuesOnConditionCheckFailure":"ALL_OLD"}`
	err = e.callErr("UpdateItem", upd)
	if !strings.HasSuffix(err.Type, "#ConditionalCheckFailedException") {
		t.Fatalf("got %+v", err)
	}
	jsonEqual(t, mustJSON(t, err.Item), `{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"3"}}`)
	e.callErr("DeleteItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"ConditionExpression":"v > :v","ExpressionAttributeValues":{":v":{"N":"3"}}}`)
	e.expect("GetItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}}`, `{"Item":{"pk":{"S":"a"},"sk":{"S":"1"},"v":{"N":"3"}}}`)

	// A condition on an absent item sees no attributes.
	e.callErr("DeleteItem", `{"TableName":"range","Key":{"pk":{"S":"zz"},"sk":{"S":"1"}},"ConditionExpression":"attribute_exists(pk)"}`)
	e.expect("DeleteItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}},"ConditionExpression":"v = :v","ExpressionAttributeValues":{":v":{"N":"3"}}}`, `{}`)
	e.expect("GetItem", `{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}}`, `{}`)
}

func TestUpdateItem(t *testing.T) {
	e := newItemEnv(t)
	key := `"TableName":"hash","Key":{"pk":{"S":"u"}}`

	// Upsert: the item is created from the key.
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"SET a = :a, c = :c","ExpressionAttributeValues":{":a":{"N":"1"},":c":{"S":"x"}},"ReturnValues":"ALL_NEW"}`,
		`{"Attributes":{"pk":{"S":"u"},"a":{"N":"1"},"c":{"S":"x"}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"SET a = a + :one","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_OLD"}`,
		`{"Attributes":{"a":{"N":"1"}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"SET a = a + :one","ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"}`,
		`{"Attributes":{"a":{"N":"3"}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"SET b = :b","ExpressionAttributeValues":{":b":{"S":"new"}},"ReturnValues":"UPDATED_OLD"}`,
		`{}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"REMOVE b","ReturnValues":"UPDATED_NEW"}`, `{}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"REMOVE c","ReturnValues":"ALL_OLD"}`,
		`{"Attributes":{"pk":{"S":"u"},"a":{"N":"3"},"c":{"S":"x"}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"ADD s :s","ExpressionAttributeValues":{":s":{"SS":["q"]}},"ReturnValues":"NONE"}`, `{}`)
	// UPDATED_* return only the targeted fragment of a nested attribute.
	e.call("UpdateItem", `{`+key+`,"UpdateExpression":"SET m = :m","ExpressionAttributeValues":{":m":{"M":{"x":{"N":"1"},"y":{"N":"2"}}}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"SET m.x = :v","ExpressionAttributeValues":{":v":{"N":"5"}},"ReturnValues":"UPDATED_NEW"}`,
		`{"Attributes":{"m":{"M":{"x":{"N":"5"}}}}}`)
	e.expect("UpdateItem", `{`+key+`,"UpdateExpression":"REMOVE m","ReturnValues":"UPDATED_OLD"}`,
		`{"Attributes":{"m":{"M":{"x":{"N":"5"},"y":{"N":"2"}}}}}`)
	e.expect("GetItem", `{`+key+`}`, `{"Item":{"pk":{"S":"u"},"a":{"N":"3"},"s":{"SS":["q"]}}}`)

	// Legacy AttributeUpdates.
	e.expect("UpdateItem", `{`+key+`,"AttributeUpdates":{"a":{"Action":"ADD","Value":{"N":"10"}},"s":{"Action":"DELETE"},"d":{"Value":{"BOOL":false}}},"ReturnValues":"ALL_NEW"}`,
		`{"Attributes":{"pk":{"S":"u"},"a":{"N":"13"},"d":{"BOOL":false}}}`)

	// An update with nothing to do still writes the key.
	e.expect("UpdateItem", `{"TableName":"range","Key":{"pk":{"S":"k"},"sk":{"S":"only"}},"ReturnValues":"ALL_NEW"}`,
		`{"Attributes":{"pk":{"S":"k"},"sk":{"S":"only"}}}`)
	e.expect("GetItem", `{"TableName":"range","Key":{"pk":{"S":"k"},"sk":{"S":"only"}}}`, `{"Item":{"pk":{"S":"k"},"sk":{"S":"only"}}}`)

	// A condition can prevent the upsert.
	e.callErr("UpdateItem", `{"TableName":"hash","Key":{"pk":{"S":"absent"}},"UpdateExpression":"SET a = :a","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeValues":{":a":{"N":"1"}}}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"absent"}}}`, `{}`)

	// A runtime error of the update expression is a ValidationException.
	err := e.callErr("UpdateItem", `{`+key+`,"UpdateExpression":"SET d = d + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`)
	if !strings.HasSuffix(err.Type, "#ValidationException") {
		t.Fatalf("got %+v", err)
	}
}

func TestWriteCapacity(t *testing.T) {
	e := newItemEnv(t)
	// ItemSize counts names and values: "pk"+"a" is 3 bytes, "b" plus its
	// value the rest; 1024 bytes is one write unit, 1025 two.
	item := func(size int) string {
		return `{"pk":{"S":"a"},"b":{"S":"` + strings.Repeat("x", size-4) + `"}}`
	}
	e.expect("PutItem", `{"TableName":"hash","Item":`+item(1024)+`,"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":1}}`)
	e.expect("PutItem", `{"TableName":"hash","Item":`+item(1025)+`,"ReturnConsumedCapacity":"INDEXES"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":2,"Table":{"CapacityUnits":2}}}`)
	// The larger of old and new counts.
	e.expect("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":2}}`)
	e.expect("UpdateItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET b = :b","ExpressionAttributeValues":{":b":{"S":"`+strings.Repeat("x", 3000)+`"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":3}}`)
	e.expect("DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":3}}`)
	e.expect("DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":1}}`)
	e.expect("DeleteItem", `{"TableName":"hash","Key":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"NONE"}`, `{}`)
}

func TestReadCapacity(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"},"b":{"S":"`+strings.Repeat("x", 4096-4)+`"}}}`)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"c"},"b":{"S":"`+strings.Repeat("x", 4097-4)+`"}}}`)
	for _, c := range []struct{ key, consistent, want string }{
		{"a", "false", `0.5`},
		{"a", "true", `1`},
		{"c", "false", `1`},
		{"c", "true", `2`},
		{"missing", "false", `0.5`},
		{"missing", "true", `1`},
	} {
		got := decodeJSON(t, e.call("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"`+c.key+`"}},"ConsistentRead":`+c.consistent+`,"ReturnConsumedCapacity":"TOTAL","ProjectionExpression":"pk"}`))
		jsonEqual(t, mustJSON(t, got["ConsumedCapacity"]), `{"TableName":"hash","CapacityUnits":`+c.want+`}`)
	}
}

func TestTableARNs(t *testing.T) {
	e := newItemEnv(t)
	arn := "arn:aws:dynamodb:us-east-1:000000000000:table/hash"
	e.expect("PutItem", `{"TableName":"`+arn+`","Item":{"pk":{"S":"a"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"hash","CapacityUnits":1}}`)
	e.expect("GetItem", `{"TableName":"`+arn+`","Key":{"pk":{"S":"a"}}}`, `{"Item":{"pk":{"S":"a"}}}`)
	e.expect("Query", `{"TableName":"`+arn+`","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"a"}},"Select":"COUNT"}`,
		`{"Count":1,"ScannedCount":1}`)
	e.expect("BatchGetItem", `{"RequestItems":{"`+arn+`":{"Keys":[{"pk":{"S":"a"}}]}}}`,
		`{"Responses":{"`+arn+`":[{"pk":{"S":"a"}}]},"UnprocessedKeys":{}}`)
	e.expect("BatchWriteItem", `{"RequestItems":{"`+arn+`":[{"DeleteRequest":{"Key":{"pk":{"S":"a"}}}}]},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"`+arn+`","CapacityUnits":1}]}`)
	runItemValidationCases(t, e, []itemValidationCase{
		{"other account", "GetItem", `{"TableName":"arn:aws:dynamodb:us-east-1:111111111111:table/hash","Key":{"pk":{"S":"a"}}}`,
			"ResourceNotFoundException", "Requested resource not found"},
		{"other region", "Scan", `{"TableName":"arn:aws:dynamodb:eu-west-1:000000000000:table/hash"}`, "",
			"1 validation error detected: Invalid AWS region in 'arn:aws:dynamodb:eu-west-1:000000000000:table/hash'"},
	})
}
