package engine

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// The index tests compare the engine's indexes with indexes recomputed
// from a model of the table by this file's code, which shares nothing with
// the engine's index code but the key encoding used to tell values apart.

// idxTableSpec is the table the index tests use: pk S, sk N, with
//
//	G1  GSI  g1 (S) / g1s (N)   ALL
//	G2  GSI  g2 (N)             KEYS_ONLY
//	L1  LSI  pk (S) / l (S)     INCLUDE a
func idxTableSpec(name string) TableSpec {
	s := spec(name, attr.KindS, attr.KindN)
	s.Indexes = []IndexSpec{
		{Name: "G1", KeySchema: KeySchema{Hash: KeyAttr{"g1", attr.KindS}, Range: &KeyAttr{"g1s", attr.KindN}}, Projection: Projection{Type: ProjectionAll}},
		{Name: "G2", KeySchema: KeySchema{Hash: KeyAttr{"g2", attr.KindN}}, Projection: Projection{Type: ProjectionKeysOnly}},
		{Name: "L1", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindS}, Range: &KeyAttr{"l", attr.KindS}}, Projection: Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"a"}}},
	}
	return s
}

// modelIndexItems returns the projected items the index should hold, in
// no particular order.
func modelIndexItems(is IndexSpec, table KeySchema, items []attr.Item) []attr.Item {
	var out []attr.Item
	for _, it := range items {
		if p, ok := modelProject(is, table, it); ok {
			out = append(out, p)
		}
	}
	return out
}

// modelProject returns item's projection in the index, ok false if the
// item lacks an index key attribute of the right type.
func modelProject(is IndexSpec, table KeySchema, it attr.Item) (attr.Item, bool) {
	keys := []KeyAttr{is.KeySchema.Hash}
	if r := is.KeySchema.Range; r != nil {
		keys = append(keys, *r)
	}
	for _, k := range keys {
		if v, ok := it[k.Name]; !ok || v.Kind != k.Type {
			return nil, false
		}
	}
	if is.Projection.Type == ProjectionAll {
		return it, true
	}
	keep := []string{table.Hash.Name}
	if table.Range != nil {
		keep = append(keep, table.Range.Name)
	}
	for _, k := range keys {
		keep = append(keep, k.Name)
	}
	if is.Projection.Type == ProjectionInclude {
		keep = append(keep, is.Projection.NonKeyAttributes...)
	}
	p := attr.Item{}
	for _, n := range keep {
		if v, ok := it[n]; ok {
			p[n] = v
		}
	}
	return p, true
}

// modelQueryOrder sorts one index partition's entries as a forward Query
// returns them: by index sort key, then table partition key, then table
// sort key.
func modelQueryOrder(is IndexSpec, table KeySchema, entries []attr.Item) {
	var order []string
	if r := is.KeySchema.Range; r != nil {
		order = append(order, r.Name)
	}
	order = append(order, table.Hash.Name)
	if table.Range != nil {
		order = append(order, table.Range.Name)
	}
	slices.SortStableFunc(entries, func(a, b attr.Item) int {
		for _, n := range order {
			if c, _ := attr.Compare(a[n], b[n]); c != 0 {
				return c
			}
		}
		return 0
	})
}

// sortedStrings renders items and sorts them, to compare as multisets.
func sortedStrings(items []attr.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmtItem(it)
	}
	slices.Sort(out)
	return out
}

// checkSameSet compares two item multisets.
func checkSameSet(t tb, what string, got, want []attr.Item) {
	t.Helper()
	g, w := sortedStrings(got), sortedStrings(want)
	if !slices.Equal(g, w) {
		t.Fatalf("%s: got %d entries, want %d\ngot  %s\nwant %s", what, len(g), len(w), strings.Join(g, " "), strings.Join(w, " "))
	}
}

// modelIndexStats returns the stats IndexStats should report.
func modelIndexStats(entries []attr.Item) TableStats {
	st := TableStats{ItemCount: int64(len(entries))}
	for _, en := range entries {
		st.SizeBytes += int64(attr.ItemSize(en)) + 100
	}
	return st
}

// checkIndexes compares every index of the table with the model: a full
// scan (as a multiset), a Query of every index partition in both
// directions, and the stats.
func checkIndexes(t tb, e *Engine, table string, items []attr.Item) {
	t.Helper()
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	for _, ix := range rec.Indexes {
		want := modelIndexItems(ix.IndexSpec, rec.KeySchema, items)
		got := collect(t, func(v VisitFunc) error { return e.Scan(bg, table, ScanSpec{Index: ix.Name}, v) })
		checkSameSet(t, "scan of "+ix.Name, got, want)
		st, err := e.IndexStats(bg, rec, ix.Name)
		if err != nil {
			t.Fatal(err)
		}
		if ws := modelIndexStats(want); st != ws {
			t.Fatalf("IndexStats(%s) = %+v, want %+v", ix.Name, st, ws)
		}
		parts := map[string][]attr.Item{}
		var hashes []attr.Value
		for _, en := range want {
			h := en[ix.KeySchema.Hash.Name]
			k := encKey(h)
			if parts[k] == nil {
				hashes = append(hashes, h)
			}
			parts[k] = append(parts[k], en)
		}
		for _, h := range hashes {
			part := parts[encKey(h)]
			modelQueryOrder(ix.IndexSpec, rec.KeySchema, part)
			got := collect(t, func(v VisitFunc) error {
				return e.Query(bg, table, QuerySpec{Index: ix.Name, Hash: h, Forward: true}, v)
			})
			checkSame(t, fmt.Sprintf("query %s %s", ix.Name, attr.Describe(h)), got, part)
			rev := slices.Clone(part)
			slices.Reverse(rev)
			got = collect(t, func(v VisitFunc) error {
				return e.Query(bg, table, QuerySpec{Index: ix.Name, Hash: h}, v)
			})
			checkSame(t, fmt.Sprintf("reverse query %s %s", ix.Name, attr.Describe(h)), got, rev)
			q := QuerySpec{Index: ix.Name, Hash: h, Forward: true}
			checkSame(t, fmt.Sprintf("paged query %s %s", ix.Name, attr.Describe(h)), pagedQuery(t, e, table, q, ix.IndexSpec, rec.KeySchema), part)
		}
	}
}

// indexKeyOf returns the ExclusiveStart of an index entry: the index's
// and the table's key attributes.
func indexKeyOf(is IndexSpec, table KeySchema, en attr.Item) attr.Item {
	k := attr.Item{table.Hash.Name: en[table.Hash.Name], is.KeySchema.Hash.Name: en[is.KeySchema.Hash.Name]}
	if table.Range != nil {
		k[table.Range.Name] = en[table.Range.Name]
	}
	if r := is.KeySchema.Range; r != nil {
		k[r.Name] = en[r.Name]
	}
	return k
}

// pagedQuery runs q two entries at a time, resuming each page after the
// last entry's index and table keys.
func pagedQuery(t tb, e *Engine, table string, q QuerySpec, is IndexSpec, ks KeySchema) []attr.Item {
	t.Helper()
	var out []attr.Item
	for {
		var page []attr.Item
		err := e.Query(bg, table, q, func(it attr.Item) (bool, error) {
			page = append(page, it)
			return len(page) < 2, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < 2 {
			return out
		}
		q.ExclusiveStart = indexKeyOf(is, ks, page[1])
	}
}
