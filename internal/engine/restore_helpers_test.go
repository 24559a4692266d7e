package engine

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// restoreSpec returns spec with a restore state, as the backup service
// asks for a restore target.
func restoreSpec(s TableSpec) TableSpec {
	s.Restore = &RestoreState{
		SourceBackupARN: "arn:aws:dynamodb:us-east-1:000000000000:table/Src/backup/01",
		SourceTableARN:  "arn:aws:dynamodb:us-east-1:000000000000:table/Src",
		RestoreDateTime: testEpoch.Add(-time.Hour),
		Job:             []byte(`{"kind":"backup"}`),
	}
	return s
}

// indexedSpec is a hash+range table (pk S, sk N) with GSIs and LSIs of
// every projection type, on attributes restoreItems fills sparsely and
// sometimes with the wrong type.
func indexedSpec(name string) TableSpec {
	s := spec(name, attr.KindS, attr.KindN)
	s.Indexes = []IndexSpec{
		{Name: "gAll", KeySchema: KeySchema{Hash: KeyAttr{"g", attr.KindS}, Range: &KeyAttr{"n", attr.KindN}}, Projection: Projection{Type: ProjectionAll}},
		{Name: "hKeys", KeySchema: KeySchema{Hash: KeyAttr{"h", attr.KindN}}, Projection: Projection{Type: ProjectionKeysOnly}},
		{Name: "gInc", KeySchema: KeySchema{Hash: KeyAttr{"g", attr.KindS}}, Projection: Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"a", "nothere"}}},
		{Name: "lInc", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindS}, Range: &KeyAttr{"l", attr.KindS}}, Projection: Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"a"}}},
		{Name: "nKeys", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindS}, Range: &KeyAttr{"n", attr.KindN}}, Projection: Projection{Type: ProjectionKeysOnly}},
	}
	return s
}

// restoreItems returns n distinct random items for spec(…, KindS, rng)
// tables (hash-only when rng is KindInvalid), in random order, seeded.
func restoreItems(seed uint64, n int, rng attr.Kind) []attr.Item {
	r := rand.New(rand.NewPCG(seed, 1))
	seen := map[string]bool{}
	var out []attr.Item
	for len(out) < n {
		it := attr.Item{"pk": attr.S(fmt.Sprintf("p%d", r.IntN(max(n/8, 2))))}
		if rng != attr.KindInvalid {
			it["sk"] = num(r.IntN(10 * n))
		} else {
			it["pk"] = attr.S(fmt.Sprintf("p%d", r.IntN(10*n)))
		}
		id := fmtItem(it)
		if seen[id] {
			continue
		}
		seen[id] = true
		switch r.IntN(7) {
		case 0: // absent: not in the g indexes
		case 1:
			it["g"] = num(r.IntN(5)) // wrong type: not in the g indexes
		default:
			it["g"] = attr.S(fmt.Sprintf("g%d", r.IntN(5)))
		}
		if r.IntN(4) > 0 {
			it["n"] = num(r.IntN(50))
		}
		if r.IntN(3) > 0 {
			it["h"] = num(r.IntN(8))
		}
		switch r.IntN(4) {
		case 0:
		case 1:
			it["l"] = attr.B([]byte{byte(r.IntN(256))}) // wrong type
		default:
			it["l"] = attr.S(fmt.Sprintf("l%d", r.IntN(20)))
		}
		if r.IntN(2) == 0 {
			it["a"] = attr.S(strings.Repeat("a", r.IntN(40)))
		}
		blob := make([]byte, r.IntN(300))
		for i := range blob {
			blob[i] = byte(r.Uint32())
		}
		it["blob"] = attr.B(blob)
		switch r.IntN(4) {
		case 0:
			it["ttl"] = num(int(testEpoch.Unix()) + r.IntN(1000) - 500)
		case 1:
			it["ttl"] = attr.S("not a number")
		}
		it["tags"] = attr.Value{Kind: attr.KindSS, Strs: []string{"x", fmt.Sprint(r.IntN(9))}}
		out = append(out, it)
	}
	return out
}

// keyOf returns the primary key of an item of a spec() table.
func keyOf(it attr.Item) attr.Item {
	k := attr.Item{"pk": it["pk"]}
	if v, ok := it["sk"]; ok {
		k["sk"] = v
	}
	return k
}

