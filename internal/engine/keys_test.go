package engine

import (
	"bytes"
	"math"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// The partition hash is part of the on-disk format: these values (computed
// independently from the FNV-1a and MurmurHash3 fmix64 definitions) must
// never change.
func TestPartitionHashIsStable(t *testing.T) {
	for in, want := range map[string]uint64{
		"":         0xefd01f60ba992926,
		"user1":    0xcaf672d63552cd57,
		"\x00\x01": 0x3d763bd6393b8058,
	} {
		if got := partitionHash([]byte(in)); got != want {
			t.Errorf("partitionHash(%q) = %#x, want %#x", in, got, want)
		}
	}
}

func TestSegmentStart(t *testing.T) {
	for _, c := range []struct {
		seg, total int
		want       uint64
	}{
		{0, 2, 0},
		{1, 2, 1 << 63},
		{1, 4, 1 << 62},
		{3, 4, 3 << 62},
		{1, 3, math.MaxUint64 / 3},
		{2, 3, math.MaxUint64 / 3 * 2},
		{999_999, 1_000_000, math.MaxUint64 - math.MaxUint64/1_000_000},
	} {
		if got := segmentStart(c.seg, c.total); got != c.want {
			t.Errorf("segmentStart(%d, %d) = %d, want %d", c.seg, c.total, got, c.want)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for in, want := range map[string]string{
		"a":        "b",
		"a\xff":    "b",
		"a\x00":    "a\x01",
		"\xff\xff": "",
	} {
		if got := prefixEnd([]byte(in)); string(got) != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestEncodedPrefix(t *testing.T) {
	for _, c := range []struct{ prefix, s attr.Value }{
		{attr.S("ab"), attr.S("abc")},
		{attr.S("a\x00"), attr.S("a\x00\x00")},
		{attr.S(""), attr.S("x")},
		{attr.B([]byte{0, 0xff}), attr.B([]byte{0, 0xff, 0})},
	} {
		if !bytes.HasPrefix(attr.AppendKey(nil, c.s), encodedPrefix(c.prefix)) {
			t.Errorf("encoding of %v does not start with the encoded prefix %v", c.s, c.prefix)
		}
	}
	if bytes.HasPrefix(attr.AppendKey(nil, attr.S("a")), encodedPrefix(attr.S("a\x00"))) {
		t.Error(`"a" matched prefix "a\x00"`)
	}
}
