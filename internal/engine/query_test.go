package engine

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/attr/attrtest"
)

var keyKinds = []attr.Kind{attr.KindS, attr.KindN, attr.KindB}

// encKey identifies a key value (distinct encodings = distinct values).
func encKey(v attr.Value) string { return string(attr.AppendKey(nil, v)) }

// modelMatch reports whether sort key sk satisfies the condition.
func modelMatch(sk attr.Value, op RangeOp, vals []attr.Value) bool {
	cmp := func(v attr.Value) int { c, _ := attr.Compare(sk, v); return c }
	switch op {
	case RangeNone:
		return true
	case RangeEQ:
		return cmp(vals[0]) == 0
	case RangeLT:
		return cmp(vals[0]) < 0
	case RangeLE:
		return cmp(vals[0]) <= 0
	case RangeGT:
		return cmp(vals[0]) > 0
	case RangeGE:
		return cmp(vals[0]) >= 0
	case RangeBetween:
		return cmp(vals[0]) >= 0 && cmp(vals[1]) <= 0
	case RangeBeginsWith:
		if sk.Kind == attr.KindS {
			return strings.HasPrefix(sk.Str, vals[0].Str)
		}
		return bytes.HasPrefix(sk.Bin, vals[0].Bin)
	}
	panic("bad op")
}

// drawCondValue draws a condition operand: often an existing sort key or a
// prefix of one, so that ranges hit items.
func drawCondValue(t *rapid.T, kind attr.Kind, existing []attr.Value, label string) attr.Value {
	if len(existing) > 0 && rapid.Bool().Draw(t, label+"FromExisting") {
		v := rapid.SampledFrom(existing).Draw(t, label+"Existing")
		return v
	}
	return attrtest.KeyValue(kind).Draw(t, label)
}

func TestQueryMatchesModel(t *testing.T) {
	e, _ := openTest(t)
	n := 0
	rapid.Check(t, func(t *rapid.T) {
		n++
		name := fmt.Sprintf("q%d", n)
		hashKind := rapid.SampledFrom(keyKinds).Draw(t, "hashKind")
		rangeKind := rapid.SampledFrom(append([]attr.Kind{attr.KindInvalid}, keyKinds...)).Draw(t, "rangeKind")
		mustCreate(t, e, spec(name, hashKind, rangeKind))

		hashes := rapid.SliceOfNDistinct(attrtest.KeyValue(hashKind), 1, 3, encKey).Draw(t, "hashes")
		model := map[string][]attr.Item{} // encKey(pk) -> items
		seen := map[string]bool{}
		var batch []attr.Item
		for i := range rapid.IntRange(0, 40).Draw(t, "numItems") {
			pk := rapid.SampledFrom(hashes).Draw(t, "pk")
			it := attr.Item{"pk": pk, "i": num(i)}
			id := encKey(pk)
			if rangeKind != attr.KindInvalid {
				sk := attrtest.KeyValue(rangeKind).Draw(t, "sk")
				it["sk"] = sk
				id += "/" + encKey(sk)
			}
			if seen[id] {
				continue
			}
			seen[id] = true
			model[encKey(pk)] = append(model[encKey(pk)], it)
			batch = append(batch, it)
		}
		if len(batch) > 0 {
			putMany(t, e, name, batch)
		}

		for range rapid.IntRange(1, 6).Draw(t, "numQueries") {
			pk := rapid.SampledFrom(hashes).Draw(t, "qpk")
			part := model[encKey(pk)]
			var sks []attr.Value
			for _, it := range part {
				sks = append(sks, it["sk"])
			}
			q := QuerySpec{Hash: pk, Forward: rapid.Bool().Draw(t, "forward")}
			if rangeKind != attr.KindInvalid {
				ops := []RangeOp{RangeNone, RangeEQ, RangeLT, RangeLE, RangeGT, RangeGE, RangeBetween}
				if rangeKind != attr.KindN {
					ops = append(ops, RangeBeginsWith)
				}
				q.Op = rapid.SampledFrom(ops).Draw(t, "op")
				switch q.Op {
				case RangeNone:
				case RangeBetween:
					a := drawCondValue(t, rangeKind, sks, "lo")
					b := drawCondValue(t, rangeKind, sks, "hi")
					if c, _ := attr.Compare(a, b); c > 0 {
						a, b = b, a
					}
					q.Values = []attr.Value{a, b}
				case RangeBeginsWith:
					v := drawCondValue(t, rangeKind, sks, "prefix")
					// Often a proper prefix of an existing key.
					cut := rapid.IntRange(0, 3).Draw(t, "cut")
					if v.Kind == attr.KindS && cut <= len(v.Str) {
						v = attr.S(v.Str[:len(v.Str)-cut])
					} else if v.Kind == attr.KindB && cut <= len(v.Bin) {
						v = attr.B(v.Bin[:len(v.Bin)-cut])
					}
					q.Values = []attr.Value{v}
				default:
					q.Values = []attr.Value{drawCondValue(t, rangeKind, sks, "v")}
				}
			}

			var want []attr.Item
			for _, it := range part {
				if rangeKind == attr.KindInvalid || modelMatch(it["sk"], q.Op, q.Values) {
					want = append(want, it)
				}
			}
			slices.SortFunc(want, func(a, b attr.Item) int {
				c, _ := attr.Compare(a["sk"], b["sk"])
				return c
			})
			if !q.Forward {
				slices.Reverse(want)
			}

			got := collect(t, func(v VisitFunc) error { return e.Query(bg, name, q, v) })
			checkSame(t, "query", got, want)

			// Pagination with ExclusiveStart yields the same sequence.
			page := rapid.IntRange(1, 5).Draw(t, "page")
			var paged []attr.Item
			for {
				var batch []attr.Item
				err := e.Query(bg, name, q, func(it attr.Item) (bool, error) {
					batch = append(batch, it)
					return len(batch) < page, nil
				})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, batch...)
				if len(batch) < page {
					break
				}
				if len(paged) > len(want) {
					t.Fatalf("pagination does not end: %d items so far, want %d", len(paged), len(want))
				}
				last := batch[len(batch)-1]
				q.ExclusiveStart = attr.Item{"pk": last["pk"]}
				if rangeKind != attr.KindInvalid {
					q.ExclusiveStart["sk"] = last["sk"]
				}
			}
			checkSame(t, "paged query", paged, want)
		}
	})
}

