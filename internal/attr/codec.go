package attr

import (
	"encoding/binary"
	"errors"
	"slices"
	"strconv"
)

// Binary item codec
//
// Stored items use a compact binary form, not JSON:
//
//	item  = version(1) uvarint(count) { uvarint(len) name value }   names sorted
//	value = kind(1) payload
//	  S, N, B        uvarint(len) bytes            (N as canonical text)
//	  BOOL           0 or 1
//	  NULL           (nothing)
//	  SS, NS, BS     uvarint(count) { uvarint(len) bytes }
//	  L              uvarint(count) { value }
//	  M              uvarint(count) { uvarint(len) name value }   names sorted
//
// The output is deterministic. Decoding checks every length against the
// remaining input (so corrupt data can neither panic nor make it allocate
// more than a small multiple of the input size), requires canonical numbers
// and strictly increasing map names, and limits nesting depth.

const (
	codecVersion  = 1
	maxCodecDepth = 128
)

// ErrCorrupt is returned (wrapped) by DecodeItem and DecodeValue for bytes
// that are not a valid encoding.
var ErrCorrupt = errors.New("attr: corrupt item encoding")

func corrupt(what string, off int) error {
	return &codecError{what: what, off: off}
}

type codecError struct {
	what string
	off  int
}

// Error describes the corruption and where it was found.
func (e *codecError) Error() string {
	return ErrCorrupt.Error() + ": " + e.what + " at offset " + strconv.Itoa(e.off)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *codecError) Unwrap() error { return ErrCorrupt }

// AppendItem appends the binary encoding of it to dst.
func AppendItem(dst []byte, it Item) []byte {
	dst = append(dst, codecVersion)
	return appendValueMap(dst, it)
}

// AppendValue appends the binary encoding of one value to dst.
func AppendValue(dst []byte, v Value) []byte {
	dst = append(dst, byte(v.Kind))
	switch v.Kind {
	case KindS, KindN:
		dst = appendString(dst, v.Str)
	case KindB:
		dst = appendString(dst, v.Bin)
	case KindBOOL:
		if v.Bool {
			dst = append(dst, 1)
		} else {
			dst = append(dst, 0)
		}
	case KindSS, KindNS:
		dst = binary.AppendUvarint(dst, uint64(len(v.Strs)))
		for _, s := range v.Strs {
			dst = appendString(dst, s)
		}
	case KindBS:
		dst = binary.AppendUvarint(dst, uint64(len(v.Bins)))
		for _, b := range v.Bins {
			dst = appendString(dst, b)
		}
	case KindL:
		dst = binary.AppendUvarint(dst, uint64(len(v.List)))
		for i := range v.List {
			dst = AppendValue(dst, v.List[i])
		}
	case KindM:
		dst = appendValueMap(dst, v.Map)
	}
	return dst
}

func appendString[T string | []byte](dst []byte, s T) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

func appendValueMap(dst []byte, m map[string]Value) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	var stack [32]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = appendString(dst, k)
		dst = AppendValue(dst, m[k])
	}
	return dst
}

// DecodeItem decodes an item written by AppendItem. The result does not
// alias b.
func DecodeItem(b []byte) (Item, error) {
	if len(b) == 0 || b[0] != codecVersion {
		return nil, corrupt("bad version", 0)
	}
	d := codecDecoder{b: b, pos: 1, shared: true}
	m, err := d.valueMap(0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(b) {
		return nil, corrupt("trailing bytes", d.pos)
	}
	return Item(m), nil
}

// DecodeValue decodes one value written by AppendValue from the front of b
// and returns it with the remaining bytes. The result does not alias b.
func DecodeValue(b []byte) (Value, []byte, error) {
	d := codecDecoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return Value{}, b, err
	}
	return v, b[d.pos:], nil
}

type codecDecoder struct {
	b   []byte
	pos int
	// shared makes all decoded strings slices of one string copy of b
	// (one allocation instead of one per string).
	shared bool
	strs   string
}

