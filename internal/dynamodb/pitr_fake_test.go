package dynamodb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/pitr"
)

// A fake PITR service for the PITR operations' tests: it keeps each
// table's state (windows set by Update at its clock, or by the test),
// records every call, and returns the errors a test sets. Like the real
// service it checks a restore's source, PITR and instant in that order
// before creating the target in the engine (CREATING), and deletes tables
// in the engine.

// fakePITRRestore is one Restore call that created a table, with its
// arguments as given.
type fakePITRRestore struct {
	source string
	at     time.Time
	latest bool
	spec   engine.TableSpec
}

// fakePITR implements PITR.
type fakePITR struct {
	mu       sync.Mutex
	eng      *engine.Engine // nil: every table exists (Restore and DeleteTable need one)
	states   map[string]*pitr.Status
	calls    []string
	errs     map[string]error // by method name: returned instead of working
	restores []fakePITRRestore
	now      time.Time // the window Update opens: [now, now]
}

var _ PITR = (*fakePITR)(nil)

// record notes a call and returns the error set for the method, if any.
func (f *fakePITR) record(method string, args ...any) error {
	s := method
	for _, a := range args {
		s += " " + fmt.Sprint(a)
	}
	f.calls = append(f.calls, s)
	return f.errs[method]
}

// exists returns the engine's error for a missing table.
func (f *fakePITR) exists(ctx context.Context, table string) (*engine.Table, error) {
	if f.eng == nil {
		return &engine.Table{ARN: testTableARN(table)}, nil
	}
	return f.eng.Table(ctx, table)
}

// status returns a copy of a table's state (disabled if unknown).
func (f *fakePITR) status(table string) *pitr.Status {
	if st := f.states[table]; st != nil {
		out := *st
		return &out
	}
	return &pitr.Status{}
}

// Update enables (keeping an enabled table's window) or disables PITR.
func (f *fakePITR) Update(ctx context.Context, table string, enabled bool, periodDays *int) (*pitr.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	days := "nil"
	if periodDays != nil {
		days = fmt.Sprint(*periodDays)
	}
	if err := f.record("Update", table, enabled, days); err != nil {
		return nil, err
	}
	if _, err := f.exists(ctx, table); err != nil {
		return nil, err
	}
	if !enabled {
		delete(f.states, table)
		return f.status(table), nil
	}
	st := f.states[table]
	if st == nil {
		st = &pitr.Status{Enabled: true, RecoveryPeriodDays: pitr.DefaultRecoveryPeriodDays, Earliest: f.now, Latest: f.now}
		f.states[table] = st
	}
	if periodDays != nil {
		st.RecoveryPeriodDays = *periodDays
	}
	return f.status(table), nil
}

// Describe returns a table's state.
func (f *fakePITR) Describe(ctx context.Context, table string) (*pitr.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Describe", table); err != nil {
		return nil, err
	}
	if _, err := f.exists(ctx, table); err != nil {
		return nil, err
	}
	return f.status(table), nil
}

// Restore checks the source, its PITR and the instant, then creates the
// target.
func (f *fakePITR) Restore(ctx context.Context, source string, at time.Time, latest bool, spec engine.TableSpec) (*engine.Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("Restore", source, spec.Name); err != nil {
		return nil, err
	}
	src, err := f.exists(ctx, source)
	if err != nil {
		return nil, err
	}
	st, instant := f.states[source], at
	switch {
	case st == nil:
		return nil, fmt.Errorf("%w: %s", pitr.ErrNotEnabled, source)
	case latest:
		instant = st.Latest
	case at.Before(st.Earliest) || at.After(st.Latest):
		return nil, &pitr.InvalidTimeError{At: at, Earliest: st.Earliest, Latest: st.Latest}
	}
	asked := spec
	spec.Restore = &engine.RestoreState{SourceTableARN: src.ARN, RestoreDateTime: instant}
	t, err := f.eng.CreateTable(ctx, spec)
	if err != nil {
		return nil, err
	}
	f.restores = append(f.restores, fakePITRRestore{source: source, at: at, latest: latest, spec: asked})
	return t, nil
}

