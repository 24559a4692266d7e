package attr

import (
	"bytes"
	"errors"
	"testing"

	"pgregory.net/rapid"
)

func genKeyValue(k Kind) *rapid.Generator[Value] {
	switch k {
	case KindS:
		return rapid.Custom(func(t *rapid.T) Value {
			return S(rapid.OneOf(
				rapid.StringOfN(rapid.RuneFrom([]rune{0, 1, 'a', 'b', 0xff, 'é'}), 0, 6, -1),
				rapid.String(),
			).Draw(t, "s"))
		})
	case KindB:
		return rapid.Custom(func(t *rapid.T) Value {
			return B(rapid.OneOf(
				rapid.SliceOfN(rapid.SampledFrom([]byte{0, 1, 0xfe, 0xff, 'a'}), 0, 6),
				rapid.SliceOf(rapid.Byte()),
			).Draw(t, "b"))
		})
	}
	return rapid.Custom(func(t *rapid.T) Value { return Value{Kind: KindN, Str: genNumber().Draw(t, "n")} })
}

func sign(i int) int {
	switch {
	case i < 0:
		return -1
	case i > 0:
		return 1
	}
	return 0
}

func TestKeyEncodingProperties(t *testing.T) {
	for _, k := range []Kind{KindS, KindN, KindB} {
		t.Run(k.String(), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				a := genKeyValue(k).Draw(t, "a")
				b := genKeyValue(k).Draw(t, "b")
				ea, eb := AppendKey(nil, a), AppendKey(nil, b)
				want, _ := Compare(a, b)
				if got := sign(bytes.Compare(ea, eb)); got != want {
					t.Fatalf("order: Compare=%d, bytes=%d\na=%#v %x\nb=%#v %x", want, got, a, ea, b, eb)
				}
				// Round trip, leaving any suffix untouched.
				suffix := []byte{0x00, 0x01, 0xff}
				got, rest, err := DecodeKey(append(ea, suffix...), k)
				if err != nil || !Equal(got, a) || !bytes.Equal(rest, suffix) {
					t.Fatalf("DecodeKey(%x) = %#v, %x, %v; want %#v", ea, got, rest, err, a)
				}
				if k == KindN && got.Str != a.Str {
					t.Fatalf("decoded number %q, want canonical %q", got.Str, a.Str)
				}
				// Prefix safety: appending anything after two encodings keeps
				// their order (no encoding is a prefix of another).
				if want != 0 {
					x := AppendKey(append([]byte(nil), ea...), genKeyValue(k).Draw(t, "x"))
					y := AppendKey(append([]byte(nil), eb...), genKeyValue(k).Draw(t, "y"))
					if sign(bytes.Compare(x, y)) != want {
						t.Fatalf("concatenation changed order")
					}
					if bytes.HasPrefix(eb, ea) || bytes.HasPrefix(ea, eb) {
						t.Fatalf("encoding %x is a prefix of %x", ea, eb)
					}
				}
				// Composite keys decode part by part.
				two := AppendKey(AppendKey(nil, a), b)
				d1, rest, err := DecodeKey(two, k)
				if err != nil {
					t.Fatal(err)
				}
				d2, rest, err := DecodeKey(rest, k)
				if err != nil || len(rest) != 0 || !Equal(d1, a) || !Equal(d2, b) {
					t.Fatalf("composite decode failed: %v %v %v", d1, d2, err)
				}
			})
		})
	}
}

func TestKeyEncodingExamples(t *testing.T) {
	tests := []struct {
		v    Value
		want []byte
	}{
		{S("a\x00b"), []byte{'a', 0, 0xff, 'b', 0, 1}},
		{S(""), []byte{0, 1}},
		{B([]byte{0}), []byte{0, 0xff, 0, 1}},
		{MustN("0"), []byte{keyNumZero}},
		{MustN("1"), []byte{keyNumPos, 130, 11, 0}},
		{MustN("12"), []byte{keyNumPos, 131, 13, 0}},
		{MustN("-1"), []byte{keyNumNeg, 255 - 130, 101 - 11, 0xff}},
	}
	for _, tt := range tests {
		if got := AppendKey(nil, tt.v); !bytes.Equal(got, tt.want) {
			t.Errorf("AppendKey(%#v) = %x; want %x", tt.v, got, tt.want)
		}
	}
	ordered := []string{"-1E+125", "-100", "-10.5", "-10", "-1", "-0.5", "-1E-130", "0", "1E-130", "0.5", "1", "1.05", "1.5", "10", "100", "9.9999999999999999999999999999999999999E+125"}
	for i := 1; i < len(ordered); i++ {
		a, b := AppendKey(nil, MustN(ordered[i-1])), AppendKey(nil, MustN(ordered[i]))
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("key(%s)=%x !< key(%s)=%x", ordered[i-1], a, ordered[i], b)
		}
	}
}

