package dynamodb

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// itemEnv is an API over a fresh engine with the tables the item tests use:
//
//	hash    pk S
//	range   pk S, sk S
//	rangeN  pk S, sk N
type itemEnv struct {
	t   testing.TB
	api *API
}

// newItemEnv builds an API over a fresh engine and creates the tables.
func newItemEnv(t testing.TB) *itemEnv {
	t.Helper()
	e := &itemEnv{t: t, api: newTestAPI(t)}
	e.createTable("hash", "pk", attr.KindS, "", 0)
	e.createTable("range", "pk", attr.KindS, "sk", attr.KindS)
	e.createTable("rangeN", "pk", attr.KindS, "sk", attr.KindN)
	return e
}

// createTable creates an on-demand table directly in the engine.
func (e *itemEnv) createTable(name, hash string, hashType attr.Kind, rng string, rngType attr.Kind) {
	e.t.Helper()
	spec := engine.TableSpec{
		Name:                 name,
		KeySchema:            engine.KeySchema{Hash: engine.KeyAttr{Name: hash, Type: hashType}},
		AttributeDefinitions: []engine.AttributeDefinition{{Name: hash, Type: hashType}},
		BillingMode:          "PAY_PER_REQUEST",
	}
	if rng != "" {
		spec.KeySchema.Range = &engine.KeyAttr{Name: rng, Type: rngType}
		spec.AttributeDefinitions = append(spec.AttributeDefinitions, engine.AttributeDefinition{Name: rng, Type: rngType})
	}
	if _, err := e.api.eng.CreateTable(context.Background(), spec); err != nil {
		e.t.Fatal(err)
	}
}

// call runs an operation that must succeed and returns its response as the
// server would encode it.
func (e *itemEnv) call(op, body string) string {
	e.t.Helper()
	out, apiErr := call(e.t, e.api, op, body)
	if apiErr != nil {
		e.t.Fatalf("%s %s: %s", op, body, apiErr)
	}
	return out
}

// callErr runs an operation that must fail and returns its error.
func (e *itemEnv) callErr(op, body string) *Error {
	e.t.Helper()
	out, apiErr := call(e.t, e.api, op, body)
	if apiErr == nil {
		e.t.Fatalf("%s %s: succeeded with %s", op, body, out)
	}
	return apiErr
}

// expect runs an operation and compares its JSON response with want.
func (e *itemEnv) expect(op, body, want string) {
	e.t.Helper()
	jsonEqual(e.t, e.call(op, body), want)
}

// jsonEqual fails unless got and want are the same JSON document.
func jsonEqual(t testing.TB, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("bad JSON %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expected JSON %q: %v", want, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("response mismatch (-want +got):\n%s\ngot: %s", diff, got)
	}
}

// decodeJSON unmarshals a response for tests that inspect it piecewise.
func decodeJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// mustJSON encodes v as the server would, for comparisons.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
