package attr

import (
	"encoding/base64"
	"slices"
	"unicode/utf8"
)

// JSON wire form
//
// Values marshal to DynamoDB's AttributeValue JSON: {"S":"x"}, {"N":"1.5"}
// (numbers as strings), {"B":"<base64>"}, {"SS":[...]}, {"NS":[...]},
// {"BS":[...]}, {"M":{...}}, {"L":[...]}, {"NULL":true}, {"BOOL":false}.
// Map keys are written in sorted order so output is deterministic.

// AppendJSON appends the AttributeValue JSON of v to dst. An invalid (empty)
// Value is written as {}.
func AppendJSON(dst []byte, v Value) []byte {
	switch v.Kind {
	case KindS:
		dst = append(dst, `{"S":`...)
		dst = appendJSONString(dst, v.Str)
	case KindN:
		dst = append(dst, `{"N":`...)
		dst = appendJSONString(dst, v.Str)
	case KindB:
		dst = append(dst, `{"B":`...)
		dst = appendBase64(dst, v.Bin)
	case KindSS, KindNS:
		if v.Kind == KindSS {
			dst = append(dst, `{"SS":[`...)
		} else {
			dst = append(dst, `{"NS":[`...)
		}
		for i, s := range v.Strs {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		dst = append(dst, ']')
	case KindBS:
		dst = append(dst, `{"BS":[`...)
		for i, b := range v.Bins {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendBase64(dst, b)
		}
		dst = append(dst, ']')
	case KindM:
		dst = append(dst, `{"M":`...)
		dst = appendJSONMap(dst, v.Map)
	case KindL:
		dst = append(dst, `{"L":[`...)
		for i := range v.List {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, v.List[i])
		}
		dst = append(dst, ']')
	case KindNULL:
		return append(dst, `{"NULL":true}`...)
	case KindBOOL:
		if v.Bool {
			return append(dst, `{"BOOL":true}`...)
		}
		return append(dst, `{"BOOL":false}`...)
	default:
		return append(dst, '{', '}')
	}
	return append(dst, '}')
}

// AppendItemJSON appends it as a JSON object of attribute name to
// AttributeValue JSON, with names in sorted order. A nil Item is written as {}.
func AppendItemJSON(dst []byte, it Item) []byte {
	return appendJSONMap(dst, it)
}

func appendJSONMap(dst []byte, m map[string]Value) []byte {
	dst = append(dst, '{')
	var stack [32]string
	keys := stack[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = AppendJSON(dst, m[k])
	}
	return append(dst, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (v Value) MarshalJSON() ([]byte, error) {
	return AppendJSON(make([]byte, 0, 64), v), nil
}

// MarshalJSON implements json.Marshaler with AppendItemJSON.
func (it Item) MarshalJSON() ([]byte, error) {
	return AppendItemJSON(make([]byte, 0, 256), it), nil
}

func appendBase64(dst []byte, b []byte) []byte {
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// jsonSafe[c] is true for ASCII bytes that need no escaping in a JSON string.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONString appends s as a JSON string. Quotes, backslashes and
// control characters are escaped; invalid UTF-8 becomes U+FFFD, as in
// encoding/json. HTML characters are not escaped (DynamoDB does not).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
