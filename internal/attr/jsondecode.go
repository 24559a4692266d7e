package attr

import (
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// Decoding AttributeValue JSON
//
// The decoder is hand-written: one pass over the input builds the Value tree,
// with no reflection and no re-scanning of nested documents. It reports
// errors the way DynamoDB does:
//
//   - JSON of the wrong shape (a number where a string belongs, a list where
//     a map belongs, invalid base64, ...) is a *SerializationError and stops
//     decoding at once; DynamoDB reads the whole request before validating.
//   - Invalid contents (empty AttributeValue, several types, bad numbers,
//     empty or duplicate sets, NULL false) are an *Error. The first one in
//     document order is reported, after the whole input has been read, so a
//     later serialization error still takes precedence.
//
// Fields whose value is JSON null are ignored, as are unknown fields.

// SerializationException messages (as DynamoDB's coral JSON reader words them).
const (
	serStartOfMap        = "Start of structure or map found where not expected"
	serUnexpectedField   = "Unexpected field type"
	serUnexpectedValue   = "Unexpected value type in payload"
	serValueCollection   = "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
	serMapCollection     = "Unrecognized collection type java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"
	serStringCollection  = "Unrecognized collection type class java.lang.String"
	serBooleanCollection = "Unrecognized collection type class java.lang.Boolean"
	serBlobCollection    = "Unrecognized collection type class java.nio.ByteBuffer"
	serBoolToken         = "Unexpected token received from parser"
	serBlobNotString     = "only base-64-encoded strings are convertible to bytes"
	serBase64Length      = "Base64 encoded length is expected a multiple of 4 bytes but found: "
	serBase64Char        = "Invalid Base64 character: '"
	serBase64Last        = "Invalid last non-pad Base64 character dectected" // sic
	serMalformed         = "Malformed JSON: "
	serTooDeep           = "Document nesting depth exceeds the maximum allowed (1000)"

	maxJSONDepth = 1000
)

// ParseJSON decodes one AttributeValue from its JSON form, validating it as
// DynamoDB does. Numbers are canonicalised (see ParseNumber). Errors are
// *SerializationError or *Error with DynamoDB's messages.
func ParseJSON(b []byte) (Value, error) {
	d := getDecoder(b)
	defer putDecoder(d)
	d.skipWS()
	v, err := d.attrValue()
	if err == nil {
		err = d.finish()
	}
	if err != nil {
		return Value{}, err
	}
	return v, nil
}

// ParseItemJSON decodes an item (a JSON object of attribute name to
// AttributeValue), validating every value as ParseJSON does.
func ParseItemJSON(b []byte) (Item, error) {
	d := getDecoder(b)
	defer putDecoder(d)
	d.skipWS()
	m, err := d.valueMap()
	if err == nil {
		err = d.finish()
	}
	if err != nil {
		return nil, err
	}
	return Item(m), nil
}

// UnmarshalJSON implements json.Unmarshaler with ParseJSON. JSON null is
// reported as an empty AttributeValue.
func (v *Value) UnmarshalJSON(b []byte) error {
	nv, err := ParseJSON(b)
	if err != nil {
		return err
	}
	*v = nv
	return nil
}

// UnmarshalJSON implements json.Unmarshaler with ParseItemJSON. JSON null
// leaves the item nil.
func (it *Item) UnmarshalJSON(b []byte) error {
	d := jsonDecoder{data: b}
	d.skipWS()
	if d.peekLiteral("null") {
		d.pos += 4
		if err := d.finish(); err != nil {
			return err
		}
		*it = nil
		return nil
	}
	m, err := ParseItemJSON(b)
	if err != nil {
		return err
	}
	*it = m
	return nil
}

type jsonDecoder struct {
	data  []byte
	pos   int
	depth int
	verr  error  // first validation error, reported after a clean read
	src   string // lazily made string copy of data that backs decoded strings

	// Scratch stacks for list elements and map entries being decoded.
	elems   []Value
	entries []mapEntry
}

var decoderPool = sync.Pool{New: func() any { return new(jsonDecoder) }}

// getDecoder returns a pooled decoder (its scratch stacks are reused).
func getDecoder(b []byte) *jsonDecoder {
	d := decoderPool.Get().(*jsonDecoder)
	d.data = b
	return d
}

func putDecoder(d *jsonDecoder) {
	elems, entries := d.elems[:0], d.entries[:0]
	if cap(elems) > 1024 || cap(entries) > 1024 {
		elems, entries = nil, nil // do not pin large scratch
	}
	*d = jsonDecoder{elems: elems, entries: entries}
	decoderPool.Put(d)
}

func (d *jsonDecoder) finish() error {
	d.skipWS()
	if d.pos != len(d.data) {
		return d.malformed("unexpected data after value")
	}
	return d.verr
}

func (d *jsonDecoder) invalid(msg string) {
	if d.verr == nil {
		d.verr = validationErr(msg)
	}
}

func (d *jsonDecoder) invalidErr(err error) {
	if d.verr == nil && err != nil {
		d.verr = err
	}
}

func serErr(msg string) error { return &SerializationError{Message: msg} }

func (d *jsonDecoder) malformed(what string) error {
	return serErr(serMalformed + what + " at offset " + strconv.Itoa(d.pos))
}

func (d *jsonDecoder) skipWS() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *jsonDecoder) peekLiteral(lit string) bool {
	return len(d.data)-d.pos >= len(lit) && string(d.data[d.pos:d.pos+len(lit)]) == lit
}

