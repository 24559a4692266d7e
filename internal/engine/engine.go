package engine

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Options configure an Engine.
type Options struct {
	Dir       string // Pebble directory
	Region    string // for ARNs
	AccountID string // for ARNs
	// Clock: injectable clock (internal/clock); nil means the real clock.
}

// Engine is the table store. Safe for concurrent use.
type Engine struct{}

// Open opens (creating if needed) the store in opts.Dir.
func Open(opts Options) (*Engine, error) { panic("unimplemented") }

// Close flushes and closes the store.
func (e *Engine) Close() error { panic("unimplemented") }

// CreateTable records a new table (status CREATING, becoming ACTIVE shortly after).
// ErrTableExists if the name is taken (in any status).
func (e *Engine) CreateTable(ctx context.Context, spec TableSpec) (*Table, error) {
	panic("unimplemented")
}

// Table returns the catalog record of a table by name, or ErrTableNotFound.
func (e *Engine) Table(ctx context.Context, name string) (*Table, error) { panic("unimplemented") }

// Stats returns a table's live item count and size.
func (e *Engine) Stats(ctx context.Context, t *Table) (TableStats, error) { panic("unimplemented") }

// ListTables returns table names in ascending order.
func (e *Engine) ListTables(ctx context.Context) ([]string, error) { panic("unimplemented") }

// UpdateTable applies fn to a copy of the record and stores it atomically.
func (e *Engine) UpdateTable(ctx context.Context, name string, fn func(t *Table) error) (*Table, error) {
	panic("unimplemented")
}

// DeleteTable removes the table and all its items; returns the record as it was
// (with Status DELETING) for the response.
func (e *Engine) DeleteTable(ctx context.Context, name string) (*Table, error) {
	panic("unimplemented")
}

// GetItem reads one item by its full primary key; nil if absent.
func (e *Engine) GetItem(ctx context.Context, table string, key attr.Item) (attr.Item, error) {
	panic("unimplemented")
}

// Mutate applies one MutateFunc atomically and durably (synced before return).
func (e *Engine) Mutate(ctx context.Context, table string, key attr.Item, fn MutateFunc) (MutationResult, error) {
	panic("unimplemented")
}

// MutateMany applies several mutations (distinct items) as one atomic, durable
// commit: every Fn runs under all the locks; if any returns an error nothing is
// written and errs[i] holds each Fn's error (nil for those that succeeded).
func (e *Engine) MutateMany(ctx context.Context, muts []Mutation) (results []MutationResult, errs []error, err error) {
	panic("unimplemented")
}

// Query visits the items of one partition in sort-key order (or reverse).
func (e *Engine) Query(ctx context.Context, table string, q QuerySpec, visit VisitFunc) error {
	panic("unimplemented")
}

// Scan visits the items of a table (or one segment of it) in storage order.
func (e *Engine) Scan(ctx context.Context, table string, s ScanSpec, visit VisitFunc) error {
	panic("unimplemented")
}
