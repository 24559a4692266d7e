package engine

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// checkCollectionSizes compares every partition's item collection size
// with the model: item sizes plus the entries of every LSI.
func checkCollectionSizes(t tb, e *Engine, table string, items []attr.Item) {
	t.Helper()
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{}
	for _, it := range items {
		pk := it["pk"].Str
		want[pk] += int64(attr.ItemSize(it))
		for _, ix := range rec.Indexes {
			if p, ok := modelProject(ix.IndexSpec, rec.KeySchema, it); ok && ix.Local {
				want[pk] += int64(attr.ItemSize(p)) + indexEntryOverhead
			}
		}
	}
	for pk, w := range want {
		got, err := e.ItemCollectionSize(bg, table, attr.S(pk))
		if err != nil {
			t.Fatal(err)
		}
		if got != w {
			t.Fatalf("%s: collection %s is %d bytes, want %d", table, pk, got, w)
		}
	}
}

// checkLoadedLike checks that table got, loaded by a Loader, holds
// exactly what table want, written by Mutate, holds: every stored key and
// value, the scans of the table and of every index, the stats, and (for
// LSI tables) the collection sizes; and that both match the model.
func checkLoadedLike(t *testing.T, e *Engine, got, want string, items []attr.Item) {
	t.Helper()
	checkSameStorage(t, e, got, want)
	checkSame(t, "scan", scanAll(t, e, got), scanAll(t, e, want))
	gst, gix := liveStatsOf(t, e, got)
	wst, wix := liveStatsOf(t, e, want)
	if gst != wst {
		t.Fatalf("stats %+v, want %+v", gst, wst)
	}
	rec, err := e.Table(bg, got)
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range rec.Indexes {
		if gix[ix.Name] != wix[ix.Name] {
			t.Fatalf("IndexStats(%s) = %+v, want %+v", ix.Name, gix[ix.Name], wix[ix.Name])
		}
		g := collect(t, func(v VisitFunc) error { return e.Scan(bg, got, ScanSpec{Index: ix.Name}, v) })
		w := collect(t, func(v VisitFunc) error { return e.Scan(bg, want, ScanSpec{Index: ix.Name}, v) })
		checkSame(t, "scan of "+ix.Name, g, w)
	}
	checkStats(t, e, got)
	checkIndexes(t, e, got, items)
	if rec.KeySchema.Range != nil && len(rec.Indexes) > 0 {
		checkCollectionSizes(t, e, got, items)
	}
}

// A Loader writes exactly what Mutate writes: after FinishRestore, the
// table, its indexes (every projection, sparse and mistyped index keys),
// TTL entries, collection sizes and stats are byte for byte those of a
// table written item by item.
func TestLoaderMatchesMutate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  func(string) TableSpec
		rng   attr.Kind
		n     int
		batch int // loader batch size in bytes; 0 = default
		ttl   bool
	}{
		{name: "hash-only", spec: func(n string) TableSpec { return spec(n, attr.KindS, attr.KindInvalid) }, rng: attr.KindInvalid, n: 300, batch: 2 << 10},
		{name: "range no-index", spec: func(n string) TableSpec { return spec(n, attr.KindS, attr.KindN) }, rng: attr.KindN, n: 300},
		{name: "GSIs and LSIs", spec: indexedSpec, rng: attr.KindN, n: 600, batch: 8 << 10},
		{name: "GSIs and LSIs one batch", spec: indexedSpec, rng: attr.KindN, n: 200},
		{name: "TTL", spec: indexedSpec, rng: attr.KindN, n: 300, batch: 4 << 10, ttl: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := openTest(t)
			items := restoreItems(uint64(tc.n), tc.n, tc.rng)
			mustCreate(t, e, tc.spec("M"))
			if tc.ttl {
				if _, err := e.UpdateTTL(bg, "M", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil {
					t.Fatal(err)
				}
				if err := e.WaitIndexesActive(bg, "M"); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < len(items); i += 25 {
				putMany(t, e, "M", items[i:min(i+25, len(items))])
			}

			created := mustCreate(t, e, restoreSpec(tc.spec("R")))
			if tc.ttl {
				// Restore targets get TTL only after FinishRestore; the
				// Loader still handles a layout with TTL on.
				ts, _ := e.lookup("R")
				l := ts.layout.Load()
				ts.layout.Store(&tableLayout{indexes: l.indexes, ttl: &ttlConfig{attr: "ttl"}})
			}
			shuffled := append([]attr.Item(nil), items...)
			rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			load(t, e, "R", shuffled, tc.batch)
			if checkLiveMatchesStore(t, e, "R").ItemCount != int64(len(items)) {
				t.Fatal("loaded item count is wrong")
			}
			fin, err := e.FinishRestore(bg, "R")
			if err != nil {
				t.Fatal(err)
			}
			if fin.Status != StatusActive || fin.Restore == nil || fin.Restore.InProgress || fin.ID != created.ID {
				t.Fatalf("FinishRestore returned status %s, restore %+v", fin.Status, fin.Restore)
			}
			for _, ix := range fin.Indexes {
				if ix.Status != IndexActive {
					t.Fatalf("index %s is %s after FinishRestore", ix.Name, ix.Status)
				}
			}
			checkLoadedLike(t, e, "R", "M", items)
		})
	}
}