// initialCap bounds preallocation from counts read from the input, so that
// corrupt counts cannot make the decoder allocate ahead of real content.
func initialCap(n int) int { return min(n, 32) }

func (d *codecDecoder) uvarint() (int, error) {
	x, n := binary.Uvarint(d.b[d.pos:])
	if n <= 0 {
		return 0, corrupt("bad varint", d.pos)
	}
	if x > uint64(len(d.b)-d.pos-n) {
		// Every length or count is bounded by the bytes that remain.
		return 0, corrupt("length exceeds input", d.pos)
	}
	d.pos += n
	return int(x), nil
}

// bytesField returns the position and length of a length-prefixed field.
func (d *codecDecoder) bytesField() (int, int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, 0, err
	}
	start := d.pos
	d.pos += n
	return start, n, nil
}

func (d *codecDecoder) str() (string, error) {
	start, n, err := d.bytesField()
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "", nil
	}
	if !d.shared {
		return string(d.b[start : start+n]), nil
	}
	if d.strs == "" {
		d.strs = string(d.b)
	}
	return d.strs[start : start+n], nil
}

func (d *codecDecoder) bin() ([]byte, error) {
	start, n, err := d.bytesField()
	if err != nil {
		return nil, err
	}
	return slices.Clone(d.b[start : start+n : start+n]), nil
}

func (d *codecDecoder) value(depth int) (Value, error) {
	if depth > maxCodecDepth {
		return Value{}, corrupt("nesting too deep", d.pos)
	}
	if d.pos >= len(d.b) {
		return Value{}, corrupt("truncated value", d.pos)
	}
	k := Kind(d.b[d.pos])
	d.pos++
	v := Value{Kind: k}
	var err error
	switch k {
	case KindS:
		v.Str, err = d.str()
	case KindN:
		at := d.pos
		v.Str, err = d.str()
		if err == nil && !isCanonicalNumber(v.Str) {
			err = corrupt("non-canonical number", at)
		}
	case KindB:
		v.Bin, err = d.bin()
		if v.Bin == nil && err == nil {
			v.Bin = []byte{}
		}
	case KindBOOL:
		if d.pos >= len(d.b) || d.b[d.pos] > 1 {
			return Value{}, corrupt("bad BOOL", d.pos)
		}
		v.Bool = d.b[d.pos] == 1
		d.pos++
	case KindNULL:
		v.Bool = true
	case KindSS, KindNS:
		var n int
		if n, err = d.uvarint(); err != nil {
			return Value{}, err
		}
		v.Strs = make([]string, 0, initialCap(n))
		for range n {
			at := d.pos
			s, err := d.str()
			if err != nil {
				return Value{}, err
			}
			if k == KindNS && !isCanonicalNumber(s) {
				return Value{}, corrupt("non-canonical number", at)
			}
			v.Strs = append(v.Strs, s)
		}
	case KindBS:
		var n int
		if n, err = d.uvarint(); err != nil {
			return Value{}, err
		}
		v.Bins = make([][]byte, 0, initialCap(n))
		for range n {
			b, err := d.bin()
			if err != nil {
				return Value{}, err
			}
			v.Bins = append(v.Bins, b)
		}
	case KindL:
		var n int
		if n, err = d.uvarint(); err != nil {
			return Value{}, err
		}
		v.List = make([]Value, 0, initialCap(n))
		for range n {
			e, err := d.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.List = append(v.List, e)
		}
	case KindM:
		v.Map, err = d.valueMap(depth + 1)
	default:
		return Value{}, corrupt("bad kind "+strconv.Itoa(int(k)), d.pos-1)
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

func (d *codecDecoder) valueMap(depth int) (map[string]Value, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	m := make(map[string]Value, initialCap(n))
	prev := ""
	for i := 0; i < n; i++ {
		at := d.pos
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		if i > 0 && k <= prev {
			return nil, corrupt("map names out of order", at)
		}
		prev = k
		if m[k], err = d.value(depth); err != nil {
			return nil, err
		}
	}
	return m, nil
}
