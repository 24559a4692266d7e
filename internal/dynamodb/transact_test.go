package dynamodb

import (
	"context"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

func TestTransactWriteActions(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"gone"},"v":{"N":"1"}}}`)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"counter"},"n":{"N":"5"}}}`)
	e.call("PutItem", `{"TableName":"range","Item":{"pk":{"S":"guard"},"sk":{"S":"1"},"ok":{"BOOL":true}}}`)
	e.expect("TransactWriteItems", `{"TransactItems":[
		{"Put":{"TableName":"hash","Item":{"pk":{"S":"new"},"b":{"S":"`+strings.Repeat("x", 1500)+`"}},"ConditionExpression":"attribute_not_exists(pk)"}},
		{"Update":{"TableName":"hash","Key":{"pk":{"S":"counter"}},"UpdateExpression":"ADD n :one","ConditionExpression":"n < :max","ExpressionAttributeValues":{":one":{"N":"1"},":max":{"N":"10"}}}},
		{"Delete":{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/hash","Key":{"pk":{"S":"gone"}}}},
		{"ConditionCheck":{"TableName":"range","Key":{"pk":{"S":"guard"},"sk":{"S":"1"}},"ConditionExpression":"#ok = :t","ExpressionAttributeNames":{"#ok":"ok"},"ExpressionAttributeValues":{":t":{"BOOL":true}}}}],
		"ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}`,
		`{"ConsumedCapacity":[
			{"TableName":"hash","CapacityUnits":8,"WriteCapacityUnits":8,"Table":{"CapacityUnits":8,"WriteCapacityUnits":8}},
			{"TableName":"range","CapacityUnits":2,"WriteCapacityUnits":2,"Table":{"CapacityUnits":2,"WriteCapacityUnits":2}}]}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"counter"}}}`, `{"Item":{"pk":{"S":"counter"},"n":{"N":"6"}}}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"gone"}}}`, `{}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"new"}},"ProjectionExpression":"pk"}`, `{"Item":{"pk":{"S":"new"}}}`)
	e.expect("TransactWriteItems", `{"TransactItems":[{"Update":{"TableName":"range","Key":{"pk":{"S":"u"},"sk":{"S":"1"}},"UpdateExpression":"SET a = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}}],"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":[{"TableName":"range","CapacityUnits":2,"WriteCapacityUnits":2}]}`)
	e.expect("GetItem", `{"TableName":"range","Key":{"pk":{"S":"u"},"sk":{"S":"1"}}}`, `{"Item":{"pk":{"S":"u"},"sk":{"S":"1"},"a":{"S":"x"}}}`)
}

// A failed action cancels the whole transaction: the actions before it
// write nothing, and every action gets its own reason, in request order.
func TestTransactWriteAllOrNothing(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"taken"},"v":{"N":"1"}}}`)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"s"},"v":{"S":"text"}}}`)
	err := e.callErr("TransactWriteItems", `{"TransactItems":[
		{"Put":{"TableName":"hash","Item":{"pk":{"S":"a1"}}}},
		{"Update":{"TableName":"range","Key":{"pk":{"S":"a2"},"sk":{"S":"1"}},"UpdateExpression":"SET v = :v","ExpressionAttributeValues":{":v":{"N":"2"}}}},
		{"Put":{"TableName":"hash","Item":{"pk":{"S":"taken"},"v":{"N":"3"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
		{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"absent"}},"ConditionExpression":"attribute_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},
		{"Update":{"TableName":"hash","Key":{"pk":{"S":"s"}},"UpdateExpression":"SET v = v + :one","ExpressionAttributeValues":{":one":{"N":"1"}}}},
		{"Delete":{"TableName":"rangeN","Key":{"pk":{"S":"x"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}]}`)
	if !strings.HasSuffix(err.Type, "#TransactionCanceledException") ||
		err.Message != msgCanceled+"[None, None, ConditionalCheckFailed, ConditionalCheckFailed, ValidationError, ConditionalCheckFailed]" {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
	jsonEqual(t, mustJSON(t, err.CancellationReasons), `[
		{"Code":"None"},
		{"Code":"None"},
		{"Code":"ConditionalCheckFailed","Message":"The conditional request failed","Item":{"pk":{"S":"taken"},"v":{"N":"1"}}},
		{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},
		{"Code":"ValidationError","Message":"An operand in the update expression has an incorrect data type"},
		{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"a1"}}}`, `{}`)
	e.expect("GetItem", `{"TableName":"range","Key":{"pk":{"S":"a2"},"sk":{"S":"1"}}}`, `{}`)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"taken"}}}`, `{"Item":{"pk":{"S":"taken"},"v":{"N":"1"}}}`)
}

// An update that grows its item past 400 KB fails the whole request.
func TestTransactWriteUpdateTooLarge(t *testing.T) {
	e := newItemEnv(t)
	half := strings.Repeat("x", 250*1024)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"},"b":{"S":"`+half+`"}}}`)
	err := e.callErr("TransactWriteItems", twi(
		`{"Put":{"TableName":"hash","Item":{"pk":{"S":"other"}},"ConditionExpression":"attribute_exists(pk)"}}`,
		`{"Update":{"TableName":"hash","Key":{"pk":{"S":"a"}},"UpdateExpression":"SET c = :c","ExpressionAttributeValues":{":c":{"S":"`+half+`"}}}}`))
	if !strings.HasSuffix(err.Type, "#ValidationException") || err.Message != "Item size to update has exceeded the maximum allowed size" {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
}

