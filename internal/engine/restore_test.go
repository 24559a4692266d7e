package engine

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// CreateTable with Restore stores a CREATING table with CREATING indexes
// and Restore.InProgress, durably; without Restore nothing changes.
func TestCreateRestoreTarget(t *testing.T) {
	dir := t.TempDir()
	e := openAt(t, dir, clock.NewFake(testEpoch))
	s := restoreSpec(indexedSpec("R"))
	s.Restore.InProgress = false // CreateTable sets it
	out := mustCreate(t, e, s)
	if s.Restore.InProgress {
		t.Fatal("CreateTable modified the caller's spec")
	}
	plain := mustCreate(t, e, indexedSpec("P"))
	check := func(when string) {
		t.Helper()
		for _, tc := range []struct {
			table, status, ixStatus string
			restore                 bool
		}{
			{"R", StatusCreating, IndexCreating, true},
			{"P", StatusActive, IndexActive, false},
		} {
			rec, err := e.Table(bg, tc.table)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != tc.status || (rec.Restore != nil) != tc.restore {
				t.Fatalf("%s %s: status %s, restore %+v", when, tc.table, rec.Status, rec.Restore)
			}
			for _, ix := range rec.Indexes {
				if ix.Status != tc.ixStatus {
					t.Fatalf("%s %s: index %s is %s", when, tc.table, ix.Name, ix.Status)
				}
			}
			if tc.restore {
				want := *s.Restore
				want.InProgress = true
				if r := rec.Restore; r.SourceBackupARN != want.SourceBackupARN || r.SourceTableARN != want.SourceTableARN ||
					!r.RestoreDateTime.Equal(want.RestoreDateTime) || !r.InProgress || string(r.Job) != string(want.Job) {
					t.Fatalf("%s: restore state %+v, want %+v", when, r, want)
				}
			}
		}
	}
	check("after CreateTable")
	if out.Status != StatusCreating || !out.Restore.InProgress || plain.Status != StatusCreating {
		t.Fatalf("CreateTable responses: %s %+v, %s", out.Status, out.Restore, plain.Status)
	}
	// The records are copies: changing one changes nothing stored.
	rec, _ := e.Table(bg, "R")
	rec.Restore.Job[0] = 'X'
	rec.Restore.InProgress = false
	check("after changing a copy")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, clock.NewFake(testEpoch))
	defer e.Close()
	check("after reopen")
}

