package dynamodb

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// benchItem is a typical small item (about 300 bytes).
const benchItem = `{"pk":{"S":"bench-0001"},"name":{"S":"Ebbtide benchmark item"},"count":{"N":"12345.678"},` +
	`"tags":{"SS":["red","green","blue"]},"active":{"BOOL":true},` +
	`"address":{"M":{"street":{"S":"1 Harbour Road"},"city":{"S":"Portsmouth"},"zip":{"S":"PO1 1AA"}}},` +
	`"history":{"L":[{"N":"1"},{"N":"2"},{"N":"3"}]}}`

// benchCall runs one operation as the server does: decode, execute, encode
// (with the output's own MarshalJSON when it has one, as the server does).
func benchCall(b *testing.B, a *API, op string, body []byte) {
	out, apiErr := a.Call(context.Background(), op, body)
	if apiErr != nil {
		b.Fatal(apiErr)
	}
	var err error
	if m, ok := out.(json.Marshaler); ok {
		_, err = m.MarshalJSON()
	} else {
		_, err = json.Marshal(out)
	}
	if err != nil {
		b.Fatal(err)
	}
}

func BenchmarkPutItem(b *testing.B) {
	e := newItemEnv(b)
	body := []byte(`{"TableName":"hash","Item":` + benchItem + `,"ReturnConsumedCapacity":"TOTAL"}`)
	b.ReportAllocs()
	for b.Loop() {
		benchCall(b, e.api, "PutItem", body)
	}
}

func BenchmarkGetItem(b *testing.B) {
	e := newItemEnv(b)
	e.call("PutItem", `{"TableName":"hash","Item":`+benchItem+`}`)
	body := []byte(`{"TableName":"hash","Key":{"pk":{"S":"bench-0001"}},"ReturnConsumedCapacity":"TOTAL"}`)
	b.ReportAllocs()
	for b.Loop() {
		benchCall(b, e.api, "GetItem", body)
	}
}

// BenchmarkQueryPage reads a page of 100 small items.
func BenchmarkQueryPage(b *testing.B) {
	e := newItemEnv(b)
	for i := range 100 {
		e.call("PutItem", `{"TableName":"rangeN","Item":{"pk":{"S":"p"},"sk":{"N":"`+strconv.Itoa(i)+`"},"v":{"S":"`+strings.Repeat("v", 100)+`"}}}`)
	}
	body := []byte(`{"TableName":"rangeN","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}}}`)
	b.ReportAllocs()
	for b.Loop() {
		benchCall(b, e.api, "Query", body)
	}
}
