package expr

import (
	"sort"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Context holds one request's ExpressionAttributeNames/Values and records which
// of them the request's expressions used. A Context belongs to one request and
// is not safe for concurrent use; the compiled expressions it returns are
// immutable and may be shared.
type Context struct {
	Names  map[string]string
	Values map[string]attr.Value

	usedNames  map[string]struct{}
	usedValues map[string]struct{}
}

// NewContext builds a Context; nil maps are fine.
func NewContext(names map[string]string, values map[string]attr.Value) *Context {
	return &Context{Names: names, Values: values}
}

// name resolves a #placeholder, marking it used.
func (c *Context) name(ph string) (string, bool) {
	n, ok := c.Names[ph]
	if ok {
		if c.usedNames == nil {
			c.usedNames = make(map[string]struct{}, len(c.Names))
		}
		c.usedNames[ph] = struct{}{}
	}
	return n, ok
}

// value resolves a :placeholder, marking it used.
func (c *Context) value(ph string) (attr.Value, bool) {
	v, ok := c.Values[ph]
	if ok {
		if c.usedValues == nil {
			c.usedValues = make(map[string]struct{}, len(c.Values))
		}
		c.usedValues[ph] = struct{}{}
	}
	return v, ok
}

// CheckUnused reports names or values that no expression of the request used,
// with DynamoDB's messages ("Value provided in ExpressionAttributeValues unused
// in expressions: keys: {:v}"). Call after parsing every expression. Names are
// checked before values; keys are listed in sorted order.
func (c *Context) CheckUnused() error {
	if keys := unused(c.Names, c.usedNames); keys != "" {
		return &Error{Message: "Value provided in ExpressionAttributeNames unused in expressions: keys: {" + keys + "}"}
	}
	if keys := unused(c.Values, c.usedValues); keys != "" {
		return &Error{Message: "Value provided in ExpressionAttributeValues unused in expressions: keys: {" + keys + "}"}
	}
	return nil
}

func unused[V any](all map[string]V, used map[string]struct{}) string {
	var keys []string
	for k := range all {
		if _, ok := used[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, ", ")
}

// ValidateKeys checks the shape of ExpressionAttributeNames/Values the way
// DynamoDB does before parsing any expression: a map given but empty
// ("ExpressionAttributeNames must not be empty") and keys that are not a
// '#' or ':' followed by letters, digits or '_'
// ("ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"").
// A nil map means the parameter was absent. Keys are checked in sorted order.
func (c *Context) ValidateKeys() error {
	if c.Names != nil {
		if len(c.Names) == 0 {
			return &Error{Message: "ExpressionAttributeNames must not be empty"}
		}
		if k := firstBadKey(c.Names, '#'); k != nil {
			return &Error{Message: `ExpressionAttributeNames contains invalid key: Syntax error; key: "` + *k + `"`}
		}
	}
	if c.Values != nil {
		if len(c.Values) == 0 {
			return &Error{Message: "ExpressionAttributeValues must not be empty"}
		}
		if k := firstBadKey(c.Values, ':'); k != nil {
			return &Error{Message: `ExpressionAttributeValues contains invalid key: Syntax error; key: "` + *k + `"`}
		}
	}
	return nil
}

func firstBadKey[V any](m map[string]V, sigil byte) *string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ok := len(k) >= 2 && k[0] == sigil
		for i := 1; ok && i < len(k); i++ {
			ok = isWordByte(k[i])
		}
		if !ok {
			return &k
		}
	}
	return nil
}

// invalid wraps a message in "Invalid <what>: ".
func invalid(what, msg string) *Error {
	return &Error{Message: "Invalid " + what + ": " + msg}
}

// maxExpressionSize is DynamoDB's limit on the length of one expression.
const maxExpressionSize = 4096

// checkText applies the checks DynamoDB makes on an expression string before
// parsing it: not empty, not longer than 4 KB.
func checkText(what, s string) *Error {
	if s == "" {
		return invalid(what, "The expression can not be empty;")
	}
	if len(s) > maxExpressionSize {
		return invalid(what, "Expression size has exceeded the maximum allowed size; expression size: "+itoa(len(s)))
	}
	return nil
}
