package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/google/uuid"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Table statuses.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"
)

// tableState is the in-memory catalog entry of a live table.
type tableState struct {
	name   string
	id     uuid.UUID
	prefix []byte    // itemsPrefix(id)
	schema KeySchema // immutable

	// rec is the current record; replaced (never modified) under Engine.catMu.
	rec *Table

	// life orders writes against DeleteTable: writers hold it shared while
	// they write; DeleteTable holds it exclusively, so no write lands after
	// the table's keys are removed.
	life    sync.RWMutex
	deleted bool // guarded by life

	stats liveStats
}

func newTableState(rec *Table) (*tableState, error) {
	id, err := uuid.Parse(rec.ID)
	if err != nil {
		return nil, fmt.Errorf("engine: table %q has a bad id: %w", rec.Name, err)
	}
	return &tableState{name: rec.Name, id: id, prefix: itemsPrefix(id), schema: rec.clone().KeySchema, rec: rec}, nil
}

// catalogPrefix is the key prefix of this engine's (account, region)
// namespace of table records.
func (e *Engine) catalogPrefix() []byte {
	return fmt.Appendf(nil, "%ctable/%s/%s/", prefixCatalog, e.account, e.region)
}

func (e *Engine) catalogKey(name string) []byte {
	return append(e.catalogPrefix(), name...)
}

// loadCatalog fills the table cache (records and stats) at Open.
func (e *Engine) loadCatalog() error {
	p := e.catalogPrefix()
	it, err := e.db.NewIter(p, prefixEnd(p))
	if err != nil {
		return err
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			return err
		}
		rec, err := decodeTable(v)
		if err != nil {
			return err
		}
		ts, err := newTableState(rec)
		if err != nil {
			return err
		}
		if err := e.loadStats(ts); err != nil {
			return err
		}
		e.tables[rec.Name] = ts
	}
	return it.Error()
}

// lookup returns the live entry of a table, or ErrTableNotFound.
func (e *Engine) lookup(name string) (*tableState, error) {
	e.catMu.RLock()
	defer e.catMu.RUnlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	return ts, nil
}

// CreateTable records a new table with a new TableId. The returned copy
// says CREATING (as DynamoDB's response does); the stored table is ACTIVE at
// once, since there is nothing to provision. ErrTableExists if the name is
// taken (in any status).
func (e *Engine) CreateTable(ctx context.Context, spec TableSpec) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkKeySchema(spec.KeySchema); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	if _, ok := e.tables[spec.Name]; ok {
		return nil, fmt.Errorf("%w: %s", ErrTableExists, spec.Name)
	}
	rec := (&Table{TableSpec: spec}).clone()
	rec.ID = uuid.NewString()
	rec.ARN = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", e.region, e.account, spec.Name)
	rec.Status = StatusActive
	rec.CreatedAt = e.clock.Now()
	ts, err := newTableState(rec)
	if err != nil {
		return nil, err
	}
	if err := e.putRecord(rec); err != nil {
		return nil, err
	}
	e.tables[rec.Name] = ts
	e.log.Info("table created", "table", rec.Name, "id", rec.ID)
	out := rec.clone()
	out.Status = StatusCreating
	return out, nil
}

// checkKeySchema rejects key schemas the key encoding cannot store.
func checkKeySchema(ks KeySchema) error {
	for _, a := range []*KeyAttr{&ks.Hash, ks.Range} {
		if a == nil {
			continue
		}
		if a.Name == "" || (a.Type != attr.KindS && a.Type != attr.KindN && a.Type != attr.KindB) {
			return fmt.Errorf("%w: key attribute %q of type %q", ErrInvalidKey, a.Name, a.Type)
		}
	}
	return nil
}

// putRecord durably stores a catalog record.
func (e *Engine) putRecord(rec *Table) error {
	v, err := encodeTable(rec)
	if err != nil {
		return err
	}
	b := e.db.NewBatch()
	if err := b.Set(e.catalogKey(rec.Name), v); err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}

// Table returns the catalog record of a table by name, or ErrTableNotFound.
func (e *Engine) Table(ctx context.Context, name string) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.RLock()
	defer e.catMu.RUnlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	return ts.rec.clone(), nil
}

// ListTables returns table names in ascending order.
func (e *Engine) ListTables(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.RLock()
	names := make([]string, 0, len(e.tables))
	for n := range e.tables {
		names = append(names, n)
	}
	e.catMu.RUnlock()
	slices.Sort(names)
	return names, nil
}

// UpdateTable applies fn to a copy of the record and stores it atomically.
// fn may not change Name, ID, ARN, CreatedAt or KeySchema. Updates take
// effect at once, so the stored Status stays ACTIVE; a Status fn sets (say
// UPDATING, for the response) appears only in the returned copy.
func (e *Engine) UpdateTable(ctx context.Context, name string, fn func(t *Table) error) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	old := ts.rec
	upd := old.clone()
	if err := fn(upd); err != nil {
		return nil, err
	}
	if upd.Name != old.Name || upd.ID != old.ID || upd.ARN != old.ARN ||
		!upd.CreatedAt.Equal(old.CreatedAt) || !sameKeySchema(upd.KeySchema, old.KeySchema) {
		return nil, fmt.Errorf("engine: UpdateTable(%s): name, id, ARN, creation time and key schema are immutable", name)
	}
	out := upd.clone()
	upd.Status = StatusActive
	if err := e.putRecord(upd); err != nil {
		return nil, err
	}
	ts.rec = upd
	return out, nil
}

func sameKeySchema(a, b KeySchema) bool {
	if a.Hash != b.Hash || (a.Range == nil) != (b.Range == nil) {
		return false
	}
	return a.Range == nil || *a.Range == *b.Range
}

// DeleteTable removes the table and all its items in one atomic commit and
// returns the record as it was, with Status DELETING, for the response. It
// waits for writes in progress on the table; later ones get
// ErrTableNotFound. ErrDeletionProtected if the table has deletion
// protection on.
func (e *Engine) DeleteTable(ctx context.Context, name string) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	if ts.rec.DeletionProtection {
		return nil, fmt.Errorf("%w: %s", ErrDeletionProtected, name)
	}
	ts.life.Lock()
	defer ts.life.Unlock()
	b := e.db.NewBatch()
	err := b.DeleteRange(ts.prefix, prefixEnd(ts.prefix))
	if err == nil {
		err = b.Delete(statsKey(ts.id))
	}
	if err == nil {
		err = b.Delete(e.catalogKey(name))
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	if err := b.Commit(); err != nil {
		return nil, err
	}
	ts.deleted = true
	delete(e.tables, name)
	e.log.Info("table deleted", "table", name, "id", ts.rec.ID)
	out := ts.rec.clone()
	out.Status = StatusDeleting
	return out, nil
}
