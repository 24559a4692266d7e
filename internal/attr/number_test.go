package attr

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"0", "0"},
		{"-0", "0"},
		{"-0.000", "0"},
		{"0e999999999999", "0"},
		{"00", "0"},
		{"1", "1"},
		{"-1", "-1"},
		{"1.50", "1.5"},
		{"1e3", "1000"},
		{"1E3", "1000"},
		{"1e+3", "1000"},
		{"1.5e-3", "0.0015"},
		{"0.00010", "0.0001"},
		{"000123.4500", "123.45"},
		{".5", "0.5"},
		{"5.", "5"},
		{"-.5", "-0.5"},
		{"12345.6789e2", "1234567.89"},
		{"12345.6789e-10", "0.00000123456789"},
		{"100", "100"},
		{"1e-130", "0." + strings.Repeat("0", 129) + "1"},
		{"-1E-130", "-0." + strings.Repeat("0", 129) + "1"},
		{"9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + strings.Repeat("0", 88)},
		{"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
		{"1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000"},
		{"0.00000000000000000000000000000000000000000012345678901234567890123456789012345678", "0.00000000000000000000000000000000000000000012345678901234567890123456789012345678"},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

// Messages verified against dynalite's test/putItem.js ("should return
// ValidationException for empty/invalid numbers in Item") and
// validations/index.js checkNum.
func TestParseNumberErrors(t *testing.T) {
	const (
		overflow  = "Number overflow. Attempting to store a number with magnitude larger than supported range"
		underflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
		precision = "Attempting to store more than 38 significant digits in a Number"
	)
	tests := []struct {
		in, msg string
	}{
		{"", "The parameter cannot be converted to a numeric value"},
		{"b", "The parameter cannot be converted to a numeric value: b"},
		{"abc", "The parameter cannot be converted to a numeric value: abc"},
		{" 1", "The parameter cannot be converted to a numeric value:  1"},
		{"1 ", "The parameter cannot be converted to a numeric value: 1 "},
		{"+1", "The parameter cannot be converted to a numeric value: +1"},
		{"--1", "The parameter cannot be converted to a numeric value: --1"},
		{"0x10", "The parameter cannot be converted to a numeric value: 0x10"},
		{"Infinity", "The parameter cannot be converted to a numeric value: Infinity"},
		{"NaN", "The parameter cannot be converted to a numeric value: NaN"},
		{".", "The parameter cannot be converted to a numeric value: ."},
		{"-", "The parameter cannot be converted to a numeric value: -"},
		{"1e", "The parameter cannot be converted to a numeric value: 1e"},
		{"1e+", "The parameter cannot be converted to a numeric value: 1e+"},
		{"e5", "The parameter cannot be converted to a numeric value: e5"},
		{"1.2.3", "The parameter cannot be converted to a numeric value: 1.2.3"},
		{"1,5", "The parameter cannot be converted to a numeric value: 1,5"},
		{"123456789012345678901234567890123456789", precision},
		{"-1.23456789012345678901234567890123456789", precision},
		{"1e126", overflow},
		{"-1e126", overflow},
		{"10e125", overflow},
		{"1e99999999999999999999", overflow},
		{"1e-131", underflow},
		{"-1e-131", underflow},
		{"0.1e-130", underflow},
		{"1e-99999999999999999999", underflow},
		// Range is checked before precision, as in DynamoDB.
		{"123456789012345678901234567890123456789e200", overflow},
	}
	for _, tt := range tests {
		got, err := ParseNumber(tt.in)
		var ve *Error
		if !errors.As(err, &ve) || ve.Message != tt.msg {
			t.Errorf("ParseNumber(%q) = %q, %v; want error %q", tt.in, got, err, tt.msg)
		}
	}
}

func TestParseNumberNoAllocWhenCanonical(t *testing.T) {
	for _, s := range []string{"0", "123", "-1.5", "0.0001"} {
		if n := testing.AllocsPerRun(100, func() { _, _ = ParseNumber(s) }); n != 0 {
			t.Errorf("ParseNumber(%q) allocates %v times", s, n)
		}
	}
}

func TestIsCanonicalNumber(t *testing.T) {
	yes := []string{"0", "1", "-1", "10", "1.5", "0.5", "-0.05", "100.001"}
	no := []string{"", "-", "-0", "00", "01", "1.", "1.50", ".5", "0.", "1e3", "+1", "0.0", "-0.0", "1.0", "1a"}
	for _, s := range yes {
		if !isCanonicalNumber(s) {
			t.Errorf("isCanonicalNumber(%q) = false", s)
		}
	}
	for _, s := range no {
		if isCanonicalNumber(s) {
			t.Errorf("isCanonicalNumber(%q) = true", s)
		}
	}
}

// ratOf converts number text to an exact rational for reference checks.
func ratOf(t interface{ Fatalf(string, ...any) }, s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot parse %q", s)
	}
	return r
}

func TestCompareNumbers(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"0", "0", 0},
		{"1", "2", -1},
		{"-1", "1", -1},
		{"-1", "0", -1},
		{"0", "0.0001", -1},
		{"10", "9", 1},
		{"-10", "-9", -1},
		{"1.5", "1.45", 1},
		{"100", "100.5", -1},
		{"0.001", "0.01", -1},
		{"-0.001", "-0.01", 1},
		{"1000", "999.999", 1},
		// non-canonical inputs are canonicalised
		{"1.50", "1.5", 0},
		{"1e3", "1000", 0},
	}
	for _, tt := range tests {
		if got := CompareNumbers(tt.a, tt.b); got != tt.want {
			t.Errorf("CompareNumbers(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCompareNumbersProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genNumber().Draw(t, "a")
		b := genNumber().Draw(t, "b")
		want := ratOf(t, a).Cmp(ratOf(t, b))
		if got := CompareNumbers(a, b); got != want {
			t.Fatalf("CompareNumbers(%q, %q) = %d; want %d", a, b, got, want)
		}
	})
}

