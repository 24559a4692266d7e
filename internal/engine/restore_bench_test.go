package engine

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// restoreBenchPayload and restoreBenchNames are shared by the bench
// items, so building an item costs the benchmark little.
var (
	restoreBenchPayload = attr.B([]byte(strings.Repeat("p", 300)))
	restoreBenchTags    = attr.Value{Kind: attr.KindSS, Strs: []string{"a", "b", "c"}}
	restoreBenchNames   = func() []attr.Value {
		out := make([]attr.Value, 1000)
		for i := range out {
			out[i] = attr.S(fmt.Sprintf("name %08d of moderate length...", i))
		}
		return out
	}()
)

// restoreBenchItem sets the i-th item of a load into it (a reused map:
// the Loader does not retain items): about 400 bytes encoded, 4 items
// per partition key. The items of partition p come in order[p] (nil: in
// p order, which is random storage order).
func restoreBenchItem(it attr.Item, i int, order []int32) attr.Item {
	p := i / 4
	if order != nil {
		p = int(order[p])
	}
	it["pk"] = attr.S("user" + strconv.Itoa(10_000_000+p))
	it["sk"] = num(i % 4)
	it["name"] = restoreBenchNames[i%len(restoreBenchNames)]
	it["count"] = num(i * 7)
	it["tags"] = restoreBenchTags
	it["payload"] = restoreBenchPayload
	return it
}

// keyOrder returns the partitions of the first n bench items in storage
// key order, the order a restore from a backup loads them in.
func keyOrder(n int) []int32 {
	parts := (n + 3) / 4
	hashes := make([]uint64, parts)
	order := make([]int32, parts)
	for p := range parts {
		hashes[p] = partitionHash(attr.AppendKey(nil, attr.S("user"+strconv.Itoa(10_000_000+p))))
		order[p] = int32(p)
	}
	slices.SortFunc(order, func(a, b int32) int { return cmp.Compare(hashes[a], hashes[b]) })
	return order
}

// restoreBenchSpecs are the table shapes BenchmarkLoader loads.
var restoreBenchSpecs = []struct {
	name    string
	indexes []IndexSpec
}{
	{"indexes=0", nil},
	{"gsis=2", []IndexSpec{
		{Name: "G0", KeySchema: KeySchema{Hash: KeyAttr{"name", attr.KindS}, Range: &KeyAttr{"count", attr.KindN}}, Projection: Projection{Type: ProjectionAll}},
		{Name: "G1", KeySchema: KeySchema{Hash: KeyAttr{"name", attr.KindS}}, Projection: Projection{Type: ProjectionKeysOnly}},
	}},
	{"lsi=1", []IndexSpec{
		{Name: "L0", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindS}, Range: &KeyAttr{"name", attr.KindS}}, Projection: Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"count"}}},
	}},
}

// BenchmarkLoader measures a restore's load: one op is one item added
// (about 400 bytes; b.SetBytes counts the encoded item), including the
// final synced Finish, on the real disk. Items come in storage key order,
// as a restore from a backup loads them, or in random order.
func BenchmarkLoader(b *testing.B) {
	for _, bs := range restoreBenchSpecs {
		for _, order := range []string{"key", "random"} {
			b.Run(bs.name+"/order="+order, func(b *testing.B) { benchLoader(b, bs.indexes, order == "key") })
		}
	}
}

// benchLoader loads b.N bench items into a new restore target.
func benchLoader(b *testing.B, indexes []IndexSpec, sorted bool) {
	var order []int32
	if sorted {
		order = keyOrder(b.N)
	}
	e, _ := openTest(b) // a new store for each b.N
	s := spec("R", attr.KindS, attr.KindN)
	s.Indexes = indexes
	mustCreate(b, e, restoreSpec(s))
	l, err := e.NewLoader(bg, s.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	it := attr.Item{}
	b.SetBytes(int64(len(attr.AppendItem(nil, restoreBenchItem(it, 0, nil)))))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.Add(restoreBenchItem(it, i, order)); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Finish(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
}

// BenchmarkSnapshotItems measures a backup's read: one op pins a
// snapshot of a 100 000-item table (about 40 MB) and reads every item.
func BenchmarkSnapshotItems(b *testing.B) {
	const n = 100_000
	e, _ := openTest(b)
	mustCreate(b, e, restoreSpec(spec("T", attr.KindS, attr.KindN)))
	l, err := e.NewLoader(bg, "T")
	if err != nil {
		b.Fatal(err)
	}
	it := attr.Item{}
	for i := range n {
		if err := l.Add(restoreBenchItem(it, i, nil)); err != nil {
			b.Fatal(err)
		}
	}
	if err := l.Finish(); err != nil {
		b.Fatal(err)
	}
	if _, err := e.FinishRestore(bg, "T"); err != nil {
		b.Fatal(err)
	}
	if err := e.db.Flush(); err != nil {
		b.Fatal(err)
	}
	read := func() (bytes int64) {
		s, err := e.SnapshotTable(bg, "T")
		if err != nil {
			b.Fatal(err)
		}
		items := 0
		if err := s.Items(bg, func(enc []byte) error { bytes += int64(len(enc)); items++; return nil }); err != nil {
			b.Fatal(err)
		}
		if items != n {
			b.Fatalf("%d items", items)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		return bytes
	}
	b.SetBytes(read())
	for b.Loop() {
		read()
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "items/s")
}
