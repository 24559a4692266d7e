package dynamodb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// A fake backup service for the backup operations' tests: it holds canned
// backups, records every call, and returns the errors a test sets. Its
// Restore creates the restore target in the engine (when it has one), as
// the real service does, so the table operations see a CREATING table.

// fakeRestore is one recorded Restore call.
type fakeRestore struct {
	arn  string
	spec engine.TableSpec
}

// fakeBackups implements Backups.
type fakeBackups struct {
	mu       sync.Mutex
	eng      *engine.Engine // nil: Restore returns the table without creating it
	backups  []*backup.Backup
	calls    []string
	errs     map[string]error // by method name: returned instead of working
	inUse    map[string]bool  // ARNs a restore is reading (Delete refuses them)
	restores []fakeRestore
	now      time.Time
	seq      int
}

var _ Backups = (*fakeBackups)(nil)

// record notes a call and returns the error set for the method, if any.
func (f *fakeBackups) record(method string, args ...string) error {
	f.calls = append(f.calls, strings.Join(append([]string{method}, args...), " "))
	return f.errs[method]
}

// find returns the backup with an ARN, or nil.
func (f *fakeBackups) find(arn string) *backup.Backup {
	for _, b := range f.backups {
		if b.ARN == arn {
			return b
		}
	}
	return nil
}

// Create makes a CREATING USER backup of a table named name (its record is
// not known to the fake).
func (f *fakeBackups) Create(_ context.Context, table, name string) (*backup.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Create", table, name); err != nil {
		return nil, err
	}
	f.seq++
	b := testBackup(nil, backup.TypeUser, f.now, fmt.Sprintf("%08x", f.seq), name)
	b.ARN = fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s/backup/%s", testRegion, testAccount, table, b.ID)
	b.Status = backup.StatusCreating
	f.backups = append(f.backups, b)
	return b, nil
}

// Describe returns a backup by ARN.
func (f *fakeBackups) Describe(_ context.Context, arn string) (*backup.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Describe", arn); err != nil {
		return nil, err
	}
	if b := f.find(arn); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s", backup.ErrBackupNotFound, arn)
}

// List returns every backup, in reverse insertion order (the API sorts).
func (f *fakeBackups) List(context.Context) ([]*backup.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("List"); err != nil {
		return nil, err
	}
	out := slices.Clone(f.backups)
	slices.Reverse(out)
	return out, nil
}

// Delete removes a backup, refusing SYSTEM backups and those in use.
func (f *fakeBackups) Delete(_ context.Context, arn string) (*backup.Backup, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Delete", arn); err != nil {
		return nil, err
	}
	b := f.find(arn)
	switch {
	case b == nil:
		return nil, fmt.Errorf("%w: %s", backup.ErrBackupNotFound, arn)
	case b.Type == backup.TypeSystem:
		return nil, fmt.Errorf("%w: %s", backup.ErrSystemBackup, arn)
	case f.inUse[arn]:
		return nil, fmt.Errorf("%w: restoring from %s", backup.ErrBackupInUse, arn)
	}
	f.backups = slices.DeleteFunc(f.backups, func(x *backup.Backup) bool { return x == b })
	out := *b
	out.Status = backup.StatusDeleted
	return &out, nil
}

// Restore records the spec and creates the restore target.
func (f *fakeBackups) Restore(ctx context.Context, arn string, spec engine.TableSpec) (*engine.Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Restore", arn, spec.Name); err != nil {
		return nil, err
	}
	b := f.find(arn)
	if b == nil {
		return nil, fmt.Errorf("%w: %s", backup.ErrBackupNotFound, arn)
	}
	f.restores = append(f.restores, fakeRestore{arn: arn, spec: spec})
	spec.Restore = &engine.RestoreState{SourceBackupARN: arn, SourceTableARN: b.Table.ARN, RestoreDateTime: b.CreatedAt}
	if f.eng != nil {
		return f.eng.CreateTable(ctx, spec)
	}
	spec.Restore.InProgress = true
	return &engine.Table{TableSpec: spec, ID: "11111111-2222-3333-4444-555555555555",
		ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/" + spec.Name, Status: engine.StatusCreating, CreatedAt: f.now}, nil
}

// The instant of the tests' first backup (ms precision).
var backupEpoch = time.UnixMilli(1_700_000_000_000).UTC()

// testBackup returns an AVAILABLE backup of table t (nil: none recorded)
// created at the given time, with an id ending in suffix.
func testBackup(t *engine.Table, typ string, at time.Time, suffix, name string) *backup.Backup {
	id := fmt.Sprintf("%014d-%s", at.UnixMilli(), suffix)
	b := &backup.Backup{ID: id, Name: name, Type: typ, Status: backup.StatusAvailable,
		CreatedAt: at, SizeBytes: 1234, Table: t, ItemCount: 7, TableSizeBytes: 1234}
	if t != nil {
		b.ARN = t.ARN + "/backup/" + id
	}
	if typ == backup.TypeSystem {
		b.ExpiresAt = at.Add(35 * 24 * time.Hour)
	}
	return b
}

// testTableARN is the ARN of a table of the tests' region and account.
func testTableARN(name string) string {
	return "arn:aws:dynamodb:" + testRegion + ":" + testAccount + ":table/" + name
}

