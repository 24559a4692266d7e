package model

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// item is an item as the oracle holds it. Values are never mutated in place:
// a change builds a new map.
type item = map[string]types.AttributeValue

func S(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func N(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
func Nraw(s string) types.AttributeValue { return &types.AttributeValueMemberN{Value: s} }
func SS(v ...string) types.AttributeValue {
	return &types.AttributeValueMemberSS{Value: append([]string(nil), v...)}
}
func L(v ...types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberL{Value: append([]types.AttributeValue{}, v...)}
}

func copyItem(it item) item {
	out := make(item, len(it))
	for k, v := range it {
		out[k] = v
	}
	return out
}

// canon renders a value canonically (sets sorted, map keys sorted), so two
// values are equal iff their renderings are.
func canon(av types.AttributeValue) string {
	switch v := av.(type) {
	case nil:
		return "<nil>"
	case *types.AttributeValueMemberS:
		return "S:" + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return "B:" + hex.EncodeToString(v.Value)
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL:%v", v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	case *types.AttributeValueMemberSS:
		s := append([]string(nil), v.Value...)
		for i := range s {
			s[i] = strconv.Quote(s[i])
		}
		sort.Strings(s)
		return "SS:{" + strings.Join(s, ",") + "}"
	case *types.AttributeValueMemberNS:
		s := append([]string(nil), v.Value...)
		sort.Strings(s)
		return "NS:{" + strings.Join(s, ",") + "}"
	case *types.AttributeValueMemberBS:
		s := make([]string, len(v.Value))
		for i, b := range v.Value {
			s[i] = hex.EncodeToString(b)
		}
		sort.Strings(s)
		return "BS:{" + strings.Join(s, ",") + "}"
	case *types.AttributeValueMemberL:
		s := make([]string, len(v.Value))
		for i, e := range v.Value {
			s[i] = canon(e)
		}
		return "L:[" + strings.Join(s, ",") + "]"
	case *types.AttributeValueMemberM:
		return "M:" + canonItem(v.Value)
	default:
		return fmt.Sprintf("?%T", av)
	}
}

func canonItem(it item) string {
	keys := make([]string, 0, len(it))
	for k := range it {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(canon(it[k]))
	}
	b.WriteByte('}')
	return b.String()
}

func sameItem(a, b item) bool { return canonItem(a) == canonItem(b) }

func canonItems(items []item) string {
	s := make([]string, len(items))
	for i, it := range items {
		s[i] = canonItem(it)
	}
	return "[" + strings.Join(s, "\n ") + "]"
}

// F renders x hundredths as a canonical DynamoDB number ("-12.3", "0.05",
// "7"): the attribute "a" holds decimals, so arithmetic on it checks the
// server's decimal math and number normalization.
func F(x int64) types.AttributeValue {
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	s := strconv.FormatInt(x/100, 10)
	if frac := x % 100; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", frac), "0")
	}
	return &types.AttributeValueMemberN{Value: sign + s}
}

// fixedOf parses a number as hundredths.
func fixedOf(av types.AttributeValue) (int64, bool) {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	r, ok := new(big.Rat).SetString(n.Value)
	if !ok {
		return 0, false
	}
	r.Mul(r, big.NewRat(100, 1))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

func numOf(av types.AttributeValue) (int64, bool) {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return 0, false
	}
	x, err := strconv.ParseInt(n.Value, 10, 64)
	return x, err == nil
}

func strOf(av types.AttributeValue) (string, bool) {
	s, ok := av.(*types.AttributeValueMemberS)
	if !ok {
		return "", false
	}
	return s.Value, true
}

// ratOf parses a DynamoDB number exactly.
func ratOf(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad number " + s)
	}
	return r
}

func cmpNum(a, b string) int { return ratOf(a).Cmp(ratOf(b)) }

// exprBuilder hands out placeholders for names and values, and records only
// those that are used (DynamoDB rejects unused ones).
type exprBuilder struct {
	names  map[string]string
	values map[string]types.AttributeValue
	n      int
}

func newExpr() *exprBuilder {
	return &exprBuilder{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

func (e *exprBuilder) name(attr string) string {
	ph := "#" + attr
	e.names[ph] = attr
	return ph
}

func (e *exprBuilder) val(v types.AttributeValue) string {
	e.n++
	ph := fmt.Sprintf(":v%d", e.n)
	e.values[ph] = v
	return ph
}

func (e *exprBuilder) namesOrNil() map[string]string {
	if len(e.names) == 0 {
		return nil
	}
	return e.names
}

func (e *exprBuilder) valuesOrNil() map[string]types.AttributeValue {
	if len(e.values) == 0 {
		return nil
	}
	return e.values
}
