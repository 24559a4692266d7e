package attr

import (
	"bytes"
	"runtime"
	"strconv"
	"strings"

	"pgregory.net/rapid"
)

// genNumber generates canonical number texts over DynamoDB's whole range.
// (attrtest has the exported equivalent; it cannot be imported here without
// an import cycle in package-internal tests.)
func genNumber() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		switch rapid.IntRange(0, 9).Draw(t, "numShape") {
		case 0:
			return "0"
		case 1, 2, 3:
			return strconv.FormatInt(rapid.Int64Range(-1000, 1000).Draw(t, "smallInt"), 10)
		}
		nd := rapid.IntRange(1, MaxNumberDigits).Draw(t, "digits")
		var sb strings.Builder
		if rapid.Bool().Draw(t, "neg") {
			sb.WriteByte('-')
		}
		for i := 0; i < nd; i++ {
			lo := 0
			if i == 0 {
				lo = 1
			}
			sb.WriteByte(byte('0' + rapid.IntRange(lo, 9).Draw(t, "digit")))
			if i == 0 {
				sb.WriteByte('.')
			}
		}
		sb.WriteString("E" + strconv.Itoa(rapid.IntRange(MinNumberExponent, MaxNumberExponent).Draw(t, "exp")))
		c, err := ParseNumber(sb.String())
		if err != nil {
			panic(err)
		}
		return c
	})
}

// genValue generates arbitrary valid values (mirrors attrtest.ValueGen).
func genValue() *rapid.Generator[Value] {
	return rapid.Custom(func(t *rapid.T) Value { return drawTestValue(t, 3) })
}

func genText() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.StringOfN(rapid.RuneFrom([]rune("ab\x00\x1f\"\\é€😀")), 0, 6, -1),
		rapid.StringN(0, 12, -1),
	)
}

func genBytes() *rapid.Generator[[]byte] {
	return rapid.SliceOfN(rapid.Byte(), 0, 12)
}

func drawTestValue(t *rapid.T, depth int) Value {
	max := 9
	if depth <= 0 {
		max = 6
	}
	switch rapid.IntRange(0, max).Draw(t, "kind") {
	case 0:
		return S(genText().Draw(t, "s"))
	case 1:
		return Value{Kind: KindN, Str: genNumber().Draw(t, "n")}
	case 2:
		return B(genBytes().Draw(t, "b"))
	case 3:
		if rapid.Bool().Draw(t, "nullOrBool") {
			return Null()
		}
		return Bool(rapid.Bool().Draw(t, "bool"))
	case 4:
		return Value{Kind: KindSS, Strs: rapid.SliceOfNDistinct(genText(), 1, 4, func(s string) string { return s }).Draw(t, "ss")}
	case 5:
		return Value{Kind: KindNS, Strs: rapid.SliceOfNDistinct(genNumber(), 1, 4, func(s string) string { return s }).Draw(t, "ns")}
	case 6:
		return Value{Kind: KindBS, Bins: rapid.SliceOfNDistinct(genBytes(), 1, 4, func(b []byte) string { return string(b) }).Draw(t, "bs")}
	case 7, 8:
		n := rapid.IntRange(0, 4).Draw(t, "len")
		l := make([]Value, n)
		for i := range l {
			l[i] = drawTestValue(t, depth-1)
		}
		return L(l...)
	default:
		n := rapid.IntRange(0, 4).Draw(t, "len")
		m := make(map[string]Value, n)
		for i := 0; i < n; i++ {
			m[genText().Draw(t, "key")] = drawTestValue(t, depth-1)
		}
		return M(m)
	}
}

// testMem measures bytes allocated by a function.
type testMem struct{ bytes uint64 }

func (m *testMem) measure(f func()) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	m.bytes = after.TotalAlloc - before.TotalAlloc
}

// benchItem is a ~1 KB item of mixed types, used by benchmarks and fuzz seeds.
func benchItem() Item {
	return Item{
		"pk":        S("user#0001234567"),
		"sk":        S("order#2024-05-01T12:34:56Z#000042"),
		"status":    S("SHIPPED"),
		"total":     MustN("1234.56"),
		"count":     NumberFromInt64(42),
		"ratio":     MustN("0.000123456789"),
		"big":       MustN("12345678901234567890123456789012345678"),
		"active":    Bool(true),
		"deleted":   Null(),
		"thumbnail": B(bytes.Repeat([]byte{0xde, 0xad, 0xbe, 0xef}, 32)),
		"tags":      {Kind: KindSS, Strs: []string{"red", "green", "blue", "priority", "gift"}},
		"scores":    {Kind: KindNS, Strs: []string{"1", "2.5", "-3", "100000"}},
		"blobs":     {Kind: KindBS, Bins: [][]byte{{1, 2, 3}, {4, 5, 6, 7}}},
		"address": M(map[string]Value{
			"street": S("123 Main Street, Apartment 4B"),
			"city":   S("Springfield"),
			"zip":    S("12345-6789"),
			"geo":    M(map[string]Value{"lat": MustN("37.7749295"), "lon": MustN("-122.4194155")}),
		}),
		"items": L(
			M(map[string]Value{"sku": S("SKU-0001"), "qty": NumberFromInt64(2), "price": MustN("19.99"), "name": S("Widget with a fairly long descriptive name")}),
			M(map[string]Value{"sku": S("SKU-0002"), "qty": NumberFromInt64(1), "price": MustN("5.25"), "name": S("Gadget")}),
			M(map[string]Value{"sku": S("SKU-0003"), "qty": NumberFromInt64(10), "price": MustN("0.99"), "name": S("Sprocket, pack of ten")}),
		),
		"notes": S("Leave the package at the back door if nobody answers. Fragile: contains glassware; handle with care, please."),
	}
}
