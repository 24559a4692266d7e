package server

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/dynamodb"
)

// maxBodyBytes caps request bodies as DynamoDB does (16 MB); larger requests get 413.
const maxBodyBytes = 16 << 20

const dynamoTargetPrefix = "DynamoDB_20120810."

type router struct {
	cfg      Config
	api      *dynamodb.API
	log      *slog.Logger
	health   string
	activity *activity
}

func newRouter(cfg Config, api *dynamodb.API, act *activity) http.Handler {
	return &router{cfg: cfg, api: api, log: cfg.Logger, activity: act,
		health: "healthy: dynamodb." + cfg.Region + ".amazonaws.com "}
}

func (rt *router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	case r.Method == http.MethodGet && r.URL.Path == "/":
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, rt.health)
	default:
		rt.serveAPI(w, r)
	}
}

// serveAPI handles awsJson1_0 calls: POST / with X-Amz-Target.
func (rt *router) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newRequestID()
	w.Header().Set("x-amzn-RequestId", reqID)
	if r.Header.Get("Origin") != "" {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amz-crc32")
		if r.Method == http.MethodOptions {
			if h := r.Header.Get("Access-Control-Request-Headers"); h != "" {
				w.Header().Set("Access-Control-Allow-Headers", h)
			}
			if m := r.Header.Get("Access-Control-Request-Method"); m != "" {
				w.Header().Set("Access-Control-Allow-Methods", m)
			}
			w.Header().Set("Access-Control-Max-Age", "172800")
			w.WriteHeader(http.StatusOK)
			return
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if r.Method != http.MethodPost || (len(body) > 0 && ct != "application/json" && ct != "application/x-amz-json-1.0") {
		// What DynamoDB answers to anything that is not an awsJson request.
		writeRaw(w, http.StatusNotFound, "application/x-amz-json-1.0", []byte("<UnknownOperationException/>\n"))
		return
	}
	respCT := "application/x-amz-json-1.0"
	if ct == "application/json" {
		respCT = ct
	}
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, dynamoTargetPrefix)
	if !ok || !rt.api.Has(op) {
		rt.writeError(w, respCT, dynamodb.Service("UnknownOperationException", ""))
		return
	}
	if dataPlane[op] {
		rt.activity.touch()
	}
	if e := authenticate(r); e != nil {
		rt.writeError(w, respCT, e)
		return
	}
	if len(body) == 0 {
		rt.writeError(w, respCT, dynamodb.Service("SerializationException", ""))
		return
	}
	start := time.Now()
	out, apiErr := rt.api.Call(r.Context(), op, body)
	if apiErr != nil {
		rt.log.Debug("request failed", "op", op, "request_id", reqID, "type", apiErr.Type, "msg", apiErr.Message)
		rt.writeError(w, respCT, apiErr)
		return
	}
	buf, err := marshalResponse(out)
	if err != nil {
		rt.log.Error("encode response", "op", op, "request_id", reqID, "err", err)
		rt.writeError(w, respCT, dynamodb.Internal("Internal server error"))
		return
	}
	writeRaw(w, http.StatusOK, respCT, buf)
	if d := time.Since(start); d > time.Second {
		rt.log.Info("slow request", "op", op, "request_id", reqID, "duration", d)
	}
}

// marshalResponse encodes an operation's output; a nil output is "{}".
func marshalResponse(out any) ([]byte, error) {
	if out == nil {
		return []byte("{}"), nil
	}
	if m, ok := out.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	return json.Marshal(out)
}

// errorBody is the awsJson error document. DynamoDB spells the message member
// "message", except on the errors whose model member is "Message"
// (TransactionCanceledException and the Coral AccessDeniedException).
type errorBody struct {
	Type                string `json:"__type"`
	Message             string `json:"message,omitempty"`
	CapitalMessage      string `json:"Message,omitempty"`
	Item                any    `json:"Item,omitempty"`
	CancellationReasons any    `json:"CancellationReasons,omitempty"`
}

func (rt *router) writeError(w http.ResponseWriter, ct string, e *dynamodb.Error) {
	body := errorBody{Type: e.Type, Item: e.Item, CancellationReasons: e.CancellationReasons}
	if strings.HasSuffix(e.Type, "#TransactionCanceledException") || strings.HasSuffix(e.Type, "#AccessDeniedException") {
		body.CapitalMessage = e.Message
	} else {
		body.Message = e.Message
	}
	buf, err := json.Marshal(body)
	if err != nil {
		buf = []byte(`{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}`)
	}
	writeRaw(w, e.Status, ct, buf)
}

// writeRaw writes a body with its length and CRC32 (clients verify x-amz-crc32).
func writeRaw(w http.ResponseWriter, status int, ct string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amz-crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRequestID returns a 52-character id in the style of DynamoDB's.
func newRequestID() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return idEncoding.EncodeToString(b[:])[:52]
}