func TestParseNumberProperty(t *testing.T) {
	// Any mantissa/exponent spelling of a valid number canonicalises to text
	// that denotes the same rational and is a fixed point of ParseNumber.
	rapid.Check(t, func(t *rapid.T) {
		c := genNumber().Draw(t, "n")
		r := ratOf(t, c)
		shift := rapid.IntRange(-50, 50).Draw(t, "shift")
		// Re-spell c as (c * 10^-shift) e shift, with padding zeros.
		alt := respell(c, shift, rapid.IntRange(0, 3).Draw(t, "pad"))
		got, err := ParseNumber(alt)
		if err != nil {
			t.Fatalf("ParseNumber(%q) (respelling of %q): %v", alt, c, err)
		}
		if got != c {
			t.Fatalf("ParseNumber(%q) = %q; want %q", alt, got, c)
		}
		if ratOf(t, got).Cmp(r) != 0 {
			t.Fatalf("value changed")
		}
	})
}

// respell writes canonical number c with its decimal point moved left by
// shift places and an exponent of +shift, plus pad leading and trailing
// zeros.
func respell(c string, shift, pad int) string {
	neg := strings.HasPrefix(c, "-")
	m := strings.TrimPrefix(c, "-")
	intPart, frac, _ := strings.Cut(m, ".")
	digits := intPart + frac
	point := len(intPart) - shift
	for point < 0 {
		digits = "0" + digits
		point++
	}
	for point > len(digits) {
		digits += "0"
	}
	s := strings.Repeat("0", pad) + digits[:point] + "." + digits[point:] + strings.Repeat("0", pad)
	if neg {
		s = "-" + s
	}
	return s + "e" + itoa(shift)
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

func TestAddSubNumbers(t *testing.T) {
	tests := []struct {
		a, b, sum, diff string
	}{
		{"1", "2", "3", "-1"},
		{"0.1", "0.2", "0.3", "-0.1"},
		{"1.5", "-1.5", "0", "3"},
		{"99999999999999999", "1", "100000000000000000", "99999999999999998"},
		{"123456789012345678", "1", "123456789012345679", "123456789012345677"},
		{"12345678901234567890123456789012345678", "0", "12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
		{"1E-130", "1E-130", "0." + strings.Repeat("0", 129) + "2", "0"},
		{"-9223372036854775808", "-1", "-9223372036854775809", "-9223372036854775807"},
	}
	for _, tt := range tests {
		if got, err := AddNumbers(tt.a, tt.b); err != nil || got != tt.sum {
			t.Errorf("AddNumbers(%q, %q) = %q, %v; want %q", tt.a, tt.b, got, err, tt.sum)
		}
		if got, err := SubNumbers(tt.a, tt.b); err != nil || got != tt.diff {
			t.Errorf("SubNumbers(%q, %q) = %q, %v; want %q", tt.a, tt.b, got, err, tt.diff)
		}
	}
	max := "99999999999999999999999999999999999999" + strings.Repeat("0", 88)
	errTests := []struct {
		a, b string
		sub  bool
		msg  string
	}{
		{max, max, false, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"-" + max, max, true, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"1E+37", "0.1", false, "Attempting to store more than 38 significant digits in a Number"},
		{"1.1E-130", "1E-130", true, "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"x", "1", false, "The parameter cannot be converted to a numeric value: x"},
	}
	for _, tt := range errTests {
		f := AddNumbers
		if tt.sub {
			f = SubNumbers
		}
		got, err := f(tt.a, tt.b)
		var ve *Error
		if !errors.As(err, &ve) || ve.Message != tt.msg {
			t.Errorf("add/sub(%q, %q, sub=%v) = %q, %v; want %q", tt.a, tt.b, tt.sub, got, err, tt.msg)
		}
	}
}

func TestAddNumbersProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genNumber().Draw(t, "a")
		b := genNumber().Draw(t, "b")
		want := new(big.Rat).Add(ratOf(t, a), ratOf(t, b))
		got, err := AddNumbers(a, b)
		if err != nil {
			// Only legitimate when the exact sum breaks DynamoDB's limits.
			if _, perr := ParseNumber(want.FloatString(200)); perr == nil && fitsExactly(want) {
				t.Fatalf("AddNumbers(%q, %q): %v, but exact sum %s is valid", a, b, err, want.FloatString(200))
			}
			return
		}
		if ratOf(t, got).Cmp(want) != 0 {
			t.Fatalf("AddNumbers(%q, %q) = %q; want %s", a, b, got, want.FloatString(200))
		}
		if c, _ := ParseNumber(got); c != got {
			t.Fatalf("AddNumbers result %q is not canonical", got)
		}
		diff, err := SubNumbers(got, b)
		if err == nil && CompareNumbers(diff, a) != 0 {
			t.Fatalf("(%s + %s) - %s = %s", a, b, b, diff)
		}
	})
}