func TestDecodeKeyCorrupt(t *testing.T) {
	tests := []struct {
		b []byte
		k Kind
	}{
		{nil, KindS},
		{[]byte("abc"), KindS},
		{[]byte{'a', 0}, KindB},
		{[]byte{'a', 0, 7}, KindB},
		{nil, KindN},
		{[]byte{0x99}, KindN},
		{[]byte{keyNumPos}, KindN},
		{[]byte{keyNumPos, 130}, KindN},
		{[]byte{keyNumPos, 130, 0}, KindN},        // no digits
		{[]byte{keyNumPos, 130, 1, 0}, KindN},     // leading zero pair "00"
		{[]byte{keyNumPos, 130, 101, 0}, KindN},   // pair out of range
		{[]byte{keyNumPos, 130, 11, 1, 0}, KindN}, // trailing zero pair -> "1000"? non-canonical
		{[]byte{keyNumPos, 130, 12, 1, 0}, KindN}, // 11 then pad: "1100"
		{[]byte{keyNumNeg, 125, 90}, KindN},
	}
	for _, tt := range tests {
		if v, _, err := DecodeKey(tt.b, tt.k); !errors.Is(err, ErrKeyCorrupt) {
			t.Errorf("DecodeKey(%x, %v) = %#v, %v; want ErrKeyCorrupt", tt.b, tt.k, v, err)
		}
	}
	if _, _, err := DecodeKey([]byte{0, 1}, KindBOOL); err == nil {
		t.Error("DecodeKey(BOOL) succeeded")
	}
}

func FuzzDecodeKey(f *testing.F) {
	f.Add(AppendKey(nil, MustN("-12.5")), uint8(KindN))
	f.Add(AppendKey(nil, S("a\x00")), uint8(KindS))
	f.Add(AppendKey(nil, B([]byte{0xff})), uint8(KindB))
	f.Fuzz(func(t *testing.T, b []byte, k uint8) {
		kind := []Kind{KindS, KindN, KindB}[int(k)%3]
		v, rest, err := DecodeKey(b, kind)
		if err != nil {
			return
		}
		enc := AppendKey(nil, v)
		if !bytes.Equal(append(enc, rest...), b) {
			t.Fatalf("re-encoding %#v gives %x, input %x", v, enc, b)
		}
	})
}

func TestAppendKeyPanics(t *testing.T) {
	for _, v := range []Value{{Kind: KindN, Str: "abc"}, Bool(true), L()} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AppendKey(%s) did not panic", Describe(v))
				}
			}()
			AppendKey(nil, v)
		}()
	}
	// Non-canonical but valid number text is canonicalised.
	if got, want := AppendKey(nil, Value{Kind: KindN, Str: "1.50"}), AppendKey(nil, MustN("1.5")); !bytes.Equal(got, want) {
		t.Errorf("AppendKey(1.50) = %x; want %x", got, want)
	}
}

func TestAppendKeyPrefixProperty(t *testing.T) {
	for _, k := range []Kind{KindS, KindB} {
		t.Run(k.String(), func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				p := genKeyValue(k).Draw(t, "prefix")
				v := genKeyValue(k).Draw(t, "v")
				var begins bool
				if k == KindS {
					begins = len(v.Str) >= len(p.Str) && v.Str[:len(p.Str)] == p.Str
				} else {
					begins = bytes.HasPrefix(v.Bin, p.Bin)
				}
				if got := bytes.HasPrefix(AppendKey(nil, v), AppendKeyPrefix(nil, p)); got != begins {
					t.Fatalf("begins_with(%s, %s) = %v but key prefix test = %v", Describe(v), Describe(p), begins, got)
				}
			})
		})
	}
}
