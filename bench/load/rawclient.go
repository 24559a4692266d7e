package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
)

// The raw client: DynamoDB's JSON protocol spoken with plain net/http. Per
// request it builds the body into a reused buffer (rawbody.go), signs it with
// SigV4 (bench/internal/ddbclient), sends it over a kept-alive connection and checks the
// answer without decoding it (rawparse.go): the status, x-amz-crc32, that a
// 200 body is a JSON object, and the one member the operation needs. A
// non-200 answer is an error carrying DynamoDB's error type. There are no
// retries: every failure is counted.

// Operations of the raw client, indexes into rawTargets.
const (
	rawPut = iota
	rawGet
	rawQuery
	rawUpdate
	rawDelete
	rawScan
	rawBatchWrite
	rawBatchGet
	rawOpCount
)

// rawTargets are the X-Amz-Target values of the raw operations.
var rawTargets = [rawOpCount]string{
	rawPut:        "DynamoDB_20120810.PutItem",
	rawGet:        "DynamoDB_20120810.GetItem",
	rawQuery:      "DynamoDB_20120810.Query",
	rawUpdate:     "DynamoDB_20120810.UpdateItem",
	rawDelete:     "DynamoDB_20120810.DeleteItem",
	rawScan:       "DynamoDB_20120810.Scan",
	rawBatchWrite: "DynamoDB_20120810.BatchWriteItem",
	rawBatchGet:   "DynamoDB_20120810.BatchGetItem",
}

// Header values shared by every request (the transport only reads them).
var (
	rawContentType = []string{ddbclient.JSONContentType}
	rawTargetHdrs  = func() (h [rawOpCount][]string) {
		for i, t := range rawTargets {
			h[i] = []string{t}
		}
		return h
	}()
)

// errMalformed is a 200 answer that is not what the operation returns.
var errMalformed = errors.New("MalformedResponse")

// rawClient is what the raw client's workers share: the endpoint, the
// transport (its connection pool) and the signer.
type rawClient struct {
	url      *url.URL
	tr       *http.Transport
	signer   *ddbclient.Signer
	bodies   *bodyBuilder
	table    string
	tokenHdr []string // X-Amz-Security-Token, nil without a session token
}

func newRawClient(c config, payload *payloadSource) (*rawClient, error) {
	u, err := url.Parse(c.endpoint)
	if err != nil {
		return nil, fmt.Errorf("--endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("--endpoint: %q is not an http(s) URL", c.endpoint)
	}
	if u.Path == "" {
		u.Path = "/"
	}
	rc := &rawClient{
		url:    u,
		tr:     newRawTransport(c),
		signer: ddbclient.NewSigner(u, c.accessKey, c.secretKey, c.sessionToken, c.region, ddbclient.Service),
		bodies: newBodyBuilder(c, payload),
		table:  c.table,
	}
	if c.sessionToken != "" {
		rc.tokenHdr = []string{c.sessionToken}
	}
	return rc, nil
}

// newRawTransport is an HTTP/1.1 transport sized for the run: every worker
// keeps its connection alive between requests (idle pool larger than the
// number of clients), no compression, buffers large enough that a 4 KB item
// goes out in one write.
func newRawTransport(c config) *http.Transport {
	idle := 2*c.clients + 8
	return &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: c.timeout,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
}

// writeTracker counts the requests whose body the transport has finished
// writing (httptrace's WroteRequest, called once the body has been copied
// out). A worker compares it with the number it sent before reusing its body
// buffer: a request that failed may still be being written by the transport
// after RoundTrip returned.
type writeTracker struct {
	wrote atomic.Int64
}

// rawWorker is one worker's raw client: its buffers and signing state.
type rawWorker struct {
	c      *rawClient
	sig    *ddbclient.State
	buf    []byte        // request body
	reader bytes.Reader  // over buf
	body   io.ReadCloser // io.NopCloser(&reader): the transport knows it is in memory
	resp   []byte        // response body
	sec    int64         // Unix second date/dateH are for
	date   string
	dateH  []string

	tracker *writeTracker
	sent    int64           // requests sent with tracker
	ctx     context.Context // the caller's context ...
	tctx    context.Context // ... with the tracker's ClientTrace
}

func (rc *rawClient) newWorker() *rawWorker {
	w := &rawWorker{c: rc, sig: rc.signer.NewState(), resp: make([]byte, 0, 4096)}
	w.newBody(4096)
	return w
}

// newBody gives the worker a fresh body buffer, reader and tracker, leaving
// the old ones to a transport that may still be writing them.
func (w *rawWorker) newBody(capacity int) {
	w.buf = make([]byte, 0, capacity)
	w.reader = bytes.Reader{}
	w.body = io.NopCloser(&w.reader)
	w.tracker, w.sent = &writeTracker{}, 0
	w.ctx, w.tctx = nil, nil
}

// reqBuf returns an empty buffer for the next request body: the worker's
// reused buffer once the transport has written every body sent from it.
func (w *rawWorker) reqBuf() []byte {
	if w.tracker.wrote.Load() != w.sent {
		w.newBody(cap(w.buf))
	}
	return w.buf[:0]
}

// traced returns ctx with a ClientTrace reporting written requests to the
// current tracker; it is built once per (context, tracker).
func (w *rawWorker) traced(ctx context.Context) context.Context {
	if ctx != w.ctx || w.tctx == nil {
		t := w.tracker
		w.ctx = ctx
		w.tctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
			WroteRequest: func(httptrace.WroteRequestInfo) { t.wrote.Add(1) },
		})
	}
	return w.tctx
}