func TestTransactGetItems(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"a"},"v":{"N":"1"},"big":{"S":"`+strings.Repeat("x", 5000)+`"}}}`)
	e.call("PutItem", `{"TableName":"range","Item":{"pk":{"S":"a"},"sk":{"S":"1"},"w":{"S":"z"}}}`)
	e.expect("TransactGetItems", `{"TransactItems":[
		{"Get":{"TableName":"hash","Key":{"pk":{"S":"a"}},"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"}}},
		{"Get":{"TableName":"hash","Key":{"pk":{"S":"missing"}}}},
		{"Get":{"TableName":"range","Key":{"pk":{"S":"a"},"sk":{"S":"1"}}}},
		{"Get":{"TableName":"rangeN","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"ProjectionExpression":"nothing"}}],
		"ReturnConsumedCapacity":"INDEXES"}`,
		`{"Responses":[{"Item":{"v":{"N":"1"}}},{},{"Item":{"pk":{"S":"a"},"sk":{"S":"1"},"w":{"S":"z"}}},{}],
		"ConsumedCapacity":[
			{"TableName":"hash","CapacityUnits":6,"ReadCapacityUnits":6,"Table":{"CapacityUnits":6,"ReadCapacityUnits":6}},
			{"TableName":"range","CapacityUnits":2,"ReadCapacityUnits":2,"Table":{"CapacityUnits":2,"ReadCapacityUnits":2}},
			{"TableName":"rangeN","CapacityUnits":2,"ReadCapacityUnits":2,"Table":{"CapacityUnits":2,"ReadCapacityUnits":2}}]}`)
	e.call("PutItem", `{"TableName":"rangeN","Item":{"pk":{"S":"a"},"sk":{"N":"1"}}}`)
	e.expect("TransactGetItems", tgi(`{"Get":{"TableName":"rangeN","Key":{"pk":{"S":"a"},"sk":{"N":"1.0"}},"ProjectionExpression":"nothing"}}`),
		`{"Responses":[{"Item":{}}]}`)
}

// ReturnItemCollectionMetrics=SIZE reports the item collections written in
// tables with local secondary indexes, once per collection.
func TestTransactWriteItemCollectionMetrics(t *testing.T) {
	e := newItemEnv(t)
	spec := engine.TableSpec{
		Name:      "lsi",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}, Range: &engine.KeyAttr{Name: "sk", Type: attr.KindS}},
		AttributeDefinitions: []engine.AttributeDefinition{{Name: "pk", Type: attr.KindS}, {Name: "sk", Type: attr.KindS},
			{Name: "x", Type: attr.KindS}},
		BillingMode: "PAY_PER_REQUEST",
		Indexes: []engine.IndexSpec{{Name: "byX", Local: true, Projection: engine.Projection{Type: engine.ProjectionAll},
			KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}, Range: &engine.KeyAttr{Name: "x", Type: attr.KindS}}}},
	}
	if _, err := e.api.eng.CreateTable(context.Background(), spec); err != nil {
		t.Fatal(err)
	}
	e.expect("TransactWriteItems", `{"ReturnItemCollectionMetrics":"SIZE","TransactItems":[
		{"Put":{"TableName":"lsi","Item":{"pk":{"S":"a"},"sk":{"S":"1"},"x":{"S":"x"}}}},
		{"Put":{"TableName":"lsi","Item":{"pk":{"S":"a"},"sk":{"S":"2"}}}},
		{"Put":{"TableName":"lsi","Item":{"pk":{"S":"b"},"sk":{"S":"1"}}}},
		{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}}}},
		{"ConditionCheck":{"TableName":"lsi","Key":{"pk":{"S":"c"},"sk":{"S":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}}]}`,
		`{"ItemCollectionMetrics":{"lsi":[
			{"ItemCollectionKey":{"pk":{"S":"a"}},"SizeEstimateRangeGB":[0,1]},
			{"ItemCollectionKey":{"pk":{"S":"b"}},"SizeEstimateRangeGB":[0,1]}]}}`)
}

// Index key attributes in a transaction, as DynamoDB treats them (captured
// on the real service): an empty value, in a Put's item or left by an
// Update, fails the request before anything runs (with UpdateItem's wording
// for an update); a wrong type cancels the transaction with a
// ValidationError reason carrying PutItem's message.
func TestTransactWriteIndexKeys(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s1", "G", "1", "10")+`}`)
	update := func(sk, set, value string) string {
		return `{"Update":{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"` + sk + `"}},"UpdateExpression":"SET ` + set + ` = :v",` +
			`"ExpressionAttributeValues":{":v":` + value + `}}}`
	}
	guard := `{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"none"}},"ConditionExpression":"attribute_exists(pk)"}}`
	const (
		emptyUpdate = "One or more parameter values are not valid. The update expression attempted to update a secondary index key to a value that is not supported. " +
			"The AttributeValue for a key attribute cannot contain an empty string value."
		emptyPut = "One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
			"The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g"
	)
	runItemValidationCases(t, e, []itemValidationCase{
		{"update to an empty index key", "TransactWriteItems", twi(guard, update("s1", "g", `{"S":""}`)), "", emptyUpdate},
		{"upsert of an empty index key", "TransactWriteItems", twi(update("new", "g", `{"S":""}`)), "", emptyUpdate},
		{"put of an empty index key", "TransactWriteItems", twi(guard, `{"Put":{"TableName":"music","Item":{"pk":{"S":"p1"},"sk":{"S":"s9"},"g":{"S":""}}}}`), "", emptyPut},
		{"UpdateItem to an empty index key", "UpdateItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}},"UpdateExpression":"SET g = :v",` +
			`"ExpressionAttributeValues":{":v":{"S":""}}}`, "", emptyUpdate},
	})

	err := e.callErr("TransactWriteItems", twi(
		update("s1", "gs", `{"S":"1"}`),
		`{"Put":{"TableName":"music","Item":{"pk":{"S":"p1"},"sk":{"S":"s2"},"ls":{"L":[{"N":"1"}]}},"ConditionExpression":"attribute_exists(pk)"}}`,
		update("s3", "v", `{"S":"fine"}`),
		guard))
	if !strings.HasSuffix(err.Type, "#TransactionCanceledException") ||
		err.Message != msgCanceled+"[ValidationError, ValidationError, None, ConditionalCheckFailed]" {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
	jsonEqual(t, mustJSON(t, err.CancellationReasons), `[
		{"Code":"ValidationError","Message":"One or more parameter values were invalid: Type mismatch for Index Key gs Expected: N Actual: S IndexName: byG"},
		{"Code":"ValidationError","Message":"One or more parameter values were invalid: Type mismatch for Index Key ls Expected: N Actual: L IndexName: byLs"},
		{"Code":"None"},
		{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]`)
	e.expect("Scan", `{"TableName":"music","Select":"COUNT"}`, `{"Count":1,"ScannedCount":1}`)
	e.expect("GetItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}},"ProjectionExpression":"gs"}`, `{"Item":{"gs":{"N":"1"}}}`)
}

// Transactional writes cost twice the units of the same writes outside a
// transaction, on the table and on every index whose entry they change (a
// new item: 2 per index; a moved GSI entry: 4; an attribute no index
// projects, or a ConditionCheck: nothing); INDEXES reports each share.
func TestTransactWriteIndexCapacity(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s2", "G", "1", "20")+`}`)
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s3", "G", "2", "30")+`}`)
	e.expect("TransactWriteItems", `{"ReturnConsumedCapacity":"INDEXES","TransactItems":[
		{"Put":{"TableName":"music","Item":`+musicItem("p1", "s1", "G", "1", "10")+`}},
		{"Update":{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s2"}},"UpdateExpression":"SET gs = :x","ExpressionAttributeValues":{":x":{"N":"5"}}}},
		{"Update":{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s3"}},"UpdateExpression":"SET w = :x","ExpressionAttributeValues":{":x":{"S":"w"}}}},
		{"ConditionCheck":{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s9"}},"ConditionExpression":"attribute_not_exists(pk)"}},
		{"Put":{"TableName":"hash","Item":{"pk":{"S":"a"}}}}]}`,
		`{"ConsumedCapacity":[
			{"TableName":"music","CapacityUnits":16,"WriteCapacityUnits":16,"Table":{"CapacityUnits":8,"WriteCapacityUnits":8},
				"LocalSecondaryIndexes":{"byLs":{"CapacityUnits":2,"WriteCapacityUnits":2}},
				"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":6,"WriteCapacityUnits":6}}},
			{"TableName":"hash","CapacityUnits":2,"WriteCapacityUnits":2,"Table":{"CapacityUnits":2,"WriteCapacityUnits":2}}]}`)
	// TOTAL folds the indexes' units into the table's entry; removing the
	// item removes both entries.
	e.expect("TransactWriteItems", `{"ReturnConsumedCapacity":"TOTAL","TransactItems":[
		{"Delete":{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}}}}]}`,
		`{"ConsumedCapacity":[{"TableName":"music","CapacityUnits":6,"WriteCapacityUnits":6}]}`)
}
