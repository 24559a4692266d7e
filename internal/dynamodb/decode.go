package dynamodb

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// DynamoDB parses requests with Coral's JSON codec and names the token it
// found and the Java type it wanted. These are the texts it returns (observed
// against the real service; see dynalite's test helpers, assertType):
//
//	NUMBER_VALUE cannot be converted to String       (an integer where a string belongs)
//	DECIMAL_VALUE cannot be converted to Boolean     (a fraction where a boolean belongs)
//	STRING_VALUE cannot be converted to Long
//	TRUE_VALUE cannot be converted to Integer
//	Unexpected token received from parser            (a string where a boolean belongs)
//	Unrecognized collection type class java.lang.String     (a list where a scalar belongs)
//	Start of structure or map found where not expected      (an object where a scalar or list belongs)
//	Unexpected field type                            (a scalar where a list, map or member structure belongs)
//	Unexpected value type in payload                 (a scalar where a list element structure belongs)
//	Unrecognized collection type class com.amazonaws.dynamodb.v20120810.KeySchemaElement
//	Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>
//	only base-64-encoded strings are convertible to bytes
//
// A scalar where a map of attribute values or a list of maps belongs gets a
// Java class cast failure (msgParameterizedCast). Malformed JSON gets a
// SerializationException with no message.
const javaModelPackage = "com.amazonaws.dynamodb.v20120810."

// msgParameterizedCast is Coral's text for a scalar sent where a map of
// attribute values (Item, Key, ...) or a list of maps belongs.
const msgParameterizedCast = "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast to class java.lang.Class " +
	"(sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl and java.lang.Class are in module java.base of loader 'bootstrap')"

// decodeError maps an error from decoding a request to what DynamoDB returns:
// an *attr.Error is a ValidationException and an *attr.SerializationError a
// SerializationException, each with its message; a JSON type mismatch is a
// SerializationException with Coral's text (exact when the error went through
// inRequest, which records the literal sent); malformed JSON is a
// SerializationException without a message. Anything else (a programming
// error) is returned unchanged and becomes an InternalServerError.
func decodeError(err error) error {
	var (
		ve *attr.Error
		se *attr.SerializationError
		tm *typeMismatch
		te *json.UnmarshalTypeError
		sx *json.SyntaxError
	)
	switch {
	case errors.As(err, &ve):
		return Validation("%s", ve.Message)
	case errors.As(err, &se):
		return Service("SerializationException", "%s", se.Message)
	case errors.As(err, &tm):
		return Service("SerializationException", "%s", tm.message())
	case errors.As(err, &te):
		return Service("SerializationException", "%s", (&typeMismatch{err: te}).message())
	case errors.As(err, &sx):
		return Service("SerializationException", "")
	}
	return err
}

// inRequest attaches the request body and the value it was decoded into to
// a JSON type error, so decodeError can tell which literal was sent (true or
// false, an integer or a fraction) and whether a structure stood as a member
// or as a list element. Other errors pass through unchanged.
func inRequest(err error, body []byte, v any) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	return &typeMismatch{err: te, body: body, root: reflect.TypeOf(v)}
}

// typeMismatch is a JSON value of the wrong type for its member.
type typeMismatch struct {
	err  *json.UnmarshalTypeError
	body []byte       // the request, or nil when unknown
	root reflect.Type // the type decoded into, or nil when unknown
}

// Error returns encoding/json's description of the mismatch.
func (m *typeMismatch) Error() string { return m.err.Error() }

// Unwrap returns the *json.UnmarshalTypeError.
func (m *typeMismatch) Unwrap() error { return m.err }

