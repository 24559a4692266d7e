package expr

import (
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestProjectionApply(t *testing.T) {
	item := attr.Item{
		"pk":      s("p"),
		"a":       m("b", n("1"), "c", n("2"), "d", m("e", s("x"), "f", s("y"))),
		"letters": l(s("x"), s("y"), s("z"), m("q", n("1"), "r", n("2"))),
		"alt":     s("o"),
		"a.b":     s("dotted"),
	}
	cases := []struct {
		expr  string
		names map[string]string
		want  attr.Item
	}{
		{"pk, alt", nil, attr.Item{"pk": s("p"), "alt": s("o")}},
		{"pk, nope", nil, attr.Item{"pk": s("p")}},
		{"a.c, letters[2], letters[0], #o", names("#o", "alt"), attr.Item{"a": m("c", n("2")), "letters": l(s("x"), s("z")), "alt": s("o")}},
		{"a.d.f, a.b", nil, attr.Item{"a": m("b", n("1"), "d", m("f", s("y")))}},
		{"letters[3].r", nil, attr.Item{"letters": l(m("r", n("2")))}},
		{"letters[9], a.zz", nil, attr.Item{}},
		{"letters.x, a[0]", nil, attr.Item{}},
		{"#ab", names("#ab", "a.b"), attr.Item{"a.b": s("dotted")}},
		{"a", nil, attr.Item{"a": item["a"]}},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			p, err := NewContext(c.names, nil).ParseProjection(c.expr)
			if err != nil {
				t.Fatal(err)
			}
			got := p.Apply(item)
			if !equalItems(got, c.want) {
				t.Fatalf("got %v\nwant %v", got, c.want)
			}
		})
	}
	if got := FromAttributesToGet([]string{"pk", "a.b", "nope"}).Apply(item); !equalItems(got, attr.Item{"pk": s("p"), "a.b": s("dotted")}) {
		t.Fatalf("AttributesToGet: got %v", got)
	}
	if got := FromAttributesToGet([]string{"pk"}).Apply(nil); len(got) != 0 {
		t.Fatalf("nil item: got %v", got)
	}
}

func TestProjectionAttributes(t *testing.T) {
	p, err := NewContext(names("#x", "x"), nil).ParseProjection("a.b, #x, a.c, b[1]")
	if err != nil {
		t.Fatal(err)
	}
	got := p.Attributes()
	if len(got) != 3 || got[0] != "a" || got[1] != "x" || got[2] != "b" {
		t.Fatalf("got %v", got)
	}
}
