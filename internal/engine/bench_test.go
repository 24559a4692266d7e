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
// (group commit shares the WAL fsyncs), on tables with 0, 1 and 5 GSIs
// (each item is in every index, so each write maintains them all).
func BenchmarkMutateParallel(b *testing.B) {
	for _, gsis := range []int{0, 1, 5} {
		b.Run(fmt.Sprintf("gsis=%d", gsis), func(b *testing.B) {
			e, _ := openTest(b)
			s := spec("B", attr.KindS, attr.KindN)
			for g := range gsis {
				s.Indexes = append(s.Indexes, IndexSpec{
					Name:       fmt.Sprintf("G%d", g),
					KeySchema:  KeySchema{Hash: KeyAttr{"name", attr.KindS}, Range: &KeyAttr{"count", attr.KindN}},
					Projection: Projection{Type: []string{ProjectionAll, ProjectionKeysOnly}[g%2]},
				})
			}
			mustCreate(b, e, s)
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
		})
	}
}

// BenchmarkMutateManyTransfer: two-item conditional transfers between 1000
// accounts from many goroutines, each one atomic MutateMany commit.
func BenchmarkMutateManyTransfer(b *testing.B) {
	e, _ := openTest(b)
	mustCreate(b, e, spec("Bank", attr.KindS, attr.KindInvalid))
	const accounts = 1000
	var items []attr.Item
	for i := range accounts {
		items = append(items, withAttrs(account(i), "bal", num(1_000_000)))
	}
	putMany(b, e, "Bank", items)
	var n atomic.Int64
	b.SetParallelism(32)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(n.Add(1))
			a := (i * 7919) % accounts
			if _, _, err := transfer(e, a, (a+1+i%(accounts-1))%accounts, 1); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "txns/s")
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
