package dynamodb

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Helpers for the package's tests: build an API (with or without an engine),
// call an operation with a JSON request as the server would, and check the
// answer.

// The region and account of the tests' API and engine.
const (
	testRegion  = "us-east-1"
	testAccount = "000000000000"
)

// testConfig is the API configuration of the tests.
func testConfig() Config {
	return Config{Region: testRegion, AccountID: testAccount, Logger: slog.New(slog.DiscardHandler)}
}

// newTestAPI returns an API over a fresh engine in a temporary directory,
// closed when the test ends.
func newTestAPI(t testing.TB) *API {
	t.Helper()
	eng, err := engine.Open(engine.Options{Dir: t.TempDir(), Region: testRegion, AccountID: testAccount,
		Logger: slog.New(slog.DiscardHandler), CacheSize: 8 << 20})
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	t.Cleanup(func() {
		if err := eng.Close(); err != nil {
			t.Errorf("close engine: %v", err)
		}
	})
	return New(eng, testConfig())
}

// newEnginelessAPI returns an API without an engine, for requests that must
// be rejected before the engine is consulted: touching the engine panics.
func newEnginelessAPI() *API { return New(nil, testConfig()) }

// call runs op with a JSON request body and returns the response encoded as
// the server sends it ("{}" for an empty output), or the error.
func call(t testing.TB, a *API, op, body string) (string, *Error) {
	t.Helper()
	out, apiErr := a.Call(context.Background(), op, []byte(body))
	if apiErr != nil {
		return "", apiErr
	}
	if out == nil {
		return "{}", nil
	}
	buf, err := json.Marshal(out)
	if err != nil {
		t.Fatalf("%s: encode response: %v", op, err)
	}
	return string(buf), nil
}

// mustCall runs op, fails the test on an error, and returns the response
// decoded as generic JSON.
func mustCall(t testing.TB, a *API, op, body string) map[string]any {
	t.Helper()
	out, apiErr := call(t, a, op, body)
	if apiErr != nil {
		t.Fatalf("%s %s: %s", op, body, apiErr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%s: decode response %s: %v", op, out, err)
	}
	return m
}

// wantError runs op and checks that it fails with the error type named by
// typ (the part after '#', e.g. "ValidationException") and exactly msg.
func wantError(t testing.TB, a *API, op, body, typ, msg string) {
	t.Helper()
	out, apiErr := call(t, a, op, body)
	if apiErr == nil {
		t.Fatalf("%s %s: got success %s, want %s %q", op, body, out, typ, msg)
	}
	if _, got, _ := strings.Cut(apiErr.Type, "#"); got != typ || apiErr.Message != msg {
		t.Fatalf("%s %s:\n got %s %q\nwant %s %q", op, body, got, apiErr.Message, typ, msg)
	}
}

// path returns the value at a dotted path of generic JSON ("Table.TableName",
// "Tags.0.Key"), or nil when absent.
func path(v any, p string) any {
	for _, k := range strings.Split(p, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}
