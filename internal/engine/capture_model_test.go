package engine

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// Random workloads (puts, read-modify-writes, deletes, multi-item commits
// across two tables, canceled transactions, no-ops) on tables captured
// from creation: replaying each table's log from empty reproduces its
// items exactly; replaying the changes after a base snapshot's lower
// bound over the snapshot's items does too (a point-in-time restore);
// every change carries its commit's timestamp, in commit order.
func TestChangeLogReplayMatchesTable(t *testing.T) {
	e, _ := openTest(t)
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		names := []string{fmt.Sprintf("A%d", n), fmt.Sprintf("B%d", n)}
		rng := rapid.SampledFrom([]attr.Kind{attr.KindInvalid, attr.KindN}).Draw(t, "range")
		var ks KeySchema
		for _, name := range names {
			s := spec(name, attr.KindS, rng)
			if rapid.Bool().Draw(t, "gsi") {
				s.Indexes = []IndexSpec{{Name: "G", KeySchema: KeySchema{Hash: KeyAttr{"v", attr.KindN}}, Projection: Projection{Type: ProjectionKeysOnly}}}
			}
			mustCreate(t, e, s)
			captureOn(t, e, name)
			ks = s.KeySchema
		}
		drawKey := func(label string) (string, attr.Item) {
			table := rapid.SampledFrom(names).Draw(t, label+"Table")
			k := key(attr.S(fmt.Sprintf("p%d", rapid.IntRange(0, 3).Draw(t, label+"Pk"))))
			if rng != attr.KindInvalid {
				k["sk"] = num(rapid.IntRange(0, 2).Draw(t, label+"Sk"))
			}
			return table, k
		}
		drawFn := func(k attr.Item, label string) MutateFunc {
			switch rapid.IntRange(0, 4).Draw(t, label+"Fn") {
			case 0, 1: // put
				it := withAttrs(k, "v", num(rapid.IntRange(0, 5).Draw(t, label+"V")))
				return func(attr.Item) (attr.Item, error) { return it, nil }
			case 2: // read-modify-write
				return func(old attr.Item) (attr.Item, error) {
					out := k.Clone()
					if old != nil {
						out = old.Clone()
					}
					c, _ := strconv.Atoi(out["c"].Str) // absent: 0
					out["c"] = num(c + 1)
					return out, nil
				}
			case 3: // delete
				return func(attr.Item) (attr.Item, error) { return nil, nil }
			default: // condition check: no change
				return func(old attr.Item) (attr.Item, error) { return old, nil }
			}
		}
		var commits []clock.Timestamp
		var base *TableSnapshot
		baseTable := names[0]
		for op := range rapid.IntRange(1, 40).Draw(t, "ops") {
			if base == nil && rapid.IntRange(0, 9).Draw(t, "snapshot") == 0 {
				s, err := e.SnapshotTable(bg, baseTable)
				if err != nil {
					t.Fatal(err)
				}
				base = s
				defer base.Close()
			}
			var muts []Mutation
			used := map[string]bool{}
			for i := range rapid.IntRange(1, 4).Draw(t, "muts") {
				table, k := drawKey(fmt.Sprintf("m%d", i))
				id := table + fmtItem(k)
				if used[id] {
					continue
				}
				used[id] = true
				muts = append(muts, Mutation{Table: table, Key: k, Fn: drawFn(k, fmt.Sprintf("m%d", i))})
			}
			cancel := rapid.IntRange(0, 5).Draw(t, "cancel") == 0
			if cancel {
				muts[len(muts)-1].Fn = func(attr.Item) (attr.Item, error) { return nil, errors.New("condition failed") }
			}
			res, _, err := e.MutateMany(bg, muts)
			switch {
			case cancel && !errors.Is(err, ErrTransactionCanceled):
				t.Fatalf("op %d: canceled transaction: %v", op, err)
			case !cancel && err != nil:
				t.Fatalf("op %d: %v", op, err)
			case !cancel && res[0].CommitTS != 0:
				if len(commits) > 0 && res[0].CommitTS <= commits[len(commits)-1] {
					t.Fatalf("op %d: commit at %v after %v", op, res[0].CommitTS, commits[len(commits)-1])
				}
				commits = append(commits, res[0].CommitTS)
			}
		}
		for _, name := range names {
			cs := changes(t, e, name, 0, e.ResolvedTimestamp())
			for _, c := range cs {
				if _, ok := slices.BinarySearch(commits, c.TS); !ok {
					t.Fatalf("change at %v, which is no commit's timestamp", c.TS)
				}
			}
			checkFoldMatchesScan(t, e, name, ks, cs)
		}
		if base != nil {
			lo, _ := base.Bounds()
			m := map[string]attr.Item{}
			if err := base.Items(bg, func(enc []byte) error {
				it, err := attr.DecodeItem(enc)
				if err != nil {
					return err
				}
				m[string(pk(t, ks, it))] = it
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			for _, c := range changes(t, e, baseTable, lo, allTime) {
				if c.Item == nil {
					delete(m, string(c.Key))
				} else {
					m[string(c.Key)] = changeItem(t, c)
				}
			}
			items := scanAll(t, e, baseTable)
			if len(items) != len(m) {
				t.Fatalf("base + log: %d items, table %d", len(m), len(items))
			}
			for _, it := range items {
				if got := m[string(pk(t, ks, it))]; !itemsEqual(got, it) {
					t.Fatalf("base + log: %s, table %s", fmtItem(got), fmtItem(it))
				}
			}
		}
	})
}
