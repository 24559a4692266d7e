package engine

import (
	"fmt"
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/attr/attrtest"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// recount scans a table and returns its true count and size.
func recount(t tb, e *Engine, table string) TableStats {
	var st TableStats
	for _, it := range scanAll(t, e, table) {
		st.ItemCount++
		st.SizeBytes += int64(attr.ItemSize(it))
	}
	return st
}

func checkStats(t tb, e *Engine, table string) {
	t.Helper()
	rec, err := e.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Stats(bg, rec)
	if err != nil {
		t.Fatal(err)
	}
	if want := recount(t, e, table); got != want {
		t.Fatalf("%s: stats %+v, recount %+v", table, got, want)
	}
}

// Random workloads of inserts, overwrites, deletes, no-ops and canceled
// transactions keep the stats equal to a recount, also after reopening.
func TestStatsMatchRecount(t *testing.T) {
	dir := t.TempDir()
	fc := clock.NewFake(testEpoch)
	e := openAt(t, dir, fc)
	var tables []string
	rapid.Check(t, func(t *rapid.T) {
		names := []string{fmt.Sprintf("a%d", len(tables)), fmt.Sprintf("b%d", len(tables))}
		for _, n := range names {
			mustCreate(t, e, spec(n, attr.KindN, attr.KindInvalid))
			tables = append(tables, n)
		}
		for range rapid.IntRange(1, 30).Draw(t, "steps") {
			var muts []Mutation
			used := map[string]bool{}
			fail := rapid.IntRange(0, 9).Draw(t, "fail") == 0
			for range rapid.IntRange(1, 4).Draw(t, "batch") {
				table := rapid.SampledFrom(names).Draw(t, "table")
				k := key(num(rapid.IntRange(0, 8).Draw(t, "key")))
				id := table + encKey(k["pk"])
				if used[id] {
					continue
				}
				used[id] = true
				var fn MutateFunc
				switch rapid.IntRange(0, 3).Draw(t, "kind") {
				case 0: // delete
					fn = func(attr.Item) (attr.Item, error) { return nil, nil }
				case 1: // keep
					fn = func(old attr.Item) (attr.Item, error) { return old, nil }
				default: // put a random item
					it := attrtest.ItemGen().Draw(t, "item")
					it["pk"] = k["pk"]
					fn = func(attr.Item) (attr.Item, error) { return it, nil }
				}
				muts = append(muts, Mutation{Table: table, Key: k, Fn: fn})
			}
			if fail {
				muts[0].Fn = func(attr.Item) (attr.Item, error) { return nil, errLimit }
			}
			if _, _, err := e.MutateMany(bg, muts); err != nil && !fail {
				t.Fatal(err)
			}
		}
		for _, n := range names {
			checkStats(t, e, n)
		}
	})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, fc)
	defer e.Close()
	for _, n := range tables {
		checkStats(t, e, n)
	}
}
