package dynamodb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestBatchWriteAndGet(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"gone"},"b":{"S":"`+strings.Repeat("x", 2000)+`"}}}`)
	e.expect("BatchWriteItem", `{"RequestItems":{
		"hash":[
			{"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"N":"1"}}}},
			{"PutRequest":{"Item":{"pk":{"S":"b"},"v":{"N":"2"}}}},
			{"DeleteRequest":{"Key":{"pk":{"S":"gone"}}}},
			{"DeleteRequest":{"Key":{"pk":{"S":"never"}}}}],
		"range":[{"PutRequest":{"Item":{"pk":{"S":"a"},"sk":{"S":"1"}}}}]},
		"ReturnConsumedCapacity":"INDEXES","ReturnItemCollectionMetrics":"SIZE"}`,
		`{"UnprocessedItems":{},"ConsumedCapacity":[
			{"TableName":"hash","CapacityUnits":5,"Table":{"CapacityUnits":5}},
			{"TableName":"range","CapacityUnits":1,"Table":{"CapacityUnits":1}}]}`)

	resp := decodeJSON(t, e.call("BatchGetItem", `{"RequestItems":{
		"hash":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"gone"}},{"pk":{"S":"b"}}],"ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"v"}},
		"range":{"Keys":[{"pk":{"S":"a"},"sk":{"S":"1"}}],"ConsistentRead":true},
		"rangeN":{"Keys":[{"pk":{"S":"a"},"sk":{"N":"1"}}]}},
		"ReturnConsumedCapacity":"TOTAL"}`))
	jsonEqual(t, mustJSON(t, resp["UnprocessedKeys"]), `{}`)
	jsonEqual(t, mustJSON(t, resp["ConsumedCapacity"]), `[
		{"TableName":"hash","CapacityUnits":1.5},
		{"TableName":"range","CapacityUnits":1},
		{"TableName":"rangeN","CapacityUnits":0.5}]`)
	responses := resp["Responses"].(map[string]any)
	jsonEqual(t, mustJSON(t, responses["range"]), `[{"pk":{"S":"a"},"sk":{"S":"1"}}]`)
	jsonEqual(t, mustJSON(t, responses["rangeN"]), `[]`)
	got := []string{}
	for _, it := range responses["hash"].([]any) {
		got = append(got, mustJSON(t, it))
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{`{"v":{"N":"1"}}`, `{"v":{"N":"2"}}`}) {
		t.Fatalf("hash responses %v", got)
	}
}

func TestBatchGetUnprocessed(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 17 MB")
	}
	e := newItemEnv(t)
	// 43 items of ~400 KB are more than the 16 MB a response may carry.
	big := strings.Repeat("x", 400*1024-16)
	var keys, puts []string
	for i := range 43 {
		keys = append(keys, fmt.Sprintf(`{"pk":{"S":"%02d"}}`, i))
		puts = append(puts, fmt.Sprintf(`{"PutRequest":{"Item":{"pk":{"S":"%02d"},"b":{"S":"%s"}}}}`, i, big))
	}
	e.call("BatchWriteItem", `{"RequestItems":{"hash":[`+strings.Join(puts[:25], ",")+`]}}`)
	e.call("BatchWriteItem", `{"RequestItems":{"hash":[`+strings.Join(puts[25:], ",")+`]}}`)
	resp := decodeJSON(t, e.call("BatchGetItem", `{"RequestItems":{"hash":{"Keys":[`+strings.Join(keys, ",")+`],"ConsistentRead":true,"AttributesToGet":["pk","b"]}}}`))
	read := len(resp["Responses"].(map[string]any)["hash"].([]any))
	left := resp["UnprocessedKeys"].(map[string]any)["hash"].(map[string]any)
	if read != 41 || len(left["Keys"].([]any)) != 2 || left["ConsistentRead"] != true || mustJSON(t, left["AttributesToGet"]) != `["pk","b"]` {
		t.Fatalf("read %d, left %s", read, mustJSON(t, left))
	}
}