// Stats grow as the Loader's batches commit, before Finish, so
// DescribeTable shows a restore's progress.
func TestLoaderStatsGrowDuringLoad(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, restoreSpec(indexedSpec("R")))
	items := restoreItems(3, 400, attr.KindN)
	l, err := e.NewLoader(bg, "R")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	l.batchSize = 4 << 10
	last := int64(0)
	grew := 0
	for i, it := range items {
		if err := l.Add(it); err != nil {
			t.Fatal(err)
		}
		st := checkLiveMatchesStore(t, e, "R")
		if st.ItemCount > int64(i+1) || st.ItemCount < last {
			t.Fatalf("after %d adds the live count is %d (was %d)", i+1, st.ItemCount, last)
		}
		if st.ItemCount > last {
			grew++
		}
		last = st.ItemCount
	}
	if grew < 5 {
		t.Fatalf("stats grew only %d times during the load", grew)
	}
	if err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	if st := checkLiveMatchesStore(t, e, "R"); st.ItemCount != int64(len(items)) {
		t.Fatalf("after Finish: %+v", st)
	}
}

// Add rejects items without the key attributes, with the wrong key types,
// and writes nothing for them; the Loader stays usable.
func TestLoaderRejectsBadKeys(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, restoreSpec(spec("R", attr.KindS, attr.KindN)))
	l, err := e.NewLoader(bg, "R")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for name, it := range map[string]attr.Item{
		"no hash":    {"sk": num(1)},
		"no range":   {"pk": attr.S("a")},
		"hash is N":  {"pk": num(1), "sk": num(1)},
		"range is S": {"pk": attr.S("a"), "sk": attr.S("1")},
		"empty":      {},
	} {
		if err := l.Add(it); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: Add = %v, want ErrInvalidKey", name, err)
		}
	}
	good := withAttrs(key(attr.S("a"), num(1)), "v", attr.S("x"))
	if err := l.Add(good); err != nil {
		t.Fatal(err)
	}
	if err := l.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := l.Add(good); err == nil {
		t.Fatal("Add after Finish succeeded")
	}
	if err := l.Finish(); err == nil {
		t.Fatal("second Finish succeeded")
	}
	l.Close()
	if _, err := e.FinishRestore(bg, "R"); err != nil {
		t.Fatal(err)
	}
	checkSame(t, "table", scanAll(t, e, "R"), []attr.Item{good})
	checkStats(t, e, "R")
}

