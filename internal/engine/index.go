package engine

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Projection types: which attributes an index entry holds besides the
// table's and the index's key attributes.
const (
	ProjectionAll      = "ALL"       // every attribute of the item
	ProjectionKeysOnly = "KEYS_ONLY" // only the key attributes
	ProjectionInclude  = "INCLUDE"   // the keys plus NonKeyAttributes
)

// Index statuses (DynamoDB's IndexStatus).
const (
	IndexCreating = "CREATING"
	IndexActive   = "ACTIVE"
	IndexDeleting = "DELETING"
	IndexUpdating = "UPDATING"
)

// Projection says which attributes an index holds.
type Projection struct {
	Type             string   // ProjectionAll, ProjectionKeysOnly or ProjectionInclude
	NonKeyAttributes []string // for ProjectionInclude
}

// IndexSpec declares a secondary index. Validation of names, limits and
// attribute definitions happens in the dynamodb layer; the engine refuses
// only what it cannot store (ErrInvalidIndex) and duplicate names
// (ErrIndexExists).
type IndexSpec struct {
	Name string
	// Local is true for a local secondary index: its partition key is the
	// table's, and it exists only if declared at CreateTable.
	Local      bool
	KeySchema  KeySchema
	Projection Projection
	// Provisioned throughput of a GSI (recorded, not enforced).
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

// Index is a secondary index of a table, as recorded in the catalog.
type Index struct {
	IndexSpec
	// ID is the index's internal id within its table: stable for the
	// index's life and never reused by the table, so entries of a deleted
	// index can never be mistaken for a new one's.
	ID  uint32
	ARN string // table ARN + "/index/" + name
	// Status is IndexCreating while a GSI added by AddIndex is being
	// built, IndexActive when complete (DeleteIndex and UpdateTable
	// responses may say IndexDeleting or IndexUpdating).
	Status string
	// Backfilling is true while the index is being built from the items
	// already in the table.
	Backfilling bool
	CreatedAt   time.Time
}

// ItemCollectionSizeLimit is the largest item collection (see
// ItemCollectionSize) a write may produce on a table with local secondary
// indexes: 10 GB, as in DynamoDB. Tests may lower it.
var ItemCollectionSizeLimit int64 = 10 << 30

// indexEntryOverhead is the per-entry overhead DynamoDB counts for an index
// entry (100 bytes), on top of the projected item's size.
const indexEntryOverhead = 100

// AddIndex adds a global secondary index to an existing table. The index
// is recorded with Status IndexCreating and Backfilling true and is
// maintained by every write from then on, while a background goroutine
// builds its entries for the items already there; when that is done the
// index becomes IndexActive. The returned record shows the new index. A
// build interrupted by Close or a crash restarts at the next Open.
// ErrIndexExists if the table has an index of that name; ErrInvalidIndex
// for a local index (LSIs can only be declared at CreateTable) or a spec
// the engine cannot store.
func (e *Engine) AddIndex(ctx context.Context, table string, spec IndexSpec) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[table]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	if err := checkIndexSpec(ts.schema, spec, false); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(ts.rec.Indexes, func(ix Index) bool { return ix.Name == spec.Name }) {
		return nil, fmt.Errorf("%w: %s on table %s", ErrIndexExists, spec.Name, table)
	}
	rec := ts.rec.clone()
	ix := newIndex(rec, ts.nextIndexID, spec, IndexCreating, true, e.clock.Now())
	ts.nextIndexID++ // consumed even if the write fails: ids need only be unique
	rec.Indexes = append(rec.Indexes, ix)
	is := newIndexState(ts.id, ts.keyAttrs(), ix)
	ts.life.Lock()
	err := e.putRecord(ts, rec)
	if err == nil {
		l := ts.layout.Load()
		ts.layout.Store(l.withIndexes(append(slices.Clone(l.indexes), is)))
	}
	ts.life.Unlock()
	if err != nil {
		return nil, err
	}
	ts.rec = rec
	e.startBackfill(backfillJob{ts: ts, index: is})
	e.log.Info("index added", "table", table, "index", spec.Name, "id", ix.ID)
	return rec.clone(), nil
}