// tokenKind classifies the JSON value starting at d.pos.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokObject
	tokArray
	tokString
	tokInteger
	tokDecimal
	tokTrue
	tokFalse
	tokNull
	tokBad
)

func (d *jsonDecoder) peek() tokenKind {
	if d.pos >= len(d.data) {
		return tokEOF
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return tokObject
	case c == '[':
		return tokArray
	case c == '"':
		return tokString
	case c == 't':
		return tokTrue
	case c == 'f':
		return tokFalse
	case c == 'n':
		return tokNull
	case c == '-' || isDigit(c):
		for i := d.pos + 1; i < len(d.data); i++ {
			switch d.data[i] {
			case '.', 'e', 'E':
				return tokDecimal
			case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '-':
				continue
			}
			break
		}
		return tokInteger
	}
	return tokBad
}

// mismatch reports a value of the wrong JSON type: it checks that the token
// is well-formed JSON (malformed input is reported as such) and returns the
// serialization error msg.
func (d *jsonDecoder) mismatch(msg string) error {
	if err := d.skipValue(); err != nil {
		return err
	}
	return serErr(msg)
}

// skipValue skips one well-formed JSON value.
func (d *jsonDecoder) skipValue() error {
	switch d.peek() {
	case tokObject:
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == '}' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			d.skipWS()
			if _, err := d.key(); err != nil {
				return err
			}
			d.skipWS()
			if err := d.skipValue(); err != nil {
				return err
			}
			d.skipWS()
			end, err := d.next('}')
			if err != nil {
				return err
			}
			if end {
				d.depth--
				return nil
			}
		}
	case tokArray:
		d.pos++
		if err := d.enter(); err != nil {
			return err
		}
		d.skipWS()
		if d.pos < len(d.data) && d.data[d.pos] == ']' {
			d.pos++
			d.depth--
			return nil
		}
		for {
			d.skipWS()
			if err := d.skipValue(); err != nil {
				return err
			}
			d.skipWS()
			end, err := d.next(']')
			if err != nil {
				return err
			}
			if end {
				d.depth--
				return nil
			}
		}
	case tokString:
		_, err := d.str()
		return err
	case tokInteger, tokDecimal:
		return d.skipNumber()
	case tokTrue:
		return d.literal("true")
	case tokFalse:
		return d.literal("false")
	case tokNull:
		return d.literal("null")
	case tokEOF:
		return d.malformed("unexpected end of input")
	}
	return d.malformed("invalid character " + strconv.QuoteRune(rune(d.data[d.pos])))
}

func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > maxJSONDepth {
		return serErr(serTooDeep)
	}
	return nil
}

// next consumes a ',' (returning false) or the closing byte (returning true).
func (d *jsonDecoder) next(closing byte) (bool, error) {
	if d.pos >= len(d.data) {
		return false, d.malformed("unexpected end of input")
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		return false, nil
	case closing:
		d.pos++
		return true, nil
	}
	return false, d.malformed("expected ',' or '" + string(closing) + "'")
}

func (d *jsonDecoder) literal(lit string) error {
	if !d.peekLiteral(lit) {
		return d.malformed("invalid literal")
	}
	d.pos += len(lit)
	return nil
}

