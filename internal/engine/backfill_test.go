package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// gIndex is the GSI the backfill tests add: g (S) / r (N), INCLUDE v.
var gIndex = IndexSpec{
	Name:       "G",
	KeySchema:  KeySchema{Hash: KeyAttr{"g", attr.KindS}, Range: &KeyAttr{"r", attr.KindN}},
	Projection: Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"v"}},
}

// bfItem is item i of the backfill tests, variant v: some lack g, some
// have it with the wrong type.
func bfItem(i, v int) attr.Item {
	it := withAttrs(key(attr.S(fmt.Sprintf("u%d", i%97)), num(i)), "v", num(v), "r", num(v%5))
	switch (i + v) % 4 {
	case 0:
	case 1:
		it["g"] = num(v)
	default:
		it["g"] = attr.S(fmt.Sprintf("g%d", v%7))
	}
	return it
}

// fillTable stores items 0..n-1 (variant 0).
func fillTable(t testing.TB, e *Engine, table string, n int) {
	t.Helper()
	for c := 0; c < n; c += 500 {
		var items []attr.Item
		for i := c; i < min(c+500, n); i++ {
			items = append(items, bfItem(i, 0))
		}
		putMany(t, e, table, items)
	}
}

// AddIndex on a populated table while writers change, add and delete items:
// once ACTIVE, the index equals the one recomputed from the table.
func TestAddIndexBackfillWithConcurrentWriters(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("B", attr.KindS, attr.KindN))
	const n = 1500
	fillTable(t, e, "B", n)

	var writes atomic.Int64
	wrote := make(chan struct{}, 1)
	// Each backfill batch waits for some foreground writes, so the
	// backfill certainly overlaps them.
	e.afterBackfillBatch = func(ctx context.Context) {
		target := writes.Load() + 10
		for writes.Load() < target {
			select {
			case <-wrote:
			case <-ctx.Done():
				return
			}
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for v := 1; ; v++ {
				select {
				case <-stop:
					return
				default:
				}
				i := r.IntN(n + 200)
				it := bfItem(i, v)
				var err error
				if r.IntN(5) == 0 {
					_, err = e.Mutate(bg, "B", key(it["pk"], it["sk"]), func(attr.Item) (attr.Item, error) { return nil, nil })
				} else {
					_, err = e.Mutate(bg, "B", key(it["pk"], it["sk"]), func(attr.Item) (attr.Item, error) { return it, nil })
				}
				if err != nil {
					t.Error(err)
					return
				}
				writes.Add(1)
				select {
				case wrote <- struct{}{}:
				default:
				}
			}
		}()
	}
	tb, err := e.AddIndex(bg, "B", gIndex)
	if err != nil {
		t.Fatal(err)
	}
	ix := tb.Indexes[0]
	if ix.Status != IndexCreating || !ix.Backfilling || ix.ID == 0 || ix.ARN != tb.ARN+"/index/G" {
		t.Fatalf("AddIndex returned %+v", ix)
	}
	if err := e.WaitIndexesActive(bg, "B"); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if got, _ := e.Table(bg, "B"); got.Indexes[0].Status != IndexActive || got.Indexes[0].Backfilling {
		t.Fatalf("after the backfill: %+v", got.Indexes[0])
	}
	t.Logf("%d foreground writes during the backfill", writes.Load())
	checkIndexes(t, e, "B", scanAll(t, e, "B"))
	checkStats(t, e, "B")
}

// A backfill interrupted by Close resumes at Open and ends exact.
func TestBackfillResumesAfterReopen(t *testing.T) {
	dir := t.TempDir()
	e := openAt(t, dir, nil)
	mustCreate(t, e, spec("R", attr.KindS, attr.KindN))
	fillTable(t, e, "R", 1000)
	first := make(chan struct{})
	var once sync.Once
	e.afterBackfillBatch = func(ctx context.Context) {
		once.Do(func() { close(first) })
		<-ctx.Done()
	}
	if _, err := e.AddIndex(bg, "R", gIndex); err != nil {
		t.Fatal(err)
	}
	<-first
	rec, _ := e.Table(bg, "R")
	st, err := e.IndexStats(bg, rec, "G")
	if err != nil || st.ItemCount == 0 || int(st.ItemCount) >= len(modelIndexItems(gIndex, rec.KeySchema, scanAll(t, e, "R"))) {
		t.Fatalf("after one batch: %+v, %v; want a partial index", st, err)
	}
	// Writes after the interruption are maintained too.
	put(t, e, "R", bfItem(5000, 2))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = openAt(t, dir, nil)
	defer e.Close()
	if rec, _ := e.Table(bg, "R"); !rec.Indexes[0].Backfilling {
		t.Fatal("the interrupted index is not backfilling after reopen")
	}
	if err := e.WaitIndexesActive(bg, "R"); err != nil {
		t.Fatal(err)
	}
	checkIndexes(t, e, "R", scanAll(t, e, "R"))
}