// While a table is CREATING, item reads and writes, table, index and TTL
// changes, snapshots and DeleteTable fail with ErrTableNotReady; the
// catalog reads and stats work. After FinishRestore everything works.
func TestCreatingTableRefusals(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, restoreSpec(indexedSpec("R")))
	mustCreate(t, e, spec("Other", attr.KindS, attr.KindInvalid))
	item := withAttrs(key(attr.S("p1"), num(1)), "g", attr.S("g1"), "n", num(2))
	load(t, e, "R", []attr.Item{item}, 0)
	k := key(attr.S("p1"), num(1))
	keep := func(old attr.Item) (attr.Item, error) { return old, nil }
	visit := func(attr.Item) (bool, error) { return true, nil }
	refused := []struct {
		name string
		op   func() error
	}{
		{"GetItem", func() error { _, err := e.GetItem(bg, "R", k); return err }},
		{"GetItems", func() error {
			_, err := e.GetItems(bg, []TableKey{{"Other", key(attr.S("a"))}, {"R", k}})
			return err
		}},
		{"Mutate", func() error { _, err := e.Mutate(bg, "R", k, keep); return err }},
		{"MutateMany", func() error {
			_, _, err := e.MutateMany(bg, []Mutation{{Table: "Other", Key: key(attr.S("a")), Fn: keep}, {Table: "R", Key: k, Fn: keep}})
			return err
		}},
		{"MutateManyWith", func() error {
			_, _, err := e.MutateManyWith(bg, []Mutation{{Table: "R", Key: k, Fn: keep}}, MutateOptions{})
			return err
		}},
		{"Query", func() error { return e.Query(bg, "R", QuerySpec{Hash: attr.S("p1")}, visit) }},
		{"Query index", func() error { return e.Query(bg, "R", QuerySpec{Index: "gAll", Hash: attr.S("g1")}, visit) }},
		{"Scan", func() error { return e.Scan(bg, "R", ScanSpec{}, visit) }},
		{"Scan index", func() error { return e.Scan(bg, "R", ScanSpec{Index: "hKeys"}, visit) }},
		{"UpdateTable", func() error {
			_, err := e.UpdateTable(bg, "R", func(t *Table) error { t.TableClass = "STANDARD_INFREQUENT_ACCESS"; return nil })
			return err
		}},
		{"AddIndex", func() error {
			_, err := e.AddIndex(bg, "R", IndexSpec{Name: "new", KeySchema: KeySchema{Hash: KeyAttr{"x", attr.KindS}}, Projection: Projection{Type: ProjectionAll}})
			return err
		}},
		{"DeleteIndex", func() error { _, err := e.DeleteIndex(bg, "R", "gAll"); return err }},
		{"UpdateTTL", func() error { _, err := e.UpdateTTL(bg, "R", TTLSpec{AttributeName: "ttl", Enabled: true}); return err }},
		{"SnapshotTable", func() error {
			s, err := e.SnapshotTable(bg, "R")
			if err == nil {
				err = s.Close()
			}
			return err
		}},
		{"DeleteTable", func() error { _, err := e.DeleteTable(bg, "R"); return err }}, // last
	}
	for _, tc := range refused {
		if err := tc.op(); !errors.Is(err, ErrTableNotReady) {
			t.Errorf("%s on a CREATING table: %v, want ErrTableNotReady", tc.name, err)
		}
	}
	rec, err := e.Table(bg, "R")
	if err != nil || rec.Status != StatusCreating {
		t.Fatalf("Table: %v %v", rec, err)
	}
	if names, err := e.ListTables(bg); err != nil || !slices.Equal(names, []string{"Other", "R"}) {
		t.Fatalf("ListTables = %v, %v", names, err)
	}
	if st, err := e.Stats(bg, rec); err != nil || st.ItemCount != 1 {
		t.Fatalf("Stats = %+v, %v", st, err)
	}
	if st, err := e.IndexStats(bg, rec, "gAll"); err != nil || st.ItemCount != 1 {
		t.Fatalf("IndexStats = %+v, %v", st, err)
	}
	if _, err := e.FinishRestore(bg, "R"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range refused {
		if err := tc.op(); err != nil {
			t.Errorf("%s after FinishRestore: %v", tc.name, err)
		}
	}
}

// The TTL expirer leaves CREATING tables alone.
func TestExpirerSkipsCreatingTables(t *testing.T) {
	e, fc := openTTL(t)
	mustCreate(t, e, restoreSpec(spec("R", attr.KindS, attr.KindInvalid)))
	ts, _ := e.lookup("R")
	ts.layout.Store(&tableLayout{ttl: &ttlConfig{attr: "ttl"}}) // as if TTL were on
	expired := withAttrs(key(attr.S("old")), "ttl", epoch(-time.Hour))
	load(t, e, "R", []attr.Item{expired}, 0)
	fc.Advance(time.Minute)
	if n := expireNow(t, e); n != 0 {
		t.Fatalf("the expirer deleted %d items of a CREATING table", n)
	}
	if st, _ := rawStats(t, e, "R"); st.ItemCount != 1 {
		t.Fatalf("items after the expiry pass: %+v", st)
	}
	if _, err := e.FinishRestore(bg, "R"); err != nil {
		t.Fatal(err)
	}
	if n := expireNow(t, e); n != 1 {
		t.Fatalf("after FinishRestore the expirer deleted %d items, want 1", n)
	}
}

