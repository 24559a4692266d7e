package attr

import (
	"strings"
	"testing"
)

func TestNumberSize(t *testing.T) {
	// The first cases are dynalite's item-size tests (test/putItem.js "item is
	// too big with ... number attribute"), recorded against DynamoDB.
	tests := []struct {
		n    string
		want int
	}{
		{strings.Repeat("1", 38) + strings.Repeat("0", 88), 20},
		{"1" + strings.Repeat("0", 125), 2},
		{"11" + strings.Repeat("0", 124), 2},
		{"11111" + strings.Repeat("0", 121), 4},
		{"111111" + strings.Repeat("0", 120), 4},
		{"1111111" + strings.Repeat("0", 119), 5},
		{"0", 1},
		{"1", 2},
		{"-1", 3},
		{"10", 2},  // 1 digit, exponent 1
		{"12", 2},  // "12" is one pair
		{"123", 3}, // "1","23"
		{"1.5", 3}, // "01","50": 2 digits, exponent 0 (even) -> extra byte
		{"0.5", 2}, // 1 digit
		{"0.05", 2},
		{"1234", 3},
	}
	for _, tt := range tests {
		if got := Size(MustN(tt.n)); got != tt.want {
			t.Errorf("Size(N %s) = %d; want %d", tt.n, got, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	tests := []struct {
		v    Value
		want int
	}{
		{S("abc"), 3},
		{S("é"), 2},
		{S(""), 0},
		{B([]byte{1, 2, 3, 4}), 4},
		{Bool(false), 1},
		{Null(), 1},
		{Value{Kind: KindSS, Strs: []string{"ab", "c"}}, 3},
		{Value{Kind: KindNS, Strs: []string{"1", "-1"}}, 5},
		{Value{Kind: KindBS, Bins: [][]byte{{1}, {2, 3}}}, 3},
		{L(), 3},
		{M(nil), 3},
		{L(S("ab"), Null()), 3 + (1 + 2) + (1 + 1)},
		{M(map[string]Value{"key": S("ab")}), 3 + 1 + 3 + 2},
		{M(map[string]Value{"a": L(Bool(true))}), 3 + 1 + 1 + (3 + 1 + 1)},
	}
	for _, tt := range tests {
		if got := Size(tt.v); got != tt.want {
			t.Errorf("Size(%s) = %d; want %d", Describe(tt.v), got, tt.want)
		}
	}
	it := Item{"name": S("abc"), "n": MustN("12"), "é": Null()}
	if got, want := ItemSize(it), (4+3)+(1+2)+(2+1); got != want {
		t.Errorf("ItemSize = %d; want %d", got, want)
	}
}
