package engine

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// ttlMaxAge is how far in the past (in seconds: five years of 365 days)
// an expiry may lie and still be acted on: DynamoDB ignores items whose
// TTL attribute is older than five years.
const ttlMaxAge = 5 * 365 * 24 * 60 * 60

// ttlExpiry returns the expiry of item's TTL attribute in whole epoch
// seconds (any fraction dropped, so an item never expires early); ok is
// false if the item is nil or the attribute is missing, not a Number,
// negative or beyond int64 seconds: such items never expire.
func ttlExpiry(item attr.Item, name string) (sec int64, ok bool) {
	v, found := item[name]
	if !found || v.Kind != attr.KindN || strings.HasPrefix(v.Str, "-") {
		return 0, false
	}
	whole, _, _ := strings.Cut(v.Str, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	return sec, err == nil
}

// ttlDue reports whether an expiry (whole seconds) has passed at now (whole
// seconds) and is not too old to act on.
func ttlDue(exp, now int64) bool {
	return exp < now && exp >= now-ttlMaxAge
}

// ttlKey returns the TTL index key of the item at storage key skey
// expiring at exp: 'e' + tableId + exp + the item key after its table
// prefix.
func (ts *tableState) ttlKey(exp int64, skey []byte) []byte {
	k := binary.BigEndian.AppendUint64(tablePrefix(prefixTTL, ts.id), uint64(exp))
	return append(k, skey[len(ts.prefix):]...)
}

// ttlBound returns the TTL index key before every entry expiring at exp or
// later.
func (ts *tableState) ttlBound(exp int64) []byte {
	return binary.BigEndian.AppendUint64(tablePrefix(prefixTTL, ts.id), uint64(max(exp, 0)))
}

// itemKeyOfTTL returns the storage key of the item a TTL index key names.
func (ts *tableState) itemKeyOfTTL(ekey []byte) []byte {
	return append(bytes.Clone(ts.prefix), ekey[len(ts.prefix)+8:]...)
}

// addTTLChanges adds to the commit the change of one item's TTL index
// entry.
func (c *commitBatch) addTTLChanges(ts *tableState, name string, w *pendingWrite) error {
	oldExp, oldIn := ttlExpiry(w.old, name)
	newExp, newIn := ttlExpiry(w.new, name)
	if oldIn && newIn && oldExp == newExp {
		return nil
	}
	if oldIn {
		if err := c.b.Delete(ts.ttlKey(oldExp, w.skey)); err != nil {
			return err
		}
	}
	if newIn {
		return c.b.Set(ts.ttlKey(newExp, w.skey), nil)
	}
	return nil
}
