// Package dynamodb implements the DynamoDB API (awsJson1_0, target prefix
// DynamoDB_20120810): per-operation wire types, request validation with
// DynamoDB's messages, and the translation of each operation into engine calls.
package dynamodb

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Config holds what the API needs besides the engine.
type Config struct {
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Backups serves the backup operations; nil refuses them.
	Backups Backups
	// PITR serves the continuous-backup operations and DeleteTable; nil
	// refuses the former and deletes tables directly.
	PITR PITR
}

// API serves DynamoDB operations.
type API struct {
	eng *engine.Engine
	cfg Config
	ops map[string]opFunc
}

// now is the current time for the API: the engine's clock, so tests can
// move it (it also starts a ClientRequestToken's ten minutes, and the
// engine checks the record's expiry by it). Nothing in the API reads the
// real clock directly.
func (a *API) now() time.Time { return a.eng.Now() }

// opFunc handles one operation: body is the raw JSON request; the result is
// marshalled as the response body.
type opFunc func(ctx context.Context, body []byte) (any, error)

// New builds the API over an engine.
func New(eng *engine.Engine, cfg Config) *API {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	a := &API{eng: eng, cfg: cfg, ops: map[string]opFunc{}}
	a.registerTableOps()
	a.registerItemOps()
	a.registerTransactOps()
	a.registerTTLOps()
	a.registerBackupOps()
	a.registerPITROps()
	return a
}

// Has reports whether op is a known operation.
func (a *API) Has(op string) bool { _, ok := a.ops[op]; return ok }

// Call runs one operation. Errors are always *Error.
func (a *API) Call(ctx context.Context, op string, body []byte) (any, *Error) {
	f, ok := a.ops[op]
	if !ok {
		return nil, Service("UnknownOperationException", "")
	}
	out, err := f(ctx, body)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		if tableUnavailable(err) {
			// A table deleted or not ready under an operation that did not
			// map the engine's error: report it as the item operations do.
			return nil, Dynamo("ResourceNotFoundException", msgItemTableNotFound)
		}
		a.cfg.Logger.Error("internal error", "op", op, "err", err)
		return nil, Internal("Internal server error")
	}
	return out, nil
}

// decode unmarshals a request body, turning JSON errors into the
// SerializationException / ValidationException DynamoDB returns.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return decodeError(inRequest(err, body, v))
	}
	return nil
}

// table returns the catalog record of an existing table, or the
// ResourceNotFoundException item operations return for a missing table.
func (a *API) table(ctx context.Context, name string) (*engine.Table, error) {
	t, err := a.eng.Table(ctx, name)
	if err != nil {
		return nil, tableGone(err)
	}
	return t, nil
}
