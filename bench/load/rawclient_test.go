package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
)

// fakeDynamo is an httptest server that checks every request the way a
// signature-verifying endpoint would (the Authorization header must be the
// one aws-sdk-go-v2 computes for the request as received) and answers with
// canned bodies.
type fakeDynamo struct {
	t     *testing.T
	srv   *httptest.Server
	conns atomic.Int64
	mu    sync.Mutex
	reply func(target string, body []byte) (status int, resp string)
	crc   func(body string) string // x-amz-crc32 to send (default: the right one)
}

func newFakeDynamo(t *testing.T) *fakeDynamo {
	f := &fakeDynamo{t: t}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDynamo) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	target := r.Header.Get("X-Amz-Target")
	status, resp := 500, `{"__type":"test#CheckFailed","message":"`
	switch at, err := time.Parse(ddbclient.AmzDateFormat, r.Header.Get("X-Amz-Date")); {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		resp += "method/path " + r.Method + " " + r.URL.Path
	case r.Header.Get("Content-Type") != ddbclient.JSONContentType:
		resp += "content-type " + r.Header.Get("Content-Type")
	case err != nil:
		resp += "x-amz-date " + err.Error()
	case !json.Valid(body):
		resp += "body is not JSON"
	case r.ContentLength != int64(len(body)):
		resp += "content-length"
	default:
		want := sdkAuthorizationFor(f.t, "http://"+r.Host, target, body, at)
		if got := r.Header.Get("Authorization"); got != want {
			resp += "signature: got " + got + " want " + want
			break
		}
		f.mu.Lock()
		status, resp = f.reply(target, body)
		f.mu.Unlock()
		goto send
	}
	resp += `"}`
send:
	crc := strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(resp))), 10)
	if f.crc != nil {
		crc = f.crc(resp)
	}
	w.Header().Set("Content-Type", ddbclient.JSONContentType)
	w.Header().Set("X-Amz-Crc32", crc)
	w.WriteHeader(status)
	io.WriteString(w, resp)
}

// sdkAuthorizationFor returns the Authorization header aws-sdk-go-v2's
// signer computes for the request the raw client sends (POST of body to
// endpoint with Content-Type and X-Amz-Target target, no Content-Length
// header) at time at, with the test's credentials and region.
func sdkAuthorizationFor(t *testing.T, endpoint, target string, body []byte, at time.Time) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ddbclient.JSONContentType)
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "k", SecretAccessKey: "s"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), ddbclient.Service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
	return req.Header.Get("Authorization")
}

func (f *fakeDynamo) setReply(fn func(target string, body []byte) (int, string)) {
	f.mu.Lock()
	f.reply = fn
	f.mu.Unlock()
}

func cannedReplies(target string, body []byte) (int, string) {
	switch strings.TrimPrefix(target, "DynamoDB_20120810.") {
	case "GetItem":
		if strings.Contains(string(body), "p000000099") {
			return 200, `{}`
		}
		return 200, `{"Item":{"pk":{"S":"p000000000"},"sk":{"S":"s0000001"}}}`
	case "Query", "Scan":
		return 200, `{"Items":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"Count":2,"ScannedCount":2}`
	case "BatchWriteItem":
		return 200, `{"UnprocessedItems":{}}`
	case "BatchGetItem":
		return 200, `{"Responses":{"ebbtide-load":[{"pk":{"S":"a"}}]},"UnprocessedKeys":{}}`
	}
	return 200, `{}`
}

func newTestRawWorker(t *testing.T, f *fakeDynamo) *rawWorker {
	t.Helper()
	c := testConfig()
	c.endpoint = f.srv.URL
	c.timeout = 5 * time.Second
	rc, err := newRawClient(c, mustPayload(c))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.tr.CloseIdleConnections)
	return rc.newWorker()
}

func TestRawClientOperations(t *testing.T) {
	f := newFakeDynamo(t)
	f.setReply(cannedReplies)
	w := newTestRawWorker(t, f)
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	check("put", w.put(ctx, 1))
	found, err := w.get(ctx, 1)
	check("get", err)
	if !found {
		t.Error("get: item not found")
	}
	found, err = w.get(ctx, 990)
	check("get missing", err)
	if found {
		t.Error("get of a missing item: found")
	}
	n, err := w.query(ctx, 3)
	check("query", err)
	if n != 2 {
		t.Errorf("query count %d", n)
	}
	_, err = w.scan(ctx)
	check("scan", err)
	check("update", w.update(ctx, 5, 1234))
	check("delete", w.deleteItem(ctx, 5))
	check("batchwrite", w.batchWrite(ctx, []int{1, 2, 3}))
	n, err = w.batchGet(ctx, []int{1, 2})
	check("batchget", err)
	if n != 1 {
		t.Errorf("batchget found %d", n)
	}
	// Keep-alive: a hundred more calls on the same connection, all built in
	// the same body buffer.
	tracker, buf := w.tracker, &w.buf[:1][0]
	for i := range 100 {
		check("put", w.put(ctx, i))
	}
	if w.tracker != tracker || &w.buf[:1][0] != buf {
		t.Error("the body buffer was replaced after successful calls")
	}
	if c := f.conns.Load(); c != 1 {
		t.Errorf("%d connections for sequential calls, want 1", c)
	}
}