// checkSame compares item sequences.
func checkSame(t tb, what string, got, want []attr.Item) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d items, want %d\ngot  %v\nwant %v", what, len(got), len(want), fmtItems(got), fmtItems(want))
	}
	for i := range got {
		if !itemsEqual(got[i], want[i]) {
			t.Fatalf("%s: item %d = %s, want %s", what, i, fmtItem(got[i]), fmtItem(want[i]))
		}
	}
}

func fmtItems(items []attr.Item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = fmtItem(it)
	}
	return strings.Join(s, " ")
}

func TestQueryBasics(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindS))
	var items []attr.Item
	for _, sk := range []string{"a", "ab", "abc", "a\x00", "b", "ba", ""} {
		items = append(items, key(attr.S("p"), attr.S(sk)))
	}
	items = append(items, key(attr.S("other"), attr.S("ab")))
	putMany(t, e, "T", items)
	sks := func(q QuerySpec) string {
		var out []string
		for _, it := range collect(t, func(v VisitFunc) error { return e.Query(bg, "T", q, v) }) {
			out = append(out, fmt.Sprintf("%q", it["sk"].Str))
		}
		return strings.Join(out, ",")
	}
	p := attr.S("p")
	for _, c := range []struct {
		q    QuerySpec
		want string
	}{
		{QuerySpec{Hash: p, Forward: true}, `"","a","a\x00","ab","abc","b","ba"`},
		{QuerySpec{Hash: p}, `"ba","b","abc","ab","a\x00","a",""`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeBeginsWith, Values: []attr.Value{attr.S("a")}}, `"a","a\x00","ab","abc"`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeBeginsWith, Values: []attr.Value{attr.S("a\x00")}}, `"a\x00"`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeBeginsWith, Values: []attr.Value{attr.S("")}}, `"","a","a\x00","ab","abc","b","ba"`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeBetween, Values: []attr.Value{attr.S("ab"), attr.S("b")}}, `"ab","abc","b"`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeBetween, Values: []attr.Value{attr.S("b"), attr.S("a")}}, ``},
		{QuerySpec{Hash: p, Forward: true, Op: RangeGT, Values: []attr.Value{attr.S("b")}}, `"ba"`},
		{QuerySpec{Hash: p, Op: RangeLT, Values: []attr.Value{attr.S("ab")}}, `"a\x00","a",""`},
		{QuerySpec{Hash: p, Forward: true, Op: RangeEQ, Values: []attr.Value{attr.S("zz")}}, ``},
		{QuerySpec{Hash: attr.S("none"), Forward: true}, ``},
		{QuerySpec{Hash: p, Forward: true, ExclusiveStart: key(p, attr.S("abc"))}, `"b","ba"`},
		{QuerySpec{Hash: p, ExclusiveStart: key(p, attr.S("abc"))}, `"ab","a\x00","a",""`},
	} {
		if got := sks(c.q); got != c.want {
			t.Errorf("%+v: got %s, want %s", c.q, got, c.want)
		}
	}
	// Early stop.
	n := 0
	if err := e.Query(bg, "T", QuerySpec{Hash: p, Forward: true}, func(attr.Item) (bool, error) { n++; return n < 2, nil }); err != nil || n != 2 {
		t.Fatalf("early stop: n=%d err=%v", n, err)
	}
	visitErr := errors.New("visit")
	if err := e.Query(bg, "T", QuerySpec{Hash: p}, func(attr.Item) (bool, error) { return true, visitErr }); err != visitErr {
		t.Fatalf("visit error: %v", err)
	}
}

func TestQueryErrors(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindN))
	mustCreate(t, e, spec("H", attr.KindS, attr.KindInvalid))
	visit := func(attr.Item) (bool, error) { return true, nil }
	for name, c := range map[string]struct {
		table string
		q     QuerySpec
	}{
		"hash type":          {"T", QuerySpec{Hash: attr.MustN("1")}},
		"begins_with on N":   {"T", QuerySpec{Hash: attr.S("a"), Op: RangeBeginsWith, Values: []attr.Value{attr.MustN("1")}}},
		"between arity":      {"T", QuerySpec{Hash: attr.S("a"), Op: RangeBetween, Values: []attr.Value{attr.MustN("1")}}},
		"value type":         {"T", QuerySpec{Hash: attr.S("a"), Op: RangeEQ, Values: []attr.Value{attr.S("1")}}},
		"no sort key":        {"H", QuerySpec{Hash: attr.S("a"), Op: RangeEQ, Values: []attr.Value{attr.S("1")}}},
		"start other part.":  {"T", QuerySpec{Hash: attr.S("a"), ExclusiveStart: key(attr.S("b"), attr.MustN("1"))}},
		"start missing sort": {"T", QuerySpec{Hash: attr.S("a"), ExclusiveStart: key(attr.S("a"))}},
	} {
		if err := e.Query(bg, c.table, c.q, visit); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%s: %v, want ErrInvalidKey", name, err)
		}
	}
	if err := e.Query(bg, "nope", QuerySpec{Hash: attr.S("a")}, visit); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("unknown table: %v", err)
	}
}
