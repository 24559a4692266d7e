package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
)

// The data-plane client: DynamoDB's JSON protocol over plain net/http with
// the cheap SigV4 signer bench/load uses too (bench/internal/ddbclient), so
// that on a 2-core
// machine the load generator leaves as much CPU as it can to the server.
// Request bodies are appended by hand (items.go); answers are checked, not
// decoded (status 200, and the one member an operation needs).

// Targets of the data-plane operations.
const (
	targetPutItem        = "DynamoDB_20120810.PutItem"
	targetGetItem        = "DynamoDB_20120810.GetItem"
	targetBatchWriteItem = "DynamoDB_20120810.BatchWriteItem"
)

// rawClient is shared by the workers: the endpoint, the connection pool and
// the signer. Each worker signs with its own rawWorker.
type rawClient struct {
	url    *url.URL
	signer *ddbclient.Signer
	hc     *http.Client
}

// newRawClient returns a client for endpoint sized for conns concurrent
// requests (each worker keeps its connection alive between requests).
func newRawClient(endpoint, region, accessKey, secretKey string, conns int, timeout time.Duration) (*rawClient, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	if u.Path == "" {
		u.Path = "/"
	}
	idle := 2*conns + 8
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          idle,
		MaxIdleConnsPerHost:   idle,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
	return &rawClient{
		url:    u,
		signer: ddbclient.NewSigner(u, accessKey, secretKey, "", region, ddbclient.Service),
		hc:     &http.Client{Transport: tr},
	}, nil
}

// close drops the idle connections.
func (c *rawClient) close() { c.hc.CloseIdleConnections() }

// rawWorker is one worker's signing state and response buffer; not safe for
// concurrent use.
type rawWorker struct {
	c    *rawClient
	sig  *ddbclient.State
	resp bytes.Buffer
}

func (c *rawClient) newWorker() *rawWorker {
	return &rawWorker{c: c, sig: c.signer.NewState()}
}

// retryable reports whether err is worth retrying in the loader: a
// throttle, a 5xx or a transport error (not a validation error).
func retryable(err error) bool {
	var ae *ddbclient.APIError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || strings.Contains(ae.Code, "Throttl") || strings.Contains(ae.Code, "LimitExceeded")
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// errorCode returns a short name for err, for counting errors by kind.
func errorCode(err error) string {
	var ae *ddbclient.APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	return "transport"
}

// call POSTs body with X-Amz-Target target and returns a 200 answer's body,
// valid until the worker's next call.
func (w *rawWorker) call(ctx context.Context, target string, body []byte) ([]byte, error) {
	date := ddbclient.AmzDate(time.Now())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.c.url.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Host = w.c.signer.Host()
	h := req.Header
	h["Content-Type"] = []string{ddbclient.JSONContentType}
	h["X-Amz-Target"] = []string{target}
	h["X-Amz-Date"] = []string{date}
	h["Authorization"] = []string{w.sig.Authorization(date, target, body)}
	resp, err := w.c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	w.resp.Reset()
	if _, err := io.Copy(&w.resp, resp.Body); err != nil {
		return nil, err
	}
	b := w.resp.Bytes()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(b, &e)
		code := e.Type
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
		if code == "" {
			code = fmt.Sprintf("HTTP%d", resp.StatusCode)
		}
		return nil, &ddbclient.APIError{Status: resp.StatusCode, Code: code, Message: e.Message}
	}
	return b, nil
}

// errUnprocessed is a BatchWriteItem answer with UnprocessedItems left.
var errUnprocessed = errors.New("UnprocessedItems")

// batchWrite sends one BatchWriteItem body; UnprocessedItems left over is
// errUnprocessed (the loader resends the whole batch: puts are idempotent).
func (w *rawWorker) batchWrite(ctx context.Context, body []byte) error {
	resp, err := w.call(ctx, targetBatchWriteItem, body)
	if err != nil {
		return err
	}
	var out struct {
		UnprocessedItems map[string]json.RawMessage `json:"UnprocessedItems"`
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		return fmt.Errorf("BatchWriteItem: bad answer: %w", err)
	}
	if len(out.UnprocessedItems) > 0 {
		return errUnprocessed
	}
	return nil
}

// errNotFound is a GetItem that found no item (every key the benchmark
// reads exists, so this is an error).
var errNotFound = errors.New("ItemNotFound")

// getItem sends a GetItem body and checks that the item came back.
func (w *rawWorker) getItem(ctx context.Context, body []byte) error {
	resp, err := w.call(ctx, targetGetItem, body)
	if err != nil {
		return err
	}
	if !bytes.Contains(resp, []byte(`"Item"`)) {
		return errNotFound
	}
	return nil
}

// putItem sends a PutItem body.
func (w *rawWorker) putItem(ctx context.Context, body []byte) error {
	_, err := w.call(ctx, targetPutItem, body)
	return err
}

// batchWriteRetry sends a BatchWriteItem body until it is fully processed,
// backing off on throttles and server errors (for loading, not measuring).
func (w *rawWorker) batchWriteRetry(ctx context.Context, body []byte) error {
	backoff := 10 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := w.batchWrite(ctx, body)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if (!errors.Is(err, errUnprocessed) && !retryable(err)) || attempt >= 20 {
			return err
		}
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(2*backoff, time.Second)
	}
}
