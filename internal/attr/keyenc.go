package attr

import (
	"errors"
	"strconv"
)

// Key encoding
//
// AppendKey writes S, N and B values in an order-preserving, self-delimiting
// form for storage keys: for two values of the same kind, the byte order of
// their encodings is the order of Compare, and no encoding is a prefix of
// another, so appending further key parts never changes the order.
//
//	S, B: the bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01.
//	N:    a sign tag (0x10 negative, 0x20 zero, 0x30 positive); for non-zero
//	      numbers a byte holding the scientific exponent + 130 (inverted when
//	      negative), then the significant digits in base-100 pairs, each byte
//	      10*a+b+1 (1..100; a final odd digit is padded with 0), terminated by
//	      0x00. Negative numbers store each pair byte as 101-x and end with 0xFF,
//	      so larger magnitudes sort first.

const (
	keyNumNeg  = 0x10
	keyNumZero = 0x20
	keyNumPos  = 0x30

	keyEscape    = 0x00
	keyEscaped00 = 0xFF
	keyEnd       = 0x01
)

// ErrKeyCorrupt is returned by DecodeKey for bytes that are not a valid key
// encoding of the requested kind.
var ErrKeyCorrupt = errors.New("attr: corrupt key encoding")

// AppendKey appends the order-preserving key encoding of v (S, N or B) to dst.
// It panics for other kinds and for N values that are not numbers: key
// attributes are validated before encoding.
func AppendKey(dst []byte, v Value) []byte {
	switch v.Kind {
	case KindS:
		return appendKeyBytes(dst, v.Str)
	case KindB:
		return appendKeyBytes(dst, v.Bin)
	case KindN:
		return appendKeyNumber(dst, v.Str)
	}
	panic("attr.AppendKey: kind " + v.Kind.String() + " cannot be a key")
}

// AppendKeyPrefix appends the key encoding of an S or B value without its
// terminator: the common prefix of the encodings of every value that begins
// with v (for begins_with ranges). It panics for other kinds.
func AppendKeyPrefix(dst []byte, v Value) []byte {
	var enc []byte
	switch v.Kind {
	case KindS:
		enc = appendKeyBytes(dst, v.Str)
	case KindB:
		enc = appendKeyBytes(dst, v.Bin)
	default:
		panic("attr.AppendKeyPrefix: kind " + v.Kind.String() + " has no key prefix")
	}
	return enc[:len(enc)-2]
}

func appendKeyBytes[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, keyEscape, keyEscaped00)
			start = i + 1
		}
	}
	dst = append(dst, s[start:]...)
	return append(dst, keyEscape, keyEnd)
}

func appendKeyNumber(dst []byte, s string) []byte {
	s = canonicalOrSelf(s)
	if !isCanonicalNumber(s) {
		panic("attr.AppendKey: invalid number " + strconv.Quote(s))
	}
	if s == "0" {
		return append(dst, keyNumZero)
	}
	neg := s[0] == '-'
	m := s
	if neg {
		m = s[1:]
	}
	var buf [maxCanonicalLen]byte
	digits, e := sigDigits(buf[:0], m)
	expByte := byte(e - MinNumberExponent)
	if neg {
		dst = append(dst, keyNumNeg, 255-expByte)
	} else {
		dst = append(dst, keyNumPos, expByte)
	}
	for i := 0; i < len(digits); i += 2 {
		p := (digits[i] - '0') * 10
		if i+1 < len(digits) {
			p += digits[i+1] - '0'
		}
		p++
		if neg {
			p = 101 - p
		}
		dst = append(dst, p)
	}
	if neg {
		return append(dst, 0xFF)
	}
	return append(dst, 0x00)
}

// DecodeKey decodes one key value of kind k (S, N or B) from the front of b
// and returns it with the remaining bytes.
func DecodeKey(b []byte, k Kind) (Value, []byte, error) {
	switch k {
	case KindS:
		raw, rest, err := decodeKeyBytes(b)
		if err != nil {
			return Value{}, b, err
		}
		return Value{Kind: KindS, Str: string(raw)}, rest, nil
	case KindB:
		raw, rest, err := decodeKeyBytes(b)
		if err != nil {
			return Value{}, b, err
		}
		return Value{Kind: KindB, Bin: raw}, rest, nil
	case KindN:
		return decodeKeyNumber(b)
	}
	return Value{}, b, errors.New("attr.DecodeKey: kind " + k.String() + " cannot be a key")
}

func decodeKeyBytes(b []byte) ([]byte, []byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != keyEscape {
			out = append(out, c)
			continue
		}
		if i+1 >= len(b) {
			return nil, b, ErrKeyCorrupt
		}
		switch b[i+1] {
		case keyEscaped00:
			out = append(out, 0)
			i++
		case keyEnd:
			return out, b[i+2:], nil
		default:
			return nil, b, ErrKeyCorrupt
		}
	}
	return nil, b, ErrKeyCorrupt
}

func decodeKeyNumber(b []byte) (Value, []byte, error) {
	if len(b) == 0 {
		return Value{}, b, ErrKeyCorrupt
	}
	switch b[0] {
	case keyNumZero:
		return Value{Kind: KindN, Str: "0"}, b[1:], nil
	case keyNumNeg, keyNumPos:
	default:
		return Value{}, b, ErrKeyCorrupt
	}
	neg := b[0] == keyNumNeg
	if len(b) < 2 {
		return Value{}, b, ErrKeyCorrupt
	}
	expByte := b[1]
	if neg {
		expByte = 255 - expByte
	}
	e := int(expByte) + MinNumberExponent
	var buf [2*MaxNumberDigits + 2]byte
	digits := buf[:0]
	i := 2
	for ; ; i++ {
		if i >= len(b) {
			return Value{}, b, ErrKeyCorrupt
		}
		p := b[i]
		if (!neg && p == 0x00) || (neg && p == 0xFF) {
			break
		}
		if neg {
			p = 101 - p
		}
		if p < 1 || p > 100 || len(digits) >= MaxNumberDigits+1 {
			return Value{}, b, ErrKeyCorrupt
		}
		p--
		digits = append(digits, '0'+p/10, '0'+p%10)
	}
	// Drop the padding zero of an odd digit count; canonical digits never
	// end in zero, and never start with one.
	if len(digits) > 0 && digits[len(digits)-1] == '0' {
		digits = digits[:len(digits)-1]
	}
	if len(digits) == 0 || digits[0] == '0' || digits[len(digits)-1] == '0' {
		return Value{}, b, ErrKeyCorrupt
	}
	var out [maxCanonicalLen]byte
	text, k := formatDecimal(out[:0], neg, string(digits), e)
	if k != numOK {
		return Value{}, b, ErrKeyCorrupt
	}
	return Value{Kind: KindN, Str: string(text)}, b[i+1:], nil
}
