package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Fuzz targets: parsing never panics, every failure is an *Error with the
// expected prefix, and whatever compiles evaluates/applies on a variety of
// items without panicking (and without modifying them). The seeds run in
// plain "go test".

func fuzzNames() map[string]string {
	return names("#a", "a", "#b", "b", "#l", "l", "#m", "m", "#n", "n", "#s", "s", "#x", "x.y")
}

func fuzzValues() map[string]attr.Value {
	return vals(":a", s("a"), ":b", b("b"), ":n", n("1"), ":n2", n("-2.5"), ":t", attr.Bool(true), ":z", attr.Null(),
		":ss", ss("a", "b"), ":ns", ns("1", "2"), ":bs", bs("x"), ":l", l(s("a"), n("1")), ":m", m("k", s("v")),
		":S", s("S"), ":e", l())
}

func fuzzItems() []attr.Item {
	return []attr.Item{
		nil,
		{},
		{"a": s("abc"), "b": b("bcd"), "n": n("1"), "s": ss("a", "c"), "l": l(s("a"), l(n("1")), m("a", s("x"))),
			"m": m("a", m("b", l(n("0"), n("1"))), "n", n("5")), "x.y": s("dot"), "z": attr.Null(), "t": attr.Bool(false)},
		{"a": n("7"), "b": l(), "m": m(), "l": l(n("1"), n("2"), n("3"))},
		{"a": ss("a"), "n": ns("1", "2"), "b": bs("b"), "m": s("not a map"), "l": m("0", s("not a list"))},
	}
}

func checkFuzzErr(t *testing.T, what string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is %T, not *Error", err, err)
	}
	if !strings.HasPrefix(e.Message, "Invalid "+what+": ") {
		t.Fatalf("message %q lacks the prefix", e.Message)
	}
}

func FuzzParseCondition(f *testing.F) {
	for _, seed := range []string{
		"a = :a", "#a <> :n AND NOT (b BETWEEN :n AND :n2)", "attribute_exists(m.a.b[1]) OR size(l) > :n",
		"contains(s, :a) AND begins_with(a, :a) AND attribute_type(n, :S)", "a IN (:a, :n, b, size(l))",
		"((a = :a))", "NOT NOT NOT a = b", "(a)between(:n)and(:n2)", "size(size(a)) > :n", "a.b.c[0][1] = #x",
		"x = ", "a > 4", ":a = :a", "foo(a)", "a = b AND", "#q = :q", "ü = ä", "a[99999999999999999999] = :n",
		"attribute_not_exists(size(:a))", "a < :l", "((a=:a) AND ((b=:a)))",
	} {
		f.Add(seed)
	}
	items := fuzzItems()
	f.Fuzz(func(t *testing.T, expr string) {
		c, err := NewContext(fuzzNames(), fuzzValues()).ParseCondition("FilterExpression", expr)
		if err != nil {
			checkFuzzErr(t, "FilterExpression", err)
			// Key conditions share the parser; they must fail too, cleanly.
			if _, err := NewContext(fuzzNames(), fuzzValues()).ParseKeyCondition(expr, "a", "b"); err == nil {
				t.Fatal("key condition accepted an invalid condition")
			}
			return
		}
		for _, it := range items {
			before := deepCopy(it)
			r1, _ := c.Eval(it)
			r2, _ := c.Eval(it)
			if r1 != r2 {
				t.Fatal("Eval is not deterministic")
			}
			if !equalItems(it, before) {
				t.Fatal("Eval modified the item")
			}
		}
		if kc, err := NewContext(fuzzNames(), fuzzValues()).ParseKeyCondition(expr, "a", "b"); err == nil {
			for _, it := range items {
				kc.Match(it)
			}
		}
	})
}

func FuzzParseUpdate(f *testing.F) {
	for _, seed := range []string{
		"SET a = :a", "SET a = a + :n, b = list_append(l, :l) REMOVE m.a.b[0] ADD n :n DELETE s :ss",
		"set m.a.b[5] = if_not_exists(m.n, :n) - :n2", "REMOVE l[0], l[2], l[9]", "ADD s :ss, x :ns",
		"SET l[1] = :m, l[7] = :a", "SET #x = #a", "DELETE a :ss", "SET a.b = :a", "SET a = b",
		"SET a = :a SET b = :a", "SET a = (b + :n)", "set a = ((b))", "SET a = list_append(:e, a)",
		"SET", "set a[1] = \"x\"", "add abort b", "SET a = a, a.b = a", "REMOVE a.b, a[1]",
	} {
		f.Add(seed)
	}
	items := fuzzItems()
	f.Fuzz(func(t *testing.T, expr string) {
		u, err := NewContext(fuzzNames(), fuzzValues()).ParseUpdate(expr)
		if err != nil {
			checkFuzzErr(t, "UpdateExpression", err)
			return
		}
		for _, it := range items {
			before := deepCopy(it)
			got, updated, err := u.Apply(it)
			if !equalItems(it, before) {
				t.Fatal("Apply modified its input")
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Apply error %v is %T", err, err)
				}
				continue
			}
			if len(updated) == 0 {
				t.Fatal("no updated attributes reported")
			}
			u.UpdatedPaths().Apply(got)
		}
	})
}

func FuzzParseProjection(f *testing.F) {
	for _, seed := range []string{
		"a", "a, b, l[0], m.a.b[1]", "#x, #a.#b", "l[2], l[0]", "a.b, a[1]", "a, a.b", "name",
		"a,", "(a)", "a[-1]", "#q",
	} {
		f.Add(seed)
	}
	items := fuzzItems()
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := NewContext(fuzzNames(), nil).ParseProjection(expr)
		if err != nil {
			checkFuzzErr(t, "ProjectionExpression", err)
			return
		}
		for _, it := range items {
			got := p.Apply(it)
			for k := range got {
				if _, ok := it[k]; !ok {
					t.Fatalf("projection invented attribute %q", k)
				}
			}
		}
	})
}