// DeleteIndex removes every entry and the stats; a re-added index of the
// same name gets a new id and is built afresh. Deleting an index while it
// is being built stops the build.
func TestDeleteIndex(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, idxTableSpec("D"))
	var items []attr.Item
	for i := range 300 {
		items = append(items, withAttrs(key(attr.S(fmt.Sprintf("p%d", i%3)), num(i)),
			"g1", attr.S("x"), "g1s", num(i%4), "g2", num(i%5), "l", attr.S("m"), "g", attr.S("h"), "r", num(i)))
	}
	putMany(t, e, "D", items)
	rec, _ := e.Table(bg, "D")
	g1 := rec.Indexes[0]
	if n := rawKeys(t, e, indexPrefix(rec.ts(t, e).id, g1.ID)); n != 300 {
		t.Fatalf("G1 has %d entries, want 300", n)
	}

	out, err := e.DeleteIndex(bg, "D", "G1")
	if err != nil || out.Indexes[0].Name != "G1" || out.Indexes[0].Status != IndexDeleting {
		t.Fatalf("DeleteIndex = %+v, %v", out, err)
	}
	id := rec.ts(t, e).id
	if n := rawKeys(t, e, indexPrefix(id, g1.ID)); n != 0 {
		t.Fatalf("%d entries of the deleted index remain", n)
	}
	if _, found, _ := e.db.Get(indexStatsKey(id, g1.ID)); found {
		t.Fatal("stats of the deleted index remain")
	}
	rec, _ = e.Table(bg, "D")
	if slices.ContainsFunc(rec.Indexes, func(ix Index) bool { return ix.Name == "G1" }) {
		t.Fatalf("G1 still listed: %+v", rec.Indexes)
	}
	if err := e.Query(bg, "D", QuerySpec{Index: "G1", Hash: attr.S("x")}, nil); !errors.Is(err, ErrIndexNotFound) {
		t.Fatalf("Query on a deleted index: %v", err)
	}
	if _, err := e.IndexStats(bg, rec, "G1"); !errors.Is(err, ErrIndexNotFound) {
		t.Fatalf("IndexStats of a deleted index: %v", err)
	}
	if _, err := e.DeleteIndex(bg, "D", "G1"); !errors.Is(err, ErrIndexNotFound) {
		t.Fatalf("second DeleteIndex: %v", err)
	}
	if _, err := e.DeleteIndex(bg, "D", "L1"); !errors.Is(err, ErrInvalidIndex) {
		t.Fatalf("DeleteIndex of an LSI: %v", err)
	}
	put(t, e, "D", withAttrs(key(attr.S("p0"), num(1000)), "g1", attr.S("x"), "g1s", num(1)))

	// Re-add G1: a new id, built from the table.
	spec1 := g1.IndexSpec
	rec, err = e.AddIndex(bg, "D", spec1)
	if err != nil {
		t.Fatal(err)
	}
	if re := rec.Indexes[len(rec.Indexes)-1]; re.ID <= g1.ID {
		t.Fatalf("re-added index id %d, old %d", re.ID, g1.ID)
	}
	if err := e.WaitIndexesActive(bg, "D"); err != nil {
		t.Fatal(err)
	}
	checkIndexes(t, e, "D", scanAll(t, e, "D"))

	// Delete an index in the middle of its build.
	first, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.afterBackfillBatch = func(ctx context.Context) {
		once.Do(func() { close(first) })
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	rec, err = e.AddIndex(bg, "D", gIndex)
	if err != nil {
		t.Fatal(err)
	}
	gid := rec.Indexes[len(rec.Indexes)-1].ID
	<-first
	if n := rawKeys(t, e, indexPrefix(id, gid)); n == 0 {
		t.Fatal("no entries after the first backfill batch")
	}
	if _, err := e.DeleteIndex(bg, "D", "G"); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := e.WaitIndexesActive(bg, "D"); err != nil {
		t.Fatal(err)
	}
	if n := rawKeys(t, e, indexPrefix(id, gid)); n != 0 {
		t.Fatalf("%d entries of the index deleted during its build remain", n)
	}
	checkIndexes(t, e, "D", scanAll(t, e, "D"))
}

// ts returns the engine's state of the table t names.
func (t *Table) ts(tt tb, e *Engine) *tableState {
	ts, err := e.lookup(t.Name)
	if err != nil {
		tt.Fatal(err)
	}
	return ts
}

func TestAddIndexErrors(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, idxTableSpec("E"))
	if _, err := e.AddIndex(bg, "E", IndexSpec{Name: "G1", KeySchema: gIndex.KeySchema, Projection: gIndex.Projection}); !errors.Is(err, ErrIndexExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	lsi := IndexSpec{Name: "L2", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindS}, Range: &KeyAttr{"z", attr.KindS}}, Projection: Projection{Type: ProjectionAll}}
	if _, err := e.AddIndex(bg, "E", lsi); !errors.Is(err, ErrInvalidIndex) {
		t.Fatalf("AddIndex of an LSI: %v", err)
	}
	if _, err := e.AddIndex(bg, "E", IndexSpec{Name: "P", KeySchema: gIndex.KeySchema, Projection: Projection{Type: "SOME"}}); !errors.Is(err, ErrInvalidIndex) {
		t.Fatalf("bad projection: %v", err)
	}
	if _, err := e.AddIndex(bg, "nope", gIndex); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("AddIndex on a missing table: %v", err)
	}
	dup := idxTableSpec("F")
	dup.Indexes = append(dup.Indexes, dup.Indexes[0])
	if _, err := e.CreateTable(bg, dup); !errors.Is(err, ErrIndexExists) {
		t.Fatalf("CreateTable with duplicate index names: %v", err)
	}
	badLSI := idxTableSpec("F")
	badLSI.Indexes[2].KeySchema.Hash = KeyAttr{"other", attr.KindS}
	if _, err := e.CreateTable(bg, badLSI); !errors.Is(err, ErrInvalidIndex) {
		t.Fatalf("CreateTable with an LSI on another partition key: %v", err)
	}
	if err := e.WaitIndexesActive(bg, "nope"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("WaitIndexesActive of a missing table: %v", err)
	}
}
