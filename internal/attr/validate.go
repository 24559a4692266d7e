package attr

import (
	"encoding/base64"
	"strings"
)

// DynamoDB validation messages for attribute values.
const (
	msgEmptyValue     = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgMultipleTypes  = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgInvalidPrefix  = "One or more parameter values were invalid: "
	msgNullNotTrue    = msgInvalidPrefix + "Null attribute value types must have the value of true"
	msgEmptySS        = msgInvalidPrefix + "An string set  may not be empty"
	msgEmptyNS        = msgInvalidPrefix + "An number set  may not be empty"
	msgEmptyBS        = msgInvalidPrefix + "Binary sets should not be empty"
	msgDuplicatesNS   = "Input collection contains duplicates"
	msgDupSSPrefix    = msgInvalidPrefix + "Input collection "
	msgDupSSSuffix    = " contains duplicates."
	msgDupBSSuffix    = "of type BS contains duplicates."
	smallSetThreshold = 16
)

// Validate checks that v is a well-formed attribute value as DynamoDB would
// accept it: exactly one known type, NULL true, numbers canonical and within
// DynamoDB's limits, sets non-empty and duplicate-free, maps and lists valid
// recursively. It returns an *Error with DynamoDB's message, or nil.
func (v Value) Validate() error {
	switch v.Kind {
	case KindS, KindB, KindBOOL:
		return nil
	case KindNULL:
		if !v.Bool {
			return validationErr(msgNullNotTrue)
		}
		return nil
	case KindN:
		return checkCanonicalNumber(v.Str)
	case KindSS, KindBS:
		return checkSet(v)
	case KindNS:
		for _, s := range v.Strs {
			if err := checkCanonicalNumber(s); err != nil {
				return err
			}
		}
		return checkSet(v)
	case KindL:
		for i := range v.List {
			if err := v.List[i].Validate(); err != nil {
				return err
			}
		}
		return nil
	case KindM:
		for _, e := range v.Map {
			if err := e.Validate(); err != nil {
				return err
			}
		}
		return nil
	}
	return validationErr(msgEmptyValue)
}

// checkCanonicalNumber validates s and requires it to be in canonical form.
func checkCanonicalNumber(s string) error {
	c, err := ParseNumber(s)
	if err != nil {
		return err
	}
	if c != s {
		return validationErr(msgNumberInvalid + s)
	}
	return nil
}

// checkSet reports an empty set or a set with duplicate members (NS members
// must already be canonical so that equal numbers have equal text).
func checkSet(v Value) error {
	switch v.Kind {
	case KindSS:
		if len(v.Strs) == 0 {
			return validationErr(msgEmptySS)
		}
		if hasDuplicateStrings(v.Strs) {
			return validationErr(msgDupSSPrefix + "[" + strings.Join(v.Strs, ", ") + "]" + msgDupSSSuffix)
		}
	case KindNS:
		if len(v.Strs) == 0 {
			return validationErr(msgEmptyNS)
		}
		if hasDuplicateStrings(v.Strs) {
			return validationErr(msgDuplicatesNS)
		}
	case KindBS:
		if len(v.Bins) == 0 {
			return validationErr(msgEmptyBS)
		}
		if hasDuplicateBins(v.Bins) {
			var sb strings.Builder
			sb.WriteString(msgDupSSPrefix + "[")
			for i, b := range v.Bins {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(base64.StdEncoding.EncodeToString(b))
			}
			sb.WriteString("]" + msgDupBSSuffix)
			return validationErr(sb.String())
		}
	}
	return nil
}

func hasDuplicateStrings(ss []string) bool {
	if len(ss) <= smallSetThreshold {
		for i := 1; i < len(ss); i++ {
			for j := 0; j < i; j++ {
				if ss[i] == ss[j] {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(ss))
	for _, s := range ss {
		if _, ok := seen[s]; ok {
			return true
		}
		seen[s] = struct{}{}
	}
	return false
}

func hasDuplicateBins(bs [][]byte) bool {
	if len(bs) <= smallSetThreshold {
		for i := 1; i < len(bs); i++ {
			for j := 0; j < i; j++ {
				if string(bs[i]) == string(bs[j]) {
					return true
				}
			}
		}
		return false
	}
	seen := make(map[string]struct{}, len(bs))
	for _, b := range bs {
		if _, ok := seen[string(b)]; ok {
			return true
		}
		seen[string(b)] = struct{}{}
	}
	return false
}
