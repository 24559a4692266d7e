package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// keySpace is an ordered set of entries that Query and Scan can walk: a
// table's items, or one secondary index's entries. Both are laid out as
// prefix + hash64(key(pk)) + key(pk) [+ key(sk)] [+ table key], so the
// same bounds, segment and ExclusiveStart logic serves both.
type keySpace struct {
	prefix []byte   // 't' + tableId, or 'x' + tableId + indexId
	hash   KeyAttr  // partition key
	rng    *KeyAttr // sort key, or nil
	// tableKeys are the table's key attributes, appended to an index
	// entry's key so every item has its own entry; nil for the table
	// itself.
	tableKeys []KeyAttr
}

// partitionPrefix returns the key prefix of one partition's entries.
func (ks *keySpace) partitionPrefix(hash attr.Value) []byte {
	return appendPartition(make([]byte, 0, len(ks.prefix)+8+32), ks.prefix, hash)
}

// appendPartition appends prefix + hash64(key(pk)) + key(pk) to dst.
func appendPartition(dst, prefix []byte, pk attr.Value) []byte {
	dst = append(dst, prefix...)
	at := len(dst) + 8
	dst = binary.BigEndian.AppendUint64(dst, 0)
	dst = attr.AppendKey(dst, pk)
	binary.BigEndian.PutUint64(dst[at-8:], partitionHash(dst[at:]))
	return dst
}

// entryKey returns the key of item's entry; ok is false if the item lacks
// a key attribute or has one of the wrong type (for an index: the item is
// not in this sparse index).
func (ks *keySpace) entryKey(item attr.Item) (key []byte, ok bool) {
	hv, ok := item[ks.hash.Name]
	if !ok || hv.Kind != ks.hash.Type {
		return nil, false
	}
	if ks.rng != nil {
		if v, ok := item[ks.rng.Name]; !ok || v.Kind != ks.rng.Type {
			return nil, false
		}
	}
	for _, a := range ks.tableKeys {
		if v, ok := item[a.Name]; !ok || v.Kind != a.Type {
			return nil, false
		}
	}
	key = appendPartition(make([]byte, 0, len(ks.prefix)+64), ks.prefix, hv)
	if ks.rng != nil {
		key = attr.AppendKey(key, item[ks.rng.Name])
	}
	for _, a := range ks.tableKeys {
		key = attr.AppendKey(key, item[a.Name])
	}
	return key, true
}

// keyAttrNames returns the distinct names of the attributes an entry key is
// made of: the key space's keys, then the table's.
func (ks *keySpace) keyAttrNames() []string {
	names := []string{ks.hash.Name}
	if ks.rng != nil {
		names = append(names, ks.rng.Name)
	}
	for _, a := range ks.tableKeys {
		if !slices.Contains(names, a.Name) {
			names = append(names, a.Name)
		}
	}
	return names
}

// startKey returns the entry key of an ExclusiveStart, which must hold
// exactly the key attributes (keyAttrNames) with their types.
func (ks *keySpace) startKey(start attr.Item) ([]byte, error) {
	names := ks.keyAttrNames()
	if len(start) != len(names) {
		return nil, fmt.Errorf("%w: ExclusiveStart has %d attributes, want %v", ErrInvalidKey, len(start), names)
	}
	k, ok := ks.entryKey(start)
	if !ok {
		return nil, fmt.Errorf("%w: ExclusiveStart does not hold the key attributes %v with their types", ErrInvalidKey, names)
	}
	return k, nil
}

// queryBounds returns the key range [lower, upper) a query covers.
func (ks *keySpace) queryBounds(q QuerySpec) (lower, upper []byte, err error) {
	if q.Hash.Kind != ks.hash.Type {
		return nil, nil, fmt.Errorf("%w: partition key is %s, want %s", ErrInvalidKey, q.Hash.Kind, ks.hash.Type)
	}
	p := ks.partitionPrefix(q.Hash)
	lower, upper = p, prefixEnd(p)
	if q.Op != RangeNone {
		if lower, upper, err = ks.rangeBounds(p, q.Op, q.Values); err != nil {
			return nil, nil, err
		}
	}
	if q.ExclusiveStart != nil {
		start, err := ks.startKey(q.ExclusiveStart)
		if err != nil {
			return nil, nil, err
		}
		if !bytes.HasPrefix(start, p) {
			return nil, nil, fmt.Errorf("%w: ExclusiveStart is outside the queried partition", ErrInvalidKey)
		}
		if q.Forward {
			lower = maxKey(lower, keySuccessor(start))
		} else {
			upper = minKey(upper, start)
		}
	}
	return lower, upper, nil
}

// rangeBounds returns the key range of a sort key condition within
// partition prefix p. Key encodings are prefix-free, so the entries whose
// sort key equals v are exactly those starting with p + key(v) (an index
// entry continues with the table key), and prefixEnd bounds them.
func (ks *keySpace) rangeBounds(p []byte, op RangeOp, vals []attr.Value) (lower, upper []byte, err error) {
	rk := ks.rng
	if rk == nil {
		return nil, nil, fmt.Errorf("%w: no sort key", ErrInvalidKey)
	}
	want := 1
	if op == RangeBetween {
		want = 2
	}
	if len(vals) != want {
		return nil, nil, fmt.Errorf("%w: sort key condition needs %d values, got %d", ErrInvalidKey, want, len(vals))
	}
	for _, v := range vals {
		if v.Kind != rk.Type {
			return nil, nil, fmt.Errorf("%w: sort key value is %s, want %s", ErrInvalidKey, v.Kind, rk.Type)
		}
	}
	at := func(v attr.Value) []byte { return attr.AppendKey(bytes.Clone(p), v) }
	end := prefixEnd(p)
	switch op {
	case RangeEQ:
		k := at(vals[0])
		return k, prefixEnd(k), nil
	case RangeLT:
		return p, at(vals[0]), nil
	case RangeLE:
		return p, prefixEnd(at(vals[0])), nil
	case RangeGT:
		return prefixEnd(at(vals[0])), end, nil
	case RangeGE:
		return at(vals[0]), end, nil
	case RangeBetween:
		return at(vals[0]), prefixEnd(at(vals[1])), nil
	case RangeBeginsWith:
		if rk.Type == attr.KindN {
			return nil, nil, fmt.Errorf("%w: BEGINS_WITH on a number sort key", ErrInvalidKey)
		}
		k := append(bytes.Clone(p), encodedPrefix(vals[0])...)
		return k, prefixEnd(k), nil
	}
	return nil, nil, fmt.Errorf("engine: unknown sort key operator %d", op)
}

// scanBounds returns the key range of parallel-scan segment seg of total,
// resuming strictly after start (if not nil).
func (ks *keySpace) scanBounds(s ScanSpec) (lower, upper []byte, err error) {
	total := max(s.TotalSegments, 1)
	if s.Segment < 0 || s.Segment >= total {
		return nil, nil, fmt.Errorf("%w: segment %d of %d", ErrInvalidSegment, s.Segment, total)
	}
	lower, upper = segmentBounds(ks.prefix, s.Segment, total)
	if s.ExclusiveStart != nil {
		start, err := ks.startKey(s.ExclusiveStart)
		if err != nil {
			return nil, nil, err
		}
		lower = maxKey(lower, keySuccessor(start))
	}
	return lower, upper, nil
}
