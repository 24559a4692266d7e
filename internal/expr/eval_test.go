package expr

import (
	"slices"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func evalCond(t *testing.T, expr string, nm map[string]string, v map[string]attr.Value, item attr.Item) bool {
	t.Helper()
	c, err := NewContext(nm, v).ParseCondition("ConditionExpression", expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	ok, err := c.Eval(item)
	if err != nil {
		t.Fatalf("%q: eval: %v", expr, err)
	}
	return ok
}

func TestEvalSemantics(t *testing.T) {
	item := attr.Item{
		"n":    n("5"),
		"n2":   n("5.0"),
		"s":    s("hello world"),
		"b":    b("\x01\x02\x03"),
		"t":    attr.Bool(true),
		"z":    attr.Null(),
		"ss":   ss("a", "b", "c"),
		"ns":   ns("1", "2"),
		"bs":   bs("x", "y"),
		"l":    l(s("a"), n("1"), m("k", s("v"))),
		"m":    m("x", n("1"), "y", l(s("p"), s("q"))),
		"el":   l(),
		"em":   m(),
		"dot":  s("literal"),
		"a.b":  s("dotted name"),
		"nest": m("a", m("b", l(n("0"), l(n("10"), n("11"))))),
	}
	v := vals(
		":5", n("5"), ":6", n("6"), ":50", n("50"), ":s5", s("5"),
		":hello", s("hello"), ":world", s("world"), ":hw", s("hello world"), ":x", s("x"),
		":b12", b("\x01\x02"), ":b2", b("\x02"), ":b23", b("\x02\x03"),
		":a", s("a"), ":1", n("1"), ":one", n("1.0"), ":ssba", ss("c", "b", "a"), ":bx", b("x"),
		":lv", l(s("a"), n("1"), m("k", s("v"))), ":mv", m("k", s("v")), ":t", attr.Bool(true),
		":S", s("S"), ":N", s("N"), ":NULL", s("NULL"), ":L", s("L"), ":M", s("M"), ":BOOL", s("BOOL"),
		":11", n("11"), ":0", n("0"), ":3", n("3"), ":2", n("2"),
	)
	nm := names("#dot", "a.b", "#n", "n")
	cases := []struct {
		expr string
		want bool
	}{
		{"n = :5", true},
		{"n2 = :5", true}, // numbers compare numerically
		{"n = :s5", false},
		{"n <> :s5", true}, // different types are unequal
		{"n <> :5", false},
		{"n < :6", true},
		{"n <= :5", true},
		{"n > :5", false},
		{"n >= :5", true},
		{"s < :5", false}, // different types are unordered
		{"s > :5", false},
		{"nope = :5", false},
		{"nope <> :5", true},
		{"nope < :5", false},
		{"nope >= :5", false},
		{"nope = nada", false},
		{"nope <> nada", true},
		{"s > :hello", true},
		{"b < :b2", true},
		{"b > :b12", true},
		{"ss = :ssba", true}, // sets compare as sets
		{"l = :lv", true},
		{"m.y[1] = :x", false},
		{"nest.a.b[1][1] = :11", true},
		{"nest.a.b[1][2] = :11", false},
		{"nest.a.b.c = :11", false},
		{"m[0] = :1", false},
		{"#dot = :x", false},
		{"dot = :x", false},
		{"n BETWEEN :5 AND :6", true},
		{"n BETWEEN :0 AND :3", false},
		{"s BETWEEN :5 AND :6", false},
		{"nope BETWEEN :0 AND :6", false},
		{"n IN (:s5, :6, :5)", true},
		{"n IN (:s5, :6)", false},
		{"nope IN (:5)", false},
		{"l IN (:lv)", true},
		{"attribute_exists(n)", true},
		{"attribute_exists(nope)", false},
		{"attribute_exists(z)", true}, // NULL exists
		{"attribute_not_exists(nope)", true},
		{"attribute_exists(m.y[1])", true},
		{"attribute_exists(m.y[2])", false},
		{"attribute_not_exists(n.x)", true},
		{"attribute_type(n, :N)", true},
		{"attribute_type(s, :S)", true},
		{"attribute_type(z, :NULL)", true},
		{"attribute_type(t, :BOOL)", true},
		{"attribute_type(m, :M)", true},
		{"attribute_type(m, :L)", false},
		{"attribute_type(nope, :S)", false},
		{"begins_with(s, :hello)", true},
		{"begins_with(s, :world)", false},
		{"begins_with(b, :b12)", true},
		{"begins_with(b, :b23)", false},
		{"begins_with(n, :s5)", false},
		{"begins_with(nope, :hello)", false},
		{"contains(s, :world)", true},
		{"contains(s, :x)", false},
		{"contains(b, :b23)", true},
		{"contains(ss, :a)", true},
		{"contains(ss, :x)", false},
		{"contains(ns, :one)", true},
		{"contains(ns, :a)", false},
		{"contains(bs, :bx)", true},
		{"contains(l, :a)", true},
		{"contains(l, :1)", true},
		{"contains(l, :mv)", true},
		{"contains(l, :x)", false},
		{"contains(n, :5)", false},
		{"contains(nope, :a)", false},
		{"size(s) = :11", true},
		{"size(b) = :3", true},
		{"size(ss) = :3", true},
		{"size(ns) = :2", true},
		{"size(l) = :3", true},
		{"size(m) = :2", true},
		{"size(el) = :0", true},
		{"size(em) = :0", true},
		{"size(n) = :1", false},
		{"size(t) >= :0", false},
		{"size(nope) = :0", false},
		{"size(nope) <> :0", true},
		{"size(:hw) = :11", true},
		{"size(s) > size(b)", true},
		{"NOT n = :5", false},
		{"NOT NOT n = :5", true},
		{"n = :5 AND s = :x", false},
		{"n = :5 OR s = :x", true},
		{"NOT n = :6 AND s = :x", false},
		{"s = :x OR n = :5 AND n = :6", false}, // AND binds tighter than OR
		{"(s = :x OR n = :5) AND n = :5", true},
		{"NOT (n = :6 OR s = :x)", true},
		{"n = :6 OR NOT s = :x AND n = :5", true},
		{"#n = :5", true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			if got := evalCond(t, c.expr, nm, v, item); got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
		})
	}
	// The dotted attribute name is reachable only through a placeholder.
	if !evalCond(t, "#d = :v", names("#d", "a.b"), vals(":v", s("dotted name")), item) {
		t.Fatal("#d with a dotted name did not match")
	}
}

func TestEvalNilItem(t *testing.T) {
	v := vals(":v", s("x"))
	if evalCond(t, "a = :v", nil, v, nil) {
		t.Fatal("= on absent item")
	}
	if !evalCond(t, "a <> :v", nil, v, nil) {
		t.Fatal("<> on absent item")
	}
	if !evalCond(t, "attribute_not_exists(pk)", nil, nil, nil) {
		t.Fatal("attribute_not_exists on absent item")
	}
}

func TestConditionAttributeNames(t *testing.T) {
	nm := names("#k", "pk", "#d", "a.b", "#x", "x")
	v := vals(":v", n("1"), ":s", s("p"), ":t", s("S"))
	cases := []struct {
		expr string
		want []string
	}{
		{"x = :v", []string{"x"}},
		{"#k = :v", []string{"pk"}},
		{"#d = :v", []string{"a.b"}},              // a placeholder names one attribute, dots and all
		{"a.b = :v AND a[1] = :v", []string{"a"}}, // nested paths name their top-level attribute, once
		{"attribute_exists(m.n) AND (begins_with(s, :s) OR size(l[0]) > :v)", []string{"m", "s", "l"}},
		{"NOT (#x BETWEEN y AND :v)", []string{"x", "y"}},
		{"z IN (:v, w, #x)", []string{"z", "w", "x"}},
		{"contains(y, #k) AND attribute_type(#x, :t)", []string{"y", "pk", "x"}},
	}
	for _, c := range cases {
		cond, err := NewContext(nm, v).ParseCondition("FilterExpression", c.expr)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if got := cond.AttributeNames(); !slices.Equal(got, c.want) {
			t.Errorf("%q: AttributeNames() = %q, want %q", c.expr, got, c.want)
		}
	}

	legacy, err := FromFilter("QueryFilter", map[string]LegacyCondition{
		"b": {ComparisonOperator: "NOT_NULL"},
		"a": {ComparisonOperator: "EQ", AttributeValueList: []attr.Value{n("1")}},
	}, "OR")
	if err != nil {
		t.Fatal(err)
	}
	if got := legacy.AttributeNames(); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("legacy filter: AttributeNames() = %q", got)
	}
	empty, err := FromFilter("ScanFilter", map[string]LegacyCondition{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := empty.AttributeNames(); got != nil {
		t.Errorf("empty legacy filter: AttributeNames() = %q", got)
	}
}
