package attr

import (
	"bytes"
	"strings"
)

// Compare orders two scalar values of the same key type: S bytewise on the
// UTF-8 text, N numerically, B bytewise. It returns -1, 0 or +1 and ok=true;
// for values of different kinds or of kinds other than S, N and B it returns
// ok=false (DynamoDB's <, <=, >, >= and BETWEEN are then false).
func Compare(a, b Value) (int, bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case KindS:
		return strings.Compare(a.Str, b.Str), true
	case KindN:
		return CompareNumbers(a.Str, b.Str), true
	case KindB:
		return bytes.Compare(a.Bin, b.Bin), true
	}
	return 0, false
}

// Equal reports whether a and b are equal under DynamoDB's "=" operator:
// same type, numbers compared numerically, sets compared as sets (member
// order is irrelevant), maps and lists compared deeply.
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case KindS:
		return a.Str == b.Str
	case KindN:
		return numbersEqual(a.Str, b.Str)
	case KindB:
		return bytes.Equal(a.Bin, b.Bin)
	case KindBOOL:
		return a.Bool == b.Bool
	case KindNULL:
		return true
	case KindSS:
		return sameStringSet(a.Strs, b.Strs, func(x, y string) bool { return x == y })
	case KindNS:
		return sameStringSet(a.Strs, b.Strs, numbersEqual)
	case KindBS:
		return sameBinarySet(a.Bins, b.Bins)
	case KindL:
		if len(a.List) != len(b.List) {
			return false
		}
		for i := range a.List {
			if !Equal(a.List[i], b.List[i]) {
				return false
			}
		}
		return true
	case KindM:
		if len(a.Map) != len(b.Map) {
			return false
		}
		for k, av := range a.Map {
			bv, ok := b.Map[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	}
	return true // two invalid (empty) values
}

// numbersEqual reports numeric equality; canonical texts (the normal case)
// are equal exactly when they are the same string.
func numbersEqual(a, b string) bool {
	if a == b {
		return true
	}
	if isCanonicalNumber(a) && isCanonicalNumber(b) {
		return false
	}
	return CompareNumbers(a, b) == 0
}

// sameStringSet compares two duplicate-free sets. Small sets use a quadratic
// scan (no allocation); larger ones a map.
func sameStringSet(a, b []string, eq func(x, y string) bool) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) <= 16 {
	outer:
		for _, x := range a {
			for _, y := range b {
				if eq(x, y) {
					continue outer
				}
			}
			return false
		}
		return true
	}
	seen := make(map[string]struct{}, len(b))
	for _, y := range b {
		seen[canonicalOrSelf(y)] = struct{}{}
	}
	for _, x := range a {
		if _, ok := seen[canonicalOrSelf(x)]; !ok {
			return false
		}
	}
	return true
}

func sameBinarySet(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) <= 16 {
	outer:
		for _, x := range a {
			for _, y := range b {
				if bytes.Equal(x, y) {
					continue outer
				}
			}
			return false
		}
		return true
	}
	seen := make(map[string]struct{}, len(b))
	for _, y := range b {
		seen[string(y)] = struct{}{}
	}
	for _, x := range a {
		if _, ok := seen[string(x)]; !ok {
			return false
		}
	}
	return true
}

// SetContains reports whether the set value s (SS, NS or BS) holds the scalar
// m of the matching member type (S, N or B). It is false for any other pair
// of kinds.
func SetContains(s, m Value) bool {
	switch {
	case s.Kind == KindSS && m.Kind == KindS:
		for _, x := range s.Strs {
			if x == m.Str {
				return true
			}
		}
	case s.Kind == KindNS && m.Kind == KindN:
		for _, x := range s.Strs {
			if numbersEqual(x, m.Str) {
				return true
			}
		}
	case s.Kind == KindBS && m.Kind == KindB:
		for _, x := range s.Bins {
			if bytes.Equal(x, m.Bin) {
				return true
			}
		}
	}
	return false
}