// call sends one request with body (built in reqBuf's buffer) and returns
// the body of a 200 answer, valid until the next call.
func (w *rawWorker) call(ctx context.Context, op int, body []byte) ([]byte, error) {
	w.buf = body
	now := time.Now()
	if s := now.Unix(); s != w.sec || w.date == "" {
		w.sec, w.date = s, ddbclient.AmzDate(now)
		w.dateH = []string{w.date}
	}
	h := make(http.Header, 5)
	h["Content-Type"] = rawContentType
	h["X-Amz-Target"] = rawTargetHdrs[op]
	h["X-Amz-Date"] = w.dateH
	if w.c.tokenHdr != nil {
		h["X-Amz-Security-Token"] = w.c.tokenHdr
	}
	h["Authorization"] = []string{w.sig.Authorization(w.date, rawTargets[op], body)}

	w.reader.Reset(body)
	req := (&http.Request{
		Method:        http.MethodPost,
		URL:           w.c.url,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          w.body,
		ContentLength: int64(len(body)),
		Host:          w.c.signer.Host(),
	}).WithContext(w.traced(ctx))
	w.sent++
	resp, err := w.c.tr.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	w.resp, err = readAll(w.resp[:0], resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if v := resp.Header["X-Amz-Crc32"]; len(v) == 1 {
		want, perr := strconv.ParseUint(v[0], 10, 32)
		if perr != nil || uint32(want) != crc32.ChecksumIEEE(w.resp) {
			return nil, errors.New("CRC32Mismatch")
		}
	}
	if resp.StatusCode != http.StatusOK {
		var ht string
		if v := resp.Header["X-Amzn-Errortype"]; len(v) > 0 {
			ht = v[0]
		}
		return nil, parseAPIError(resp.StatusCode, ht, w.resp)
	}
	if !isJSONObject(w.resp) {
		return nil, errMalformed
	}
	return w.resp, nil
}

// readAll appends everything r yields to dst (reusing its capacity).
func readAll(dst []byte, r io.Reader) ([]byte, error) {
	for {
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		n, err := r.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

func (w *rawWorker) put(ctx context.Context, i int) error {
	_, err := w.call(ctx, rawPut, w.c.bodies.putItem(w.reqBuf(), i))
	return err
}

func (w *rawWorker) get(ctx context.Context, i int) (bool, error) {
	resp, err := w.call(ctx, rawGet, w.c.bodies.getItem(w.reqBuf(), i))
	if err != nil {
		return false, err
	}
	return hasMember(resp, "Item"), nil
}

func (w *rawWorker) query(ctx context.Context, partition int) (int, error) {
	return w.counted(ctx, rawQuery, w.c.bodies.query(w.reqBuf(), partition))
}

func (w *rawWorker) scan(ctx context.Context) (int, error) {
	return w.counted(ctx, rawScan, w.c.bodies.scan(w.reqBuf()))
}

// counted runs a Query or Scan and returns its Count, which must be there.
func (w *rawWorker) counted(ctx context.Context, op int, body []byte) (int, error) {
	resp, err := w.call(ctx, op, body)
	if err != nil {
		return 0, err
	}
	n, ok := intMember(resp, "Count")
	if !ok {
		return 0, errMalformed
	}
	return n, nil
}

func (w *rawWorker) update(ctx context.Context, i int, u int64) error {
	_, err := w.call(ctx, rawUpdate, w.c.bodies.updateItem(w.reqBuf(), i, u))
	return err
}

func (w *rawWorker) deleteItem(ctx context.Context, i int) error {
	_, err := w.call(ctx, rawDelete, w.c.bodies.deleteItem(w.reqBuf(), i))
	return err
}

func (w *rawWorker) batchWrite(ctx context.Context, idx []int) error {
	resp, err := w.call(ctx, rawBatchWrite, w.c.bodies.batchWriteItem(w.reqBuf(), idx))
	if err != nil {
		return err
	}
	if !emptyObjectMember(resp, "UnprocessedItems") {
		return errors.New("UnprocessedItems")
	}
	return nil
}

func (w *rawWorker) batchGet(ctx context.Context, idx []int) (int, error) {
	resp, err := w.call(ctx, rawBatchGet, w.c.bodies.batchGetItem(w.reqBuf(), idx))
	if err != nil {
		return 0, err
	}
	if !emptyObjectMember(resp, "UnprocessedKeys") {
		return 0, errors.New("UnprocessedKeys")
	}
	if !hasMember(resp, "Responses") {
		return 0, errMalformed
	}
	return countItems(resp, w.c.table), nil
}
