package server

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func newTestServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := New(Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		if err := s.eng.Close(); err != nil {
			t.Error(err)
		}
	})
	return ts
}

const testAuth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"

func call(t *testing.T, ts *httptest.Server, method, target, ct, body string, auth bool) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if auth {
		req.Header.Set("Authorization", testAuth)
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func errType(t *testing.T, b []byte) string {
	t.Helper()
	var e struct {
		Type string `json:"__type"`
	}
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("error body %q: %v", b, err)
	}
	return e.Type
}

func TestHealthProbes(t *testing.T) {
	ts := newTestServer(t)
	for path, want := range map[string]string{"/": "healthy: dynamodb.us-east-1.amazonaws.com ", "/healthz": "ok\n"} {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("GET %s = %d %q, want 200 %q", path, resp.StatusCode, b, want)
		}
	}
}

func TestProtocolErrors(t *testing.T) {
	ts := newTestServer(t)
	const ct = "application/x-amz-json-1.0"
	cases := []struct {
		name, method, target, ct, body string
		auth                           bool
		status                         int
		typ                            string
	}{
		{"unknown operation", "POST", "DynamoDB_20120810.Frobnicate", ct, "{}", true, 400, "com.amazon.coral.service#UnknownOperationException"},
		{"wrong prefix", "POST", "DynamoDB_20990101.ListTables", ct, "{}", true, 400, "com.amazon.coral.service#UnknownOperationException"},
		{"no target", "POST", "", ct, "{}", true, 400, "com.amazon.coral.service#UnknownOperationException"},
		{"malformed json", "POST", "DynamoDB_20120810.ListTables", ct, "{", true, 400, "com.amazon.coral.service#SerializationException"},
		{"empty body", "POST", "DynamoDB_20120810.ListTables", ct, "", true, 400, "com.amazon.coral.service#SerializationException"},
		{"missing auth", "POST", "DynamoDB_20120810.ListTables", ct, "{}", false, 400, "com.amazon.coral.service#MissingAuthenticationTokenException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, b := call(t, ts, c.method, c.target, c.ct, c.body, c.auth)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d (body %s)", resp.StatusCode, c.status, b)
			}
			if got := errType(t, b); got != c.typ {
				t.Fatalf("__type %q, want %q", got, c.typ)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
}

func TestWrongContentTypeIs404(t *testing.T) {
	ts := newTestServer(t)
	resp, b := call(t, ts, "POST", "DynamoDB_20120810.ListTables", "text/plain", "{}", true)
	if resp.StatusCode != 404 || string(b) != "<UnknownOperationException/>\n" {
		t.Fatalf("got %d %q", resp.StatusCode, b)
	}
}

func TestOversizedBody(t *testing.T) {
	ts := newTestServer(t)
	big := `{"TableName":"` + strings.Repeat("a", maxBodyBytes) + `"}`
	resp, _ := call(t, ts, "POST", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.0", big, true)
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestResponseChecksum(t *testing.T) {
	ts := newTestServer(t)
	for _, body := range []string{"{}", "{"} {
		resp, b := call(t, ts, "POST", "DynamoDB_20120810.ListTables", "application/x-amz-json-1.0", body, true)
		want := strconv.FormatUint(uint64(crc32.ChecksumIEEE(b)), 10)
		if got := resp.Header.Get("x-amz-crc32"); got != want {
			t.Errorf("body %q: x-amz-crc32 %q, want %q", body, got, want)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/x-amz-json-1.0" {
			t.Errorf("content type %q", ct)
		}
		if !bytes.HasPrefix(b, []byte("{")) {
			t.Errorf("body %q is not JSON", b)
		}
	}
}
