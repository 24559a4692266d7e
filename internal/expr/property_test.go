package expr

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/attr/attrtest"
)

// Property tests. Conditions are generated over placeholders #p0..#p2 (bound
// to names drawn with the item, so the item actually has some of them) and
// values :v0..:v2.

// condWorld is one generated item with the names and values conditions use.
type condWorld struct {
	item   attr.Item
	names  map[string]string
	values map[string]attr.Value
}

func drawWorld(t *rapid.T) condWorld {
	item := attrtest.ItemGen().Draw(t, "item")
	w := condWorld{item: item, names: map[string]string{}, values: map[string]attr.Value{}}
	var keys []string
	for k := range item {
		keys = append(keys, k)
	}
	for i := 0; i < 3; i++ {
		name := attrtest.Name().Draw(t, "name")
		if len(keys) > 0 && rapid.Bool().Draw(t, "useKey") {
			name = rapid.SampledFrom(keys).Draw(t, "key")
		}
		w.names["#p"+itoa(i)] = name
		// Values are often copies of item values so comparisons can be true.
		v := attrtest.ValueGen().Draw(t, "value")
		if len(keys) > 0 && rapid.Bool().Draw(t, "copyValue") {
			v = item[rapid.SampledFrom(keys).Draw(t, "from")]
		}
		w.values[":v"+itoa(i)] = v
	}
	return w
}

func (w condWorld) eval(t *rapid.T, expr string) bool {
	c, err := NewContext(w.names, w.values).ParseCondition("ConditionExpression", expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	ok, err := c.Eval(w.item)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	return ok
}

// ok reports whether the expression compiles for w (generated leaves may
// use constants of types an operator refuses).
func (w condWorld) ok(expr string) bool {
	_, err := NewContext(w.names, w.values).ParseCondition("ConditionExpression", expr)
	return err == nil
}

// leafGen generates one comparison or function over the placeholders.
func leafGen() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		p := "#p" + itoa(rapid.IntRange(0, 2).Draw(t, "p"))
		q := "#p" + itoa(rapid.IntRange(0, 2).Draw(t, "q"))
		v := ":v" + itoa(rapid.IntRange(0, 2).Draw(t, "v"))
		switch rapid.IntRange(0, 8).Draw(t, "leaf") {
		case 0:
			return p + " " + rapid.SampledFrom([]string{"=", "<>"}).Draw(t, "eq") + " " + v
		case 1:
			return p + " = " + q
		case 2:
			return "attribute_exists(" + p + ")"
		case 3:
			return "attribute_not_exists(" + p + ")"
		case 4:
			return "contains(" + p + ", " + v + ")"
		case 5:
			return p + " IN (" + v + ", :v1)"
		case 6:
			return "size(" + p + ") >= size(" + q + ")"
		case 7:
			return p + " <> " + q
		default:
			return p + " " + rapid.SampledFrom([]string{"<", "<=", ">", ">="}).Draw(t, "ord") + " " + q
		}
	})
}

// condGen generates a condition of bounded depth.
func condGen(depth int) *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		if depth == 0 || rapid.IntRange(0, 2).Draw(t, "leafOrNot") == 0 {
			return leafGen().Draw(t, "leaf")
		}
		a := condGen(depth-1).Draw(t, "a")
		switch rapid.IntRange(0, 2).Draw(t, "op") {
		case 0:
			return "(" + a + ") AND (" + condGen(depth-1).Draw(t, "b") + ")"
		case 1:
			return "(" + a + ") OR (" + condGen(depth-1).Draw(t, "b") + ")"
		}
		return "NOT (" + a + ")"
	})
}

func TestPropDoubleNegation(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		c := condGen(2).Draw(t, "cond")
		if !w.ok(c) {
			t.Skip("constant of a refused type")
		}
		if w.eval(t, c) != w.eval(t, "NOT NOT ("+c+")") {
			t.Fatalf("NOT NOT (%s) differs", c)
		}
		if w.eval(t, c) == w.eval(t, "NOT ("+c+")") {
			t.Fatalf("NOT (%s) equals it", c)
		}
	})
}

func TestPropDeMorgan(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		a, b := condGen(1).Draw(t, "a"), condGen(1).Draw(t, "b")
		if !w.ok(a) || !w.ok(b) {
			t.Skip("constant of a refused type")
		}
		if w.eval(t, "NOT (("+a+") AND ("+b+"))") != w.eval(t, "(NOT ("+a+")) OR (NOT ("+b+"))") {
			t.Fatalf("De Morgan fails for %s / %s", a, b)
		}
		if w.eval(t, "("+a+") OR ("+b+") AND ("+a+")") != w.eval(t, "("+a+") OR (("+b+") AND ("+a+"))") {
			t.Fatal("AND does not bind tighter than OR")
		}
	})
}

func TestPropNotEqual(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		for _, pair := range [][2]string{{"#p0", ":v0"}, {"#p0", "#p1"}} {
			if !w.ok(pair[0] + " = " + pair[1]) {
				continue // the same attribute twice
			}
			if w.eval(t, pair[0]+" <> "+pair[1]) != w.eval(t, "NOT "+pair[0]+" = "+pair[1]) {
				t.Fatalf("%s <> %s is not NOT =", pair[0], pair[1])
			}
		}
	})
}

