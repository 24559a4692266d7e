package engine

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// counter reads the number attribute "n" of an item (0 if absent).
func counter(t testing.TB, it attr.Item) int {
	if it == nil {
		return 0
	}
	n, err := strconv.Atoi(it["n"].Str)
	if err != nil {
		t.Errorf("bad counter %v", it["n"])
	}
	return n
}

var errLimit = errors.New("limit reached")

// Many goroutines increment a few counters with a conditional
// read-modify-write; every acknowledged increment is kept and the condition
// (n < limit) is never violated.
func TestConcurrentConditionalIncrements(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("C", attr.KindS, attr.KindInvalid))
	const workers, per, keys, limit = 16, 40, 3, 150
	var mu sync.Mutex
	acked := map[string]int{}
	refused := 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				k := fmt.Sprintf("k%d", (w+i)%keys)
				_, err := e.Mutate(bg, "C", key(attr.S(k)), func(old attr.Item) (attr.Item, error) {
					n := counter(t, old)
					if n >= limit {
						return nil, errLimit
					}
					return withAttrs(key(attr.S(k)), "n", num(n+1)), nil
				})
				mu.Lock()
				switch {
				case err == nil:
					acked[k]++
				case errors.Is(err, errLimit):
					refused++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	total := 0
	for i := range keys {
		k := fmt.Sprintf("k%d", i)
		it, err := e.GetItem(bg, "C", key(attr.S(k)))
		if err != nil {
			t.Fatal(err)
		}
		if got := counter(t, it); got != acked[k] || got > limit {
			t.Errorf("%s = %d, acknowledged increments %d (limit %d)", k, got, acked[k], limit)
		}
		total += acked[k]
	}
	if total+refused != workers*per {
		t.Fatalf("acked %d + refused %d != %d", total, refused, workers*per)
	}
	if refused == 0 {
		t.Fatal("the limit was never hit; the test does not exercise conditions")
	}
}

func TestMutateResults(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindN))
	k := key(attr.S("a"), num(1))
	v1 := withAttrs(k, "v", attr.S("one"))
	res, err := e.Mutate(bg, "T", k, func(old attr.Item) (attr.Item, error) {
		if old != nil {
			t.Errorf("old = %v, want nil", old)
		}
		return v1, nil
	})
	if err != nil || res.Old != nil || !itemsEqual(res.New, v1) {
		t.Fatalf("insert: %+v, %v", res, err)
	}
	v2 := withAttrs(k, "v", attr.S("two"))
	res, err = e.Mutate(bg, "T", k, func(attr.Item) (attr.Item, error) { return v2, nil })
	if err != nil || !itemsEqual(res.Old, v1) || !itemsEqual(res.New, v2) {
		t.Fatalf("overwrite: %+v, %v", res, err)
	}
	// A failing Fn writes nothing and reports the old item.
	boom := errors.New("condition failed")
	res, err = e.Mutate(bg, "T", k, func(attr.Item) (attr.Item, error) { return nil, boom })
	if err != boom || !itemsEqual(res.Old, v2) || res.New != nil {
		t.Fatalf("failing fn: %+v, %v", res, err)
	}
	// Returning old itself is a no-op: no commit, no timestamp.
	before := e.hlc.Last()
	res, err = e.Mutate(bg, "T", k, func(old attr.Item) (attr.Item, error) { return old, nil })
	if err != nil || !itemsEqual(res.New, v2) || e.hlc.Last() != before {
		t.Fatalf("no-op: %+v, %v, committed=%v", res, err, e.hlc.Last() != before)
	}
	// Deleting an absent item is a no-op too.
	if _, err := e.Mutate(bg, "T", key(attr.S("zz"), num(0)), func(attr.Item) (attr.Item, error) { return nil, nil }); err != nil || e.hlc.Last() != before {
		t.Fatalf("delete of absent item: %v, committed=%v", err, e.hlc.Last() != before)
	}
	res, err = e.Mutate(bg, "T", k, func(attr.Item) (attr.Item, error) { return nil, nil })
	if err != nil || !itemsEqual(res.Old, v2) || res.New != nil {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	if it, _ := e.GetItem(bg, "T", k); it != nil {
		t.Fatalf("deleted item still there: %v", it)
	}
}

