package expr

import (
	"slices"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func mustUpdate(t *testing.T, expr string, nm map[string]string, v map[string]attr.Value) *Update {
	t.Helper()
	u, err := NewContext(nm, v).ParseUpdate(expr)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	return u
}

// deepCopy copies an item so tests can check Apply left its input alone.
func deepCopy(it attr.Item) attr.Item {
	var cp func(v attr.Value) attr.Value
	cp = func(v attr.Value) attr.Value {
		out := v
		out.Strs = slices.Clone(v.Strs)
		out.Bins = slices.Clone(v.Bins)
		if v.List != nil {
			out.List = make([]attr.Value, len(v.List))
			for i, e := range v.List {
				out.List[i] = cp(e)
			}
		}
		if v.Map != nil {
			out.Map = make(map[string]attr.Value, len(v.Map))
			for k, e := range v.Map {
				out.Map[k] = cp(e)
			}
		}
		return out
	}
	if it == nil {
		return nil
	}
	out := make(attr.Item, len(it))
	for k, v := range it {
		out[k] = cp(v)
	}
	return out
}

func TestUpdateApply(t *testing.T) {
	v := vals(":1", n("1"), ":2", n("2"), ":3", n("3"), ":7", n("7"), ":17", n("17"), ":x", s("x"), ":y", s("y"),
		":lab", l(s("a"), s("b")), ":lc", l(s("c")), ":sab", ss("a", "b"), ":sbc", ss("b", "c"),
		":sa", ss("a"), ":sabc", ss("a", "b", "c"), ":n12", ns("1", "2"), ":n2", ns("2"), ":bz", bs("z"))
	cases := []struct {
		name    string
		expr    string
		item    attr.Item
		want    attr.Item
		updated []string
	}{
		{"set new", "SET a = :1", attr.Item{"k": s("k")}, attr.Item{"k": s("k"), "a": n("1")}, []string{"a"}},
		{"set replaces", "SET a = :x", attr.Item{"a": n("1")}, attr.Item{"a": s("x")}, []string{"a"}},
		{"set absent item", "SET a = :1, b = :x", nil, attr.Item{"a": n("1"), "b": s("x")}, []string{"a", "b"}},
		{"copy", "SET b = a", attr.Item{"a": s("x")}, attr.Item{"a": s("x"), "b": s("x")}, []string{"b"}},
		{"plus", "SET a = a + :2", attr.Item{"a": n("5")}, attr.Item{"a": n("7")}, []string{"a"}},
		{"minus", "SET a = :7 - a", attr.Item{"a": n("5")}, attr.Item{"a": n("2")}, []string{"a"}},
		{"decimal", "SET a = a + :2", attr.Item{"a": n("0.5")}, attr.Item{"a": n("2.5")}, []string{"a"}},
		{"if_not_exists absent", "SET a = if_not_exists(a, :1)", attr.Item{}, attr.Item{"a": n("1")}, []string{"a"}},
		{"if_not_exists present", "SET a = if_not_exists(a, :1)", attr.Item{"a": n("9")}, attr.Item{"a": n("9")}, []string{"a"}},
		{"counter", "SET c = if_not_exists(c, :1) + :2", attr.Item{}, attr.Item{"c": n("3")}, []string{"c"}},
		{"list_append", "SET a = list_append(a, :lc)", attr.Item{"a": l(s("a"), s("b"))}, attr.Item{"a": l(s("a"), s("b"), s("c"))}, []string{"a"}},
		{"list_prepend", "SET a = list_append(:lc, a)", attr.Item{"a": l(s("a"))}, attr.Item{"a": l(s("c"), s("a"))}, []string{"a"}},
		{"reads before writes", "REMOVE a SET b = a", attr.Item{"a": s("x")}, attr.Item{"b": s("x")}, []string{"a", "b"}},
		{"swap", "SET a = b, b = a", attr.Item{"a": s("x"), "b": s("y")}, attr.Item{"a": s("y"), "b": s("x")}, []string{"a", "b"}},
		{"remove", "REMOVE a, nope", attr.Item{"a": s("x"), "b": s("y")}, attr.Item{"b": s("y")}, []string{"a", "nope"}},
		{"nested set", "SET a.b = :1, a.c.d = :x, b.x = :17 REMOVE a.x, b.y",
			attr.Item{"a": m("x", n("3"), "y", n("4"), "c", m("y", n("3"))), "b": m("x", n("1"), "y", n("2"))},
			attr.Item{"a": m("y", n("4"), "b", n("1"), "c", m("y", n("3"), "d", s("x"))), "b": m("x", n("17"))}, []string{"a", "b"}},
		{"nested index", "SET a[1] = :x", attr.Item{"a": l(s("0"), s("1"), s("2"))}, attr.Item{"a": l(s("0"), s("x"), s("2"))}, []string{"a"}},
		{"deep", "SET a.c[1].#n.y[1] = :7", attr.Item{"a": m("c", l(s("hi"), m("x", m("y", l(n("3"), n("5"), n("7"))))))},
			attr.Item{"a": m("c", l(s("hi"), m("x", m("y", l(n("3"), n("7"), n("7"))))))}, []string{"a"}},
		{"index past end appends", "SET a[7] = :x", attr.Item{"a": l(s("0"), s("1"))}, attr.Item{"a": l(s("0"), s("1"), s("x"))}, []string{"a"}},
		{"appends in index order", "SET a[84] = :1, a[37] = :2, a[17] = :3", attr.Item{"a": l(s("0"))},
			attr.Item{"a": l(s("0"), n("3"), n("2"), n("1"))}, []string{"a"}},
		{"remove index", "REMOVE a[1]", attr.Item{"a": l(s("0"), s("1"), s("2"))}, attr.Item{"a": l(s("0"), s("2"))}, []string{"a"}},
		{"remove several indexes", "REMOVE a[0], a[2]", attr.Item{"a": l(s("0"), s("1"), s("2"), s("3"))}, attr.Item{"a": l(s("1"), s("3"))}, []string{"a"}},
		{"indexes refer to the original list", "REMOVE a[1] SET a[3] = :17", attr.Item{"a": l(n("2"), n("3"), n("4"), n("5"), n("6"), n("7"))},
			attr.Item{"a": l(n("2"), n("4"), n("17"), n("6"), n("7"))}, []string{"a"}},
		{"same, other order", "SET a[3] = :17 REMOVE a[1]", attr.Item{"a": l(n("2"), n("3"), n("4"), n("5"), n("6"), n("7"))},
			attr.Item{"a": l(n("2"), n("4"), n("17"), n("6"), n("7"))}, []string{"a"}},
		{"remove past end ignored", "REMOVE a[17]", attr.Item{"a": l(n("4"))}, attr.Item{"a": l(n("4"))}, []string{"a"}},
		{"remove missing leaf", "REMOVE a.y", attr.Item{"a": m("x", n("3"))}, attr.Item{"a": m("x", n("3"))}, []string{"a"}},
		{"empty map stays", "REMOVE a.b", attr.Item{"a": m("b", n("1"))}, attr.Item{"a": m()}, []string{"a"}},
		{"empty list stays", "REMOVE a[0]", attr.Item{"a": l(n("1"))}, attr.Item{"a": l()}, []string{"a"}},
		{"nested remove on absent item", "REMOVE x.y, z[0]", nil, attr.Item{}, []string{"x", "z"}},
		{"add number", "ADD a :7", attr.Item{"a": n("3")}, attr.Item{"a": n("10")}, []string{"a"}},
		{"add creates number", "ADD a :7", attr.Item{}, attr.Item{"a": n("7")}, []string{"a"}},
		{"add set", "ADD a :sbc", attr.Item{"a": ss("a", "b")}, attr.Item{"a": ss("a", "b", "c")}, []string{"a"}},
		{"add creates set", "ADD a :sab", nil, attr.Item{"a": ss("a", "b")}, []string{"a"}},
		{"add number set", "ADD a :n2", attr.Item{"a": ns("1")}, attr.Item{"a": ns("1", "2")}, []string{"a"}},
		{"add nested", "ADD a.b :1", attr.Item{"a": m("b", n("1"))}, attr.Item{"a": m("b", n("2"))}, []string{"a"}},
		{"delete", "DELETE a :sbc", attr.Item{"a": ss("a", "b")}, attr.Item{"a": ss("a")}, []string{"a"}},
		{"delete not member", "DELETE a :sbc", attr.Item{"a": ss("a")}, attr.Item{"a": ss("a")}, []string{"a"}},
		{"delete empties", "DELETE a :sabc", attr.Item{"a": ss("a", "b"), "b": s("x")}, attr.Item{"b": s("x")}, []string{"a"}},
		{"delete missing", "DELETE a :sa", attr.Item{"b": s("x")}, attr.Item{"b": s("x")}, []string{"a"}},
		{"delete number set", "DELETE a :n2", attr.Item{"a": ns("1", "2")}, attr.Item{"a": ns("1")}, []string{"a"}},
		{"all clauses", "DELETE d :sa ADD c :1 REMOVE b SET a = :x",
			attr.Item{"a": s("y"), "b": s("y"), "c": n("1"), "d": ss("a", "z")},
			attr.Item{"a": s("x"), "c": n("2"), "d": ss("z")}, []string{"d", "c", "b", "a"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := mustUpdate(t, c.expr, names("#n", "x"), v)
			before := deepCopy(c.item)
			got, updated, err := u.Apply(c.item)
			if err != nil {
				t.Fatal(err)
			}
			if !equalItems(got, c.want) {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
			if !slices.Equal(updated, c.updated) {
				t.Fatalf("updated %v, want %v", updated, c.updated)
			}
			if !equalItems(c.item, before) {
				t.Fatalf("Apply modified its input: %v, was %v", c.item, before)
			}
		})
	}
}

func TestUpdateApplyErrors(t *testing.T) {
	v := vals(":1", n("1"), ":x", s("x"), ":sa", ss("a"), ":na", ns("1"), ":l", l(s("a")),
		":big", n("9.9999999999999999999999999999999999999E+125"))
	cases := []struct {
		expr string
		item attr.Item
		want string
	}{
		{"SET c = z", attr.Item{"a": s("x")}, "The provided expression refers to an attribute that does not exist in the item"},
		{"SET c = z", nil, "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = a + :1", attr.Item{}, "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a = a + :1", attr.Item{"a": s("x")}, "An operand in the update expression has an incorrect data type"},
		{"SET a = list_append(b, :l)", attr.Item{"b": n("1")}, "An operand in the update expression has an incorrect data type"},
		{"SET a = list_append(b, :l)", attr.Item{}, "The provided expression refers to an attribute that does not exist in the item"},
		{"SET a.c = :1", attr.Item{"a": s("hello")}, "The document path provided in the update expression is invalid for update"},
		{"SET a.c = :1", attr.Item{"a": l(s("hi"))}, "The document path provided in the update expression is invalid for update"},
		{"SET c.c = :1", attr.Item{"a": s("x")}, "The document path provided in the update expression is invalid for update"},
		{"SET c.c = :1", nil, "The document path provided in the update expression is invalid for update"},
		{"SET a[0] = :1", attr.Item{"a": s("hello")}, "The document path provided in the update expression is invalid for update"},
		{"SET a[0] = :1", attr.Item{"a": m()}, "The document path provided in the update expression is invalid for update"},
		{"SET a[5].b = :1", attr.Item{"a": l()}, "The document path provided in the update expression is invalid for update"},
		{"REMOVE a.c", attr.Item{"a": s("hello")}, "The document path provided in the update expression is invalid for update"},
		{"REMOVE c.c", attr.Item{"a": s("x")}, "The document path provided in the update expression is invalid for update"},
		{"REMOVE b[0]", attr.Item{"a": s("x")}, "The document path provided in the update expression is invalid for update"},
		{"ADD a :1", attr.Item{"a": s("x")}, "An operand in the update expression has an incorrect data type"},
		{"ADD a :sa", attr.Item{"a": ns("1")}, "An operand in the update expression has an incorrect data type"},
		{"ADD a :sa", attr.Item{"a": l(s("a"))}, "An operand in the update expression has an incorrect data type"},
		{"DELETE a :sa", attr.Item{"a": ns("1")}, "An operand in the update expression has an incorrect data type"},
		{"DELETE a :na", attr.Item{"a": n("1")}, "An operand in the update expression has an incorrect data type"},
		{"ADD a :big", attr.Item{"a": n("9.9999999999999999999999999999999999999E+125")}, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			u := mustUpdate(t, c.expr, nil, v)
			_, _, err := u.Apply(c.item)
			wantErr(t, err, c.want)
		})
	}
}

func TestUpdateTouchesTopLevel(t *testing.T) {
	v := vals(":1", n("1"), ":s", ss("a"))
	for _, c := range []struct {
		expr string
		want string
	}{
		{"add a.b :1", "a"},
		{"delete a :s", "a"},
		{"remove d set b = :1, a = :1", "a"},
		{"set d[1] = :1 add b.b :1", "b"},
		{"set c = a.b + a[1]", ""},
	} {
		u := mustUpdate(t, c.expr, nil, v)
		got, ok := u.TouchesTopLevel("a", "b")
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%q: got %q %v, want %q", c.expr, got, ok, c.want)
		}
	}
}

func TestUpdatedPaths(t *testing.T) {
	u := mustUpdate(t, "SET a.b = :1 REMOVE c", nil, vals(":1", n("1")))
	old := attr.Item{"a": m("b", n("0"), "x", n("9")), "c": s("c"), "d": s("d")}
	got := u.UpdatedPaths().Apply(old)
	want := attr.Item{"a": m("b", n("0")), "c": s("c")}
	if !equalItems(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// Apply copies only the containers it changes; untouched values are shared.
func TestUpdateCopyOnWrite(t *testing.T) {
	big := l(n("1"), n("2"))
	item := attr.Item{"a": m("x", n("1"), "keep", big), "other": big}
	u := mustUpdate(t, "SET a.x = :2", nil, vals(":2", n("2")))
	got, _, err := u.Apply(item)
	if err != nil {
		t.Fatal(err)
	}
	if &got["other"].List[0] != &item["other"].List[0] || &got["a"].Map["keep"].List[0] != &big.List[0] {
		t.Fatal("untouched containers were copied")
	}
	if item["a"].Map["x"].Str != "1" {
		t.Fatal("input modified")
	}
}
