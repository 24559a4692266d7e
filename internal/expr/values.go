package expr

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Value semantics of the comparison operators and functions, shared by
// expressions and the legacy parameters.

func itoa(i int) string { return strconv.Itoa(i) }

// orderable reports whether k takes part in <, <=, >, >= and BETWEEN.
func orderable(k attr.Kind) bool {
	return k == attr.KindS || k == attr.KindN || k == attr.KindB
}

// compareOp evaluates a comparison of two present values. Different types
// are unequal and unordered.
func compareOp(op cmpOp, a, b attr.Value) bool {
	switch op {
	case opEQ:
		return attr.Equal(a, b)
	case opNE:
		return !attr.Equal(a, b)
	}
	c, ok := attr.Compare(a, b)
	if !ok {
		return false
	}
	switch op {
	case opLT:
		return c < 0
	case opLE:
		return c <= 0
	case opGT:
		return c > 0
	default:
		return c >= 0
	}
}

// between reports lo <= x <= hi (all of one orderable type).
func between(x, lo, hi attr.Value) bool {
	c1, ok1 := attr.Compare(x, lo)
	c2, ok2 := attr.Compare(x, hi)
	return ok1 && ok2 && c1 >= 0 && c2 <= 0
}

// beginsWith implements begins_with / BEGINS_WITH: string or binary prefix.
func beginsWith(a, prefix attr.Value) bool {
	switch {
	case a.Kind == attr.KindS && prefix.Kind == attr.KindS:
		return strings.HasPrefix(a.Str, prefix.Str)
	case a.Kind == attr.KindB && prefix.Kind == attr.KindB:
		return bytes.HasPrefix(a.Bin, prefix.Bin)
	}
	return false
}

// contains implements contains / CONTAINS: a substring of a string, a
// subsequence of a binary, a member of a set, or an element of a list.
func contains(a, x attr.Value) bool {
	switch a.Kind {
	case attr.KindS:
		return x.Kind == attr.KindS && strings.Contains(a.Str, x.Str)
	case attr.KindB:
		return x.Kind == attr.KindB && bytes.Contains(a.Bin, x.Bin)
	case attr.KindSS, attr.KindNS, attr.KindBS:
		return attr.SetContains(a, x)
	case attr.KindL:
		for _, e := range a.List {
			if attr.Equal(e, x) {
				return true
			}
		}
	}
	return false
}

// sizeOf implements size(): bytes of a string or binary, members of a set,
// elements of a list or map. Other types have no size.
func sizeOf(v attr.Value) (attr.Value, bool) {
	n := 0
	switch v.Kind {
	case attr.KindS:
		n = len(v.Str)
	case attr.KindB:
		n = len(v.Bin)
	case attr.KindSS, attr.KindNS:
		n = len(v.Strs)
	case attr.KindBS:
		n = len(v.Bins)
	case attr.KindL:
		n = len(v.List)
	case attr.KindM:
		n = len(v.Map)
	default:
		return attr.Value{}, false
	}
	return attr.Value{Kind: attr.KindN, Str: strconv.Itoa(n)}, true
}

// longTypeName is the type name used by update-expression operand errors.
func longTypeName(k attr.Kind) string {
	switch k {
	case attr.KindS:
		return "STRING"
	case attr.KindN:
		return "NUMBER"
	case attr.KindB:
		return "BINARY"
	case attr.KindNULL:
		return "NULL"
	case attr.KindBOOL:
		return "BOOLEAN"
	case attr.KindL:
		return "LIST"
	case attr.KindM:
		return "MAP"
	}
	return k.String()
}

// scalarText renders a value as DynamoDB does inside "AttributeValue: {S:a}".
func scalarText(v attr.Value) string {
	switch v.Kind {
	case attr.KindS, attr.KindN:
		return v.Str
	case attr.KindB:
		return base64.StdEncoding.EncodeToString(v.Bin)
	case attr.KindBOOL:
		return strconv.FormatBool(v.Bool)
	case attr.KindNULL:
		return "true"
	}
	return ""
}

// isSet reports whether k is a set type.
func isSet(k attr.Kind) bool {
	return k == attr.KindSS || k == attr.KindNS || k == attr.KindBS
}

// setUnion returns a ∪ b for two sets of the same type, keeping a's order
// and appending b's new members.
func setUnion(a, b attr.Value) attr.Value {
	out := attr.Value{Kind: a.Kind}
	if a.Kind == attr.KindBS {
		out.Bins = append(make([][]byte, 0, len(a.Bins)+len(b.Bins)), a.Bins...)
		for _, x := range b.Bins {
			if !attr.SetContains(a, attr.B(x)) {
				out.Bins = append(out.Bins, x)
			}
		}
		return out
	}
	member := attr.KindS
	if a.Kind == attr.KindNS {
		member = attr.KindN
	}
	out.Strs = append(make([]string, 0, len(a.Strs)+len(b.Strs)), a.Strs...)
	for _, x := range b.Strs {
		if !attr.SetContains(a, attr.Value{Kind: member, Str: x}) {
			out.Strs = append(out.Strs, x)
		}
	}
	return out
}

// setDifference returns a \ b for two sets of the same type.
func setDifference(a, b attr.Value) attr.Value {
	out := attr.Value{Kind: a.Kind}
	if a.Kind == attr.KindBS {
		for _, x := range a.Bins {
			if !attr.SetContains(b, attr.B(x)) {
				out.Bins = append(out.Bins, x)
			}
		}
		return out
	}
	member := attr.KindS
	if a.Kind == attr.KindNS {
		member = attr.KindN
	}
	for _, x := range a.Strs {
		if !attr.SetContains(b, attr.Value{Kind: member, Str: x}) {
			out.Strs = append(out.Strs, x)
		}
	}
	return out
}

// setLen is the number of members of a set value.
func setLen(v attr.Value) int {
	if v.Kind == attr.KindBS {
		return len(v.Bins)
	}
	return len(v.Strs)
}
