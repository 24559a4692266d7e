package engine

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// drawIdxAttr draws an optional attribute for the index test table:
// absent, a value of the index key type, or one of the wrong type.
func drawIdxAttr(t *rapid.T, it attr.Item, name string, good func(int) attr.Value, bad func(int) attr.Value) {
	switch rapid.IntRange(0, 5).Draw(t, name+"Form") {
	case 0, 1:
	case 5:
		it[name] = bad(rapid.IntRange(0, 2).Draw(t, name+"Bad"))
	default:
		it[name] = good(rapid.IntRange(0, 2).Draw(t, name+"Val"))
	}
}

func sVal(i int) attr.Value { return attr.S(string(rune('x' + i))) }

// drawIdxItem draws an item of the index test table with key k.
func drawIdxItem(t *rapid.T, k attr.Item) attr.Item {
	it := k.Clone()
	drawIdxAttr(t, it, "g1", sVal, num)
	drawIdxAttr(t, it, "g1s", num, sVal)
	drawIdxAttr(t, it, "g2", num, sVal)
	drawIdxAttr(t, it, "l", sVal, num)
	drawIdxAttr(t, it, "a", sVal, num)
	drawIdxAttr(t, it, "b", num, sVal)
	return it
}

func drawIdxKey(t *rapid.T) attr.Item {
	return key(attr.S(fmt.Sprintf("p%d", rapid.IntRange(0, 2).Draw(t, "pk"))), num(rapid.IntRange(0, 4).Draw(t, "sk")))
}

// idxModel is the expected content of an index test table.
type idxModel map[string]attr.Item // by fmtItem(key)

func (m idxModel) items() []attr.Item {
	var out []attr.Item
	for _, it := range m {
		out = append(out, it)
	}
	return out
}

// Random workloads of puts, updates, deletes, multi-item commits and
// canceled ones (with items lacking index keys and index keys changing
// type) keep every index equal to the one recomputed from the table, in
// content, Query order and stats, also after reopening; the LSI item
// collection sizes stay exact.
func TestIndexesMatchModel(t *testing.T) {
	outer := t
	dir := t.TempDir()
	e := openAt(t, dir, nil)
	defer func() { e.Close() }()
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		name := fmt.Sprintf("I%d", n)
		mustCreate(t, e, idxTableSpec(name))
		model := idxModel{}
		for range rapid.IntRange(1, 30).Draw(t, "ops") {
			switch rapid.IntRange(0, 4).Draw(t, "op") {
			case 0: // put
				k := drawIdxKey(t)
				it := drawIdxItem(t, k)
				put(t, e, name, it)
				model[fmtItem(k)] = it
			case 1: // read-modify-write of one attribute
				k := drawIdxKey(t)
				nu := drawIdxItem(t, k)
				attrName := rapid.SampledFrom([]string{"g1", "g1s", "g2", "l", "a", "b"}).Draw(t, "attr")
				res, err := e.Mutate(bg, name, k, func(old attr.Item) (attr.Item, error) {
					out := old.Clone()
					if out == nil {
						out = k.Clone()
					}
					if v, ok := nu[attrName]; ok {
						out[attrName] = v
					} else {
						delete(out, attrName)
					}
					return out, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				model[fmtItem(k)] = res.New
			case 2: // delete
				k := drawIdxKey(t)
				del(t, e, name, k)
				delete(model, fmtItem(k))
			case 3: // multi-item commit
				keys := rapid.SliceOfNDistinct(rapid.Custom(drawIdxKey), 2, 3, fmtItem).Draw(t, "keys")
				var muts []Mutation
				next := map[string]attr.Item{}
				for _, k := range keys {
					var it attr.Item
					if rapid.Bool().Draw(t, "putOne") {
						it = drawIdxItem(t, k)
					}
					next[fmtItem(k)] = it
					muts = append(muts, Mutation{Table: name, Key: k, Fn: func(attr.Item) (attr.Item, error) { return it, nil }})
				}
				if _, _, err := e.MutateMany(bg, muts); err != nil {
					t.Fatal(err)
				}
				for k, it := range next {
					if it == nil {
						delete(model, k)
					} else {
						model[k] = it
					}
				}
			case 4: // canceled: one Fn fails, nothing is written
				k1, k2 := key(attr.S("p0"), num(0)), key(attr.S("p1"), num(1))
				it := drawIdxItem(t, k1)
				boom := errors.New("boom")
				_, _, err := e.MutateMany(bg, []Mutation{
					{Table: name, Key: k1, Fn: func(attr.Item) (attr.Item, error) { return it, nil }},
					{Table: name, Key: k2, Fn: func(attr.Item) (attr.Item, error) { return nil, boom }},
				})
				if !errors.Is(err, ErrTransactionCanceled) {
					t.Fatalf("canceled commit: %v", err)
				}
			}
		}
		checkIndexes(t, e, name, model.items())
		checkCollections(t, e, name, model.items())
		checkRangeQueries(t, e, name, model.items())
		if rapid.IntRange(0, 4).Draw(t, "reopen") == 0 {
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			e = openAt(outer, dir, nil)
			checkIndexes(t, e, name, model.items())
			checkCollections(t, e, name, model.items())
		}
		checkStats(t, e, name)
	})
}

