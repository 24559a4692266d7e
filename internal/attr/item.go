package attr

import (
	"encoding/base64"
	"slices"
	"strings"
)

// Clone returns a shallow copy of the item: a new map holding the same
// values. Values are immutable, so this is enough to add, replace or remove
// attributes without affecting the original.
func (it Item) Clone() Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

// Describe returns a short human-readable rendering of v for logs and
// error messages, e.g. {S: abc}, {N: 1.5}, {L: [{S: a}, {NULL: true}]}.
// Long contents are not truncated; do not use it on hot paths.
func Describe(v Value) string {
	var sb strings.Builder
	describe(&sb, v)
	return sb.String()
}

func describe(sb *strings.Builder, v Value) {
	sb.WriteByte('{')
	sb.WriteString(v.Kind.String())
	sb.WriteString(": ")
	switch v.Kind {
	case KindS, KindN:
		sb.WriteString(v.Str)
	case KindB:
		sb.WriteString(base64.StdEncoding.EncodeToString(v.Bin))
	case KindSS, KindNS:
		sb.WriteString("[" + strings.Join(v.Strs, ", ") + "]")
	case KindBS:
		sb.WriteByte('[')
		for i, b := range v.Bins {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(base64.StdEncoding.EncodeToString(b))
		}
		sb.WriteByte(']')
	case KindBOOL, KindNULL:
		if v.Bool {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case KindL:
		sb.WriteByte('[')
		for i, e := range v.List {
			if i > 0 {
				sb.WriteString(", ")
			}
			describe(sb, e)
		}
		sb.WriteByte(']')
	case KindM:
		keys := make([]string, 0, len(v.Map))
		for k := range v.Map {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(k)
			sb.WriteString(": ")
			describe(sb, v.Map[k])
		}
		sb.WriteByte('}')
	}
	sb.WriteByte('}')
}