func TestKeyValidation(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindN))
	keep := func(attr.Item) (attr.Item, error) { return nil, nil }
	for name, k := range map[string]attr.Item{
		"missing sort key": key(attr.S("a")),
		"wrong hash type":  key(num(1), num(1)),
		"wrong sort type":  key(attr.S("a"), attr.S("1")),
		"extra attribute":  withAttrs(key(attr.S("a"), num(1)), "x", attr.S("y")),
		"misnamed":         {"pk": attr.S("a"), "SK": num(1)},
	} {
		if _, err := e.GetItem(bg, "T", k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("GetItem %s: %v", name, err)
		}
		if _, err := e.Mutate(bg, "T", k, keep); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Mutate %s: %v", name, err)
		}
	}
	if _, err := e.GetItem(bg, "nope", key(attr.S("a"), num(1))); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("GetItem unknown table: %v", err)
	}

	k := key(attr.S("a"), num(1))
	for name, bad := range map[string]attr.Item{
		"changed sort key":  withAttrs(key(attr.S("a"), num(2)), "v", attr.S("x")),
		"changed hash key":  withAttrs(key(attr.S("b"), num(1))),
		"dropped sort key":  {"pk": attr.S("a"), "v": attr.S("x")},
		"sort key type":     withAttrs(key(attr.S("a"), attr.S("1"))),
		"numerically equal": withAttrs(key(attr.S("a"), attr.MustN("1.0")), "v", attr.S("ok")),
	} {
		_, err := e.Mutate(bg, "T", k, func(attr.Item) (attr.Item, error) { return bad, nil })
		if name == "numerically equal" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, ErrKeyChanged) {
			t.Errorf("%s: %v, want ErrKeyChanged", name, err)
		}
	}
	if it, _ := e.GetItem(bg, "T", k); it == nil || it["v"].Str != "ok" {
		t.Fatalf("item = %v", it)
	}
	if n := len(scanAll(t, e, "T")); n != 1 {
		t.Fatalf("%d items stored, want 1", n)
	}
}

func TestMutateManyAtomicity(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("A", attr.KindS, attr.KindInvalid))
	mustCreate(t, e, spec("B", attr.KindN, attr.KindS))
	ka, kb := key(attr.S("x")), key(num(1), attr.S("y"))
	put(t, e, "A", withAttrs(ka, "v", num(1)))
	put(t, e, "B", withAttrs(kb, "v", num(1)))
	statsA, _ := e.lookup("A")
	countBefore := statsA.stats.count.Load()

	set := func(k attr.Item, v int) MutateFunc {
		return func(attr.Item) (attr.Item, error) { return withAttrs(k, "v", num(v)), nil }
	}
	boom := errors.New("boom")
	fail := func(attr.Item) (attr.Item, error) { return nil, boom }
	kNew := key(attr.S("new"))

	// One failing Fn: nothing written, every Fn ran, errs say which.
	ran := 0
	counting := func(f MutateFunc) MutateFunc {
		return func(old attr.Item) (attr.Item, error) { ran++; return f(old) }
	}
	res, errs, err := e.MutateMany(bg, []Mutation{
		{Table: "A", Key: ka, Fn: counting(set(ka, 2))},
		{Table: "A", Key: kNew, Fn: counting(set(kNew, 2))},
		{Table: "B", Key: kb, Fn: counting(fail)},
	})
	if !errors.Is(err, ErrTransactionCanceled) || errs[0] != nil || errs[1] != nil || errs[2] != boom || ran != 3 {
		t.Fatalf("MutateMany = %v, errs %v, ran %d", err, errs, ran)
	}
	if res[0].Old["v"].Str != "1" || res[1].Old != nil || res[2].Old["v"].Str != "1" || res[0].New != nil {
		t.Fatalf("results on cancel: %+v", res)
	}
	// A key change also cancels everything.
	_, errs, err = e.MutateMany(bg, []Mutation{
		{Table: "A", Key: ka, Fn: set(ka, 3)},
		{Table: "B", Key: kb, Fn: set(key(num(2), attr.S("y")), 3)},
	})
	if !errors.Is(err, ErrTransactionCanceled) || !errors.Is(errs[1], ErrKeyChanged) {
		t.Fatalf("key change: %v, %v", err, errs)
	}
	for _, c := range []struct {
		table string
		k     attr.Item
		want  string
	}{{"A", ka, "1"}, {"B", kb, "1"}, {"A", kNew, ""}} {
		it, _ := e.GetItem(bg, c.table, c.k)
		if got := it["v"].Str; got != c.want {
			t.Fatalf("%s %v: v = %q, want %q", c.table, c.k, got, c.want)
		}
	}
	if statsA.stats.count.Load() != countBefore {
		t.Fatal("canceled MutateMany changed stats")
	}

	// Success: all applied, across tables.
	res, errs, err = e.MutateMany(bg, []Mutation{
		{Table: "A", Key: ka, Fn: set(ka, 4)},
		{Table: "A", Key: kNew, Fn: set(kNew, 4)},
		{Table: "B", Key: kb, Fn: func(attr.Item) (attr.Item, error) { return nil, nil }},
	})
	if err != nil || len(errs) != 3 || errs[0] != nil || res[0].New["v"].Str != "4" || res[2].New != nil {
		t.Fatalf("MutateMany success: %+v, %v, %v", res, errs, err)
	}
	if it, _ := e.GetItem(bg, "A", kNew); it["v"].Str != "4" {
		t.Fatalf("new item: %v", it)
	}
	if it, _ := e.GetItem(bg, "B", kb); it != nil {
		t.Fatalf("deleted item: %v", it)
	}

	// Invalid requests.
	if _, _, err := e.MutateMany(bg, []Mutation{{Table: "A", Key: ka, Fn: fail}, {Table: "A", Key: ka, Fn: fail}}); !errors.Is(err, ErrDuplicateItem) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, _, err := e.MutateMany(bg, []Mutation{{Table: "A", Key: ka, Fn: fail}, {Table: "nope", Key: ka, Fn: fail}}); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("unknown table: %v", err)
	}
}

