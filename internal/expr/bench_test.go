package expr

import (
	"strconv"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

const benchCond = "attribute_exists(pk) AND #st = :active AND (size(tags) > :zero OR contains(tags, :t)) AND price BETWEEN :lo AND :hi"

func benchCtx() *Context {
	return NewContext(names("#st", "status"), vals(":active", s("active"), ":zero", n("0"), ":t", s("x"), ":lo", n("10"), ":hi", n("99.5")))
}

func benchItem() attr.Item {
	return attr.Item{
		"pk": s("user#42"), "sk": s("order#0001"), "status": s("active"), "tags": ss("x", "y", "z"),
		"price": n("42.25"), "lineitems": l(m("sku", s("a"), "qty", n("1")), m("sku", s("b"), "qty", n("2"))),
		"address": m("city", s("Paris"), "zip", s("75001")), "count": n("7"),
	}
}

func BenchmarkParseConditionCached(b *testing.B) {
	if _, err := benchCtx().ParseCondition("ConditionExpression", benchCond); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := benchCtx().ParseCondition("ConditionExpression", benchCond); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseConditionUncached(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++ // a distinct text each time defeats the cache
		if _, err := benchCtx().ParseCondition("ConditionExpression", benchCond+" AND c"+strconv.Itoa(i)+" <> :zero"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEvalCondition(b *testing.B) {
	c, err := benchCtx().ParseCondition("ConditionExpression", benchCond)
	if err != nil {
		b.Fatal(err)
	}
	item := benchItem()
	if ok, _ := c.Eval(item); !ok {
		b.Fatal("condition is false")
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Eval(item)
	}
}

const benchUpdate = "SET #st = :s, address.city = :city, #c = #c + :one, lineitems[1].qty = :one, hist = list_append(if_not_exists(hist, :empty), :ev) REMOVE sk ADD tags :tags"

func BenchmarkApplyUpdate(b *testing.B) {
	u, err := NewContext(names("#st", "status", "#c", "count"), vals(":s", s("done"), ":city", s("Lyon"), ":one", n("1"),
		":empty", l(), ":ev", l(s("e")), ":tags", ss("w"))).ParseUpdate(benchUpdate)
	if err != nil {
		b.Fatal(err)
	}
	item := benchItem()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := u.Apply(item); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseUpdateCached(b *testing.B) {
	ctx := func() *Context {
		return NewContext(names("#st", "status", "#c", "count"), vals(":s", s("done"), ":city", s("Lyon"), ":one", n("1"),
			":empty", l(), ":ev", l(s("e")), ":tags", ss("w")))
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ctx().ParseUpdate(benchUpdate); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProjection(b *testing.B) {
	p, err := NewContext(nil, nil).ParseProjection("pk, address.city, lineitems[1].sku, price")
	if err != nil {
		b.Fatal(err)
	}
	item := benchItem()
	b.ReportAllocs()
	for b.Loop() {
		p.Apply(item)
	}
}
