package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
	"github.com/ebbtide/ebbtide/internal/repo/repotest"
)

const (
	testRegion  = "us-east-1"
	testAccount = "000000000000"
)

var (
	bg        = context.Background()
	testEpoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// smallChunks makes test tables of a few hundred items span many chunks.
	smallChunks = repo.ChunkParams{MinSize: 4 << 10, MaxSize: 32 << 10, AverageBits: 12}
)

// waitTimeout bounds every poll of the tests (generous for -race).
const waitTimeout = 60 * time.Second

// syncBuffer is a log sink safe for concurrent writers and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// lines returns the logged lines at level that contain every one of subs.
func (s *syncBuffer) lines(level string, subs ...string) []string {
	var out []string
	for l := range strings.SplitSeq(s.String(), "\n") {
		if !strings.Contains(l, "level="+level) {
			continue
		}
		ok := true
		for _, sub := range subs {
			if !strings.Contains(l, sub) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, l)
		}
	}
	return out
}

// gate blocks callers until it is opened (or their context is done).
type gate struct {
	ch      chan struct{}
	once    sync.Once
	waiting atomic.Int64 // calls that reached the gate (blocked or not)
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func (g *gate) wait(ctx context.Context) error {
	g.waiting.Add(1)
	select {
	case <-g.ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }

// faultStore is a MemStore whose Put and Get can be made to fail or block.
type faultStore struct {
	*repotest.MemStore
	mu       sync.Mutex
	putFault func(ctx context.Context, key string) error
	getFault func(ctx context.Context, key string) error
	delFault func(ctx context.Context, key string) error
}

func newFaultStore() *faultStore { return &faultStore{MemStore: repotest.NewMemStore()} }

func (f *faultStore) setPutFault(fn func(ctx context.Context, key string) error) {
	f.mu.Lock()
	f.putFault = fn
	f.mu.Unlock()
}

func (f *faultStore) setGetFault(fn func(ctx context.Context, key string) error) {
	f.mu.Lock()
	f.getFault = fn
	f.mu.Unlock()
}

func (f *faultStore) setDeleteFault(fn func(ctx context.Context, key string) error) {
	f.mu.Lock()
	f.delFault = fn
	f.mu.Unlock()
}

func (f *faultStore) Delete(ctx context.Context, key string) error {
	f.mu.Lock()
	fn := f.delFault
	f.mu.Unlock()
	if fn != nil {
		if err := fn(ctx, key); err != nil {
			return err
		}
	}
	return f.MemStore.Delete(ctx, key)
}

func (f *faultStore) Put(ctx context.Context, key string, data []byte) error {
	f.mu.Lock()
	fn := f.putFault
	f.mu.Unlock()
	if fn != nil {
		if err := fn(ctx, key); err != nil {
			return err
		}
	}
	return f.MemStore.Put(ctx, key, data)
}

func (f *faultStore) Get(ctx context.Context, key string) ([]byte, error) {
	f.mu.Lock()
	fn := f.getFault
	f.mu.Unlock()
	if fn != nil {
		if err := fn(ctx, key); err != nil {
			return nil, err
		}
	}
	return f.MemStore.Get(ctx, key)
}

// gateChunks returns a fault function that lets the first n calls on
// chunk objects through and blocks the others on g.
func gateChunks(g *gate, n int64) func(ctx context.Context, key string) error {
	var calls atomic.Int64
	return func(ctx context.Context, key string) error {
		if !strings.HasPrefix(key, "chunks/") || calls.Add(1) <= n {
			return nil
		}
		return g.wait(ctx)
	}
}

// env is an engine, a repository on a fault-injecting store and a backup
// service, with a fake clock and captured service logs.
type env struct {
	t     *testing.T
	clk   *clock.Fake
	eng   *engine.Engine
	store *faultStore
	key   *keys.RootKey
	rp    *repo.Repo
	logs  *syncBuffer
	svc   *Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	k, err := keys.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, clk: clock.NewFake(testEpoch), store: newFaultStore(), key: k, logs: &syncBuffer{}}
	e.eng = openEngine(t, t.TempDir(), e.clk)
	e.rp = openRepo(t, e.store, k, e.clk)
	e.svc = e.open()
	return e
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// openEngine opens an engine in dir, closed at the end of the test.
func openEngine(t *testing.T, dir string, c clock.Clock) *engine.Engine {
	t.Helper()
	eng, err := engine.Open(engine.Options{
		Dir: dir, Region: testRegion, AccountID: testAccount, Clock: c,
		Logger: quiet(), CacheSize: 8 << 20, TTLInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// openRepo opens (or initializes) a repository on store, closed at the end
// of the test.
func openRepo(t *testing.T, store *faultStore, k *keys.RootKey, c clock.Clock) *repo.Repo {
	t.Helper()
	rp, err := repo.Open(bg, store, k, repo.Options{
		Clock: c.Now, Logger: quiet(), Chunking: smallChunks, LockPoll: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rp.Close() })
	return rp
}

func (e *env) config() Config {
	return Config{
		Engine: e.eng, Repo: e.rp, Region: testRegion, AccountID: testAccount,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
}

// open opens a new backup service on the env's engine and repository; it is
// closed (its jobs cancelled) at the end of the test, before the engine.
func (e *env) open() *Service {
	e.t.Helper()
	s, err := Open(bg, e.config())
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { closeNow(s) })
	if err := s.ResumeRestores(bg); err != nil {
		e.t.Fatalf("ResumeRestores: %v", err)
	}
	return s
}

// createSystem creates a SYSTEM backup of table expiring at expires, as of
// now (the unexported path CreateSystemBackup takes).
func createSystem(t *testing.T, s *Service, table, name string, expires time.Time) *Backup {
	t.Helper()
	now := s.eng.Now().Truncate(time.Millisecond)
	snap, err := s.eng.SnapshotTable(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.create(bg, snap, name, TypeSystem, newBackupID(now), now, expires)
	if err != nil {
		t.Fatal(err)
	}
	return waitAvailable(t, s, b.ARN)
}

// reopen closes the service (waiting for its jobs) and opens a new one.
func (e *env) reopen() *Service {
	e.t.Helper()
	if err := e.svc.Close(bg); err != nil {
		e.t.Fatal(err)
	}
	e.svc = e.open()
	return e.svc
}

// closeNow closes s with an expired context: running jobs are cancelled.
func closeNow(s *Service) error {
	ctx, cancel := context.WithCancel(bg)
	cancel()
	return s.Close(ctx)
}

// waitFor polls cond until it holds, failing the test after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func waitIdle(t *testing.T, s *Service) {
	t.Helper()
	waitFor(t, "the backup service to be idle", s.Idle)
}

// waitAvailable waits until the backup is AVAILABLE and returns it.
func waitAvailable(t *testing.T, s *Service, arn string) *Backup {
	t.Helper()
	var b *Backup
	waitFor(t, "backup "+arn+" to be AVAILABLE", func() bool {
		var err error
		b, err = s.Describe(bg, arn)
		if err != nil {
			t.Fatalf("Describe(%s): %v", arn, err)
		}
		return b.Status == StatusAvailable
	})
	return b
}

// waitGate waits until at least n calls reached the gate.
func waitGate(t *testing.T, g *gate, n int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d calls at the gate", n), func() bool { return g.waiting.Load() >= n })
}

// waitTableActive waits until the table is ACTIVE (its restore finished)
// and returns its record.
func waitTableActive(t *testing.T, eng *engine.Engine, name string) *engine.Table {
	t.Helper()
	var tb *engine.Table
	waitFor(t, "table "+name+" to be ACTIVE", func() bool {
		var err error
		tb, err = eng.Table(bg, name)
		if err != nil {
			t.Fatalf("Table(%s): %v", name, err)
		}
		return tb.Status == engine.StatusActive
	})
	return tb
}

// waitTableGone waits until the table no longer exists.
func waitTableGone(t *testing.T, eng *engine.Engine, name string) {
	t.Helper()
	waitFor(t, "table "+name+" to be removed", func() bool {
		_, err := eng.Table(bg, name)
		if err != nil && !errors.Is(err, engine.ErrTableNotFound) {
			t.Fatalf("Table(%s): %v", name, err)
		}
		return err != nil
	})
}

// indexedSpec is a hash+range table with two GSIs and an LSI.
func indexedSpec(name string) engine.TableSpec {
	return engine.TableSpec{
		Name:      name,
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}, Range: &engine.KeyAttr{Name: "sk", Type: attr.KindN}},
		AttributeDefinitions: []engine.AttributeDefinition{
			{Name: "pk", Type: attr.KindS}, {Name: "sk", Type: attr.KindN},
			{Name: "g", Type: attr.KindS}, {Name: "n", Type: attr.KindN},
			{Name: "h", Type: attr.KindN}, {Name: "l", Type: attr.KindS},
		},
		BillingMode: "PAY_PER_REQUEST",
		Tags:        []engine.Tag{{Key: "team", Value: "tide"}},
		Indexes: []engine.IndexSpec{
			{Name: "byG", KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "g", Type: attr.KindS}, Range: &engine.KeyAttr{Name: "n", Type: attr.KindN}},
				Projection: engine.Projection{Type: engine.ProjectionAll}},
			{Name: "byH", KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "h", Type: attr.KindN}},
				Projection: engine.Projection{Type: engine.ProjectionKeysOnly}},
			{Name: "byL", Local: true, KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}, Range: &engine.KeyAttr{Name: "l", Type: attr.KindS}},
				Projection: engine.Projection{Type: engine.ProjectionInclude, NonKeyAttributes: []string{"a"}}},
		},
	}
}

