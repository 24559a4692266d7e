package engine

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Storage layout (DESIGN §3). Every key starts with a one-byte prefix:
//
//	c table/<account>/<region>/<name>       catalog record (JSON)
//	s <tableId:16>                          table stats: int64 counters (kv merge)
//	s <tableId:16> <indexId:4>              index stats: int64 counters (kv merge)
//	t <tableId:16> <hash:8> <pk> [<sk>]     item (attr.AppendItem)
//	x <tableId:16> <indexId:4> <hash:8> <ipk> [<isk>] <pk> [<sk>]
//	                                        index entry: the projected item
//	e <tableId:16> <expiry:8> <hash:8> <pk> [<sk>]
//	                                        TTL index entry (empty value)
//	p <tableId:16> <hash:8> <pk>            item collection size (kv merge;
//	                                        tables with LSIs only)
//	m 0x01 <key>                            meta record: <expiresAt:8> <value>
//	m 0x02 <expiresAt:8> <key>              meta expiry queue (empty value)
//	l <tableId:16> <commitTS:8> <seq:4>     change record (changelog_codec.go;
//	                                        only while capture is on)
//	l <tableId:16>                          change log trim mark: <ts:8>
//
// <pk> and <sk> are attr.AppendKey encodings (order-preserving and
// self-delimiting), so the items of one partition are contiguous and sorted
// by sort key. <hash> is partitionHash of the encoded pk, big-endian: storage
// order is hash order (like DynamoDB's scan order) and parallel-scan segment
// i of n is the hash range [i*2^64/n, (i+1)*2^64/n). Index entries use the
// same scheme on the index's keys (<ipk>, <isk>), followed by the table key
// so that every item has its own entry and ties sort by table key.
// <indexId> is big-endian; <expiry> is the TTL attribute's epoch seconds,
// big-endian; <expiresAt> is Unix microseconds, big-endian; <commitTS> is
// the commit's clock.Timestamp and <seq> the record's order within the
// commit, both big-endian, so a table's change log is in commit order.
//
// The hash function is part of the on-disk format: never change it.
const (
	prefixCatalog    = 'c'
	prefixStats      = 's'
	prefixItems      = 't'
	prefixIndex      = 'x'
	prefixTTL        = 'e'
	prefixCollection = 'p'
	prefixMeta       = 'm'
	prefixChangeLog  = 'l'
)

// tableIDLen is the length of a TableId in keys (a UUID's 16 bytes).
const tableIDLen = 16

// partitionHash is FNV-1a 64 followed by the MurmurHash3 finaliser, whose
// avalanche spreads similar keys ("user1", "user2") over the whole range.
func partitionHash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// itemsPrefix returns 't' + tableId: the prefix of all the table's items.
func itemsPrefix(id [tableIDLen]byte) []byte {
	return append([]byte{prefixItems}, id[:]...)
}

// statsKey returns the key of the table's stats counters.
func statsKey(id [tableIDLen]byte) []byte {
	return append([]byte{prefixStats}, id[:]...)
}

// tablePrefix returns prefix + tableId: the prefix of every key of one
// kind (items, index entries, TTL entries, ...) of a table.
func tablePrefix(prefix byte, id [tableIDLen]byte) []byte {
	return append([]byte{prefix}, id[:]...)
}

// itemKey validates a primary key against the table's schema and returns
// its storage key. The key must hold exactly the key attributes.
func (ts *tableState) itemKey(key attr.Item) ([]byte, error) {
	ks := ts.schema
	want := 1
	if ks.Range != nil {
		want = 2
	}
	if len(key) != want {
		return nil, fmt.Errorf("%w: %d attributes, want %d", ErrInvalidKey, len(key), want)
	}
	hv, err := keyValue(key, ks.Hash)
	if err != nil {
		return nil, err
	}
	k := ts.items.partitionPrefix(hv)
	if ks.Range != nil {
		rv, err := keyValue(key, *ks.Range)
		if err != nil {
			return nil, err
		}
		k = attr.AppendKey(k, rv)
	}
	return k, nil
}

// keyValue returns the key attribute a of key, checking its type.
func keyValue(key attr.Item, a KeyAttr) (attr.Value, error) {
	v, ok := key[a.Name]
	if !ok {
		return attr.Value{}, fmt.Errorf("%w: missing key attribute %q", ErrInvalidKey, a.Name)
	}
	if v.Kind != a.Type {
		return attr.Value{}, fmt.Errorf("%w: key attribute %q is %s, want %s", ErrInvalidKey, a.Name, v.Kind, a.Type)
	}
	return v, nil
}

// sameKey reports whether item carries exactly the key attributes of key.
func (ts *tableState) sameKey(item, key attr.Item) bool {
	for _, a := range ts.keyAttrs() {
		v, ok := item[a.Name]
		if !ok || !attr.Equal(v, key[a.Name]) {
			return false
		}
	}
	return true
}

// keyAttrs lists the table's key attributes (hash first).
func (ts *tableState) keyAttrs() []KeyAttr {
	if ts.schema.Range == nil {
		return []KeyAttr{ts.schema.Hash}
	}
	return []KeyAttr{ts.schema.Hash, *ts.schema.Range}
}

// segmentBounds returns the key range [lower, upper) of parallel-scan
// segment seg of total over a table's items.
func segmentBounds(prefix []byte, seg, total int) (lower, upper []byte) {
	if total <= 1 {
		return prefix, prefixEnd(prefix)
	}
	lower = binary.BigEndian.AppendUint64(bytes.Clone(prefix), segmentStart(seg, total))
	if seg == total-1 {
		return lower, prefixEnd(prefix)
	}
	return lower, binary.BigEndian.AppendUint64(bytes.Clone(prefix), segmentStart(seg+1, total))
}

// segmentStart returns floor(seg * 2^64 / total), for 0 <= seg < total.
func segmentStart(seg, total int) uint64 {
	q, _ := bits.Div64(uint64(seg), 0, uint64(total))
	return q
}

// prefixEnd returns the smallest key greater than every key starting with
// p, or nil if there is none (p is all 0xff).
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// keySuccessor returns the smallest key greater than k.
func keySuccessor(k []byte) []byte {
	return append(bytes.Clone(k), 0)
}