// checkCollections compares the item collection sizes of the index test
// table with the model: items plus L1 entries of each partition key.
func checkCollections(t tb, e *Engine, table string, items []attr.Item) {
	t.Helper()
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	lsi := rec.Indexes[slices.IndexFunc(rec.Indexes, func(ix Index) bool { return ix.Local })]
	want := map[string]int64{}
	for _, it := range items {
		pk := it["pk"].Str
		want[pk] += int64(attr.ItemSize(it))
		if p, ok := modelProject(lsi.IndexSpec, rec.KeySchema, it); ok {
			want[pk] += int64(attr.ItemSize(p)) + 100
		}
	}
	for i := range 3 {
		pk := fmt.Sprintf("p%d", i)
		got, err := e.ItemCollectionSize(bg, table, attr.S(pk))
		if err != nil {
			t.Fatal(err)
		}
		if got != want[pk] {
			t.Fatalf("collection %s: %d bytes, want %d", pk, got, want[pk])
		}
	}
}

// Parallel-scan segments of an index partition it exactly, and a scan
// resumes after an ExclusiveStart made of index and table keys.
func TestIndexScanSegments(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, idxTableSpec("S"))
	var items []attr.Item
	for i := range 200 {
		items = append(items, withAttrs(key(attr.S(fmt.Sprintf("p%d", i%7)), num(i)), "g1", attr.S(fmt.Sprintf("h%d", i%23)), "g1s", num(i%3)))
	}
	putMany(t, e, "S", items)
	all := collect(t, func(v VisitFunc) error { return e.Scan(bg, "S", ScanSpec{Index: "G1"}, v) })
	if len(all) != 200 {
		t.Fatalf("index scan: %d entries", len(all))
	}
	var segs []attr.Item
	for s := range 4 {
		segs = append(segs, collect(t, func(v VisitFunc) error {
			return e.Scan(bg, "S", ScanSpec{Index: "G1", Segment: s, TotalSegments: 4}, v)
		})...)
	}
	checkSame(t, "segments", segs, all)
	rec, _ := e.Table(bg, "S")
	start := indexKeyOf(rec.Indexes[0].IndexSpec, rec.KeySchema, all[99])
	rest := collect(t, func(v VisitFunc) error { return e.Scan(bg, "S", ScanSpec{Index: "G1", ExclusiveStart: start}, v) })
	checkSame(t, "resumed scan", rest, all[100:])
	for name, bad := range map[string]attr.Item{
		"table key only": key(attr.S("p0"), num(0)),
		"wrong type":     withAttrs(start, "g1s", attr.S("1")),
	} {
		if err := e.Scan(bg, "S", ScanSpec{Index: "G1", ExclusiveStart: bad}, nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ExclusiveStart %s: %v", name, err)
		}
	}
	if err := e.Scan(bg, "S", ScanSpec{Index: "nope"}, nil); !errors.Is(err, ErrIndexNotFound) {
		t.Fatalf("scan of a missing index: %v", err)
	}
}

// checkRangeQueries runs random sort key conditions on G1 (N sort key) and
// L1 (S sort key) and compares with the model.
func checkRangeQueries(t *rapid.T, e *Engine, table string, items []attr.Item) {
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	for range rapid.IntRange(1, 4).Draw(t, "rangeQueries") {
		ix := rec.Indexes[rapid.SampledFrom([]int{0, 2}).Draw(t, "rangeIndex")]
		rk := *ix.KeySchema.Range
		val := num
		ops := []RangeOp{RangeEQ, RangeLT, RangeLE, RangeGT, RangeGE, RangeBetween}
		hash := sVal(rapid.IntRange(0, 2).Draw(t, "rangeHash"))
		if rk.Type == attr.KindS {
			val = sVal
			ops = append(ops, RangeBeginsWith)
			hash = attr.S(fmt.Sprintf("p%d", rapid.IntRange(0, 2).Draw(t, "rangeHash")))
		}
		q := QuerySpec{Index: ix.Name, Hash: hash, Forward: rapid.Bool().Draw(t, "rangeForward"),
			Op: rapid.SampledFrom(ops).Draw(t, "rangeOp")}
		q.Values = []attr.Value{val(rapid.IntRange(0, 3).Draw(t, "rangeV1"))}
		if q.Op == RangeBetween {
			q.Values = append(q.Values, val(rapid.IntRange(0, 3).Draw(t, "rangeV2")))
			if c, _ := attr.Compare(q.Values[0], q.Values[1]); c > 0 {
				q.Values[0], q.Values[1] = q.Values[1], q.Values[0]
			}
		}
		var want []attr.Item
		for _, en := range modelIndexItems(ix.IndexSpec, rec.KeySchema, items) {
			if attr.Equal(en[ix.KeySchema.Hash.Name], hash) && modelMatch(en[rk.Name], q.Op, q.Values) {
				want = append(want, en)
			}
		}
		modelQueryOrder(ix.IndexSpec, rec.KeySchema, want)
		if !q.Forward {
			slices.Reverse(want)
		}
		got := collect(t, func(v VisitFunc) error { return e.Query(bg, table, q, v) })
		checkSame(t, fmt.Sprintf("%s query %+v", ix.Name, q), got, want)
		checkSame(t, fmt.Sprintf("paged %s query %+v", ix.Name, q), pagedQuery(t, e, table, q, ix.IndexSpec, rec.KeySchema), want)
	}
}
