// Package engine stores DynamoDB tables and items on the kv layer (Pebble):
// the table catalog, item reads and atomic conditional writes, Query and
// Scan iteration, secondary indexes, TTL expiry and change capture (the
// change log point-in-time recovery ships). It knows nothing of the wire
// protocol or of the expression language: callers pass decisions in as
// functions evaluated under the item locks.
package engine

import (
	"errors"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// Errors returned by the engine; the dynamodb layer maps them to AWS errors.
// Errors that carry detail wrap one of these: test with errors.Is.
var (
	// ErrTableNotFound: no table of that name (or it was deleted meanwhile).
	ErrTableNotFound = errors.New("engine: table not found")
	// ErrTableExists: CreateTable with a name already in use.
	ErrTableExists = errors.New("engine: table already exists")
	// ErrDeletionProtected: DeleteTable on a table with DeletionProtection.
	ErrDeletionProtected = errors.New("engine: table has deletion protection enabled")
	// ErrInvalidKey: a key (Mutate/GetItem key, QuerySpec hash or range
	// values, ExclusiveStart) does not match the table's key schema: missing
	// or extra attributes, or a wrong type.
	ErrInvalidKey = errors.New("engine: key does not match the table's key schema")
	// ErrKeyChanged: a MutateFunc returned an item whose key attributes are
	// missing or differ from the Key being mutated.
	ErrKeyChanged = errors.New("engine: mutation changed the item's key attributes")
	// ErrDuplicateItem: MutateMany names the same item more than once.
	ErrDuplicateItem = errors.New("engine: multiple mutations of one item")
	// ErrTransactionCanceled: MutateMany wrote nothing because at least one
	// Fn failed; the per-mutation errors say which.
	ErrTransactionCanceled = errors.New("engine: mutations canceled")
	// ErrInvalidSegment: ScanSpec with Segment outside [0, TotalSegments).
	ErrInvalidSegment = errors.New("engine: invalid scan segment")
	// ErrIndexExists: AddIndex (or CreateTable) with an index name the table
	// already has.
	ErrIndexExists = errors.New("engine: index already exists")
	// ErrIndexNotFound: the table has no index of that name (or it is being
	// deleted).
	ErrIndexNotFound = errors.New("engine: index not found")
	// ErrInvalidIndex: an IndexSpec the engine cannot store (no name, a bad
	// key schema or projection type, an LSI whose partition key is not the
	// table's, an LSI added after CreateTable).
	ErrInvalidIndex = errors.New("engine: invalid index")
	// ErrItemCollectionTooLarge: a write to a table with local secondary
	// indexes would grow its item collection beyond ItemCollectionSizeLimit.
	ErrItemCollectionTooLarge = errors.New("engine: item collection size limit exceeded")
	// ErrMetaExists: MutateManyWith was asked to create a meta record that
	// already exists (and has not expired); nothing was written.
	ErrMetaExists = errors.New("engine: meta record already exists")
	// ErrTableNotReady: the table is CREATING (a restore is loading it):
	// item reads and writes, UpdateTable, index and TTL changes, snapshots
	// and DeleteTable are refused until it is ACTIVE.
	ErrTableNotReady = errors.New("engine: table is being created")
)

// KeyAttr names a key attribute and its scalar type: attr.KindS, KindN or KindB.
type KeyAttr struct {
	Name string
	Type attr.Kind
}

// KeySchema names the partition (hash) key and the optional sort (range) key.
type KeySchema struct {
	Hash  KeyAttr
	Range *KeyAttr // nil for hash-only tables
}

// AttributeDefinition is one declared attribute (name and S/N/B type).
type AttributeDefinition struct {
	Name string
	Type attr.Kind
}

// Tag is a resource tag.
type Tag struct {
	Key   string
	Value string
}

// SSE records the table's server-side encryption choice (recorded; data at rest
// is protected by the storage and backup layers).
type SSE struct {
	Enabled        bool
	SSEType        string // AES256 | KMS
	KMSMasterKeyID string
}

// TableSpec is what CreateTable asks for. Validation happens in the dynamodb layer.
type TableSpec struct {
	Name                 string
	KeySchema            KeySchema
	AttributeDefinitions []AttributeDefinition
	BillingMode          string // PROVISIONED | PAY_PER_REQUEST
	ReadCapacityUnits    int64
	WriteCapacityUnits   int64
	SSE                  *SSE
	TableClass           string // STANDARD | STANDARD_INFREQUENT_ACCESS
	DeletionProtection   bool
	Tags                 []Tag
	// Indexes are the secondary indexes (GSIs and LSIs) to create with the
	// table. Only CreateTable reads it: in a Table record the field is nil
	// and Table.Indexes lists the indexes.
	Indexes []IndexSpec
	// Restore, when set, makes CreateTable create a restore target: the
	// table is stored CREATING (its indexes too) with Restore.InProgress,
	// filled with a Loader and made ACTIVE by FinishRestore.
	Restore *RestoreState
}

// RestoreState is a table's restore record (DynamoDB's RestoreSummary),
// kept in the catalog so an interrupted restore can be redone.
type RestoreState struct {
	// SourceBackupARN is the backup restored from ("" for a point-in-time
	// restore); SourceTableARN the table the data came from.
	SourceBackupARN string
	SourceTableARN  string
	// RestoreDateTime is the instant restored: the backup's creation time,
	// or the chosen point in time.
	RestoreDateTime time.Time
	// InProgress is true until FinishRestore.
	InProgress bool
	// Job is opaque to the engine: what the restorer needs to redo the
	// load from scratch after a crash.
	Job []byte
}

// Table is a catalog record. It is a value snapshot: mutate through UpdateTable.
type Table struct {
	TableSpec
	ID        string // UUID, new for every CreateTable
	ARN       string
	Status    string // CREATING | ACTIVE | UPDATING | DELETING
	CreatedAt time.Time
	// Billing/throughput bookkeeping reported by DescribeTable.
	LastUpdateToPayPerRequest time.Time
	LastIncreaseDateTime      time.Time
	LastDecreaseDateTime      time.Time
	NumberOfDecreasesToday    int64
	// Indexes are the table's secondary indexes in creation order. Change
	// the set with AddIndex and DeleteIndex; UpdateTable may change only
	// their throughput.
	Indexes []Index
	// TTL is the time-to-live setting; nil if TTL was never configured.
	// Change it with UpdateTTL.
	TTL *TTLSpec
	// TTLBackfilling is true while the TTL index of the items written
	// before TTL was enabled is being built; until then those items may
	// expire late (never early).
	TTLBackfilling bool
	// ChangeCapture is true while the table's writes are captured in its
	// change log (point-in-time recovery). Change it with
	// SetChangeCapture.
	ChangeCapture bool
	// ChangeCaptureFrom is, while ChangeCapture is on, the boundary
	// SetChangeCapture returned when it turned capture on: every commit
	// with a later timestamp is captured, none at or before it. Zero when
	// capture is off.
	ChangeCaptureFrom clock.Timestamp
}

// TableStats are live counters maintained in the same batch as each write.
type TableStats struct {
	ItemCount int64
	SizeBytes int64 // sum of attr.ItemSize over items
}

// MutateFunc decides a single item's fate under its lock. old is nil when the
// item does not exist; it must not be modified (copy to change). It returns
// the new item (nil deletes; returning old itself writes nothing, e.g. for a
// condition check) or an error that aborts the write and is returned as is.
// The new item must carry the same key attributes as the Key (ErrKeyChanged).
// It runs under engine locks: it must be quick and must not call the Engine.
type MutateFunc func(old attr.Item) (attr.Item, error)

// Origin says who caused a write. Change records (point-in-time recovery,
// streams) carry it: a TTL deletion is a service deletion, which streams
// report with userIdentity {Type: "Service", PrincipalId:
// ServicePrincipal}.
type Origin uint8

// Write origins.
const (
	// OriginRequest is a client request (the zero value).
	OriginRequest Origin = iota
	// OriginTTL is a deletion of an expired item by the TTL expirer.
	OriginTTL
)

// ServicePrincipal is the principal DynamoDB names for its own (service)
// writes, such as TTL deletions.
const ServicePrincipal = "dynamodb.amazonaws.com"

// Mutation is one item write of a multi-item atomic commit.
type Mutation struct {
	Table string
	Key   attr.Item // the key attributes only
	Fn    MutateFunc
	// Origin is who asks for the write; the zero value is a client request.
	Origin Origin
}

// MutationResult reports what one Mutation did.
type MutationResult struct {
	Old attr.Item // nil if the item did not exist
	New attr.Item // nil if the item is absent afterwards
	// CommitTS is the timestamp of the commit that applied the call (the
	// same for every mutation of one MutateMany, no-ops included); 0 if the
	// call wrote nothing.
	CommitTS clock.Timestamp
	// ItemCollectionSize is, for a table with local secondary indexes, the
	// size in bytes of the item's collection (every item with its partition
	// key, plus their LSI entries) after the write; 0 for other tables.
	// See ItemCollectionSize for what is counted.
	ItemCollectionSize int64
}

// RangeOp is the sort key condition of a Query.
type RangeOp int

// Sort key conditions: RangeNone selects the whole partition; the others
// compare the sort key with QuerySpec.Values (BEGINS_WITH on S and B only).
const (
	RangeNone RangeOp = iota
	RangeEQ
	RangeLT
	RangeLE
	RangeGT
	RangeGE
	RangeBetween
	RangeBeginsWith
)

// QuerySpec selects one partition and an optional sort-key range.
type QuerySpec struct {
	Hash    attr.Value
	Op      RangeOp
	Values  []attr.Value // 1 value, or 2 for RangeBetween
	Forward bool         // ScanIndexForward
	// ExclusiveStart is the full primary key of the last item seen, or nil.
	// On an index it holds the index key attributes and the table's
	// primary key attributes (DynamoDB's LastEvaluatedKey for an index).
	ExclusiveStart attr.Item
	// Index names the secondary index to query; empty means the table.
	// Hash, Op and Values then apply to the index's key attributes, and
	// entries come in index sort key order, ties broken by the table's
	// primary key.
	Index string
}

// ScanSpec selects a parallel-scan segment.
type ScanSpec struct {
	Segment       int
	TotalSegments int // 0 or 1: whole table
	// ExclusiveStart is the key of the last item seen, or nil; on an index,
	// the index key attributes plus the table's primary key attributes.
	ExclusiveStart attr.Item
	// Index names the secondary index to scan; empty means the table.
	// Segments split the index by the hash of its partition key.
	Index string
}

// VisitFunc receives items in order; returning false stops the iteration.
// On an index it receives the projected items.
type VisitFunc func(item attr.Item) (bool, error)