// Transactions over overlapping item sets, in different orders, neither
// deadlock nor lose updates.
func TestMutateManyConcurrentOverlapping(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindN, attr.KindInvalid))
	const workers, per, items = 8, 25, 5
	incr := func(k attr.Item) MutateFunc {
		return func(old attr.Item) (attr.Item, error) { return withAttrs(k, "n", num(counter(t, old)+1)), nil }
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				a, b, c := key(num((w+i)%items)), key(num((w+i+1)%items)), key(num((w+2*i+3)%items))
				muts := []Mutation{{Table: "T", Key: a, Fn: incr(a)}, {Table: "T", Key: b, Fn: incr(b)}}
				if !itemsEqual(c, a) && !itemsEqual(c, b) {
					muts = append(muts, Mutation{Table: "T", Key: c, Fn: incr(c)})
				}
				if w%2 == 1 {
					muts[0], muts[len(muts)-1] = muts[len(muts)-1], muts[0]
				}
				if _, _, err := e.MutateMany(bg, muts); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	// Recount: every transaction incremented 2 or 3 distinct items.
	sum := 0
	for _, it := range scanAll(t, e, "T") {
		sum += counter(t, it)
	}
	want := 0
	for w := range workers {
		for i := range per {
			a, b, c := (w+i)%items, (w+i+1)%items, (w+2*i+3)%items
			want += 2
			if c != a && c != b {
				want++
			}
		}
	}
	if sum != want {
		t.Fatalf("sum of counters %d, want %d", sum, want)
	}
}

func TestResolvedTimestamp(t *testing.T) {
	e, _ := openTest(t)
	var c inflightCommits
	c.init()
	a := c.begin(e.hlc)
	b := c.begin(e.hlc)
	if r := c.resolved(e.hlc, 0); r != a-1 {
		t.Fatalf("resolved %v, want %v", r, a-1)
	}
	c.end(b)
	if r := c.resolved(e.hlc, 0); r != a-1 {
		t.Fatalf("resolved %v after the later commit ended, want %v", r, a-1)
	}
	c.end(a)
	if r := c.resolved(e.hlc, 0); r != b {
		t.Fatalf("resolved %v, want %v", r, b)
	}

	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	put(t, e, "T", key(attr.S("a")))
	if r := e.ResolvedTimestamp(); r != e.hlc.Last() || r <= b {
		t.Fatalf("engine resolved %v, last %v", r, e.hlc.Last())
	}
}