func TestRawClientErrors(t *testing.T) {
	f := newFakeDynamo(t)
	w := newTestRawWorker(t, f)
	ctx := context.Background()
	wantCode := func(err error, code string) {
		t.Helper()
		if err == nil {
			t.Fatalf("no error, want %s", code)
		}
		if got := errorCode(err); got != code {
			t.Fatalf("error code %q (%v), want %q", got, err, code)
		}
	}

	f.setReply(func(string, []byte) (int, string) {
		return 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`
	})
	_, err := w.get(ctx, 1)
	wantCode(err, "ResourceNotFoundException")
	var ae *ddbclient.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Message != "Requested resource not found" {
		t.Errorf("APIError %+v", ae)
	}

	f.setReply(func(string, []byte) (int, string) {
		return 400, `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"slow down"}`
	})
	wantCode(w.put(ctx, 1), "ThrottlingException")

	f.setReply(func(string, []byte) (int, string) { return 200, `not json` })
	wantCode(w.put(ctx, 1), "MalformedResponse")

	f.setReply(func(string, []byte) (int, string) { return 200, `{"Items":[]}` })
	_, err = w.query(ctx, 1)
	wantCode(err, "MalformedResponse")

	f.setReply(func(string, []byte) (int, string) {
		return 200, `{"UnprocessedItems":{"ebbtide-load":[{"PutRequest":{"Item":{}}}]}}`
	})
	wantCode(w.batchWrite(ctx, []int{1, 2}), "UnprocessedItems")

	f.setReply(func(string, []byte) (int, string) {
		return 200, `{"Responses":{"ebbtide-load":[]},"UnprocessedKeys":{"ebbtide-load":{"Keys":[{}]}}}`
	})
	_, err = w.batchGet(ctx, []int{1, 2})
	wantCode(err, "UnprocessedKeys")

	f.setReply(cannedReplies)
	f.crc = func(string) string { return "12345" }
	wantCode(w.put(ctx, 1), "CRC32Mismatch")
	f.crc = nil
	if err := w.put(ctx, 1); err != nil {
		t.Fatalf("after errors: %v", err)
	}

	f.srv.Close()
	if err := w.put(ctx, 1); err == nil {
		t.Fatal("put to a closed server: no error")
	}
}

// Many workers share one transport: every call must succeed and be signed
// right under concurrency (run with -race).
func TestRawClientConcurrent(t *testing.T) {
	f := newFakeDynamo(t)
	f.setReply(cannedReplies)
	c := testConfig()
	c.endpoint, c.timeout, c.clients = f.srv.URL, 5*time.Second, 8
	rc, err := newRawClient(c, mustPayload(c))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.tr.CloseIdleConnections()
	var wg sync.WaitGroup
	var failures atomic.Int64
	for range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := rc.newWorker()
			for i := range 200 {
				if err := w.put(context.Background(), i); err != nil {
					failures.Add(1)
					t.Log(err)
				}
			}
		}()
	}
	wg.Wait()
	if n := failures.Load(); n > 0 {
		t.Fatalf("%d failed calls", n)
	}
	// The transport may dial one extra connection when a worker's next call
	// races its connection's return to the idle pool; never one per call.
	if n := f.conns.Load(); n > int64(2*c.clients) {
		t.Errorf("%d connections for %d workers", n, c.clients)
	}
}

func BenchmarkRawClientPut(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Amz-Crc32", "2745614147") // crc32("{}")
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	c := testConfig()
	c.endpoint, c.timeout = srv.URL, 5*time.Second
	rc, err := newRawClient(c, mustPayload(c))
	if err != nil {
		b.Fatal(err)
	}
	w := rc.newWorker()
	ctx := context.Background()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := w.put(ctx, i%c.keys); err != nil {
			b.Fatal(err)
		}
	}
}