func TestPropBetween(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		kind := rapid.SampledFrom([]attr.Kind{attr.KindS, attr.KindN, attr.KindB}).Draw(t, "kind")
		x := attrtest.KeyValue(kind).Draw(t, "x")
		y := attrtest.KeyValue(kind).Draw(t, "y")
		if c, _ := attr.Compare(x, y); c > 0 {
			x, y = y, x
		}
		w.values[":v1"], w.values[":v2"] = x, y
		if rapid.Bool().Draw(t, "sameKind") {
			w.item[w.names["#p0"]] = attrtest.KeyValue(kind).Draw(t, "a")
		}
		got := w.eval(t, "#p0 BETWEEN :v1 AND :v2")
		want := w.eval(t, "#p0 >= :v1 AND #p0 <= :v2")
		if got != want {
			t.Fatalf("BETWEEN %v, >= AND <= %v", got, want)
		}
	})
}

func TestPropSetThenProject(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		item := attrtest.ItemGen().Draw(t, "item")
		name := attrtest.Name().Draw(t, "name")
		key := attrtest.Name().Draw(t, "key")
		v := attrtest.ValueGen().Draw(t, "v")
		nested := rapid.Bool().Draw(t, "nested")
		path := "#n"
		if nested {
			item[name] = attr.M(map[string]attr.Value{"other": attr.S("o")})
			path = "#n.#k"
		}
		nm := map[string]string{"#n": name}
		if nested {
			nm["#k"] = key
		}
		before := deepCopy(item)
		u, err := NewContext(nm, map[string]attr.Value{":v": v}).ParseUpdate("SET " + path + " = :v")
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := u.Apply(item)
		if err != nil {
			t.Fatal(err)
		}
		if !equalItems(item, before) {
			t.Fatal("Apply modified its input")
		}
		p, err := NewContext(nm, nil).ParseProjection(path)
		if err != nil {
			t.Fatal(err)
		}
		proj := p.Apply(got)
		want := attr.Item{name: v}
		if nested {
			want = attr.Item{name: attr.M(map[string]attr.Value{key: v})}
		}
		if !equalItems(proj, want) {
			t.Fatalf("projected %v, want %v", proj, want)
		}
		// Everything else is unchanged.
		for k, old := range item {
			if k != name && !attr.Equal(got[k], old) {
				t.Fatalf("attribute %q changed", k)
			}
		}
	})
}

func TestPropAddThenSubtract(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := attrtest.KeyValue(attr.KindN).Draw(t, "a")
		d := attrtest.KeyValue(attr.KindN).Draw(t, "d")
		ctx := NewContext(nil, map[string]attr.Value{":d": d})
		add, err := ctx.ParseUpdate("SET a = a + :d")
		if err != nil {
			t.Fatal(err)
		}
		sub, err := ctx.ParseUpdate("SET a = a - :d")
		if err != nil {
			t.Fatal(err)
		}
		mid, _, err := add.Apply(attr.Item{"a": a})
		if err != nil {
			t.Skip("out of range: ", err)
		}
		back, _, err := sub.Apply(mid)
		if err != nil {
			t.Skip("out of range: ", err)
		}
		// AddNumbers/SubNumbers are exact or fail, so a round trip is exact.
		if !attr.Equal(back["a"], a) {
			t.Fatalf("%s + %s - %s = %s", a.Str, d.Str, d.Str, back["a"].Str)
		}
	})
}

func TestPropSetAlgebra(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := attrtest.ValueGen().Filter(func(v attr.Value) bool { return isSet(v.Kind) }).Draw(t, "x")
		y := attrtest.ValueGen().Filter(func(v attr.Value) bool { return v.Kind == x.Kind }).Draw(t, "y")
		ctx := NewContext(nil, map[string]attr.Value{":y": y})
		add, _ := ctx.ParseUpdate("ADD s :y")
		del, _ := ctx.ParseUpdate("DELETE s :y")
		u, _, err := add.Apply(attr.Item{"s": x})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := u["s"]; !ok {
			t.Fatal("union lost the attribute")
		}
		for _, v := range members(y) {
			if !attr.SetContains(u["s"], v) {
				t.Fatalf("union misses %v", v)
			}
		}
		if setLen(u["s"]) > setLen(x)+setLen(y) {
			t.Fatal("union has duplicates")
		}
		d, _, err := del.Apply(attr.Item{"s": x})
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := d["s"]; ok {
			for _, v := range members(y) {
				if attr.SetContains(got, v) {
					t.Fatalf("difference keeps %v", v)
				}
			}
		}
	})
}

// members lists a set's members as scalar values.
func members(v attr.Value) []attr.Value {
	var out []attr.Value
	switch v.Kind {
	case attr.KindSS:
		for _, x := range v.Strs {
			out = append(out, attr.S(x))
		}
	case attr.KindNS:
		for _, x := range v.Strs {
			out = append(out, attr.Value{Kind: attr.KindN, Str: x})
		}
	case attr.KindBS:
		for _, x := range v.Bins {
			out = append(out, attr.B(x))
		}
	}
	return out
}

// Parsing the same text twice (the second time from the cache) compiles the
// same condition.
func TestPropCacheTransparent(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		w := drawWorld(t)
		c := condGen(2).Draw(t, "cond")
		cache.reset()
		_, err1 := NewContext(w.names, w.values).ParseCondition("ConditionExpression", c)
		r1 := err1 == nil && w.eval(t, c)
		_, err2 := NewContext(w.names, w.values).ParseCondition("ConditionExpression", c)
		r2 := err2 == nil && w.eval(t, c)
		if (err1 == nil) != (err2 == nil) || r1 != r2 {
			t.Fatalf("cached parse differs: %v/%v %v/%v", err1, err2, r1, r2)
		}
	})
}
