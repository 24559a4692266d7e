package dynamodb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Key limits: a partition key value may hold up to 2048 bytes, a sort key
// value up to 1024 bytes (strings as UTF-8, binaries raw; numbers are bounded
// by their own precision).
const (
	maxHashKeyBytes  = 2048
	maxRangeKeyBytes = 1024
)

// msgKeySchema is DynamoDB's answer to a Key member that does not name exactly
// the key attributes with their declared types.
const msgKeySchema = "The provided key element does not match the schema"

// keyAttrs lists a table's key attributes, partition key first.
func keyAttrs(t *engine.Table) []engine.KeyAttr {
	if t.KeySchema.Range == nil {
		return []engine.KeyAttr{t.KeySchema.Hash}
	}
	return []engine.KeyAttr{t.KeySchema.Hash, *t.KeySchema.Range}
}

// checkKey validates a Key request member (GetItem, UpdateItem, DeleteItem,
// BatchGetItem keys, DeleteRequest): exactly the key attributes, with the
// declared types, non-empty and within the size limits.
func checkKey(t *engine.Table, key attr.Item) error {
	ks := keyAttrs(t)
	if len(key) != len(ks) {
		return Validation(msgKeySchema)
	}
	for i, k := range ks {
		v, ok := key[k.Name]
		if !ok || v.Kind != k.Type {
			return Validation(msgKeySchema)
		}
		if err := checkKeyValue(k.Name, v, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// checkItemKey validates the key attributes of a whole item (PutItem,
// PutRequest): its primary key (see checkItemPrimaryKey), then its secondary
// index key attributes (see checkIndexKeys).
func checkItemKey(t *engine.Table, item attr.Item) error {
	if err := checkItemPrimaryKey(t, item); err != nil {
		return err
	}
	return checkIndexKeys(t, item)
}

// checkItemPrimaryKey validates the primary key attributes of a whole item:
// present, of the declared types, non-empty, within limits.
func checkItemPrimaryKey(t *engine.Table, item attr.Item) error {
	for i, k := range keyAttrs(t) {
		v, ok := item[k.Name]
		if !ok {
			return Validation("One or more parameter values were invalid: Missing the key %s in the item", k.Name)
		}
		if v.Kind != k.Type {
			return Validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s",
				k.Name, k.Type, v.Kind)
		}
		if err := checkKeyValue(k.Name, v, i == 0); err != nil {
			return err
		}
	}
	return nil
}

// checkKeyValue applies the per-value key rules: no empty string or binary,
// and the partition (hash) or sort key size limit.
func checkKeyValue(name string, v attr.Value, hash bool) error {
	var n int
	switch v.Kind {
	case attr.KindS:
		if v.Str == "" {
			return Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: %s", name)
		}
		n = len(v.Str)
	case attr.KindB:
		if len(v.Bin) == 0 {
			return Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: %s", name)
		}
		n = len(v.Bin)
	default:
		return nil
	}
	if hash && n > maxHashKeyBytes {
		return Validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if !hash && n > maxRangeKeyBytes {
		return Validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	return nil
}

// itemKey returns the primary key attributes of an item.
func itemKey(t *engine.Table, item attr.Item) attr.Item {
	ks := keyAttrs(t)
	key := make(attr.Item, len(ks))
	for _, k := range ks {
		if v, ok := item[k.Name]; ok {
			key[k.Name] = v
		}
	}
	return key
}

// keyString is a canonical text form of a key, used to detect duplicate keys
// in batch requests before the table's schema is known. Numbers are canonical
// decimal text after decoding, so equal numbers give equal strings.
func keyString(key attr.Item) string {
	names := make([]string, 0, len(key))
	for n := range key {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		v := key[n]
		b.WriteString(n)
		b.WriteByte(0)
		b.WriteString(v.Kind.String())
		b.WriteByte(0)
		switch v.Kind {
		case attr.KindS, attr.KindN:
			b.WriteString(v.Str)
		case attr.KindB:
			b.Write(v.Bin)
		default: // not a valid key; any deterministic form will do
			fmt.Fprintf(&b, "%v", v)
		}
		b.WriteByte(0)
	}
	return b.String()
}