// load fills a restore target with items through a Loader committing
// every batchSize bytes (half of them with AddEncoded), and finishes the
// load (not the restore).
func load(t tb, e *Engine, table string, items []attr.Item, batchSize int) {
	t.Helper()
	l, err := e.NewLoader(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if batchSize > 0 {
		l.batchSize = batchSize
	}
	for i, it := range items {
		// Half with their encoding, as restores do: both paths must store
		// exactly what Mutate does.
		var err error
		if i%2 == 1 {
			err = l.AddEncoded(it, attr.AppendItem(nil, it))
		} else {
			err = l.Add(it)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Finish(); err != nil {
		t.Fatal(err)
	}
}

// tableID returns the TableId of a live table.
func tableID(t tb, e *Engine, table string) [tableIDLen]byte {
	t.Helper()
	ts, err := e.lookup(table)
	if err != nil {
		t.Fatal(err)
	}
	return ts.id
}

// storedKeys lists every key of one kind (prefix) of a table as
// "<key after prefix and TableId>=<value>", hex, in key order.
func storedKeys(t tb, e *Engine, prefix byte, id [tableIDLen]byte) []string {
	t.Helper()
	p := tablePrefix(prefix, id)
	it, err := e.db.NewIter(p, prefixEnd(p))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%x=%x", it.Key()[len(p):], v))
	}
	if err := it.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

// allPrefixes are the kinds of keys a table owns besides its record.
var allPrefixes = []byte{prefixItems, prefixIndex, prefixTTL, prefixCollection, prefixStats, prefixChangeLog}

// checkSameStorage compares every stored key and value (items, index
// entries, TTL entries, collection sizes, merged stats) of two tables.
func checkSameStorage(t tb, e *Engine, got, want string) {
	t.Helper()
	gid, wid := tableID(t, e, got), tableID(t, e, want)
	for _, p := range allPrefixes {
		g, w := storedKeys(t, e, p, gid), storedKeys(t, e, p, wid)
		if !slices.Equal(g, w) {
			t.Fatalf("%c keys of %s differ from %s: %d vs %d keys\ngot  %.600s\nwant %.600s",
				p, got, want, len(g), len(w), strings.Join(g, " "), strings.Join(w, " "))
		}
	}
}

// rawStats recounts a table's items and each index's entries from the
// store, bypassing the CREATING refusals.
func rawStats(t tb, e *Engine, table string) (items TableStats, indexes map[string]TableStats) {
	t.Helper()
	ts, err := e.lookup(table)
	if err != nil {
		t.Fatal(err)
	}
	count := func(prefix []byte, overhead int64) TableStats {
		var st TableStats
		err := visitRange(bg, e.db, prefix, prefixEnd(prefix), false, func(it attr.Item) (bool, error) {
			st.ItemCount++
			st.SizeBytes += int64(attr.ItemSize(it)) + overhead
			return true, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	indexes = map[string]TableStats{}
	for _, ix := range ts.layout.Load().indexes {
		indexes[ix.name] = count(ix.keys.prefix, indexEntryOverhead)
	}
	return count(ts.prefix, 0), indexes
}

// liveStatsOf returns a table's in-memory stats and each index's.
func liveStatsOf(t tb, e *Engine, table string) (TableStats, map[string]TableStats) {
	t.Helper()
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	st, err := e.Stats(bg, rec)
	if err != nil {
		t.Fatal(err)
	}
	ixs := map[string]TableStats{}
	for _, ix := range rec.Indexes {
		if ixs[ix.Name], err = e.IndexStats(bg, rec, ix.Name); err != nil {
			t.Fatal(err)
		}
	}
	return st, ixs
}

// checkLiveMatchesStore checks that a (possibly CREATING) table's live
// stats equal a recount of what is stored.
func checkLiveMatchesStore(t tb, e *Engine, table string) TableStats {
	t.Helper()
	live, liveIx := liveStatsOf(t, e, table)
	raw, rawIx := rawStats(t, e, table)
	if live != raw {
		t.Fatalf("%s: live stats %+v, stored items %+v", table, live, raw)
	}
	for n, st := range rawIx {
		if liveIx[n] != st {
			t.Fatalf("%s: live stats of index %s %+v, stored entries %+v", table, n, liveIx[n], st)
		}
	}
	return live
}

// sortedByKey returns items sorted by their storage key in table rec.
func sortedByKey(t tb, rec *Table, items []attr.Item) []attr.Item {
	t.Helper()
	ts, err := newTableState(rec)
	if err != nil {
		t.Fatal(err)
	}
	keyed := make([]struct {
		k  []byte
		it attr.Item
	}, len(items))
	for i, it := range items {
		k, err := ts.itemKeyOf(it)
		if err != nil {
			t.Fatal(err)
		}
		keyed[i].k, keyed[i].it = k, it
	}
	slices.SortFunc(keyed, func(a, b struct {
		k  []byte
		it attr.Item
	}) int {
		return bytes.Compare(a.k, b.k)
	})
	out := make([]attr.Item, len(items))
	for i := range keyed {
		out[i] = keyed[i].it
	}
	return out
}
