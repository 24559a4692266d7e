// Package attr holds DynamoDB attribute values: their types, decimal numbers
// with DynamoDB's precision and range, the wire (JSON) form, the compact binary
// item codec, item size accounting and the ordering used by keys and comparators.
package attr

// Kind is the DynamoDB data type of a Value.
type Kind uint8

// The ten DynamoDB data types. The zero Kind is invalid (an empty AttributeValue).
const (
	KindInvalid Kind = iota
	KindS
	KindN
	KindB
	KindSS
	KindNS
	KindBS
	KindM
	KindL
	KindNULL
	KindBOOL
)

var kindNames = [...]string{"", "S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"}

// String returns the wire name of the type ("S", "NS", "BOOL", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return ""
}

// KindFromName maps a wire type name to its Kind (KindInvalid if unknown).
func KindFromName(s string) Kind {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i)
		}
	}
	return KindInvalid
}

// Value is one DynamoDB attribute value. Exactly the fields of its Kind are set:
//
//	S     Str            N     Str (canonical decimal text, see ParseNumber)
//	B     Bin            SS    Strs
//	NS    Strs (canonical decimal texts)
//	BS    Bins           M     Map
//	L     List           BOOL  Bool
//	NULL  Bool (always true)
//
// Values are treated as immutable once built; code that changes a document
// (update expressions) copies the containers it modifies.
type Value struct {
	Kind Kind
	Bool bool
	Str  string
	Bin  []byte
	Strs []string
	Bins [][]byte
	Map  map[string]Value
	List []Value
}

// Item is a whole item: attribute name to value.
type Item map[string]Value

// Constructors for the common cases.

// S returns a string value.
func S(s string) Value { return Value{Kind: KindS, Str: s} }

// B returns a binary value.
func B(b []byte) Value { return Value{Kind: KindB, Bin: b} }

// Bool returns a BOOL value.
func Bool(b bool) Value { return Value{Kind: KindBOOL, Bool: b} }

// Null returns the NULL value.
func Null() Value { return Value{Kind: KindNULL, Bool: true} }

// L returns a list value.
func L(vs ...Value) Value { return Value{Kind: KindL, List: vs} }

// M returns a map value.
func M(m map[string]Value) Value { return Value{Kind: KindM, Map: m} }
