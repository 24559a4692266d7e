package attr

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// DynamoDB number limits.
const (
	// MaxNumberDigits is the most significant digits a Number may hold.
	MaxNumberDigits = 38
	// MaxNumberExponent is the largest scientific exponent of a Number
	// (magnitudes up to 9.9999999999999999999999999999999999999E+125).
	MaxNumberExponent = 125
	// MinNumberExponent is the smallest scientific exponent of a non-zero
	// Number (magnitudes down to 1E-130).
	MinNumberExponent = -130

	// maxCanonicalLen bounds the canonical text of any valid number:
	// "-0." + 129 zeros + 38 digits = 170 bytes.
	maxCanonicalLen = 176
)

// numErr classifies why a number text was rejected.
type numErr uint8

const (
	numOK numErr = iota
	numSyntax
	numOverflow
	numUnderflow
	numPrecision
)

func (k numErr) toError(s string) error {
	switch k {
	case numSyntax:
		if s == "" {
			return validationErr(msgNumberEmpty)
		}
		return validationErr(msgNumberInvalid + s)
	case numOverflow:
		return validationErr(msgNumberOverflow)
	case numUnderflow:
		return validationErr(msgNumberUnderflow)
	case numPrecision:
		return validationErr(msgNumberPrecision)
	}
	return nil
}

// ParseNumber validates a DynamoDB number and returns its canonical text: the
// form DynamoDB itself returns, plain decimal notation without exponent,
// leading zeros, trailing fractional zeros or "+" sign, and with "-0"
// written as "0" ("1.50" -> "1.5", "1e3" -> "1000", "-0.0" -> "0").
//
// The accepted syntax is DynamoDB's: an optional "-", digits with an
// optional fraction (".5" and "5." are accepted), and an optional exponent
// ("e" or "E", optional sign, digits). Whitespace, "+" signs on the mantissa,
// hexadecimal, Infinity and NaN are rejected. The value must have at most 38
// significant digits and a magnitude of zero or between 1E-130 and
// 9.9999999999999999999999999999999999999E+125.
//
// Errors are *Error values carrying DynamoDB's ValidationException text.
// ParseNumber does not allocate when s is already canonical.
func ParseNumber(s string) (string, error) {
	var buf [maxCanonicalLen]byte
	out, k := appendCanonical(buf[:0], s)
	if k != numOK {
		return "", k.toError(s)
	}
	if string(out) == s {
		return s, nil
	}
	return string(out), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// appendCanonical parses s and appends its canonical text to dst.
func appendCanonical(dst []byte, s string) ([]byte, numErr) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intEnd := i
	fracStart, fracEnd := i, i
	if i < len(s) && s[i] == '.' {
		i++
		fracStart = i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracEnd = i
	}
	nInt, nFrac := intEnd-intStart, fracEnd-fracStart
	if nInt+nFrac == 0 {
		return dst, numSyntax
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		start := i
		for ; i < len(s) && isDigit(s[i]); i++ {
			if exp < 1e9 { // saturate: far beyond the valid range either way
				exp = exp*10 + int(s[i]-'0')
			}
		}
		if i == start {
			return dst, numSyntax
		}
		if expNeg {
			exp = -exp
		}
	}
	if i != len(s) {
		return dst, numSyntax
	}

	n := nInt + nFrac
	digit := func(k int) byte {
		if k < nInt {
			return s[intStart+k]
		}
		return s[fracStart+k-nInt]
	}
	first := 0
	for first < n && digit(first) == '0' {
		first++
	}
	if first == n {
		return append(dst, '0'), numOK
	}
	last := n - 1
	for digit(last) == '0' {
		last--
	}
	e := nInt - 1 - first + exp
	nd := last - first + 1
	switch {
	case e > MaxNumberExponent:
		return dst, numOverflow
	case e < MinNumberExponent:
		return dst, numUnderflow
	case nd > MaxNumberDigits:
		return dst, numPrecision
	}
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case e >= nd-1: // integer
		for k := first; k <= last; k++ {
			dst = append(dst, digit(k))
		}
		for z := e - (nd - 1); z > 0; z-- {
			dst = append(dst, '0')
		}
	case e < 0:
		dst = append(dst, '0', '.')
		for z := -e - 1; z > 0; z-- {
			dst = append(dst, '0')
		}
		for k := first; k <= last; k++ {
			dst = append(dst, digit(k))
		}
	default:
		for k := first; k <= first+e; k++ {
			dst = append(dst, digit(k))
		}
		dst = append(dst, '.')
		for k := first + e + 1; k <= last; k++ {
			dst = append(dst, digit(k))
		}
	}
	return dst, numOK
}