func (d *jsonDecoder) skipNumber() error {
	i := d.pos
	if i < len(d.data) && d.data[i] == '-' {
		i++
	}
	switch {
	case i < len(d.data) && d.data[i] == '0':
		i++
	case i < len(d.data) && d.data[i] >= '1' && d.data[i] <= '9':
		for i < len(d.data) && isDigit(d.data[i]) {
			i++
		}
	default:
		return d.malformed("invalid number")
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		start := i
		for i < len(d.data) && isDigit(d.data[i]) {
			i++
		}
		if i == start {
			return d.malformed("invalid number")
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		start := i
		for i < len(d.data) && isDigit(d.data[i]) {
			i++
		}
		if i == start {
			return d.malformed("invalid number")
		}
	}
	d.pos = i
	return nil
}

// key reads an object key and the ':' after it.
func (d *jsonDecoder) key() (string, error) {
	if d.pos >= len(d.data) || d.data[d.pos] != '"' {
		return "", d.malformed("expected object key")
	}
	k, err := d.str()
	if err != nil {
		return "", err
	}
	d.skipWS()
	if d.pos >= len(d.data) || d.data[d.pos] != ':' {
		return "", d.malformed("expected ':'")
	}
	d.pos++
	d.skipWS()
	return k, nil
}

// str reads a JSON string starting at the opening quote.
func (d *jsonDecoder) str() (string, error) {
	d.pos++ // opening quote
	start := d.pos
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			raw := d.data[start:i]
			if !utf8.Valid(raw) {
				return string(fixUTF8(nil, raw)), nil
			}
			if len(raw) == 0 {
				return "", nil
			}
			// Strings without escapes share one copy of the input: one
			// allocation per document instead of one per string.
			if d.src == "" {
				d.src = string(d.data)
			}
			return d.src[start:i], nil
		case c == '\\':
			return d.strSlow(start, i)
		case c < 0x20:
			d.pos = i
			return "", d.malformed("control character in string")
		}
	}
	d.pos = len(d.data)
	return "", d.malformed("unterminated string")
}

// strSlow decodes a string with escapes; i is the first backslash.
func (d *jsonDecoder) strSlow(start, i int) (string, error) {
	buf := make([]byte, 0, i-start+16)
	buf = fixUTF8(buf, d.data[start:i])
	for i < len(d.data) {
		c := d.data[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(buf), nil
		case c < 0x20:
			d.pos = i
			return "", d.malformed("control character in string")
		case c != '\\':
			j := i
			for j < len(d.data) && d.data[j] != '"' && d.data[j] != '\\' && d.data[j] >= 0x20 {
				j++
			}
			buf = fixUTF8(buf, d.data[i:j])
			i = j
			continue
		}
		if i+1 >= len(d.data) {
			break
		}
		switch e := d.data[i+1]; e {
		case '"', '\\', '/':
			buf = append(buf, e)
			i += 2
		case 'b':
			buf = append(buf, '\b')
			i += 2
		case 'f':
			buf = append(buf, '\f')
			i += 2
		case 'n':
			buf = append(buf, '\n')
			i += 2
		case 'r':
			buf = append(buf, '\r')
			i += 2
		case 't':
			buf = append(buf, '\t')
			i += 2
		case 'u':
			r, ok := hex4(d.data, i+2)
			if !ok {
				d.pos = i
				return "", d.malformed("invalid \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if i+1 < len(d.data) && d.data[i] == '\\' && d.data[i+1] == 'u' {
					r2, ok = hex4(d.data, i+2)
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			d.pos = i
			return "", d.malformed("invalid escape")
		}
	}
	d.pos = len(d.data)
	return "", d.malformed("unterminated string")
}

func hex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// fixUTF8 appends b to dst replacing invalid UTF-8 with U+FFFD.
func fixUTF8(dst, b []byte) []byte {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			dst = utf8.AppendRune(dst, utf8.RuneError)
		} else {
			dst = append(dst, b[:size]...)
		}
		b = b[size:]
	}
	return dst
}

// ---- AttributeValue structure ----

// attrValue reads one AttributeValue object. Values in maps and lists and at
// the top level use the ValueStruct messages for a wrong JSON type.
func (d *jsonDecoder) attrValue() (Value, error) {
	switch d.peek() {
	case tokObject:
	case tokArray:
		return Value{}, d.mismatch(serValueCollection)
	case tokNull:
		d.invalid(msgEmptyValue)
		return Value{}, d.literal("null")
	case tokEOF:
		return Value{}, d.malformed("unexpected end of input")
	case tokBad:
		return Value{}, d.skipValue()
	default:
		return Value{}, d.mismatch(serUnexpectedValue)
	}
	d.pos++
	if err := d.enter(); err != nil {
		return Value{}, err
	}
	var v Value
	types := 0
	var seen uint16
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		d.invalid(msgEmptyValue)
		return v, nil
	}
	for {
		d.skipWS()
		name, err := d.key()
		if err != nil {
			return Value{}, err
		}
		k := fieldKind(name)
		if k == KindInvalid || d.peek() == tokNull {
			// Unknown fields and null members are ignored.
			if err := d.skipValue(); err != nil {
				return Value{}, err
			}
		} else {
			fv, err := d.field(k)
			if err != nil {
				return Value{}, err
			}
			if seen&(1<<k) == 0 {
				seen |= 1 << k
				types++
			}
			v = fv
		}
		d.skipWS()
		end, err := d.next('}')
		if err != nil {
			return Value{}, err
		}
		if end {
			break
		}
	}
	d.depth--
	switch {
	case types == 0:
		d.invalid(msgEmptyValue)
	case types > 1:
		d.invalid(msgMultipleTypes)
	}
	return v, nil
}

