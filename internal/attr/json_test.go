package attr

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{S("x"), `{"S":"x"}`},
		{S("a\"b\\c\n\t\x01<>&é"), `{"S":"a\"b\\c\n\t\u0001<>&é"}`},
		{S("bad\xffutf8"), `{"S":"bad\ufffdutf8"}`},
		{MustN("1.50"), `{"N":"1.5"}`},
		{B([]byte("hi")), `{"B":"aGk="}`},
		{B(nil), `{"B":""}`},
		{Value{Kind: KindSS, Strs: []string{"a", "b"}}, `{"SS":["a","b"]}`},
		{Value{Kind: KindNS, Strs: []string{"1", "-2.5"}}, `{"NS":["1","-2.5"]}`},
		{Value{Kind: KindBS, Bins: [][]byte{{0}, {1, 2}}}, `{"BS":["AA==","AQI="]}`},
		{Null(), `{"NULL":true}`},
		{Bool(false), `{"BOOL":false}`},
		{Bool(true), `{"BOOL":true}`},
		{L(), `{"L":[]}`},
		{L(S("a"), Null()), `{"L":[{"S":"a"},{"NULL":true}]}`},
		{M(nil), `{"M":{}}`},
		{M(map[string]Value{"z": S("1"), "a": L(MustN("2"))}), `{"M":{"a":{"L":[{"N":"2"}]},"z":{"S":"1"}}}`},
		{Value{}, `{}`},
	}
	for _, tt := range tests {
		if got := string(AppendJSON(nil, tt.v)); got != tt.want {
			t.Errorf("AppendJSON(%#v) = %s; want %s", tt.v, got, tt.want)
		}
		// (encoding/json HTML-escapes Marshaler output; skip those cases.)
		if got, err := json.Marshal(tt.v); strings.ContainsAny(tt.want, "<>&") {
			continue
		} else if err != nil || string(got) != tt.want {
			t.Errorf("json.Marshal(%#v) = %s, %v; want %s", tt.v, got, err, tt.want)
		}
	}
	it := Item{"b": S("x"), "a": NumberFromInt64(1)}
	if got := string(AppendItemJSON(nil, it)); got != `{"a":{"N":"1"},"b":{"S":"x"}}` {
		t.Errorf("AppendItemJSON = %s", got)
	}
	if got, _ := json.Marshal(struct{ Item Item }{it}); string(got) != `{"Item":{"a":{"N":"1"},"b":{"S":"x"}}}` {
		t.Errorf("json.Marshal(struct{Item}) = %s", got)
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in   string
		want Value
	}{
		{`{"S":"x"}`, S("x")},
		{` { "S" : "" } `, S("")},
		{`{"S":"a\u00e9\ud83d\ude00\n\"\/"}`, S("aé😀\n\"/")},
		{`{"S":"lone \ud800 surrogate"}`, S("lone \uFFFD surrogate")},
		{`{"N":"1.50"}`, MustN("1.5")},
		{`{"N":"-0"}`, MustN("0")},
		{`{"B":"aGk="}`, B([]byte("hi"))},
		{`{"B":""}`, B([]byte{})},
		{`{"BOOL":true}`, Bool(true)},
		{`{"NULL":true}`, Null()},
		{`{"SS":["a",""]}`, Value{Kind: KindSS, Strs: []string{"a", ""}}},
		{`{"NS":["1.0","2e1"]}`, Value{Kind: KindNS, Strs: []string{"1", "20"}}},
		{`{"BS":["AA==",""]}`, Value{Kind: KindBS, Bins: [][]byte{{0}, {}}}},
		{`{"L":[]}`, Value{Kind: KindL, List: []Value{}}},
		{`{"L":[{"S":"a"},{"L":[{"NULL":true}]}]}`, L(S("a"), L(Null()))},
		{`{"M":{}}`, M(map[string]Value{})},
		{`{"M":{"a":{"N":"1"},"b":{"M":{"c":{"BOOL":false}}}}}`, M(map[string]Value{"a": MustN("1"), "b": M(map[string]Value{"c": Bool(false)})})},
		// null fields and unknown fields are ignored
		{`{"S":"x","N":null}`, S("x")},
		{`{"S":"x","Extra":{"deep":[1,2,{"a":null}]}}`, S("x")},
	}
	for _, tt := range tests {
		got, err := ParseJSON([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseJSON(%s) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
}

// The expected messages come from dynalite: validations/index.js
// (validateAttributeValue, checkNum), test/putItem.js ("invalid values in
// Item", "empty/invalid numbers in Item", "multiple datatypes"), and
// test/helpers.js assertType (SerializationException texts recorded from
// DynamoDB for String, Boolean, Blob, List, Map and ValueStruct members).
func TestParseJSONErrors(t *testing.T) {
	const (
		ser = "ser"
		val = "val"
	)
	tests := []struct {
		in, kind, msg string
	}{
		// Validation (ValidationException)
		{`{}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"a":""}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":null}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`null`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"M":{"a":{}}}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"L":[{}]}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"L":[{"a":{}}]}`, val, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, val, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"NULL":false}`, val, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"SS":[]}`, val, "One or more parameter values were invalid: An string set  may not be empty"},
		{`{"NS":[]}`, val, "One or more parameter values were invalid: An number set  may not be empty"},
		{`{"BS":[]}`, val, "One or more parameter values were invalid: Binary sets should not be empty"},
		{`{"SS":["a","a"]}`, val, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"BS":["Yg==","Yg=="]}`, val, "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."},
		{`{"NS":["1","1"]}`, val, "Input collection contains duplicates"},
		{`{"NS":["1","1.0"]}`, val, "Input collection contains duplicates"},
		{`{"S":"","N":""}`, val, "The parameter cannot be converted to a numeric value"},
		{`{"S":"a","N":"b"}`, val, "The parameter cannot be converted to a numeric value: b"},
		{`{"NS":["1",""]}`, val, "The parameter cannot be converted to a numeric value"},
		{`{"NS":["1","b"]}`, val, "The parameter cannot be converted to a numeric value: b"},
		{`{"N":"123456789012345678901234567890123456789"}`, val, "Attempting to store more than 38 significant digits in a Number"},
		{`{"N":"-1.23456789012345678901234567890123456789"}`, val, "Attempting to store more than 38 significant digits in a Number"},
		{`{"N":"1e126"}`, val, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{`{"N":"-1e-131"}`, val, "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		// First validation error in document order wins.
		{`{"M":{"a":{"N":"x"}},"L":[{}]}`, val, "The parameter cannot be converted to a numeric value: x"},

		// Serialization (SerializationException)
		{`{"S":5}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"S":-2147483648}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"S":34.56}`, ser, "DECIMAL_VALUE cannot be converted to String"},
		{`{"S":true}`, ser, "TRUE_VALUE cannot be converted to String"},
		{`{"S":false}`, ser, "FALSE_VALUE cannot be converted to String"},
		{`{"S":[]}`, ser, "Unrecognized collection type class java.lang.String"},
		{`{"S":{}}`, ser, "Start of structure or map found where not expected"},
		{`{"N":23}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"SS":[23]}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"NS":[1]}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"BOOL":"23"}`, ser, "Unexpected token received from parser"},
		{`{"BOOL":23}`, ser, "NUMBER_VALUE cannot be converted to Boolean"},
		{`{"NULL":34.56}`, ser, "DECIMAL_VALUE cannot be converted to Boolean"},
		{`{"BOOL":[]}`, ser, "Unrecognized collection type class java.lang.Boolean"},
		{`{"NULL":{}}`, ser, "Start of structure or map found where not expected"},
		{`{"B":true}`, ser, "only base-64-encoded strings are convertible to bytes"},
		{`{"B":23}`, ser, "only base-64-encoded strings are convertible to bytes"},
		{`{"B":[]}`, ser, "Unrecognized collection type class java.nio.ByteBuffer"},
		{`{"B":{}}`, ser, "Start of structure or map found where not expected"},
		{`{"B":"23456"}`, ser, "Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{`{"B":"=+/="}`, ser, "Invalid last non-pad Base64 character dectected"},
		{`{"B":"+/+="}`, ser, "Invalid last non-pad Base64 character dectected"},
		{`{"B":"ab!d"}`, ser, "Invalid Base64 character: '!'"},
		{`{"BS":["Yg==",5]}`, ser, "only base-64-encoded strings are convertible to bytes"},
		{`{"SS":"23"}`, ser, "Unexpected field type"},
		{`{"NS":true}`, ser, "Unexpected field type"},
		{`{"L":34.56}`, ser, "Unexpected field type"},
		{`{"L":{}}`, ser, "Start of structure or map found where not expected"},
		{`{"M":"23"}`, ser, "Unexpected field type"},
		{`{"M":[]}`, ser, "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"},
		{`{"L":["23"]}`, ser, "Unexpected value type in payload"},
		{`{"L":[true]}`, ser, "Unexpected value type in payload"},
		{`{"M":{"a":23}}`, ser, "Unexpected value type in payload"},
		{`{"L":[[]]}`, ser, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
		{`"x"`, ser, "Unexpected value type in payload"},
		{`[]`, ser, "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"},
		// A serialization error anywhere beats an earlier validation error.
		{`{"M":{"a":{}, "b":{"S":1}}}`, ser, "NUMBER_VALUE cannot be converted to String"},
		{`{"N":"x","S":5}`, ser, "NUMBER_VALUE cannot be converted to String"},
	}
	for _, tt := range tests {
		_, err := ParseJSON([]byte(tt.in))
		var ve *Error
		var se *SerializationError
		switch {
		case tt.kind == val && errors.As(err, &ve) && ve.Message == tt.msg:
		case tt.kind == ser && errors.As(err, &se) && se.Message == tt.msg:
		default:
			t.Errorf("ParseJSON(%s) error = %T %v; want %s %q", tt.in, err, err, tt.kind, tt.msg)
		}
	}
}

func TestParseJSONMalformed(t *testing.T) {
	for _, in := range []string{``, `{`, `{"S"`, `{"S":`, `{"S":"x"`, `{"S":"x",}`, `{"S":"x"}}`, `{"S":"\x"}`,
		`{"S":"a` + "\n" + `"}`, `{"S":"\u12"}`, `{S:"x"}`, `{"S":tru}`, `{"L":[{"S":"a"},]}`, `{"S":01}`, `{"S":1.}`, `{"S":-}`,
		`{"S":"x"} x`, `{"X":[1 2]}`, strings.Repeat(`{"L":[`, 2000)} {
		_, err := ParseJSON([]byte(in))
		var se *SerializationError
		if !errors.As(err, &se) {
			t.Errorf("ParseJSON(%q) error = %T %v; want *SerializationError", in, err, err)
		}
	}
}

func TestUnmarshalThroughEncodingJSON(t *testing.T) {
	var req struct {
		Item Item
		Key  map[string]Value
		One  Value
	}
	in := `{"Item":{"a":{"N":"01"},"b":{"SS":["x"]}},"Key":{"k":{"B":"AQ=="}},"One":{"BOOL":true}}`
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		t.Fatal(err)
	}
	if !Equal(req.Item["a"], MustN("1")) || req.Item["a"].Str != "1" || !Equal(req.Key["k"], B([]byte{1})) || !Equal(req.One, Bool(true)) {
		t.Fatalf("decoded %+v", req)
	}
	// Errors pass through encoding/json unchanged; callers find them with errors.As.
	err := json.Unmarshal([]byte(`{"Item":{"a":{"N":"x"}}}`), &req)
	var ve *Error
	if !errors.As(err, &ve) || ve.Message != "The parameter cannot be converted to a numeric value: x" {
		t.Errorf("validation error through encoding/json = %T %v", err, err)
	}
	err = json.Unmarshal([]byte(`{"Key":{"a":{"S":5}}}`), &req)
	var se *SerializationError
	if !errors.As(err, &se) || se.Message != "NUMBER_VALUE cannot be converted to String" {
		t.Errorf("serialization error through encoding/json = %T %v", err, err)
	}
	var it Item
	if err := json.Unmarshal([]byte(`null`), &it); err != nil || it != nil {
		t.Errorf("null item = %v, %v", it, err)
	}
	if _, err := ParseItemJSON([]byte(`[]`)); err == nil || err.Error() != "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>" {
		t.Errorf("ParseItemJSON([]) = %v", err)
	}
}

func TestJSONRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genValue().Draw(t, "v")
		b := AppendJSON(nil, v)
		got, err := ParseJSON(b)
		if err != nil {
			t.Fatalf("ParseJSON(%s): %v", b, err)
		}
		if !Equal(got, v) {
			t.Fatalf("round trip of %s gave %#v", b, got)
		}
		// encoding/json agrees that the output is valid JSON, and decodes
		// it identically through UnmarshalJSON.
		var viaStd Value
		if err := json.Unmarshal(b, &viaStd); err != nil || !Equal(viaStd, v) {
			t.Fatalf("json.Unmarshal(%s) = %#v, %v", b, viaStd, err)
		}
		if again := AppendJSON(nil, got); string(again) != string(b) {
			t.Fatalf("re-encoding differs:\n%s\n%s", b, again)
		}
	})
}

func FuzzUnmarshalValue(f *testing.F) {
	for _, s := range []string{`{"S":"x"}`, `{"N":"1.50"}`, `{"B":"aGk="}`, `{"SS":["a","b"]}`, `{"NS":["1","2"]}`,
		`{"BS":["AA=="]}`, `{"L":[{"NULL":true},{"BOOL":false}]}`, `{"M":{"a":{"M":{"b":{"L":[]}}}}}`, `{}`, `{"S":1}`,
		`{"SS":["a","a"]}`, `{"B":"=+/="}`, `{"S":"\ud83d\ude00"}`, `null`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ParseJSON(b)
		var std any
		stdErr := json.Unmarshal(b, &std)
		if err != nil {
			var ve *Error
			var se *SerializationError
			if !errors.As(err, &ve) && !errors.As(err, &se) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if se == nil && stdErr != nil {
				t.Fatalf("malformed JSON %q gave a validation error %v", b, err)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("ParseJSON accepted %q which encoding/json rejects: %v", b, stdErr)
		}
		if err := v.Validate(); err != nil {
			t.Fatalf("accepted value fails Validate: %v", err)
		}
		out := AppendJSON(nil, v)
		v2, err := ParseJSON(out)
		if err != nil || !Equal(v, v2) {
			t.Fatalf("re-parse of %s: %#v, %v", out, v2, err)
		}
	})
}
