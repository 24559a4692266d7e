package expr

import (
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Compiled conditions: the bound, placeholder-free form that Eval walks.
// Expressions and the legacy Expected/QueryFilter/ScanFilter parameters
// compile to the same tree.

// condKind is the kind of a compiled condition node.
type condKind uint8

const (
	cAnd condKind = iota
	cOr
	cNot
	cCmp         // ops[0] <op> ops[1]
	cBetween     // ops[0] BETWEEN ops[1] AND ops[2]
	cIn          // ops[0] IN (ops[1:]...)
	cExists      // attribute_exists(ops[0])
	cNotExists   // attribute_not_exists(ops[0])
	cType        // attribute_type(ops[0], ops[1])
	cBeginsWith  // begins_with(ops[0], ops[1])
	cContains    // contains(ops[0], ops[1])
	cNotContains // legacy NOT_CONTAINS: ops[0] present and not containing ops[1]
	cTrue        // always true (an empty legacy condition map)
)

// cond is a compiled condition node.
type cond struct {
	kind condKind
	op   cmpOp
	kids []*cond
	ops  []operand
}

// operandKind says where an operand's value comes from.
type operandKind uint8

const (
	oPath  operandKind = iota // the item, at path
	oConst                    // an ExpressionAttributeValue / legacy value
	oSize                     // size() of the inner operand
)

// operand is a compiled operand.
type operand struct {
	kind  operandKind
	path  docPath
	val   attr.Value
	inner *operand // oSize
}

// resolve returns the operand's value for item and whether it has one.
func (o *operand) resolve(item attr.Item) (attr.Value, bool) {
	switch o.kind {
	case oPath:
		return o.path.lookup(item)
	case oConst:
		return o.val, true
	}
	v, ok := o.inner.resolve(item)
	if !ok {
		return attr.Value{}, false
	}
	return sizeOf(v)
}

// Condition is a compiled condition or filter expression.
type Condition struct {
	root *cond
}

// Eval evaluates the condition against an item (nil item = absent item).
// Comparisons between different types, and comparisons with missing
// attributes, are false (except "<>", which is then true); evaluation never
// fails, so the error is always nil.
func (c *Condition) Eval(item attr.Item) (bool, error) {
	return c.root.eval(item), nil
}

// AttributeNames lists the top-level attributes the condition reads, with
// placeholders resolved: the first element of every document path it uses
// (a.b[1] names a), each once, in order of first appearance. Paths inside
// size() count; constants do not. A legacy condition names its map keys.
func (c *Condition) AttributeNames() []string {
	var out []string
	var addOperand func(o *operand)
	addOperand = func(o *operand) {
		switch o.kind {
		case oPath:
			if n := o.path[0].name; !slices.Contains(out, n) {
				out = append(out, n)
			}
		case oSize:
			addOperand(o.inner)
		}
	}
	var walk func(n *cond)
	walk = func(n *cond) {
		for _, k := range n.kids {
			walk(k)
		}
		for i := range n.ops {
			addOperand(&n.ops[i])
		}
	}
	walk(c.root)
	return out
}

func (c *cond) eval(item attr.Item) bool {
	switch c.kind {
	case cAnd:
		for _, k := range c.kids {
			if !k.eval(item) {
				return false
			}
		}
		return true
	case cOr:
		for _, k := range c.kids {
			if k.eval(item) {
				return true
			}
		}
		return false
	case cNot:
		return !c.kids[0].eval(item)
	case cTrue:
		return true
	case cExists:
		_, ok := c.ops[0].resolve(item)
		return ok
	case cNotExists:
		_, ok := c.ops[0].resolve(item)
		return !ok
	}
	a, ok := c.ops[0].resolve(item)
	if !ok {
		return c.kind == cCmp && c.op == opNE
	}
	switch c.kind {
	case cIn:
		for i := 1; i < len(c.ops); i++ {
			if b, ok := c.ops[i].resolve(item); ok && attr.Equal(a, b) {
				return true
			}
		}
		return false
	case cBetween:
		lo, ok1 := c.ops[1].resolve(item)
		hi, ok2 := c.ops[2].resolve(item)
		return ok1 && ok2 && between(a, lo, hi)
	}
	b, ok := c.ops[1].resolve(item)
	if !ok {
		return c.kind == cCmp && c.op == opNE
	}
	switch c.kind {
	case cCmp:
		return compareOp(c.op, a, b)
	case cType:
		return b.Kind == attr.KindS && a.Kind.String() == b.Str
	case cBeginsWith:
		return beginsWith(a, b)
	case cContains:
		return contains(a, b)
	case cNotContains:
		return !contains(a, b)
	}
	return false
}