func createTable(t *testing.T, eng *engine.Engine, name string) *engine.Table {
	t.Helper()
	tb, err := eng.CreateTable(bg, indexedSpec(name))
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// genItems returns n items for indexedSpec tables, keys sk = first..first+n-1,
// with index attributes sparse and a random (incompressible) payload, so
// tables filled with different seeds share no chunk.
func genItems(seed uint64, first, n int) []attr.Item {
	r := rand.New(rand.NewPCG(seed, uint64(first)))
	out := make([]attr.Item, 0, n)
	for i := first; i < first+n; i++ {
		pay := make([]byte, 64+r.IntN(128))
		for j := range pay {
			pay[j] = byte(r.Uint32())
		}
		it := attr.Item{
			"pk":  attr.S(fmt.Sprintf("p%02d", i%23)),
			"sk":  attr.NumberFromInt64(int64(i)),
			"a":   attr.S(fmt.Sprintf("a-%d-%d", seed, i)),
			"pay": attr.B(pay),
		}
		if i%5 != 0 {
			it["g"] = attr.S(fmt.Sprintf("g%d", i%7))
			it["n"] = attr.NumberFromInt64(int64(r.IntN(1000)))
		}
		if i%3 == 0 {
			it["h"] = attr.NumberFromInt64(int64(i % 11))
		}
		if i%4 != 1 {
			it["l"] = attr.S(fmt.Sprintf("l%03d", r.IntN(500)))
		}
		out = append(out, it)
	}
	return out
}

func itemKey(it attr.Item) attr.Item { return attr.Item{"pk": it["pk"], "sk": it["sk"]} }

// putItems writes items in commits of up to 100.
func putItems(t *testing.T, eng *engine.Engine, table string, items []attr.Item) {
	t.Helper()
	for len(items) > 0 {
		batch := items[:min(100, len(items))]
		items = items[len(batch):]
		muts := make([]engine.Mutation, len(batch))
		for i, it := range batch {
			muts[i] = engine.Mutation{Table: table, Key: itemKey(it), Fn: func(attr.Item) (attr.Item, error) { return it, nil }}
		}
		if _, _, err := eng.MutateMany(bg, muts); err != nil {
			t.Fatal(err)
		}
	}
}

func deleteItem(t *testing.T, eng *engine.Engine, table string, k attr.Item) {
	t.Helper()
	if _, err := eng.Mutate(bg, table, k, func(attr.Item) (attr.Item, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
}

// newTable creates an indexedSpec table filled with n items of seed.
func newTable(t *testing.T, eng *engine.Engine, name string, seed uint64, n int) *engine.Table {
	t.Helper()
	tb := createTable(t, eng, name)
	putItems(t, eng, name, genItems(seed, 0, n))
	return tb
}

// tableState is everything a restore must reproduce: the items, the
// entries of each index and the statistics.
type tableState struct {
	items   []string
	indexes map[string][]string
	stats   engine.TableStats
	ixStats map[string]engine.TableStats
}

// scanJSON returns the items (or index entries) of a table as sorted JSON.
func scanJSON(t *testing.T, eng *engine.Engine, table, index string) []string {
	t.Helper()
	var out []string
	err := eng.Scan(bg, table, engine.ScanSpec{Index: index}, func(it attr.Item) (bool, error) {
		out = append(out, string(attr.AppendItemJSON(nil, it)))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Scan(%s, index %q): %v", table, index, err)
	}
	slices.Sort(out)
	return out
}

// queryJSON returns one partition of an index, in the order Query gives.
func queryJSON(t *testing.T, eng *engine.Engine, table, index string, hash attr.Value) []string {
	t.Helper()
	var out []string
	err := eng.Query(bg, table, engine.QuerySpec{Index: index, Hash: hash, Forward: true}, func(it attr.Item) (bool, error) {
		out = append(out, string(attr.AppendItemJSON(nil, it)))
		return true, nil
	})
	if err != nil {
		t.Fatalf("Query(%s, index %q): %v", table, index, err)
	}
	return out
}

func captureState(t *testing.T, eng *engine.Engine, table string) *tableState {
	t.Helper()
	tb, err := eng.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	st := &tableState{items: scanJSON(t, eng, table, ""), indexes: map[string][]string{}, ixStats: map[string]engine.TableStats{}}
	if st.stats, err = eng.Stats(bg, tb); err != nil {
		t.Fatal(err)
	}
	for _, ix := range tb.Indexes {
		st.indexes[ix.Name] = scanJSON(t, eng, table, ix.Name)
		if st.ixStats[ix.Name], err = eng.IndexStats(bg, tb, ix.Name); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// checkState fails unless table holds exactly want.
func checkState(t *testing.T, eng *engine.Engine, table string, want *tableState) {
	t.Helper()
	got := captureState(t, eng, table)
	if !slices.Equal(got.items, want.items) {
		t.Errorf("table %s: %d items, want %d; first difference: %s", table, len(got.items), len(want.items), firstDiff(got.items, want.items))
	}
	if got.stats != want.stats {
		t.Errorf("table %s: stats %+v, want %+v", table, got.stats, want.stats)
	}
	if len(got.indexes) != len(want.indexes) {
		t.Errorf("table %s: %d indexes, want %d", table, len(got.indexes), len(want.indexes))
	}
	for name, w := range want.indexes {
		if g := got.indexes[name]; !slices.Equal(g, w) {
			t.Errorf("table %s index %s: %d entries, want %d; first difference: %s", table, name, len(g), len(w), firstDiff(g, w))
		}
		if got.ixStats[name] != want.ixStats[name] {
			t.Errorf("table %s index %s: stats %+v, want %+v", table, name, got.ixStats[name], want.ixStats[name])
		}
	}
}

func firstDiff(got, want []string) string {
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			return fmt.Sprintf("#%d got %.120s, want %.120s", i, g, w)
		}
	}
	return "none"
}

// restoreSpec is the spec of a restore of b into a new table name, as
// the dynamodb layer computes it without overrides.
func restoreSpec(b *Backup, name string) engine.TableSpec {
	spec := b.Table.TableSpec
	spec.Name = name
	spec.Restore = nil
	spec.Indexes = nil
	for _, ix := range b.Table.Indexes {
		spec.Indexes = append(spec.Indexes, ix.IndexSpec)
	}
	return spec
}

// backupNow creates a backup of table and waits until it is AVAILABLE.
func backupNow(t *testing.T, s *Service, table, name string) *Backup {
	t.Helper()
	b, err := s.Create(bg, table, name)
	if err != nil {
		t.Fatalf("Create(%s): %v", table, err)
	}
	return waitAvailable(t, s, b.ARN)
}

// restoreExact restores b into target and checks it holds exactly want.
func restoreExact(t *testing.T, s *Service, eng *engine.Engine, b *Backup, target string, want *tableState) {
	t.Helper()
	if _, err := s.Restore(bg, b.ARN, restoreSpec(b, target)); err != nil {
		t.Fatalf("Restore(%s → %s): %v", b.ARN, target, err)
	}
	waitIdle(t, s)
	tb := waitTableActive(t, eng, target)
	if tb.Restore == nil || tb.Restore.InProgress || tb.Restore.SourceBackupARN != b.ARN {
		t.Errorf("restored table %s: restore state %+v", target, tb.Restore)
	}
	checkState(t, eng, target, want)
}

// chunkKeys returns the object keys of the chunks of backup b.
func chunkKeys(t *testing.T, s *Service, b *Backup) []string {
	t.Helper()
	m, err := s.rp.Manifest(bg, repoKind, s.repoID(b.ID))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range m.Chunks {
		h := c.ID.String()
		out = append(out, "chunks/"+h[:2]+"/"+h)
	}
	return out
}

// manifestObject is the object key of backup b's manifest.
func manifestObject(s *Service, b *Backup) string {
	return "manifests/" + repoKind + "/" + s.repoID(b.ID)
}

// checkIntact fails unless Verify reports no problem on the objects of b.
func checkIntact(t *testing.T, s *Service, b *Backup) {
	t.Helper()
	rep, err := s.rp.Verify(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]bool{manifestObject(s, b): true}
	for _, k := range chunkKeys(t, s, b) {
		mine[k] = true
	}
	for _, p := range rep.Problems {
		if mine[problemObject(p)] {
			t.Errorf("Verify reports a problem on backup %s: %v", b.ID, p)
		}
	}
}

// jobRecords returns the keys of the backup job records in the engine.
func jobRecords(t *testing.T, eng *engine.Engine) []string {
	t.Helper()
	recs, err := eng.ListMeta(bg, jobPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.Key)
	}
	return out
}

// writerLocks returns the writer locks of the repository, by what they lock.
func writerLocks(t *testing.T, rp *repo.Repo) []string {
	t.Helper()
	locks, err := rp.Locks(bg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, li := range locks {
		if li.Type == "writer" {
			out = append(out, li.For)
		}
	}
	slices.Sort(out)
	return out
}

var _ io.Writer = (*syncBuffer)(nil)

// problemObject is the object key a Verify problem is about (Object may
// add context after the key).
func problemObject(p repo.Problem) string {
	k, _, _ := strings.Cut(p.Object, " ")
	return k
}