// formatDecimal appends the canonical text of the number with the given sign,
// significant digits (no leading or trailing zeros, non-empty) and
// scientific exponent e, after checking DynamoDB's limits.
func formatDecimal(dst []byte, neg bool, digits string, e int) ([]byte, numErr) {
	nd := len(digits)
	switch {
	case e > MaxNumberExponent:
		return dst, numOverflow
	case e < MinNumberExponent:
		return dst, numUnderflow
	case nd > MaxNumberDigits:
		return dst, numPrecision
	}
	if neg {
		dst = append(dst, '-')
	}
	switch {
	case e >= nd-1:
		dst = append(dst, digits...)
		for z := e - (nd - 1); z > 0; z-- {
			dst = append(dst, '0')
		}
	case e < 0:
		dst = append(dst, '0', '.')
		for z := -e - 1; z > 0; z-- {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = append(dst, digits[:e+1]...)
		dst = append(dst, '.')
		dst = append(dst, digits[e+1:]...)
	}
	return dst, numOK
}

// isCanonicalNumber reports whether s is exactly the canonical text
// ParseNumber produces for some number (ignoring DynamoDB's range limits).
func isCanonicalNumber(s string) bool {
	if s == "0" {
		return true
	}
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) || !isDigit(s[i]) {
		return false
	}
	if s[i] == '0' {
		// Must be "0.<digits>" with a non-zero last digit.
		if i+2 >= len(s) || s[i+1] != '.' {
			return false
		}
		i += 2
	} else {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		if i == len(s) {
			return true
		}
		if s[i] != '.' || i+1 == len(s) {
			return false
		}
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i == len(s) && i > start && s[i-1] != '0'
}

// canonicalOrSelf returns the canonical text of s, or s itself when s is not
// a valid number.
func canonicalOrSelf(s string) string {
	if isCanonicalNumber(s) {
		return s
	}
	var buf [maxCanonicalLen]byte
	out, k := appendCanonical(buf[:0], s)
	if k != numOK {
		return s // not a valid DynamoDB number: callers fall back to s
	}
	return string(out)
}

// sciExp returns the scientific exponent of a canonical, non-zero magnitude
// (no sign).
func sciExp(m string) int {
	if len(m) > 1 && m[0] == '0' { // "0.000ddd"
		z := 0
		for i := 2; i < len(m) && m[i] == '0'; i++ {
			z++
		}
		return -(z + 1)
	}
	if p := strings.IndexByte(m, '.'); p >= 0 {
		return p - 1
	}
	return len(m) - 1
}

// CompareNumbers compares two numbers given as canonical text (as stored in
// Value.Str for N, see ParseNumber) and returns -1, 0 or +1. Non-canonical
// but valid number texts are canonicalised first; texts that are not numbers
// at all are compared as strings.
func CompareNumbers(a, b string) int {
	if a == b {
		return 0
	}
	if !isCanonicalNumber(a) || !isCanonicalNumber(b) {
		ca, cb := canonicalOrSelf(a), canonicalOrSelf(b)
		if !isCanonicalNumber(ca) || !isCanonicalNumber(cb) {
			return strings.Compare(a, b)
		}
		a, b = ca, cb
		if a == b {
			return 0
		}
	}
	sa, sb := numSign(a), numSign(b)
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	if sa < 0 {
		return -compareMagnitudes(a[1:], b[1:])
	}
	return compareMagnitudes(a, b)
}

func numSign(s string) int {
	switch {
	case s == "0":
		return 0
	case s[0] == '-':
		return -1
	}
	return 1
}

// compareMagnitudes compares two canonical non-zero unsigned number texts.
func compareMagnitudes(a, b string) int {
	ea, eb := sciExp(a), sciExp(b)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	i, j := firstSigIndex(a), firstSigIndex(b)
	for {
		if i < len(a) && a[i] == '.' {
			i++
		}
		if j < len(b) && b[j] == '.' {
			j++
		}
		if i == len(a) || j == len(b) {
			break
		}
		if a[i] != b[j] {
			if a[i] < b[j] {
				return -1
			}
			return 1
		}
		i++
		j++
	}
	switch {
	case i == len(a) && j == len(b):
		return 0
	case i == len(a):
		return -1
	}
	return 1
}

// firstSigIndex returns the index of the first significant digit of a
// canonical non-zero magnitude.
func firstSigIndex(m string) int {
	if m[0] != '0' {
		return 0
	}
	i := 2
	for m[i] == '0' {
		i++
	}
	return i
}

// sigDigits appends the significant digits of a canonical non-zero magnitude
// to dst and returns them with the scientific exponent.
func sigDigits(dst []byte, m string) ([]byte, int) {
	e := sciExp(m)
	for i := firstSigIndex(m); i < len(m); i++ {
		if m[i] != '.' {
			dst = append(dst, m[i])
		}
	}
	// Integers carry trailing zeros that are not significant.
	for len(dst) > 0 && dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	return dst, e
}

// N returns a number value after validating and canonicalising s with
// ParseNumber.
func N(s string) (Value, error) {
	c, err := ParseNumber(s)
	if err != nil {
		return Value{}, err
	}
	return Value{Kind: KindN, Str: c}, nil
}

// MustN is N that panics on an invalid number; for tests and constants.
func MustN(s string) Value {
	v, err := N(s)
	if err != nil {
		panic("attr.MustN(" + strconv.Quote(s) + "): " + err.Error())
	}
	return v
}

// NumberFromInt64 returns the number value i.
func NumberFromInt64(i int64) Value {
	return Value{Kind: KindN, Str: strconv.FormatInt(i, 10)}
}

// NS returns a number set after validating and canonicalising each member.
// Duplicates (numerically equal members) are an error, as in DynamoDB.
func NS(ss ...string) (Value, error) {
	out := make([]string, len(ss))
	for i, s := range ss {
		c, err := ParseNumber(s)
		if err != nil {
			return Value{}, err
		}
		out[i] = c
	}
	v := Value{Kind: KindNS, Strs: out}
	if err := checkSet(v); err != nil {
		return Value{}, err
	}
	return v, nil
}

// AddNumbers returns a+b exactly for two canonical numbers. A result outside
// DynamoDB's range or with more than 38 significant digits is an *Error
// with DynamoDB's message.
func AddNumbers(a, b string) (string, error) {
	return addNumbers(a, b, false)
}

// SubNumbers returns a-b exactly for two canonical numbers, with the same
// limits as AddNumbers.
func SubNumbers(a, b string) (string, error) {
	return addNumbers(a, b, true)
}

// arithCtx has enough precision that the sum of any two valid DynamoDB
// numbers (digit places 10^125 .. 10^-168) is exact.
var arithCtx = apd.Context{
	Precision:   320,
	MaxExponent: apd.MaxExponent,
	MinExponent: apd.MinExponent,
	Traps:       apd.DefaultTraps,
	Rounding:    apd.RoundHalfEven,
}

func addNumbers(a, b string, sub bool) (string, error) {
	ca, err := ParseNumber(a)
	if err != nil {
		return "", err
	}
	cb, err := ParseNumber(b)
	if err != nil {
		return "", err
	}
	// Fast path: small integers add exactly in int64.
	if x, ok := smallInt(ca); ok {
		if y, ok := smallInt(cb); ok {
			if sub {
				y = -y
			}
			return strconv.FormatInt(x+y, 10), nil
		}
	}
	var x, y, z apd.Decimal
	if _, _, err := x.SetString(ca); err != nil {
		return "", validationErr(msgNumberInvalid + a)
	}
	if _, _, err := y.SetString(cb); err != nil {
		return "", validationErr(msgNumberInvalid + b)
	}
	if sub {
		_, err = arithCtx.Sub(&z, &x, &y)
	} else {
		_, err = arithCtx.Add(&z, &x, &y)
	}
	if err != nil {
		return "", validationErr(msgNumberOverflow)
	}
	return decimalText(&z)
}

// decimalText converts an exact apd result to canonical text, enforcing
// DynamoDB's limits.
func decimalText(z *apd.Decimal) (string, error) {
	if z.IsZero() {
		return "0", nil
	}
	z.Reduce(z)
	coeff := z.Coeff.String() // no trailing zeros after Reduce
	e := len(coeff) - 1 + int(z.Exponent)
	var buf [maxCanonicalLen]byte
	out, k := formatDecimal(buf[:0], z.Negative, coeff, e)
	if k != numOK {
		return "", k.toError("")
	}
	return string(out), nil
}

// smallInt parses a canonical integer of at most 17 digits.
func smallInt(s string) (int64, bool) {
	if len(s) > 18 || strings.IndexByte(s, '.') >= 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