// fieldKind maps an AttributeValue field name to its Kind.
func fieldKind(name string) Kind {
	switch name {
	case "S":
		return KindS
	case "N":
		return KindN
	case "B":
		return KindB
	case "M":
		return KindM
	case "L":
		return KindL
	case "SS":
		return KindSS
	case "NS":
		return KindNS
	case "BS":
		return KindBS
	case "BOOL":
		return KindBOOL
	case "NULL":
		return KindNULL
	}
	return KindInvalid
}

// field reads the value of the type field k of an AttributeValue.
func (d *jsonDecoder) field(k Kind) (Value, error) {
	switch k {
	case KindS:
		s, err := d.stringField()
		return Value{Kind: KindS, Str: s}, err
	case KindN:
		s, err := d.stringField()
		if err != nil {
			return Value{}, err
		}
		c, nerr := ParseNumber(s)
		d.invalidErr(nerr)
		return Value{Kind: KindN, Str: c}, nil
	case KindB:
		b, err := d.blobField()
		return Value{Kind: KindB, Bin: b}, err
	case KindBOOL, KindNULL:
		b, err := d.boolField()
		if err != nil {
			return Value{}, err
		}
		if k == KindNULL && !b {
			d.invalid(msgNullNotTrue)
		}
		return Value{Kind: k, Bool: b}, nil
	case KindSS, KindNS:
		return d.stringSet(k)
	case KindBS:
		return d.binarySet()
	case KindL:
		return d.list()
	case KindM:
		m, err := d.valueMap()
		return Value{Kind: KindM, Map: m}, err
	}
	return Value{}, d.skipValue()
}

func (d *jsonDecoder) stringField() (string, error) {
	switch d.peek() {
	case tokString:
		return d.str()
	case tokTrue:
		return "", d.mismatch("TRUE_VALUE cannot be converted to String")
	case tokFalse:
		return "", d.mismatch("FALSE_VALUE cannot be converted to String")
	case tokInteger:
		return "", d.mismatch("NUMBER_VALUE cannot be converted to String")
	case tokDecimal:
		return "", d.mismatch("DECIMAL_VALUE cannot be converted to String")
	case tokArray:
		return "", d.mismatch(serStringCollection)
	case tokObject:
		return "", d.mismatch(serStartOfMap)
	}
	return "", d.skipValue()
}

func (d *jsonDecoder) boolField() (bool, error) {
	switch d.peek() {
	case tokTrue:
		return true, d.literal("true")
	case tokFalse:
		return false, d.literal("false")
	case tokString:
		return false, d.mismatch(serBoolToken)
	case tokInteger:
		return false, d.mismatch("NUMBER_VALUE cannot be converted to Boolean")
	case tokDecimal:
		return false, d.mismatch("DECIMAL_VALUE cannot be converted to Boolean")
	case tokArray:
		return false, d.mismatch(serBooleanCollection)
	case tokObject:
		return false, d.mismatch(serStartOfMap)
	}
	return false, d.skipValue()
}

func (d *jsonDecoder) blobField() ([]byte, error) {
	switch d.peek() {
	case tokString:
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return decodeBase64(s)
	case tokTrue, tokFalse, tokInteger, tokDecimal:
		return nil, d.mismatch(serBlobNotString)
	case tokArray:
		return nil, d.mismatch(serBlobCollection)
	case tokObject:
		return nil, d.mismatch(serStartOfMap)
	}
	return nil, d.skipValue()
}

// listStart consumes the '[' of a list-typed field, or reports the
// serialization error for another JSON type. It returns true for an empty
// list (already consumed).
func (d *jsonDecoder) listStart() (bool, error) {
	switch d.peek() {
	case tokArray:
	case tokObject:
		return false, d.mismatch(serStartOfMap)
	case tokString, tokTrue, tokFalse, tokInteger, tokDecimal:
		return false, d.mismatch(serUnexpectedField)
	default:
		return false, d.skipValue()
	}
	d.pos++
	if err := d.enter(); err != nil {
		return false, err
	}
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return true, nil
	}
	return false, nil
}