// message returns Coral's text for the mismatch.
func (m *typeMismatch) message() string {
	kind, literal, _ := strings.Cut(m.err.Value, " ")
	if literal == "" {
		literal = m.literal()
	}
	want := m.err.Type
	for want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	if kind == "object" {
		return "Start of structure or map found where not expected"
	}
	switch {
	case want.Kind() == reflect.Slice && want.Elem().Kind() == reflect.Uint8:
		if kind == "array" {
			return "Unrecognized collection type class java.nio.ByteBuffer"
		}
		return "only base-64-encoded strings are convertible to bytes"
	case want.Kind() == reflect.Slice:
		if want.Elem().Kind() == reflect.Map {
			return msgParameterizedCast
		}
		return "Unexpected field type"
	case want.Kind() == reflect.Map:
		value := javaClass(want.Elem())
		switch {
		case kind == "array":
			return "Unrecognized collection type java.util.Map<java.lang.String, " + value + ">"
		case value == javaModelPackage+"AttributeValue":
			return msgParameterizedCast
		}
		return "Unexpected field type"
	case want.Kind() == reflect.Struct && want != reflect.TypeFor[epochTime]():
		if kind == "array" {
			return "Unrecognized collection type class " + javaClass(want)
		}
		if m.isMember() {
			return "Unexpected field type"
		}
		return "Unexpected value type in payload"
	}
	name := javaScalar(want)
	switch kind {
	case "array":
		if name == "Date" {
			return "Unrecognized collection type class java.util.Date"
		}
		return "Unrecognized collection type class java.lang." + name
	case "string":
		if name == "Boolean" {
			return "Unexpected token received from parser"
		}
		return "STRING_VALUE cannot be converted to " + name
	case "bool":
		if literal == "false" {
			return "FALSE_VALUE cannot be converted to " + name
		}
		return "TRUE_VALUE cannot be converted to " + name
	}
	if strings.ContainsAny(literal, ".eE") {
		return "DECIMAL_VALUE cannot be converted to " + name
	}
	return "NUMBER_VALUE cannot be converted to " + name
}

// literal returns the scalar JSON literal that ended at the error's offset
// ("true", "12.5"), or "" when the request is unknown.
func (m *typeMismatch) literal() string {
	end := int(m.err.Offset)
	if m.body == nil || end <= 0 || end > len(m.body) {
		return ""
	}
	start := end
	for start > 0 && strings.IndexByte("+-.0123456789eEtrufals", m.body[start-1]) >= 0 {
		start--
	}
	return string(m.body[start:end])
}

// isMember reports whether the mismatched structure is a member of its parent
// (Coral: "field") rather than a list element or map value ("value"). The
// error's field path names the member that holds the structure: if that
// member's type is the structure itself, the structure is the member.
func (m *typeMismatch) isMember() bool {
	if m.root == nil || m.err.Field == "" {
		return false
	}
	t := m.root
	for _, name := range strings.Split(m.err.Field, ".") {
		t = elemStruct(t)
		f, ok := jsonField(t, name)
		if !ok {
			return false
		}
		t = f.Type
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	want := m.err.Type
	for want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	return t == want
}

// elemStruct strips pointers, slices and maps down to the structure inside.
func elemStruct(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			t = t.Elem()
		default:
			return t
		}
	}
}

// jsonField finds the struct field that encoding/json decoded the key name
// into (field paths use the JSON names, or the Go names of embedded fields).
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && f.Name == name) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// javaScalar names the Java type Coral wanted for a scalar Go type.
func javaScalar(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "Boolean"
	case reflect.Int32, reflect.Int:
		return "Integer"
	case reflect.Int64:
		return "Long"
	case reflect.Float32, reflect.Float64:
		return "Double"
	case reflect.Struct: // epochTime
		return "Date"
	}
	return "String"
}

// javaClass names the Java class of a list element or map value: a string,
// an attribute value (attr.Value, or raw JSON held for decoding as one) or a
// model shape. Wire types are named after their model shapes
// (keySchemaElement, KeySchemaElement).
func javaClass(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[attr.Value](), reflect.TypeFor[json.RawMessage]():
		return javaModelPackage + "AttributeValue"
	}
	if t.Kind() == reflect.String {
		return "java.lang.String"
	}
	name := []rune(t.Name())
	if len(name) > 0 {
		name[0] = unicode.ToUpper(name[0])
	}
	return javaModelPackage + string(name)
}
