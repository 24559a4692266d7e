package main

import (
	"errors"
	"testing"

	"github.com/aws/smithy-go"
)

func TestParseAPIError(t *testing.T) {
	cases := []struct {
		status     int
		header     string
		body       string
		code, msg  string
		serverSide bool
	}{
		{400, "", `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`,
			"ResourceNotFoundException", "Requested resource not found", false},
		{400, "", `{"__type":"com.amazon.coral.validate#ValidationException","message":"1 validation error \"x\""}`,
			"ValidationException", `1 validation error \"x\"`, false},
		{400, "", `{ "__type" : "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException" , "Message":"The conditional request failed"}`,
			"ConditionalCheckFailedException", "The conditional request failed", false},
		{500, "", `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"}`, "InternalServerError", "", true},
		{503, "ServiceUnavailable:http://internal.amazon.com/", `<html/>`, "ServiceUnavailable", "", true},
		{502, "", ``, "HTTP502", "", true},
		{413, "", `{"code":"RequestEntityTooLarge"}`, "RequestEntityTooLarge", "", false},
	}
	for _, tc := range cases {
		e := parseAPIError(tc.status, tc.header, []byte(tc.body))
		if e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%d %s: code %q message %q, want %q %q", tc.status, tc.body, e.Code, e.Message, tc.code, tc.msg)
		}
		var ae smithy.APIError
		if !errors.As(error(e), &ae) || errorCode(e) != tc.code {
			t.Errorf("%s: errorCode = %q", tc.body, errorCode(e))
		}
		if (e.ErrorFault() == smithy.FaultServer) != tc.serverSide {
			t.Errorf("%d: fault %v", tc.status, e.ErrorFault())
		}
	}
}

func TestResponseMembers(t *testing.T) {
	get := []byte(`{"Item":{"d":{"S":"abc"},"n":{"N":"0"},"pk":{"S":"p000000001"},"sk":{"S":"s0000001"}}}`)
	if !hasMember(get, "Item") || hasMember([]byte(`{}`), "Item") || hasMember([]byte(`{"Items":[]}`), "Item") {
		t.Error("hasMember(Item) wrong")
	}
	if !hasMember([]byte(`{"ConsumedCapacity":{"TableName":"t"}, "Item" :{}}`), "Item") {
		t.Error("hasMember with spaces")
	}
	q := []byte(`{"Items":[{"pk":{"S":"a"}}],"Count":1,"ScannedCount":7,"LastEvaluatedKey":{}}`)
	if n, ok := intMember(q, "Count"); !ok || n != 1 {
		t.Errorf("Count = %d %v", n, ok)
	}
	if n, ok := intMember([]byte(`{"ScannedCount":3,"Count":12}`), "Count"); !ok || n != 12 {
		t.Errorf("Count after ScannedCount = %d %v", n, ok)
	}
	if _, ok := intMember([]byte(`{"ScannedCount":3}`), "Count"); ok {
		t.Error("Count found in ScannedCount")
	}
	for body, want := range map[string]bool{
		`{"UnprocessedItems":{}}`:    true,
		`{"UnprocessedItems": { } }`: true,
		`{}`:                         true,
		`{"UnprocessedItems":{"t":[{"PutRequest":1}]}}`: false,
		`{"UnprocessedItems":null}`:                     false,
	} {
		if got := emptyObjectMember([]byte(body), "UnprocessedItems"); got != want {
			t.Errorf("emptyObjectMember(%s) = %v", body, got)
		}
	}
	bg := []byte(`{"Responses":{"ebbtide-load":[{"pk":{"S":"a"},"m":{"M":{"x":{"L":[{"S":"}]"}]}}}},{"pk":{"S":"b"}}]},"UnprocessedKeys":{}}`)
	if n := countItems(bg, "ebbtide-load"); n != 2 {
		t.Errorf("countItems = %d, want 2", n)
	}
	if n := countItems([]byte(`{"Responses":{"ebbtide-load":[]}}`), "ebbtide-load"); n != 0 {
		t.Errorf("countItems(empty) = %d", n)
	}
	for body, want := range map[string]bool{`{}`: true, " {\"a\":1}\n": true, ``: false, `[]`: false, `{"a":`: false} {
		if isJSONObject([]byte(body)) != want {
			t.Errorf("isJSONObject(%q) != %v", body, want)
		}
	}
}
