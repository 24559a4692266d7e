package engine

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func benchItem(pk string, sk int) attr.Item {
	return attr.Item{
		"pk":    attr.S(pk),
		"sk":    num(sk),
		"name":  attr.S("some name of moderate length"),
		"count": num(sk * 7),
		"tags":  attr.Value{Kind: attr.KindSS, Strs: []string{"a", "b", "c"}},
	}
}

// BenchmarkMutateParallel: synced single-item writes from many goroutines
// (group commit shares the WAL fsyncs).
func BenchmarkMutateParallel(b *testing.B) {
	e, _ := openTest(b)
	mustCreate(b, e, spec("B", attr.KindS, attr.KindN))
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			it := benchItem(fmt.Sprintf("user%d", i), i)
			if _, err := e.Mutate(bg, "B", key(it["pk"], it["sk"]), func(attr.Item) (attr.Item, error) { return it, nil }); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
}

func BenchmarkGetItem(b *testing.B) {
	e, _ := openTest(b)
	mustCreate(b, e, spec("B", attr.KindS, attr.KindN))
	const n = 10_000
	for c := 0; c < n; c += 500 {
		var items []attr.Item
		for i := c; i < c+500; i++ {
			items = append(items, benchItem(fmt.Sprintf("user%d", i), i))
		}
		putMany(b, e, "B", items)
	}
	keys := make([]attr.Item, n)
	for i := range keys {
		keys[i] = key(attr.S(fmt.Sprintf("user%d", i)), num(i))
	}
	for i := 0; b.Loop(); i++ {
		it, err := e.GetItem(bg, "B", keys[i%n])
		if err != nil || it == nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuery reads whole partitions of 100 items.
func BenchmarkQuery(b *testing.B) {
	e, _ := openTest(b)
	mustCreate(b, e, spec("B", attr.KindS, attr.KindN))
	const parts, per = 50, 100
	for p := range parts {
		var items []attr.Item
		for i := range per {
			items = append(items, benchItem(fmt.Sprintf("user%d", p), i))
		}
		putMany(b, e, "B", items)
	}
	for i := 0; b.Loop(); i++ {
		n := 0
		err := e.Query(bg, "B", QuerySpec{Hash: attr.S(fmt.Sprintf("user%d", i%parts)), Forward: true},
			func(attr.Item) (bool, error) { n++; return true, nil })
		if err != nil || n != per {
			b.Fatalf("query: %d items, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "items/s")
}
