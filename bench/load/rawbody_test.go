package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
)

// capturingHTTP is an SDK HTTPClient that records the last request body and
// answers 200 with a minimal valid body.
type capturingHTTP struct {
	target string
	body   []byte
}

func (h *capturingHTTP) Do(req *http.Request) (*http.Response, error) {
	h.target = req.Header.Get("X-Amz-Target")
	h.body, _ = io.ReadAll(req.Body)
	return &http.Response{
		StatusCode: 200,
		Header:     http.Header{"Content-Type": {ddbclient.JSONContentType}},
		Body:       io.NopCloser(strings.NewReader(`{"Count":0}`)),
		Request:    req,
	}, nil
}

// mustPayload is newPayloadSource for a valid configuration.
func mustPayload(c config) *payloadSource {
	p, err := newPayloadSource(c)
	if err != nil {
		panic(err)
	}
	return p
}

func testConfig() config {
	return config{
		client: clientRaw, endpoint: "http://127.0.0.1:8200", region: "us-east-1",
		table: "ebbtide-load", clients: 4, itemSize: 256, keys: 1000, perPartition: 10,
		queryLimit: 10, accessKey: "k", secretKey: "s", timeout: 0, preloadBatch: 25,
	}
}

// sdkWith returns an SDK op client whose requests are captured.
func sdkWith(c config, payload *payloadSource) (*sdkOpClient, *capturingHTTP) {
	h := &capturingHTTP{}
	s := newSDKOpClient(c, payload, false)
	s.db = dynamodb.New(dynamodb.Options{
		Region: c.region, BaseEndpoint: aws.String(c.endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""),
		HTTPClient:  h, Retryer: aws.NopRetryer{},
	})
	return s, h
}

func jsonEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !json.Valid(got) {
		t.Fatalf("%s: raw body is not valid JSON: %s", what, got)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s:\nraw %s\nsdk %s", what, got, want)
	}
}

// Every raw body is the JSON document the SDK sends for the same call.
func TestBodiesMatchSDK(t *testing.T) {
	ctx := context.Background()
	for _, consistent := range []bool{false, true} {
		for _, size := range []int{1, 256, 4096} {
			c := testConfig()
			c.consistent, c.itemSize = consistent, size
			c.payload = []string{payloadFixed, payloadRandom}[size%2]
			payload := mustPayload(c)
			s, h := sdkWith(c, payload)
			b := newBodyBuilder(c, payload)
			idx := []int{0, 7, 19, 999}
			cases := []struct {
				op  int
				sdk func()
				raw []byte
			}{
				{rawPut, func() { s.put(ctx, 123) }, b.putItem(nil, 123)},
				{rawGet, func() { s.get(ctx, 5) }, b.getItem(nil, 5)},
				{rawQuery, func() { s.query(ctx, 42) }, b.query(nil, 42)},
				{rawUpdate, func() { s.update(ctx, 999, 87654321) }, b.updateItem(nil, 999, 87654321)},
				{rawDelete, func() { s.deleteItem(ctx, 10) }, b.deleteItem(nil, 10)},
				{rawScan, func() { s.scan(ctx) }, b.scan(nil)},
				{rawBatchWrite, func() { s.batchWrite(ctx, idx) }, b.batchWriteItem(nil, idx)},
				{rawBatchGet, func() { s.batchGet(ctx, idx) }, b.batchGetItem(nil, idx)},
			}
			for _, tc := range cases {
				tc.sdk()
				name := fmt.Sprintf("%s consistent=%v size=%d payload=%s", rawTargets[tc.op], consistent, size, c.payload)
				if h.target != rawTargets[tc.op] {
					t.Fatalf("%s: SDK sent target %q", name, h.target)
				}
				jsonEqual(t, name, tc.raw, h.body)
			}
		}
	}
}

// Builders append: what was in the buffer stays, and reusing a buffer gives
// the same bytes as a fresh one.
func TestBodiesAppend(t *testing.T) {
	c := testConfig()
	b := newBodyBuilder(c, mustPayload(c))
	buf := b.putItem([]byte("prefix"), 1)
	if !bytes.HasPrefix(buf, []byte("prefix{")) {
		t.Fatalf("prefix lost: %.20s", buf)
	}
	fresh := b.getItem(nil, 77)
	reused := b.getItem(buf[:0], 77)
	if !bytes.Equal(fresh, reused) {
		t.Fatalf("reused buffer: %s != %s", reused, fresh)
	}
	if allocs := testing.AllocsPerRun(100, func() { buf = b.putItem(buf[:0], 12345) }); allocs != 0 {
		t.Errorf("putItem into a large enough buffer: %.0f allocs, want 0", allocs)
	}
}

func TestAppendPadded(t *testing.T) {
	for _, v := range []int{0, 7, 123456789, 1234567890} {
		if got, want := string(appendPK(nil, v)), fmt.Sprintf("p%09d", v); got != want {
			t.Errorf("appendPK(%d) = %s, want %s", v, got, want)
		}
		if got, want := string(appendSK(nil, v)), fmt.Sprintf("s%07d", v); got != want {
			t.Errorf("appendSK(%d) = %s, want %s", v, got, want)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "ebbtide-load", `a"b\c`, "tab\there\n\x01", "héllo ✓", "bad\xffutf8"} {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q: %s is not a JSON string: %v", s, got, err)
		}
		want := strings.ToValidUTF8(s, "\uFFFD")
		if back != want {
			t.Errorf("%q round-trips to %q", s, back)
		}
	}
}

func BenchmarkPutItemBody(b *testing.B) {
	c := testConfig()
	bb := newBodyBuilder(c, mustPayload(c))
	var buf []byte
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf = bb.putItem(buf[:0], i%c.keys)
	}
}

// Random payloads differ between items, are the same on every run, have the
// requested size and need no JSON escaping.
func TestRandomPayload(t *testing.T) {
	c := testConfig()
	c.payload, c.itemSize = payloadRandom, 512
	p, q := mustPayload(c), mustPayload(c)
	seen := map[string]bool{}
	for i := range 1000 {
		s := p.forItem(i)
		if s != q.forItem(i) {
			t.Fatalf("item %d: payload differs between sources", i)
		}
		if len(s) != len(makePayload(c)) {
			t.Fatalf("item %d: %d bytes", i, len(s))
		}
		if string(p.appendJSON(nil, i)) != string(appendJSONString(nil, s)) {
			t.Fatalf("item %d: appendJSON differs from the escaped payload", i)
		}
		seen[s] = true
	}
	if len(seen) < 990 {
		t.Errorf("only %d distinct payloads in 1000 items", len(seen))
	}
	c.payload = "zeros"
	if _, err := newPayloadSource(c); err == nil {
		t.Error("--payload zeros accepted")
	}
}