// DeleteTable deletes the table in the engine and forgets its state.
func (f *fakePITR) DeleteTable(ctx context.Context, table string) (*engine.Table, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.record("DeleteTable", table); err != nil {
		return nil, err
	}
	delete(f.states, table)
	return f.eng.DeleteTable(ctx, table)
}

// callsOf returns the recorded calls of one method.
func (f *fakePITR) callsOf(method string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.calls {
		if c == method || strings.HasPrefix(c, method+" ") {
			out = append(out, c)
		}
	}
	return out
}

// The window of the PITR fixture's Music table: from backupEpoch to an
// hour and 456 ms later.
var (
	pitrEarliest = backupEpoch
	pitrLatest   = backupEpoch.Add(time.Hour + 456*time.Millisecond)
)

// Tables of the PITR fixture, as CreateTable requests. Music is
// PROVISIONED with an LSI, a GSI with throughput, KMS encryption and
// settings a restore drops; Events is on-demand with a GSI; Plain is
// on-demand with a partition key only.
const (
	pitrMusicTable = `{"TableName":"Music","AttributeDefinitions":[{"AttributeName":"Artist","AttributeType":"S"},` +
		`{"AttributeName":"SongTitle","AttributeType":"S"},{"AttributeName":"AlbumTitle","AttributeType":"S"},` +
		`{"AttributeName":"Genre","AttributeType":"S"},{"AttributeName":"Year","AttributeType":"N"}],` +
		`"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"SongTitle","KeyType":"RANGE"}],` +
		`"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":6},` +
		`"LocalSecondaryIndexes":[` + lsiByAlbum + `],` +
		`"GlobalSecondaryIndexes":[{"IndexName":"ByGenre","KeySchema":[{"AttributeName":"Genre","KeyType":"HASH"},{"AttributeName":"Year","KeyType":"RANGE"}],` +
		`"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Price","Label"]},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}],` +
		`"SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"k1"},` +
		`"TableClass":"STANDARD_INFREQUENT_ACCESS","DeletionProtectionEnabled":true,"Tags":[{"Key":"env","Value":"prod"}]}`
	pitrEventsTable = `{"TableName":"Events","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"type","AttributeType":"S"}],` +
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST",` +
		`"GlobalSecondaryIndexes":[{"IndexName":"ByType","KeySchema":[{"AttributeName":"type","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`
	pitrPlainTable = `{"TableName":"Plain","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],` +
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`
)

// newPITRAPI returns an API over a fresh engine holding the PITR fixture's
// tables, with a fake PITR service on which Music and Events have PITR on
// (window [pitrEarliest, pitrLatest]) and Plain has it off.
func newPITRAPI(t testing.TB) (*API, *fakePITR) {
	t.Helper()
	base := newTestAPI(t)
	for _, body := range []string{pitrMusicTable, pitrEventsTable, pitrPlainTable} {
		mustCall(t, base, "CreateTable", body)
	}
	window := func() *pitr.Status {
		return &pitr.Status{Enabled: true, RecoveryPeriodDays: 35, Earliest: pitrEarliest, Latest: pitrLatest}
	}
	f := &fakePITR{eng: base.eng, errs: map[string]error{}, now: backupEpoch.Add(789 * time.Millisecond),
		states: map[string]*pitr.Status{"Music": window(), "Events": window()}}
	cfg := testConfig()
	cfg.PITR = f
	return New(base.eng, cfg), f
}

// newEnginelessPITRAPI returns an API without an engine and with a fake
// PITR service, for requests that must be rejected before the engine or
// the service is consulted.
func newEnginelessPITRAPI() (*API, *fakePITR) {
	f := &fakePITR{errs: map[string]error{}, states: map[string]*pitr.Status{}}
	cfg := testConfig()
	cfg.PITR = f
	return New(nil, cfg), f
}

// Source returns the live table's record (the fake knows no lost tables).
func (f *fakePITR) Source(ctx context.Context, table string) (*engine.Table, error) {
	if f.eng == nil {
		return f.exists(ctx, table)
	}
	t, err := f.eng.Table(ctx, table)
	if err == nil && t.Status == engine.StatusCreating {
		return nil, engine.ErrTableNotReady
	}
	return t, err
}