// listNext consumes the separator after a list element; true at the end.
func (d *jsonDecoder) listNext() (bool, error) {
	d.skipWS()
	end, err := d.next(']')
	if end {
		d.depth--
	}
	return end, err
}

func (d *jsonDecoder) stringSet(k Kind) (Value, error) {
	v := Value{Kind: k}
	empty, err := d.listStart()
	if err != nil {
		return Value{}, err
	}
	if !empty {
		v.Strs = make([]string, 0, 4)
		for {
			d.skipWS()
			if d.peek() == tokNull {
				if err := d.literal("null"); err != nil {
					return Value{}, err
				}
				if k == KindNS {
					d.invalid(msgNumberEmpty)
				} else {
					d.invalid(msgInvalidPrefix + "An string set may not have a empty string as a member")
				}
				v.Strs = append(v.Strs, "")
			} else {
				s, err := d.stringField()
				if err != nil {
					return Value{}, err
				}
				if k == KindNS {
					c, nerr := ParseNumber(s)
					d.invalidErr(nerr)
					s = c
				}
				v.Strs = append(v.Strs, s)
			}
			end, err := d.listNext()
			if err != nil {
				return Value{}, err
			}
			if end {
				break
			}
		}
	}
	if d.verr == nil {
		d.invalidErr(checkSet(v))
	}
	return v, nil
}

func (d *jsonDecoder) binarySet() (Value, error) {
	v := Value{Kind: KindBS}
	empty, err := d.listStart()
	if err != nil {
		return Value{}, err
	}
	if !empty {
		v.Bins = make([][]byte, 0, 4)
		for {
			d.skipWS()
			if d.peek() == tokNull {
				if err := d.literal("null"); err != nil {
					return Value{}, err
				}
				d.invalid(msgInvalidPrefix + "Binary sets may not contain null or empty values")
				v.Bins = append(v.Bins, nil)
			} else {
				b, err := d.blobField()
				if err != nil {
					return Value{}, err
				}
				v.Bins = append(v.Bins, b)
			}
			end, err := d.listNext()
			if err != nil {
				return Value{}, err
			}
			if end {
				break
			}
		}
	}
	if d.verr == nil {
		d.invalidErr(checkSet(v))
	}
	return v, nil
}

func (d *jsonDecoder) list() (Value, error) {
	empty, err := d.listStart()
	if err != nil {
		return Value{}, err
	}
	if empty {
		return Value{Kind: KindL, List: []Value{}}, nil
	}
	// Elements collect on a scratch stack shared by all nesting levels, so
	// each list is allocated once at its final size.
	base := len(d.elems)
	defer func() {
		clear(d.elems[base:]) // drop references held by the pooled scratch
		d.elems = d.elems[:base]
	}()
	for {
		d.skipWS()
		e, err := d.attrValue()
		if err != nil {
			return Value{}, err
		}
		d.elems = append(d.elems, e)
		end, err := d.listNext()
		if err != nil {
			return Value{}, err
		}
		if end {
			l := make([]Value, len(d.elems)-base)
			copy(l, d.elems[base:])
			return Value{Kind: KindL, List: l}, nil
		}
	}
}

// valueMap reads a JSON object of name to AttributeValue (an M value or an
// item).
func (d *jsonDecoder) valueMap() (map[string]Value, error) {
	switch d.peek() {
	case tokObject:
	case tokArray:
		return nil, d.mismatch(serMapCollection)
	case tokString, tokTrue, tokFalse, tokInteger, tokDecimal:
		return nil, d.mismatch(serUnexpectedField)
	default:
		return nil, d.skipValue()
	}
	d.pos++
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.skipWS()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return map[string]Value{}, nil
	}
	// Entries collect on a scratch stack so the map is made at its final
	// size, without incremental growth.
	base := len(d.entries)
	defer func() {
		clear(d.entries[base:])
		d.entries = d.entries[:base]
	}()
	for {
		d.skipWS()
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.attrValue()
		if err != nil {
			return nil, err
		}
		d.entries = append(d.entries, mapEntry{k, v})
		d.skipWS()
		end, err := d.next('}')
		if err != nil {
			return nil, err
		}
		if end {
			d.depth--
			es := d.entries[base:]
			m := make(map[string]Value, len(es))
			for _, e := range es {
				m[e.name] = e.value
			}
			return m, nil
		}
	}
}

type mapEntry struct {
	name  string
	value Value
}