// fitsExactly reports whether r has a terminating decimal expansion within
// 200 fractional digits (always true for sums of DynamoDB numbers).
func fitsExactly(r *big.Rat) bool {
	back, ok := new(big.Rat).SetString(r.FloatString(200))
	return ok && back.Cmp(r) == 0
}

func TestNumberConstructors(t *testing.T) {
	if v := MustN("1.50"); v.Kind != KindN || v.Str != "1.5" {
		t.Errorf("MustN(1.50) = %+v", v)
	}
	if v := NumberFromInt64(-42); v.Kind != KindN || v.Str != "-42" {
		t.Errorf("NumberFromInt64(-42) = %+v", v)
	}
	if _, err := N("x"); err == nil {
		t.Error("N(x) succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("MustN(x) did not panic")
		}
	}()
	MustN("x")
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.50", "1e3", ".5", "5.", "-1E-130", "1e126", "1e-131",
		"123456789012345678901234567890123456789", "abc", "", "+1", " 1", "0x1", "1e+", "9.9999999999999999999999999999999999999E+125"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseNumber(s)
		if err != nil {
			var ve *Error
			if !errors.As(err, &ve) {
				t.Fatalf("ParseNumber(%q) error %T is not *Error", s, err)
			}
			return
		}
		if !isCanonicalNumber(c) {
			t.Fatalf("ParseNumber(%q) = %q is not canonical", s, c)
		}
		if again, err := ParseNumber(c); err != nil || again != c {
			t.Fatalf("ParseNumber not idempotent on %q: %q, %v", c, again, err)
		}
		// The canonical text denotes the same value as the input.
		in, ok := new(big.Rat).SetString(s)
		if ok && len(s) < 200 {
			if ratOf(t, c).Cmp(in) != 0 {
				t.Fatalf("ParseNumber(%q) = %q changes the value", s, c)
			}
		}
		if CompareNumbers(c, c) != 0 {
			t.Fatalf("CompareNumbers(%q, itself) != 0", c)
		}
	})
}

func TestNSConstructor(t *testing.T) {
	v, err := NS("1.0", "2e1")
	if err != nil || v.Kind != KindNS || len(v.Strs) != 2 || v.Strs[0] != "1" || v.Strs[1] != "20" {
		t.Errorf("NS(1.0, 2e1) = %+v, %v", v, err)
	}
	if _, err := NS("1", "1.00"); err == nil || err.Error() != "Input collection contains duplicates" {
		t.Errorf("NS duplicates: %v", err)
	}
	if _, err := NS(); err == nil || err.Error() != "One or more parameter values were invalid: An number set  may not be empty" {
		t.Errorf("NS empty: %v", err)
	}
	if _, err := NS("x"); err == nil {
		t.Error("NS(x) succeeded")
	}
}
