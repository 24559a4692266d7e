package dynamodb

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Serialization errors: the texts DynamoDB returns for JSON of the wrong
// type, as dynalite's tests record them against the real service
// (test-tape helpers, assertType).

func TestSerializationErrors(t *testing.T) {
	const (
		start = "Start of structure or map found where not expected"
		field = "Unexpected field type"
	)
	cases := []struct{ name, op, body, msg string }{
		{"string: true", "CreateTable", `{"TableName":true}`, "TRUE_VALUE cannot be converted to String"},
		{"string: false", "CreateTable", `{"TableName":false}`, "FALSE_VALUE cannot be converted to String"},
		{"string: integer", "CreateTable", `{"TableName":23}`, "NUMBER_VALUE cannot be converted to String"},
		{"string: large integer", "CreateTable", `{"TableName":2147483648}`, "NUMBER_VALUE cannot be converted to String"},
		{"string: decimal", "CreateTable", `{"TableName":34.56}`, "DECIMAL_VALUE cannot be converted to String"},
		{"string: list", "CreateTable", `{"TableName":[]}`, "Unrecognized collection type class java.lang.String"},
		{"string: map", "CreateTable", `{"TableName":{}}`, start},
		{"list: string", "CreateTable", `{"AttributeDefinitions":"23"}`, field},
		{"list: number", "CreateTable", `{"KeySchema":34.56}`, field},
		{"list: map", "CreateTable", `{"KeySchema":{}}`, start},
		{"list element: string", "CreateTable", `{"KeySchema":["23"]}`, "Unexpected value type in payload"},
		{"list element: bool", "CreateTable", `{"AttributeDefinitions":[true]}`, "Unexpected value type in payload"},
		{"list element: list", "CreateTable", `{"KeySchema":[[]]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement"},
		{"nested string: integer", "CreateTable", `{"KeySchema":[{"KeyType":5}]}`, "NUMBER_VALUE cannot be converted to String"},
		{"structure: string", "CreateTable", `{"ProvisionedThroughput":"23"}`, field},
		{"structure: list", "CreateTable", `{"ProvisionedThroughput":[]}`,
			"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.ProvisionedThroughput"},
		{"long: string", "CreateTable", `{"ProvisionedThroughput":{"WriteCapacityUnits":"23"}}`, "STRING_VALUE cannot be converted to Long"},
		{"long: true", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":true}}`, "TRUE_VALUE cannot be converted to Long"},
		{"long: list", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":[]}}`, "Unrecognized collection type class java.lang.Long"},
		{"long: map", "CreateTable", `{"ProvisionedThroughput":{"ReadCapacityUnits":{}}}`, start},
		{"integer: string", "ListTables", `{"Limit":"23"}`, "STRING_VALUE cannot be converted to Integer"},
		{"integer: false", "ListTables", `{"Limit":false}`, "FALSE_VALUE cannot be converted to Integer"},
		{"boolean: string", "CreateTable", `{"DeletionProtectionEnabled":"23"}`, "Unexpected token received from parser"},
		{"boolean: integer", "CreateTable", `{"DeletionProtectionEnabled":23}`, "NUMBER_VALUE cannot be converted to Boolean"},
		{"boolean: decimal", "CreateTable", `{"DeletionProtectionEnabled":34.56}`, "DECIMAL_VALUE cannot be converted to Boolean"},
		{"boolean: list", "CreateTable", `{"DeletionProtectionEnabled":[]}`, "Unrecognized collection type class java.lang.Boolean"},
		{"tag structure: number", "TagResource", `{"Tags":[1]}`, "Unexpected value type in payload"},
		{"string list element: number", "UntagResource", `{"TagKeys":[1e3]}`, "DECIMAL_VALUE cannot be converted to String"},
		{"malformed", "ListTables", `{"Limit":`, ""},
		{"trailing data", "ListTables", `{} x`, ""},
	}
	a := newEnginelessAPI()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, a, c.op, c.body, "SerializationException", c.msg)
		})
	}
}

func TestDecodeErrorAttr(t *testing.T) {
	err := decodeError(&attr.Error{Message: "One or more parameter values were invalid: An AttributeValue may not contain an empty string"})
	var e *Error
	if !errors.As(err, &e) || e.Type != nsValidate+"ValidationException" ||
		e.Message != "One or more parameter values were invalid: An AttributeValue may not contain an empty string" {
		t.Errorf("attr.Error: got %v", err)
	}
	err = decodeError(&attr.SerializationError{Message: "Unexpected value type in payload"})
	if !errors.As(err, &e) || e.Type != nsService+"SerializationException" || e.Message != "Unexpected value type in payload" {
		t.Errorf("attr.SerializationError: got %v", err)
	}
}

func TestDecodeErrorWithoutRequest(t *testing.T) {
	// Decoding a raw request map on its own (no inRequest): the map's value
	// class still appears in the text.
	var m map[string]json.RawMessage
	err := decodeError(json.Unmarshal([]byte(`[]`), &m))
	var e *Error
	want := "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
	if !errors.As(err, &e) || e.Message != want {
		t.Errorf("got %v, want %q", err, want)
	}
	err = decodeError(json.Unmarshal([]byte(`"23"`), &m))
	if !errors.As(err, &e) || e.Message != msgParameterizedCast {
		t.Errorf("scalar for an attribute value map: got %v", err)
	}
	var keys []map[string]json.RawMessage
	err = decodeError(json.Unmarshal([]byte(`[true]`), &keys))
	if !errors.As(err, &e) || e.Message != msgParameterizedCast {
		t.Errorf("scalar for a map in a list: got %v", err)
	}
	err = decodeError(json.Unmarshal([]byte(`23`), &keys))
	if !errors.As(err, &e) || e.Message != msgParameterizedCast {
		t.Errorf("scalar for a list of maps: got %v", err)
	}
	var names map[string]string
	err = decodeError(json.Unmarshal([]byte(`{"#a":5}`), &names))
	if !errors.As(err, &e) || e.Message != "NUMBER_VALUE cannot be converted to String" {
		t.Errorf("got %v", err)
	}
	// Anything else (a programming error) is not a client error.
	boom := errors.New("boom")
	if err := decodeError(boom); err != boom {
		t.Errorf("other error: got %v", err)
	}
}