// NewLoader needs a restore in progress; a Loader fails once its restore
// is reset, finished or dropped.
func TestLoaderLifecycle(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("Plain", attr.KindS, attr.KindInvalid))
	if _, err := e.NewLoader(bg, "Missing"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("NewLoader(missing) = %v", err)
	}
	if _, err := e.NewLoader(bg, "Plain"); !errors.Is(err, ErrNotRestoring) {
		t.Fatalf("NewLoader(ACTIVE table) = %v", err)
	}
	item := func(i int) attr.Item { return withAttrs(key(attr.S(fmt.Sprint(i))), "v", num(i)) }
	for _, tc := range []struct {
		name string
		end  func(table string) error
	}{
		{"reset", func(n string) error { return e.ResetRestore(bg, n) }},
		{"finish", func(n string) error { _, err := e.FinishRestore(bg, n); return err }},
		{"drop", func(n string) error { return e.DropRestore(bg, n) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := "R-" + tc.name
			mustCreate(t, e, restoreSpec(spec(name, attr.KindS, attr.KindInvalid)))
			l, err := e.NewLoader(bg, name)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			if err := l.Add(item(1)); err != nil {
				t.Fatal(err)
			}
			if err := tc.end(name); err != nil {
				t.Fatal(err)
			}
			if err := l.Finish(); !errors.Is(err, ErrNotRestoring) {
				t.Fatalf("Finish after %s = %v, want ErrNotRestoring", tc.name, err)
			}
			if err := l.Add(item(2)); !errors.Is(err, ErrNotRestoring) {
				t.Fatalf("Add after a failed Finish = %v", err)
			}
			if tc.name != "drop" {
				if n, _ := rawStats(t, e, name); n.ItemCount != 0 {
					t.Fatalf("a stale Loader wrote %d items", n.ItemCount)
				}
			}
			if _, err := e.NewLoader(bg, name); err == nil {
				if tc.name != "reset" {
					t.Fatal("NewLoader after the restore ended succeeded")
				}
			} else if tc.name == "reset" {
				t.Fatalf("NewLoader after ResetRestore: %v", err)
			}
		})
	}
}

// After a restore is interrupted (the engine closed mid-load, or killed),
// the table is still CREATING with Restore.InProgress; its stats match
// what was stored; ResetRestore and a full load give the exact result.
func TestLoaderInterruptedThenRedone(t *testing.T) {
	for _, tc := range []struct {
		name   string
		loaded int // items added before the interruption
		finish bool
	}{
		{"nothing loaded", 0, false},
		{"mid-load", 500, false},
		{"loaded but not finished", 900, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			e := openAt(t, dir, nil)
			created := mustCreate(t, e, restoreSpec(indexedSpec("R")))
			items := restoreItems(11, 900, attr.KindN)
			l, err := e.NewLoader(bg, "R")
			if err != nil {
				t.Fatal(err)
			}
			l.batchSize = 8 << 10
			for _, it := range items[:tc.loaded] {
				if err := l.Add(it); err != nil {
					t.Fatal(err)
				}
			}
			if tc.finish {
				if err := l.Finish(); err != nil {
					t.Fatal(err)
				}
			}
			l.Close() // abandon what is buffered
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}

			e = openAt(t, dir, nil)
			defer e.Close()
			rec, err := e.Table(bg, "R")
			if err != nil {
				t.Fatal(err)
			}
			if rec.Status != StatusCreating || rec.Restore == nil || !rec.Restore.InProgress || rec.ID != created.ID {
				t.Fatalf("after reopen: status %s, restore %+v", rec.Status, rec.Restore)
			}
			if string(rec.Restore.Job) != `{"kind":"backup"}` || rec.Restore.SourceBackupARN != created.Restore.SourceBackupARN ||
				!rec.Restore.RestoreDateTime.Equal(created.Restore.RestoreDateTime) {
				t.Fatalf("restore state after reopen: %+v", rec.Restore)
			}
			pending, err := e.PendingRestores(bg)
			if err != nil || len(pending) != 1 || pending[0].Name != "R" {
				t.Fatalf("PendingRestores = %v, %v", pending, err)
			}
			st := checkLiveMatchesStore(t, e, "R")
			if tc.finish && st.ItemCount != int64(len(items)) {
				t.Fatalf("a finished load lost items: %+v", st)
			}
			if _, err := e.GetItem(bg, "R", key(attr.S("x"), num(0))); !errors.Is(err, ErrTableNotReady) {
				t.Fatalf("GetItem on the interrupted restore: %v", err)
			}

			if err := e.ResetRestore(bg, "R"); err != nil {
				t.Fatal(err)
			}
			if st := checkLiveMatchesStore(t, e, "R"); st != (TableStats{}) {
				t.Fatalf("after ResetRestore: %+v", st)
			}
			for _, p := range allPrefixes {
				if keys := storedKeys(t, e, p, tableID(t, e, "R")); len(keys) != 0 {
					t.Fatalf("after ResetRestore %d %c keys remain", len(keys), p)
				}
			}
			load(t, e, "R", items, 8<<10)
			if _, err := e.FinishRestore(bg, "R"); err != nil {
				t.Fatal(err)
			}
			mustCreate(t, e, indexedSpec("M"))
			for i := 0; i < len(items); i += 50 {
				putMany(t, e, "M", items[i:min(i+50, len(items))])
			}
			checkLoadedLike(t, e, "R", "M", items)
		})
	}
}
