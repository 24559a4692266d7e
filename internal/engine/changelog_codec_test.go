package engine

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// The record format is part of the on-disk format: pin it.
func TestChangeCodecFormat(t *testing.T) {
	var id [tableIDLen]byte
	for i := range id {
		id[i] = byte(i)
	}
	k := appendChangeKey(nil, id, 0x0102030405060708, 9)
	want := append(append([]byte{'l'}, id[:]...), 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 9)
	if !bytes.Equal(k, want) || len(k) != changeKeyLen {
		t.Fatalf("key %x, want %x", k, want)
	}
	ts, seq, err := parseChangeKey(k)
	if err != nil || ts != 0x0102030405060708 || seq != 9 {
		t.Fatalf("parseChangeKey = %v, %d, %v", ts, seq, err)
	}
	pkey := []byte("0123456789")
	if v := appendChangeValue(nil, OriginTTL, pkey, nil); !bytes.Equal(v, append([]byte{0x11, 1, 10}, pkey...)) {
		t.Fatalf("delete value %x", v)
	}
	if v := appendChangeValue(nil, OriginRequest, pkey, []byte{1, 2}); !bytes.Equal(v, append(append([]byte{0x10, 0, 10}, pkey...), 1, 2)) {
		t.Fatalf("put value %x", v)
	}
	if v := appendChangeRef(nil, OriginRequest, pkey); !bytes.Equal(v, append([]byte{0x12, 0, 10}, pkey...)) {
		t.Fatalf("reference value %x", v)
	}
	if changeUpper(id, clock.Timestamp(1<<64-1)) == nil || !bytes.Equal(changeUpper(id, 5), changeBound(id, 6)) {
		t.Fatal("changeUpper")
	}
}

func TestChangeCodecRoundTrip(t *testing.T) {
	item := attr.AppendItem(nil, attr.Item{"pk": attr.S("a"), "v": attr.NumberFromInt64(3)})
	long := bytes.Repeat([]byte{7}, 300) // two-byte length
	for _, tc := range []struct {
		origin    Origin
		key, item []byte
	}{
		{OriginRequest, []byte("012345678"), item},
		{OriginTTL, []byte("012345678"), nil},
		{OriginRequest, long, item},
		{OriginTTL, long, nil},
	} {
		v := appendChangeValue(nil, tc.origin, tc.key, tc.item)
		if len(v) != changeValueLen(tc.key, tc.item) {
			t.Fatalf("changeValueLen %d, encoded %d", changeValueLen(tc.key, tc.item), len(v))
		}
		var c Change
		if ref, err := decodeChangeValue(v, &c); err != nil || ref {
			t.Fatal(ref, err)
		}
		if c.Origin != tc.origin || !bytes.Equal(c.Key, tc.key) || !bytes.Equal(c.Item, tc.item) || (c.Item == nil) != (tc.item == nil) {
			t.Fatalf("round trip: %+v", c)
		}
		if tc.item == nil {
			continue
		}
		v = appendChangeRef(nil, tc.origin, tc.key)
		if len(v) != changeValueLen(tc.key, nil) {
			t.Fatalf("changeValueLen %d, reference encoded %d", changeValueLen(tc.key, nil), len(v))
		}
		c = Change{}
		if ref, err := decodeChangeValue(v, &c); err != nil || !ref || c.Origin != tc.origin || !bytes.Equal(c.Key, tc.key) || c.Item != nil {
			t.Fatalf("reference round trip: %+v, %v, %v", c, ref, err)
		}
	}
}

func TestChangeCodecRejects(t *testing.T) {
	key := []byte("012345678")
	good := appendChangeValue(nil, OriginRequest, key, []byte{1})
	for name, v := range map[string][]byte{
		"empty":          nil,
		"header only":    {0x10},
		"version 0":      append([]byte{0x00}, good[1:]...),
		"version 2":      append([]byte{0x20}, good[1:]...),
		"unknown flag":   append([]byte{0x14}, good[1:]...),
		"delete and ref": append([]byte{0x13}, good[1:len(good)-1]...),
		"ref with item":  append([]byte{0x12}, good[1:]...),
		"unknown origin": append([]byte{0x10, 9}, good[2:]...),
		"no length":      {0x10, 0},
		"short key":      append([]byte{0x11, 0, 8}, key[:8]...),
		"key too long":   append([]byte{0x10, 0, 20}, key...),
		"overlong len":   append([]byte{0x11, 0, 0x89, 0x00}, key...),
		"put no item":    appendChangeValue(nil, OriginRequest, key, []byte{}),
		"delete item":    append(appendChangeValue(nil, OriginRequest, key, nil), 1),
	} {
		var c Change
		if _, err := decodeChangeValue(v, &c); !errors.Is(err, errCorruptChange) {
			t.Errorf("%s (%x): %v", name, v, err)
		}
	}
	for _, k := range [][]byte{nil, {'l'}, make([]byte, changeKeyLen-1), append([]byte{'t'}, make([]byte, changeKeyLen-1)...)} {
		if _, _, err := parseChangeKey(k); !errors.Is(err, errCorruptChange) {
			t.Errorf("parseChangeKey(%x): %v", k, err)
		}
	}
}

// The decoder never panics and accepts exactly the values the encoder
// makes: whatever decodes re-encodes to the same bytes.
func FuzzDecodeChangeValue(f *testing.F) {
	item := attr.AppendItem(nil, attr.Item{"pk": attr.S("a")})
	f.Add(appendChangeValue(nil, OriginRequest, []byte("012345678"), item))
	f.Add(appendChangeValue(nil, OriginTTL, []byte("012345678"), nil))
	f.Add(appendChangeValue(nil, OriginRequest, bytes.Repeat([]byte{1}, 200), item))
	f.Add(appendChangeRef(nil, OriginRequest, []byte("012345678")))
	f.Add([]byte{0x10, 0, 0x80})
	f.Fuzz(func(t *testing.T, v []byte) {
		var c Change
		ref, err := decodeChangeValue(v, &c)
		if err != nil {
			if !errors.Is(err, errCorruptChange) {
				t.Fatalf("error not errCorruptChange: %v", err)
			}
			return
		}
		got := appendChangeValue(nil, c.Origin, c.Key, c.Item)
		if ref {
			got = appendChangeRef(nil, c.Origin, c.Key)
		}
		if !bytes.Equal(got, v) {
			t.Fatalf("re-encoded %x, decoded from %x", got, v)
		}
	})
}
