// Package attrtest provides rapid generators of DynamoDB attribute values for
// property tests in any package.
package attrtest

import (
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// NumberText generates canonical number texts covering DynamoDB's whole
// range: zero, small integers, and arbitrary 1..38-digit mantissas with
// exponents from -130 to +125.
func NumberText() *rapid.Generator[string] {
	return rapid.Custom(func(t *rapid.T) string {
		switch rapid.IntRange(0, 9).Draw(t, "numShape") {
		case 0:
			return "0"
		case 1, 2, 3:
			return strconv.FormatInt(rapid.Int64Range(-1_000_000, 1_000_000).Draw(t, "smallInt"), 10)
		}
		nd := rapid.IntRange(1, attr.MaxNumberDigits).Draw(t, "digits")
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
		e := rapid.IntRange(attr.MinNumberExponent, attr.MaxNumberExponent).Draw(t, "exp")
		sb.WriteString("E")
		sb.WriteString(strconv.Itoa(e))
		c, err := attr.ParseNumber(sb.String())
		if err != nil {
			panic("attrtest: generated invalid number " + sb.String() + ": " + err.Error())
		}
		return c
	})
}

// Text generates attribute strings: mostly short, including empty, NUL
// bytes and non-ASCII runes. Always valid UTF-8.
func Text() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.StringOfN(rapid.RuneFrom([]rune("ab\x00\xff~é€😀")), 0, 6, -1),
		rapid.StringN(0, 20, -1),
	)
}

// Bytes generates binary attribute contents, including empty and 0x00/0xFF.
func Bytes() *rapid.Generator[[]byte] {
	return rapid.OneOf(
		rapid.SliceOfN(rapid.SampledFrom([]byte{0, 1, 0xfe, 0xff, 'a'}), 0, 6),
		rapid.SliceOfN(rapid.Byte(), 0, 24),
	)
}

// Name generates attribute names (non-empty).
func Name() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.SampledFrom([]string{"pk", "sk", "a", "b", "name", "count", "tags", "x.y", "#z"}),
		rapid.StringN(1, 12, -1),
	)
}

// KeyValue generates values of a key type: S, N or B (k must be one of them).
func KeyValue(k attr.Kind) *rapid.Generator[attr.Value] {
	switch k {
	case attr.KindS:
		return rapid.Custom(func(t *rapid.T) attr.Value { return attr.S(Text().Draw(t, "s")) })
	case attr.KindN:
		return rapid.Custom(func(t *rapid.T) attr.Value {
			return attr.Value{Kind: attr.KindN, Str: NumberText().Draw(t, "n")}
		})
	case attr.KindB:
		return rapid.Custom(func(t *rapid.T) attr.Value { return attr.B(Bytes().Draw(t, "b")) })
	}
	panic("attrtest.KeyValue: not a key kind: " + k.String())
}

// ScalarValue generates S, N, B, BOOL and NULL values.
func ScalarValue() *rapid.Generator[attr.Value] {
	return rapid.Custom(func(t *rapid.T) attr.Value { return drawScalar(t) })
}

// ValueGen generates arbitrary valid attribute values of every type,
// including sets and nested maps and lists up to a few levels deep.
func ValueGen() *rapid.Generator[attr.Value] {
	return rapid.Custom(func(t *rapid.T) attr.Value { return drawValue(t, 3) })
}

// ItemGen generates items of up to 8 attributes with arbitrary values.
func ItemGen() *rapid.Generator[attr.Item] {
	return rapid.Custom(func(t *rapid.T) attr.Item {
		m := rapid.MapOfN(Name(), ValueGen(), 0, 8).Draw(t, "item")
		return attr.Item(m)
	})
}

func drawScalar(t *rapid.T) attr.Value {
	switch rapid.IntRange(0, 4).Draw(t, "scalarKind") {
	case 0:
		return attr.S(Text().Draw(t, "s"))
	case 1:
		return attr.Value{Kind: attr.KindN, Str: NumberText().Draw(t, "n")}
	case 2:
		return attr.B(Bytes().Draw(t, "b"))
	case 3:
		return attr.Bool(rapid.Bool().Draw(t, "bool"))
	default:
		return attr.Null()
	}
}

func drawValue(t *rapid.T, depth int) attr.Value {
	max := 7
	if depth <= 0 {
		max = 3
	}
	switch rapid.IntRange(0, max).Draw(t, "valueKind") {
	case 0, 1:
		return drawScalar(t)
	case 2:
		ss := rapid.SliceOfNDistinct(Text(), 1, 5, func(s string) string { return s }).Draw(t, "ss")
		return attr.Value{Kind: attr.KindSS, Strs: ss}
	case 3:
		ns := rapid.SliceOfNDistinct(NumberText(), 1, 5, func(s string) string { return s }).Draw(t, "ns")
		return attr.Value{Kind: attr.KindNS, Strs: ns}
	case 4:
		bs := rapid.SliceOfNDistinct(Bytes(), 1, 5, func(b []byte) string { return string(b) }).Draw(t, "bs")
		return attr.Value{Kind: attr.KindBS, Bins: bs}
	case 5, 6:
		n := rapid.IntRange(0, 4).Draw(t, "listLen")
		l := make([]attr.Value, n)
		for i := range l {
			l[i] = drawValue(t, depth-1)
		}
		return attr.L(l...)
	default:
		n := rapid.IntRange(0, 4).Draw(t, "mapLen")
		m := make(map[string]attr.Value, n)
		for i := 0; i < n; i++ {
			m[Name().Draw(t, "key")] = drawValue(t, depth-1)
		}
		return attr.M(m)
	}
}