// DeleteIndex removes a global secondary index: in one commit its entries
// and statistics are deleted and it disappears from the table's record;
// writes stop maintaining it at once (an unfinished build stops). The
// returned record still lists the index, with Status IndexDeleting, for
// the response. ErrIndexNotFound if there is none; ErrInvalidIndex for a
// local index (which lives as long as its table).
func (e *Engine) DeleteIndex(ctx context.Context, table, name string) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[table]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ts.rec.Indexes, func(ix Index) bool { return ix.Name == name })
	if i < 0 {
		return nil, fmt.Errorf("%w: %s on table %s", ErrIndexNotFound, name, table)
	}
	if ts.rec.Indexes[i].Local {
		return nil, fmt.Errorf("%w: local secondary index %s cannot be deleted", ErrInvalidIndex, name)
	}
	id := ts.rec.Indexes[i].ID
	rec := ts.rec.clone()
	rec.Indexes = slices.Delete(rec.Indexes, i, i+1)
	ts.life.Lock()
	err := e.dropIndex(ts, rec, id)
	if err == nil {
		l := ts.layout.Load()
		ts.layout.Store(l.withIndexes(slices.DeleteFunc(slices.Clone(l.indexes), func(ix *indexState) bool { return ix.id == id })))
	}
	ts.life.Unlock()
	if err != nil {
		return nil, err
	}
	out := ts.rec.clone()
	out.Indexes[i].Status = IndexDeleting
	ts.rec = rec
	e.notifyCatalog()
	e.log.Info("index deleted", "table", table, "index", name, "id", id)
	return out, nil
}

// dropIndex deletes an index's entries and statistics and stores rec, the
// record without it, in one commit.
func (e *Engine) dropIndex(ts *tableState, rec *Table, id uint32) error {
	b := e.db.NewBatch()
	p := indexPrefix(ts.id, id)
	err := b.DeleteRange(p, prefixEnd(p))
	if err == nil {
		err = b.Delete(indexStatsKey(ts.id, id))
	}
	if err == nil {
		err = e.addRecord(b, ts, rec)
	}
	if err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}

// checkIndexSpec rejects index specs the engine cannot store. atCreate
// says whether the index comes with CreateTable (the only time an LSI may).
func checkIndexSpec(table KeySchema, s IndexSpec, atCreate bool) error {
	if s.Name == "" {
		return fmt.Errorf("%w: no name", ErrInvalidIndex)
	}
	if err := checkKeySchema(s.KeySchema); err != nil {
		return fmt.Errorf("%w %s: %w", ErrInvalidIndex, s.Name, err)
	}
	switch s.Projection.Type {
	case ProjectionAll, ProjectionKeysOnly, ProjectionInclude:
	default:
		return fmt.Errorf("%w %s: projection type %q", ErrInvalidIndex, s.Name, s.Projection.Type)
	}
	if s.Local {
		if !atCreate {
			return fmt.Errorf("%w %s: local secondary indexes can only be created with the table", ErrInvalidIndex, s.Name)
		}
		if s.KeySchema.Hash != table.Hash || s.KeySchema.Range == nil {
			return fmt.Errorf("%w %s: a local secondary index needs the table's partition key and a sort key", ErrInvalidIndex, s.Name)
		}
	}
	return nil
}

// IndexStats returns the live entry count and size of one index of t. The
// size of an entry is attr.ItemSize of the projected item (which includes
// the table's and the index's key attributes) plus 100 bytes of overhead,
// as DynamoDB counts index storage. ErrTableNotFound if t has been
// deleted, ErrIndexNotFound if it has no such index.
func (e *Engine) IndexStats(ctx context.Context, t *Table, indexName string) (TableStats, error) {
	if err := ctx.Err(); err != nil {
		return TableStats{}, err
	}
	ts, err := e.lookup(t.Name)
	if err != nil {
		return TableStats{}, err
	}
	if ts.id.String() != t.ID {
		return TableStats{}, fmt.Errorf("%w: %s (id %s)", ErrTableNotFound, t.Name, t.ID)
	}
	ix := ts.layout.Load().index(indexName)
	if ix == nil {
		return TableStats{}, fmt.Errorf("%w: %s on table %s", ErrIndexNotFound, indexName, t.Name)
	}
	return TableStats{ItemCount: ix.stats.count.Load(), SizeBytes: ix.stats.size.Load()}, nil
}

// WaitIndexesActive waits until no index of the table is being built and
// its TTL index (if TTL is being enabled) is complete, or ctx is done.
// ErrTableNotFound if the table does not exist (or is deleted meanwhile).
func (e *Engine) WaitIndexesActive(ctx context.Context, table string) error {
	for {
		e.catMu.RLock()
		ts, ok := e.tables[table]
		busy := ok && (ts.rec.TTLBackfilling || slices.ContainsFunc(ts.rec.Indexes, func(ix Index) bool { return ix.Backfilling }))
		changed := e.catChanged
		e.catMu.RUnlock()
		if !ok {
			return fmt.Errorf("%w: %s", ErrTableNotFound, table)
		}
		if !busy {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
