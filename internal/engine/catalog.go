package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/kv"
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
	items  keySpace  // the items' key space (prefix, schema)
	// hasLSI is true if the table has local secondary indexes (which
	// exist only from CreateTable, so this never changes): its writes
	// then maintain item collection sizes.
	hasLSI bool

	// rec is the current record; replaced (never modified) under Engine.catMu.
	rec *Table
	// nextIndexID is the id the table's next index gets (ids are never
	// reused); guarded by Engine.catMu.
	nextIndexID uint32
	// layout is what writes maintain; replaced (never modified) under
	// Engine.catMu while holding life exclusively.
	layout atomic.Pointer[tableLayout]

	// life orders writes against DeleteTable and layout changes: writers
	// hold it shared while they write; DeleteTable and layout changes hold
	// it exclusively, so every write sees one layout and none lands after
	// the table's keys are removed.
	life    sync.RWMutex
	deleted bool // guarded by life
	// refs tracks the reference records of the table's change log.
	refs refTracker
	// loadEpoch changes (under life, held exclusively) when a restore is
	// reset or ended: a Loader of an older epoch can no longer commit.
	loadEpoch uint64

	stats liveStats
}

func newTableState(rec *Table) (*tableState, error) {
	id, err := uuid.Parse(rec.ID)
	if err != nil {
		return nil, fmt.Errorf("engine: table %q has a bad id: %w", rec.Name, err)
	}
	ks := rec.clone().KeySchema
	ts := &tableState{
		name:   rec.Name,
		id:     id,
		prefix: itemsPrefix(id),
		schema: ks,
		items:  keySpace{prefix: itemsPrefix(id), hash: ks.Hash, rng: ks.Range},
		hasLSI: slices.ContainsFunc(rec.Indexes, func(ix Index) bool { return ix.Local }),
		rec:    rec,
	}
	l := &tableLayout{capture: rec.ChangeCapture}
	for _, ix := range rec.Indexes {
		l.indexes = append(l.indexes, newIndexState(id, ts.keyAttrs(), ix))
	}
	if rec.TTL != nil && rec.TTL.Enabled {
		l.ttl = &ttlConfig{attr: rec.TTL.AttributeName}
	}
	ts.layout.Store(l)
	return ts, nil
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
		rec, next, err := decodeTable(v)
		if err != nil {
			return err
		}
		ts, err := newTableState(rec)
		if err != nil {
			return err
		}
		ts.nextIndexID = next
		if err := e.loadStats(ts); err != nil {
			return err
		}
		if err := e.observeChangeLog(ts); err != nil {
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

// CreateTable records a new table with a new TableId, and its secondary
// indexes (spec.Indexes) with ids 1, 2, ... The returned copy says
// CREATING for the table and its indexes (as DynamoDB's response does);
// the stored table and indexes are ACTIVE at once, since there is nothing
// to provision or build. With spec.Restore the table is a restore target:
// it and its indexes are stored CREATING, with Restore.InProgress, until
// FinishRestore (see NewLoader). ErrTableExists if the name is taken (in
// any status); ErrInvalidIndex or ErrIndexExists for an index the engine
// cannot store.
func (e *Engine) CreateTable(ctx context.Context, spec TableSpec) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkKeySchema(spec.KeySchema); err != nil {
		return nil, err
	}
	for i, ix := range spec.Indexes {
		if err := checkIndexSpec(spec.KeySchema, ix, true); err != nil {
			return nil, err
		}
		if slices.ContainsFunc(spec.Indexes[:i], func(o IndexSpec) bool { return o.Name == ix.Name }) {
			return nil, fmt.Errorf("%w: %s", ErrIndexExists, ix.Name)
		}
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	if _, ok := e.tables[spec.Name]; ok {
		return nil, fmt.Errorf("%w: %s", ErrTableExists, spec.Name)
	}
	rec := (&Table{TableSpec: spec}).clone()
	rec.TableSpec.Indexes = nil
	rec.ID = uuid.NewString()
	rec.ARN = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", e.region, e.account, spec.Name)
	rec.Status = StatusActive
	ixStatus := IndexActive
	if rec.Restore != nil {
		rec.Status, ixStatus = StatusCreating, IndexCreating
		rec.Restore.InProgress = true
	}
	rec.CreatedAt = e.clock.Now()
	for i, is := range spec.Indexes {
		rec.Indexes = append(rec.Indexes, newIndex(rec, uint32(i+1), is, ixStatus, false, rec.CreatedAt))
	}
	ts, err := newTableState(rec.clone())
	if err != nil {
		return nil, err
	}
	ts.nextIndexID = uint32(len(rec.Indexes) + 1)
	if err := e.putRecord(ts, rec); err != nil {
		return nil, err
	}
	e.tables[rec.Name] = ts
	e.log.Info("table created", "table", rec.Name, "id", rec.ID, "indexes", len(rec.Indexes), "restore", rec.Restore != nil)
	out := rec.clone()
	out.Status = StatusCreating
	for i := range out.Indexes {
		out.Indexes[i].Status = IndexCreating
	}
	return out, nil
}

// newIndex returns a new index of table t with the given id.
func newIndex(t *Table, id uint32, spec IndexSpec, status string, backfilling bool, now time.Time) Index {
	return Index{
		IndexSpec:   cloneIndexSpec(spec),
		ID:          id,
		ARN:         t.ARN + "/index/" + spec.Name,
		Status:      status,
		Backfilling: backfilling,
		CreatedAt:   now,
	}
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

// putRecord durably stores rec, the catalog record of ts.
func (e *Engine) putRecord(ts *tableState, rec *Table) error {
	b := e.db.NewBatch()
	if err := e.addRecord(b, ts, rec); err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}

// addRecord puts rec, the catalog record of ts, into batch b.
func (e *Engine) addRecord(b *kv.Batch, ts *tableState, rec *Table) error {
	v, err := encodeTable(rec, ts.nextIndexID)
	if err != nil {
		return err
	}
	return b.Set(e.catalogKey(rec.Name), v)
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
// fn may not change Name, ID, ARN, CreatedAt, KeySchema, the TTL setting
// or the set of indexes and their definitions, only their throughput
// (AddIndex, DeleteIndex and UpdateTTL change those). Updates take effect
// at once, so the stored Status (of the table and of its indexes) is kept;
// a Status fn sets (say UPDATING, for the response) appears only in the
// returned copy. ErrTableNotReady while the table is CREATING.
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
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	old := ts.rec
	upd := old.clone()
	if err := fn(upd); err != nil {
		return nil, err
	}
	if upd.Name != old.Name || upd.ID != old.ID || upd.ARN != old.ARN ||
		!upd.CreatedAt.Equal(old.CreatedAt) || !sameKeySchema(upd.KeySchema, old.KeySchema) ||
		!sameTTL(upd, old) || !sameIndexes(upd.Indexes, old.Indexes) ||
		upd.ChangeCapture != old.ChangeCapture || upd.ChangeCaptureFrom != old.ChangeCaptureFrom {
		return nil, fmt.Errorf("engine: UpdateTable(%s): name, id, ARN, creation time, key schema, TTL, change capture and index definitions are immutable", name)
	}
	out := upd.clone()
	upd.Status = StatusActive
	upd.TableSpec.Indexes = nil
	for i := range upd.Indexes {
		upd.Indexes[i].Status = old.Indexes[i].Status
	}
	if err := e.putRecord(ts, upd); err != nil {
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

// sameTTL reports whether two records have the same TTL state.
func sameTTL(a, b *Table) bool {
	if a.TTLBackfilling != b.TTLBackfilling || (a.TTL == nil) != (b.TTL == nil) {
		return false
	}
	return a.TTL == nil || *a.TTL == *b.TTL
}

// sameIndexes reports whether two index lists are the same indexes with
// the same definitions, ignoring throughput and Status.
func sameIndexes(a, b []Index) bool {
	return slices.EqualFunc(a, b, func(x, y Index) bool {
		return x.Name == y.Name && x.ID == y.ID && x.ARN == y.ARN && x.Local == y.Local &&
			x.Backfilling == y.Backfilling && x.CreatedAt.Equal(y.CreatedAt) &&
			sameKeySchema(x.KeySchema, y.KeySchema) && x.Projection.Type == y.Projection.Type &&
			slices.Equal(x.Projection.NonKeyAttributes, y.Projection.NonKeyAttributes)
	})
}

// DeleteTable removes the table and all its keys (items, index entries,
// TTL entries, statistics, item collection sizes, change log) in one
// atomic commit and returns the record as it was, with Status DELETING,
// for the response. It waits for writes in progress on the table; later
// ones get ErrTableNotFound. ErrDeletionProtected if the table has
// deletion protection on; ErrTableNotReady while it is CREATING
// (DropRestore removes a restore target).
func (e *Engine) DeleteTable(ctx context.Context, name string) (*Table, error) {
	t, _, err := e.deleteTable(ctx, name, false)
	return t, err
}

// deleteTable is DeleteTable, also pinning the table's last state if pin.
func (e *Engine) deleteTable(ctx context.Context, name string, pin bool) (*Table, *TableSnapshot, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[name]
	if !ok {
		return nil, nil, fmt.Errorf("%w: %s", ErrTableNotFound, name)
	}
	if err := ts.checkReady(); err != nil {
		return nil, nil, err
	}
	if ts.rec.DeletionProtection {
		return nil, nil, fmt.Errorf("%w: %s", ErrDeletionProtected, name)
	}
	snap, err := e.dropTable(ts, pin)
	if err != nil {
		return nil, nil, err
	}
	e.log.Info("table deleted", "table", name, "id", ts.rec.ID)
	out := ts.rec.clone()
	out.Status = StatusDeleting
	return out, snap, nil
}

// dropTable removes the table's catalog record and all its keys in one
// commit, holding its life lock, and forgets the table. If pin, it first
// pins the table's last state (no write can land between) and returns it.
// Callers hold catMu.
func (e *Engine) dropTable(ts *tableState, pin bool) (*TableSnapshot, error) {
	ts.life.Lock()
	defer ts.life.Unlock()
	var snap *TableSnapshot
	if pin {
		var err error
		if snap, err = e.pinTable(ts, true); err != nil {
			return nil, err
		}
	}
	b := e.db.NewBatch()
	err := deleteTableKeys(b, ts)
	if err == nil {
		err = b.Delete(e.catalogKey(ts.name))
	}
	if err != nil {
		b.Close()
	} else {
		err = b.Commit()
	}
	if err != nil {
		if snap != nil {
			snap.Close()
		}
		return nil, err
	}
	ts.deleted = true
	delete(e.tables, ts.name)
	e.notifyCatalog()
	return snap, nil
}

// deleteTableKeys adds to b the deletion of every key of the table but its
// catalog record: items, index entries, TTL entries, item collection sizes,
// statistics and the change log.
func deleteTableKeys(b *kv.Batch, ts *tableState) error {
	for _, p := range []byte{prefixItems, prefixIndex, prefixTTL, prefixCollection, prefixStats, prefixChangeLog} {
		tp := tablePrefix(p, ts.id)
		if err := b.DeleteRange(tp, prefixEnd(tp)); err != nil {
			return err
		}
	}
	return nil
}
