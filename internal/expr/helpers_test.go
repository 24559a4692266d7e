package expr

import (
	"errors"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Test helpers: value constructors and error assertions.

func n(s string) attr.Value { return attr.MustN(s) }
func s(v string) attr.Value { return attr.S(v) }
func b(v string) attr.Value { return attr.B([]byte(v)) }

func ss(v ...string) attr.Value { return attr.Value{Kind: attr.KindSS, Strs: v} }
func ns(v ...string) attr.Value {
	out := attr.Value{Kind: attr.KindNS}
	for _, x := range v {
		out.Strs = append(out.Strs, attr.MustN(x).Str)
	}
	return out
}
func bs(v ...string) attr.Value {
	out := attr.Value{Kind: attr.KindBS}
	for _, x := range v {
		out.Bins = append(out.Bins, []byte(x))
	}
	return out
}
func m(kv ...any) attr.Value {
	mm := map[string]attr.Value{}
	for i := 0; i < len(kv); i += 2 {
		mm[kv[i].(string)] = kv[i+1].(attr.Value)
	}
	return attr.M(mm)
}
func l(vs ...attr.Value) attr.Value { return attr.Value{Kind: attr.KindL, List: vs} }

// vals builds ExpressionAttributeValues from alternating keys and values.
func vals(kv ...any) map[string]attr.Value {
	mm := map[string]attr.Value{}
	for i := 0; i < len(kv); i += 2 {
		mm[kv[i].(string)] = kv[i+1].(attr.Value)
	}
	return mm
}

// names builds ExpressionAttributeNames from alternating keys and values.
func names(kv ...string) map[string]string {
	mm := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		mm[kv[i]] = kv[i+1]
	}
	return mm
}

// wantErr checks that err is an *Error with exactly msg.
func wantErr(t *testing.T, err error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want *Error %q", err, err, msg)
	}
	if e.Message != msg {
		t.Fatalf("got message\n  %q\nwant\n  %q", e.Message, msg)
	}
}

// equalItems compares two items with DynamoDB equality.
func equalItems(a, b attr.Item) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !attr.Equal(v, w) {
			return false
		}
	}
	return true
}