// musicSource is a PROVISIONED table with every feature a backup records: an
// LSI, a GSI with throughput, TTL and KMS encryption, plus settings a
// restore drops (tags, deletion protection, table class) and an attribute
// definition no key uses.
func musicSource() *engine.Table {
	s := attr.KindS
	return &engine.Table{
		TableSpec: engine.TableSpec{
			Name: "Music",
			KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Artist", Type: s},
				Range: &engine.KeyAttr{Name: "SongTitle", Type: s}},
			AttributeDefinitions: []engine.AttributeDefinition{
				{Name: "Artist", Type: s}, {Name: "SongTitle", Type: s}, {Name: "AlbumTitle", Type: s},
				{Name: "Genre", Type: s}, {Name: "Year", Type: attr.KindN}, {Name: "Unused", Type: s},
			},
			BillingMode:        billingProvisioned,
			ReadCapacityUnits:  5,
			WriteCapacityUnits: 6,
			SSE:                &engine.SSE{Enabled: true, SSEType: sseTypeKMS, KMSMasterKeyID: "arn:aws:kms:us-east-1:000000000000:key/k1"},
			TableClass:         tableClassIA,
			DeletionProtection: true,
			Tags:               []engine.Tag{{Key: "env", Value: "prod"}},
		},
		ID:        "aaaaaaaa-0000-0000-0000-000000000001",
		ARN:       testTableARN("Music"),
		Status:    engine.StatusActive,
		CreatedAt: backupEpoch.Add(-time.Hour),
		Indexes: []engine.Index{
			{IndexSpec: engine.IndexSpec{Name: "ByAlbum", Local: true,
				KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Artist", Type: s},
					Range: &engine.KeyAttr{Name: "AlbumTitle", Type: s}},
				Projection: engine.Projection{Type: projectionKeysOnly}}},
			{IndexSpec: engine.IndexSpec{Name: "ByGenre",
				KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Genre", Type: s},
					Range: &engine.KeyAttr{Name: "Year", Type: attr.KindN}},
				Projection:        engine.Projection{Type: projectionInclude, NonKeyAttributes: []string{"Price", "Label"}},
				ReadCapacityUnits: 3, WriteCapacityUnits: 4}},
		},
		TTL: &engine.TTLSpec{AttributeName: "expires", Enabled: true},
	}
}

// plainSource is an on-demand table with a partition key and nothing else.
func plainSource() *engine.Table {
	return &engine.Table{
		TableSpec: engine.TableSpec{
			Name:                 "Plain",
			KeySchema:            engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: attr.KindS}},
			AttributeDefinitions: []engine.AttributeDefinition{{Name: "id", Type: attr.KindS}},
			BillingMode:          billingPayPerRequest,
		},
		ID: "aaaaaaaa-0000-0000-0000-000000000002", ARN: testTableARN("Plain"),
		Status: engine.StatusActive, CreatedAt: backupEpoch.Add(-time.Hour),
	}
}

// eventsSource is an on-demand table with a GSI (which has no throughput).
func eventsSource() *engine.Table {
	s := attr.KindS
	return &engine.Table{
		TableSpec: engine.TableSpec{
			Name:                 "Events",
			KeySchema:            engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: s}},
			AttributeDefinitions: []engine.AttributeDefinition{{Name: "id", Type: s}, {Name: "type", Type: s}},
			BillingMode:          billingPayPerRequest,
		},
		ID: "aaaaaaaa-0000-0000-0000-000000000003", ARN: testTableARN("Events"),
		Status: engine.StatusActive, CreatedAt: backupEpoch.Add(-time.Hour),
		Indexes: []engine.Index{{IndexSpec: engine.IndexSpec{Name: "ByType",
			KeySchema:  engine.KeySchema{Hash: engine.KeyAttr{Name: "type", Type: s}},
			Projection: engine.Projection{Type: projectionAll}}}},
	}
}

// Backups of the standard fixture, by role.
type backupFixture struct {
	music1, music2, plain2, system, plain3, events *backup.Backup
}

// newBackupAPI returns an API over a fresh engine with a fake backup
// service holding the standard fixture: Music backups at +0 s and +1 s, a
// Plain backup at +1 s (same millisecond as the second Music one), a
// SYSTEM backup of Music at +2 s, a Plain backup at +3 s and an Events
// backup at +4 s.
func newBackupAPI(t testing.TB) (*API, *fakeBackups, backupFixture) {
	t.Helper()
	base := newTestAPI(t)
	fx := backupFixture{
		music1: testBackup(musicSource(), backup.TypeUser, backupEpoch, "0000000a", "first"),
		music2: testBackup(musicSource(), backup.TypeUser, backupEpoch.Add(time.Second), "0000000b", "second"),
		plain2: testBackup(plainSource(), backup.TypeUser, backupEpoch.Add(time.Second), "0000000c", "plain"),
		system: testBackup(musicSource(), backup.TypeSystem, backupEpoch.Add(2*time.Second), "00000000", "Music$DeletedTableBackup"),
		plain3: testBackup(plainSource(), backup.TypeUser, backupEpoch.Add(3*time.Second), "0000000d", "plain"),
		events: testBackup(eventsSource(), backup.TypeUser, backupEpoch.Add(4*time.Second), "0000000e", "events"),
	}
	f := &fakeBackups{eng: base.eng, errs: map[string]error{}, inUse: map[string]bool{}, now: backupEpoch.Add(time.Minute),
		backups: []*backup.Backup{fx.music1, fx.music2, fx.plain2, fx.system, fx.plain3, fx.events}}
	cfg := testConfig()
	cfg.Backups = f
	return New(base.eng, cfg), f, fx
}

// jsonKeys returns the sorted member names of the JSON object at a dotted
// path of generic JSON (nil if it is not an object).
func jsonKeys(v any, p string) []string {
	if p != "" {
		v = path(v, p)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// wantKeys fails the test unless the object at p has exactly the keys want.
func wantKeys(t testing.TB, v any, p string, want ...string) {
	t.Helper()
	sort.Strings(want)
	if got := jsonKeys(v, p); !slices.Equal(got, want) {
		t.Errorf("keys of %q = %v, want %v", p, got, want)
	}
}

// asJSON renders v as compact JSON for messages and comparisons.
func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
