package engine

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/clock"
)

// Change log records (DESIGN §3). A table's captured writes live at
//
//	'l' + TableId(16) + commitTS(8, BE) + seq(4, BE)
//
// so the log of one table is in (commit timestamp, seq) order and a range
// of timestamps is one key range. The value is
//
//	header(1) ‖ origin(1) ‖ uvarint(len(key)) ‖ key ‖ item
//
// header is the format version in the high four bits (changeCodecV1) and
// flags in the low four: changeFlagDelete for a deletion, whose item part
// is empty; changeFlagRef for a put whose image is the table's item itself
// (a reference record, see changelog_refs.go), whose item part is empty
// too; a put without flags carries the new item as stored
// (attr.AppendItem, never empty). key is the item's primary key as
// PrimaryKey encodes it.
// Unknown versions, flags or origins and non-minimal lengths are
// rejected, so a reader never misreads a record a newer writer made, and
// a valid value has exactly one encoding.
//
// The bare 'l' + TableId key (shorter than every record, so it sorts
// first) holds the trim mark: the highest timestamp TrimChanges removed
// up to, 8 bytes big-endian. Open ratchets the commit clock above it.

const (
	changeCodecV1    = 0x10 // version 1, in the header's high bits
	changeVersionMsk = 0xf0
	changeFlagDelete = 0x01
	changeFlagRef    = 0x02
	changeFlagsMask  = 0x0f

	// maxOrigin is the highest Origin a record may carry.
	maxOrigin = OriginTTL

	// changeKeyLen is the length of a change record's key.
	changeKeyLen = 1 + tableIDLen + 8 + 4
	// minPrimaryKeyLen is the shortest PrimaryKey encoding: the hash and
	// one byte of key.
	minPrimaryKeyLen = 8 + 1
)

// errCorruptChange wraps every decoding failure of a change record.
var errCorruptChange = errors.New("engine: corrupt change record")

// changeLogPrefix returns 'l' + tableId: the prefix of the table's change
// log, and itself the key of its trim mark.
func changeLogPrefix(id [tableIDLen]byte) []byte {
	return tablePrefix(prefixChangeLog, id)
}

// appendChangeKey appends the key of the record (ts, seq) of the table's
// log to dst.
func appendChangeKey(dst []byte, id [tableIDLen]byte, ts clock.Timestamp, seq uint32) []byte {
	dst = append(dst, prefixChangeLog)
	dst = append(dst, id[:]...)
	dst = binary.BigEndian.AppendUint64(dst, uint64(ts))
	return binary.BigEndian.AppendUint32(dst, seq)
}

// changeBound returns the first key of the table's log records with
// timestamp ts (seq 0): records with TS < ts sort before it.
func changeBound(id [tableIDLen]byte, ts clock.Timestamp) []byte {
	return appendChangeKey(nil, id, ts, 0)
}

// changeUpper returns the exclusive upper bound of the records with
// TS <= ts.
func changeUpper(id [tableIDLen]byte, ts clock.Timestamp) []byte {
	if ts == ^clock.Timestamp(0) {
		return prefixEnd(changeLogPrefix(id))
	}
	return changeBound(id, ts+1)
}

// parseChangeKey returns the timestamp and seq of a change record's key.
func parseChangeKey(k []byte) (clock.Timestamp, uint32, error) {
	if len(k) != changeKeyLen || k[0] != prefixChangeLog {
		return 0, 0, fmt.Errorf("%w: key %x", errCorruptChange, k)
	}
	p := 1 + tableIDLen
	return clock.Timestamp(binary.BigEndian.Uint64(k[p:])), binary.BigEndian.Uint32(k[p+8:]), nil
}

// changeValueLen returns the length of a record's value.
func changeValueLen(key, item []byte) int {
	return 2 + uvarintLen(uint64(len(key))) + len(key) + len(item)
}

// appendChangeValue appends the value of a change record to dst: key is
// the PrimaryKey encoding, item the stored item (nil for a deletion).
func appendChangeValue(dst []byte, origin Origin, key, item []byte) []byte {
	hdr := byte(changeCodecV1)
	if item == nil {
		hdr |= changeFlagDelete
	}
	dst = append(dst, hdr, byte(origin))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	dst = append(dst, key...)
	return append(dst, item...)
}

// appendChangeRef appends the value of a reference record of a put to
// dst: the image is the table's item at key.
func appendChangeRef(dst []byte, origin Origin, key []byte) []byte {
	dst = append(dst, changeCodecV1|changeFlagRef, byte(origin))
	dst = binary.AppendUvarint(dst, uint64(len(key)))
	return append(dst, key...)
}

// decodeChangeValue parses a record's value into c (Origin, Key, Item;
// the slices alias v). ref reports a reference record, whose Item is nil
// and must be read from the table (readChanges does).
func decodeChangeValue(v []byte, c *Change) (ref bool, err error) {
	if len(v) < 2 {
		return false, fmt.Errorf("%w: %d bytes", errCorruptChange, len(v))
	}
	hdr, origin := v[0], Origin(v[1])
	if hdr&changeVersionMsk != changeCodecV1 {
		return false, fmt.Errorf("%w: unknown version %#x", errCorruptChange, hdr>>4)
	}
	flags := hdr & changeFlagsMask
	if flags != 0 && flags != changeFlagDelete && flags != changeFlagRef {
		return false, fmt.Errorf("%w: unknown flags %#x", errCorruptChange, flags)
	}
	if origin > maxOrigin {
		return false, fmt.Errorf("%w: unknown origin %d", errCorruptChange, origin)
	}
	n, w := binary.Uvarint(v[2:])
	if w <= 0 || w != uvarintLen(n) {
		return false, fmt.Errorf("%w: bad key length", errCorruptChange)
	}
	rest := v[2+w:]
	if n < minPrimaryKeyLen || n > uint64(len(rest)) {
		return false, fmt.Errorf("%w: key length %d of %d bytes", errCorruptChange, n, len(rest))
	}
	key, item := rest[:n], rest[n:]
	if flags != 0 {
		if len(item) != 0 {
			return false, fmt.Errorf("%w: deletion or reference with an item", errCorruptChange)
		}
		item = nil
	} else if len(item) == 0 {
		return false, fmt.Errorf("%w: put without an item", errCorruptChange)
	}
	c.Origin, c.Key, c.Item = origin, key, item
	return flags == changeFlagRef, nil
}

// uvarintLen returns the length of x's uvarint encoding.
func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
