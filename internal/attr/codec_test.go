package attr

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"pgregory.net/rapid"
)

func genItem() *rapid.Generator[Item] {
	return rapid.Custom(func(t *rapid.T) Item {
		return Item(rapid.MapOfN(genText(), genValue(), 0, 6).Draw(t, "item"))
	})
}

func TestCodecRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		it := genItem().Draw(t, "item")
		enc := AppendItem(nil, it)
		got, err := DecodeItem(enc)
		if err != nil {
			t.Fatalf("DecodeItem: %v", err)
		}
		if !Equal(M(got), M(it)) {
			t.Fatalf("round trip changed item:\n%s\n%s", Describe(M(it)), Describe(M(got)))
		}
		// Deterministic: re-encoding gives the same bytes.
		if again := AppendItem(nil, got); !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding differs")
		}
		// Decoded values do not alias the input.
		for i := range enc {
			enc[i] = 0xAA
		}
		if !Equal(M(got), M(it)) {
			t.Fatalf("decoded item aliases the encoding")
		}
		// Single values round trip with a suffix left in place.
		v := genValue().Draw(t, "v")
		venc := append(AppendValue(nil, v), 7, 8)
		dv, rest, err := DecodeValue(venc)
		if err != nil || !Equal(dv, v) || !bytes.Equal(rest, []byte{7, 8}) {
			t.Fatalf("DecodeValue = %v, %v, %v", Describe(dv), rest, err)
		}
	})
}

func TestCodecExactShapes(t *testing.T) {
	it := Item{
		"s":  S("x"),
		"e":  S(""),
		"n":  MustN("-1.5"),
		"b":  B([]byte{}),
		"t":  Bool(true),
		"f":  Bool(false),
		"z":  Null(),
		"l":  L(),
		"m":  M(map[string]Value{}),
		"ss": Value{Kind: KindSS, Strs: []string{"a", ""}},
	}
	got, err := DecodeItem(AppendItem(nil, it))
	if err != nil {
		t.Fatal(err)
	}
	want := Item{
		"s": S("x"), "e": S(""), "n": MustN("-1.5"), "b": B([]byte{}), "t": Bool(true), "f": Bool(false),
		"z": Null(), "l": Value{Kind: KindL, List: []Value{}}, "m": M(map[string]Value{}),
		"ss": Value{Kind: KindSS, Strs: []string{"a", ""}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("DecodeItem = %#v", got)
	}
	if got := AppendItem(nil, Item{"a": S("b")}); !bytes.Equal(got, []byte{codecVersion, 1, 1, 'a', byte(KindS), 1, 'b'}) {
		t.Errorf("AppendItem = %x", got)
	}
	empty, err := DecodeItem(AppendItem(nil, nil))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty item = %v, %v", empty, err)
	}
}

func TestDecodeItemCorrupt(t *testing.T) {
	good := AppendItem(nil, Item{"a": S("b"), "c": L(MustN("1"), Null())})
	cases := [][]byte{
		nil,
		{},
		{2, 0},            // bad version
		{codecVersion},    // missing count
		{codecVersion, 1}, // missing entry
		{codecVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // bad varint
		{codecVersion, 100, 1, 'a'},                                       // count exceeds input
		{codecVersion, 1, 1, 'a', 99},                                     // bad kind
		{codecVersion, 1, 1, 'a', 0},                                      // invalid kind
		{codecVersion, 1, 1, 'a', byte(KindS), 5, 'x'},                    // length exceeds input
		{codecVersion, 1, 1, 'a', byte(KindN), 2, '0', '1'},               // non-canonical number
		{codecVersion, 1, 1, 'a', byte(KindBOOL), 2},                      // bad bool
		{codecVersion, 2, 1, 'b', byte(KindNULL), 1, 'a', byte(KindNULL)}, // names out of order
		{codecVersion, 2, 1, 'a', byte(KindNULL), 1, 'a', byte(KindNULL)}, // duplicate name
		append(append([]byte{}, good...), 0),                              // trailing bytes
		good[:len(good)-1],                                                // truncated
	}
	for _, b := range cases {
		if it, err := DecodeItem(b); !errors.Is(err, ErrCorrupt) {
			t.Errorf("DecodeItem(%x) = %v, %v; want ErrCorrupt", b, it, err)
		}
	}
	// Deep nesting is rejected, not recursed into without bound.
	deep := []byte{codecVersion, 1, 1, 'a'}
	for i := 0; i < 10000; i++ {
		deep = append(deep, byte(KindL), 1)
	}
	deep = append(deep, byte(KindNULL))
	if _, err := DecodeItem(deep); !errors.Is(err, ErrCorrupt) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestDecodeCorruptCountsAllocateLittle(t *testing.T) {
	// A list claiming ~1M elements in a 1 MB buffer of garbage must fail
	// without allocating ~1M Values up front.
	b := make([]byte, 1<<20)
	b[0], b[1], b[2], b[3] = codecVersion, 1, 1, 'a'
	b[4] = byte(KindL)
	n := copy(b[5:], []byte{0x80, 0x80, 0x3f}) // uvarint 1032192
	_ = n
	allocs := testing.AllocsPerRun(5, func() { _, _ = DecodeItem(b) })
	if allocs > 10 {
		t.Errorf("DecodeItem allocated %v times", allocs)
	}
	var ms1 testMem
	ms1.measure(func() { _, _ = DecodeItem(b) })
	if ms1.bytes > 4<<20 {
		t.Errorf("DecodeItem allocated %d bytes on a 1 MB corrupt input", ms1.bytes)
	}
}

func FuzzDecodeItem(f *testing.F) {
	f.Add(AppendItem(nil, Item{"pk": S("user#1"), "n": MustN("-12.5e3"), "b": B([]byte{0, 1})}))
	f.Add(AppendItem(nil, Item{"l": L(Null(), Bool(true), M(map[string]Value{"x": L()}))}))
	f.Add(AppendItem(nil, Item{"ss": {Kind: KindSS, Strs: []string{"a", "b"}}, "ns": {Kind: KindNS, Strs: []string{"1", "0.5"}}, "bs": {Kind: KindBS, Bins: [][]byte{{1}, {}}}}))
	f.Add(AppendItem(nil, benchItem()))
	f.Add([]byte{codecVersion, 0})
	f.Add([]byte{codecVersion, 1, 1, 'a', byte(KindL), 0x80, 0x80, 0x3f})
	f.Fuzz(func(t *testing.T, b []byte) {
		it, err := DecodeItem(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		enc := AppendItem(nil, it)
		it2, err := DecodeItem(enc)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(it, it2) {
			t.Fatalf("re-decoded item differs")
		}
		// Canonical input re-encodes to itself.
		if !bytes.Equal(enc, b) {
			// Only non-minimal varints may differ.
			if len(enc) > len(b) {
				t.Fatalf("re-encoding is longer than the input")
			}
		}
		_ = ItemSize(it)
	})
}