// FinishRestore, ResetRestore and DropRestore accept only restores in
// progress; PendingRestores lists those, by name.
func TestRestoreTransitions(t *testing.T) {
	e, _ := openTest(t)
	prot := restoreSpec(spec("C", attr.KindS, attr.KindInvalid))
	prot.DeletionProtection = true
	for _, s := range []TableSpec{restoreSpec(spec("B", attr.KindS, attr.KindInvalid)), prot, restoreSpec(spec("A", attr.KindS, attr.KindInvalid)), spec("Plain", attr.KindS, attr.KindInvalid)} {
		mustCreate(t, e, s)
	}
	pendingNames := func() []string {
		t.Helper()
		ps, err := e.PendingRestores(bg)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			if p.Restore == nil || !p.Restore.InProgress || p.Status != StatusCreating {
				t.Fatalf("pending restore %s: %s %+v", p.Name, p.Status, p.Restore)
			}
			out = append(out, p.Name)
		}
		return out
	}
	if got := pendingNames(); !slices.Equal(got, []string{"A", "B", "C"}) {
		t.Fatalf("PendingRestores = %v", got)
	}
	for _, tc := range []struct {
		name  string
		table string
		want  error
	}{
		{"missing", "Nope", ErrTableNotFound},
		{"ACTIVE table", "Plain", ErrNotRestoring},
	} {
		if err := e.ResetRestore(bg, tc.table); !errors.Is(err, tc.want) {
			t.Errorf("ResetRestore(%s) = %v, want %v", tc.name, err, tc.want)
		}
		if _, err := e.FinishRestore(bg, tc.table); !errors.Is(err, tc.want) {
			t.Errorf("FinishRestore(%s) = %v, want %v", tc.name, err, tc.want)
		}
		if err := e.DropRestore(bg, tc.table); !errors.Is(err, tc.want) {
			t.Errorf("DropRestore(%s) = %v, want %v", tc.name, err, tc.want)
		}
	}

	// DropRestore removes the table and all its keys, deletion protection
	// or not; the name is free again.
	load(t, e, "C", restoreItems(5, 50, attr.KindInvalid), 1<<10)
	id := tableID(t, e, "C")
	if err := e.DropRestore(bg, "C"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Table(bg, "C"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("Table after DropRestore: %v", err)
	}
	for _, p := range allPrefixes {
		if keys := storedKeys(t, e, p, id); len(keys) != 0 {
			t.Fatalf("DropRestore left %d %c keys", len(keys), p)
		}
	}
	if got := pendingNames(); !slices.Equal(got, []string{"A", "B"}) {
		t.Fatalf("PendingRestores after DropRestore = %v", got)
	}
	mustCreate(t, e, spec("C", attr.KindS, attr.KindInvalid))

	// FinishRestore keeps the restore summary; a finished restore is an
	// ordinary table.
	fin, err := e.FinishRestore(bg, "A")
	if err != nil {
		t.Fatal(err)
	}
	if fin.Status != StatusActive || fin.Restore == nil || fin.Restore.InProgress || fin.Restore.SourceBackupARN == "" {
		t.Fatalf("FinishRestore = %s %+v", fin.Status, fin.Restore)
	}
	if _, err := e.FinishRestore(bg, "A"); !errors.Is(err, ErrNotRestoring) {
		t.Fatalf("second FinishRestore: %v", err)
	}
	if err := e.DropRestore(bg, "A"); !errors.Is(err, ErrNotRestoring) {
		t.Fatalf("DropRestore of a finished restore: %v", err)
	}
	if got := pendingNames(); !slices.Equal(got, []string{"B"}) {
		t.Fatalf("PendingRestores after FinishRestore = %v", got)
	}
	if _, err := e.DeleteTable(bg, "A"); err != nil {
		t.Fatalf("DeleteTable of a finished restore: %v", err)
	}
}

// Catalog records written before restores existed decode with a nil
// Restore; a record with one keeps every field.
func TestRestoreRecordCompatibility(t *testing.T) {
	old := `{"name":"T","id":"6a1c1b2e-6c55-4a3b-9f0e-111111111111","arn":"arn:t","status":"ACTIVE",` +
		`"createdAt":"2026-01-02T03:04:05Z","hashKey":{"name":"pk","type":"S"}}`
	rec, _, err := decodeTable([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Restore != nil {
		t.Fatalf("old record decoded with restore %+v", rec.Restore)
	}
	rec.Restore = &RestoreState{SourceTableARN: "arn:src", RestoreDateTime: testEpoch, InProgress: true, Job: []byte{0, 1, 255}}
	b, err := encodeTable(rec, 1)
	if err != nil {
		t.Fatal(err)
	}
	back, _, err := decodeTable(b)
	if err != nil {
		t.Fatal(err)
	}
	if r := back.Restore; r == nil || r.SourceTableARN != "arn:src" || r.SourceBackupARN != "" || !r.InProgress ||
		!r.RestoreDateTime.Equal(testEpoch) || string(r.Job) != "\x00\x01\xff" {
		t.Fatalf("restore state round trip: %+v", back.Restore)
	}
}
