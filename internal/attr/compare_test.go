package attr

import (
	"testing"

	"pgregory.net/rapid"
)

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b Value
		want int
		ok   bool
	}{
		{S("a"), S("b"), -1, true},
		{S("b"), S("a"), 1, true},
		{S("é"), S("z"), 1, true}, // bytewise on UTF-8
		{S("a"), S("a"), 0, true},
		{MustN("10"), MustN("9"), 1, true},
		{MustN("-1.5"), MustN("1"), -1, true},
		{B([]byte{0xff}), B([]byte{0x01, 0x02}), 1, true},
		{S("1"), MustN("1"), 0, false},
		{Bool(true), Bool(true), 0, false},
		{L(), L(), 0, false},
	}
	for _, tt := range tests {
		got, ok := Compare(tt.a, tt.b)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Compare(%s, %s) = %d, %v; want %d, %v", Describe(tt.a), Describe(tt.b), got, ok, tt.want, tt.ok)
		}
	}
}

func TestEqual(t *testing.T) {
	ss := func(s ...string) Value { return Value{Kind: KindSS, Strs: s} }
	ns := func(s ...string) Value { return Value{Kind: KindNS, Strs: s} }
	bs := func(b ...[]byte) Value { return Value{Kind: KindBS, Bins: b} }
	tests := []struct {
		a, b Value
		want bool
	}{
		{S("a"), S("a"), true},
		{S("a"), S("b"), false},
		{S("1"), MustN("1"), false},
		{MustN("1"), Value{Kind: KindN, Str: "1.0"}, true},
		{B([]byte{}), B(nil), true},
		{Null(), Null(), true},
		{Bool(true), Bool(false), false},
		{ss("a", "b"), ss("b", "a"), true},
		{ss("a", "b"), ss("a", "c"), false},
		{ss("a"), ss("a", "b"), false},
		{ns("1", "2.5"), ns("2.50", "1"), true},
		{bs([]byte{1}, []byte{2}), bs([]byte{2}, []byte{1}), true},
		{bs([]byte{1}), bs([]byte{3}), false},
		{L(S("a"), MustN("1")), L(S("a"), MustN("1")), true},
		{L(S("a"), MustN("1")), L(MustN("1"), S("a")), false},
		{L(S("a")), L(S("a"), S("a")), false},
		{M(map[string]Value{"a": L(Null())}), M(map[string]Value{"a": L(Null())}), true},
		{M(map[string]Value{"a": S("x")}), M(map[string]Value{"b": S("x")}), false},
		{M(map[string]Value{"a": S("x")}), M(map[string]Value{}), false},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v; want %v", Describe(tt.a), Describe(tt.b), got, tt.want)
		}
		if got := Equal(tt.b, tt.a); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v (reversed); want %v", Describe(tt.b), Describe(tt.a), got, tt.want)
		}
	}
	// Large sets take the map path.
	var a, b []string
	for i := 0; i < 40; i++ {
		a = append(a, NumberFromInt64(int64(i)).Str)
		b = append(b, NumberFromInt64(int64(39-i)).Str)
	}
	if !Equal(ns(a...), ns(b...)) || !Equal(ss(a...), ss(b...)) {
		t.Error("large equal sets compare unequal")
	}
	b[0] = "1000"
	if Equal(ns(a...), ns(b...)) || Equal(ss(a...), ss(b...)) {
		t.Error("large different sets compare equal")
	}
}

func TestEqualProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := genValue().Draw(t, "v")
		if !Equal(v, v) {
			t.Fatalf("Equal(v, v) false for %s", Describe(v))
		}
		// Reordering a set keeps it equal.
		if v.Kind == KindSS || v.Kind == KindNS {
			r := Value{Kind: v.Kind, Strs: rapid.Permutation(v.Strs).Draw(t, "perm")}
			if !Equal(v, r) {
				t.Fatalf("permuted set unequal")
			}
		}
	})
}

func TestSetContains(t *testing.T) {
	ns := Value{Kind: KindNS, Strs: []string{"1", "2.5"}}
	if !SetContains(ns, MustN("2.50")) || SetContains(ns, MustN("3")) || SetContains(ns, S("1")) {
		t.Error("SetContains on NS")
	}
	ss := Value{Kind: KindSS, Strs: []string{"a"}}
	if !SetContains(ss, S("a")) || SetContains(ss, S("b")) {
		t.Error("SetContains on SS")
	}
	bs := Value{Kind: KindBS, Bins: [][]byte{{1}}}
	if !SetContains(bs, B([]byte{1})) || SetContains(bs, B(nil)) {
		t.Error("SetContains on BS")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		v   Value
		msg string
	}{
		{S(""), ""},
		{MustN("1"), ""},
		{Value{Kind: KindN, Str: "1.0"}, "The parameter cannot be converted to a numeric value: 1.0"},
		{Value{Kind: KindN, Str: "1e200"}, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{Value{}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{Value{Kind: KindNULL}, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{Value{Kind: KindSS}, "One or more parameter values were invalid: An string set  may not be empty"},
		{Value{Kind: KindNS, Strs: []string{"1", "1"}}, "Input collection contains duplicates"},
		{L(M(map[string]Value{"a": {}})), "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
	}
	for _, tt := range tests {
		err := tt.v.Validate()
		if (tt.msg == "" && err != nil) || (tt.msg != "" && (err == nil || err.Error() != tt.msg)) {
			t.Errorf("Validate(%s) = %v; want %q", Describe(tt.v), err, tt.msg)
		}
	}
}

func TestItemClone(t *testing.T) {
	it := Item{"a": S("x")}
	c := it.Clone()
	c["b"] = S("y")
	delete(c, "a")
	if len(it) != 1 || !Equal(it["a"], S("x")) {
		t.Errorf("Clone shares the map: %v", it)
	}
	if Item(nil).Clone() != nil {
		t.Error("nil Clone not nil")
	}
}

func TestDescribe(t *testing.T) {
	v := M(map[string]Value{"b": L(S("x"), Null()), "a": Value{Kind: KindBS, Bins: [][]byte{{1}}}})
	if got, want := Describe(v), "{M: {a: {BS: [AQ==]}, b: {L: [{S: x}, {NULL: true}]}}}"; got != want {
		t.Errorf("Describe = %s; want %s", got, want)
	}
}
