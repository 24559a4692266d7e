package expr

import (
	"github.com/ebbtide/ebbtide/internal/attr"
)

// Checking and binding of condition, filter and key-condition expressions.
//
// DynamoDB reports at most one error per expression, chosen by category in a
// fixed order. For conditions the order is: document path too deep,
// redundant parentheses, unknown
// function, misused function, reserved word, IN operand limit (all
// independent of the request, so computed once and cached with the AST),
// then, for the first comparison or function whose operands have any problem:
// undefined name or value, wrong number of operands, non-distinct operands,
// wrong operand type.

// conditionFuncs maps the functions of condition expressions to their arity.
var conditionFuncs = map[string]int{
	"attribute_exists":     1,
	"attribute_not_exists": 1,
	"attribute_type":       2,
	"begins_with":          2,
	"contains":             2,
	"size":                 1,
}

// maxInOperands is DynamoDB's limit on the right-hand side of IN.
const maxInOperands = 100

// parsedCondition is the cached, request-independent result of parsing a
// condition text: the AST, or the syntax/static error (without prefix).
type parsedCondition struct {
	root *node
	err  string
}

func parseConditionCached(src string) *parsedCondition {
	return cache.get(cacheKey{kindCondition, src}, func() any {
		root, notes, msg := parseConditionSrc(src)
		if msg != "" {
			return &parsedCondition{err: msg}
		}
		if notes.deep != "" {
			return &parsedCondition{err: notes.deep}
		}
		return &parsedCondition{root: root, err: staticCheckCondition(root, notes.reserved)}
	}).(*parsedCondition)
}

// staticCheckCondition returns the first request-independent error.
func staticCheckCondition(root *node, reserved string) string {
	redundant := false
	unknown, misused, tooMany := "", "", ""
	misuse := func(name string) {
		if misused == "" {
			misused = name
		}
	}
	walkPost(root, func(n *node) {
		if n.parens >= 2 {
			redundant = true
		}
		switch n.kind {
		case nFunc:
			if _, ok := conditionFuncs[n.name]; !ok && unknown == "" {
				unknown = n.name
			}
			fallthrough
		case nCompare, nBetween, nIn:
			for _, a := range n.args {
				if a.kind == nFunc && a.name != "size" {
					misuse(a.name)
				}
			}
			if n.kind == nIn && len(n.args)-1 > maxInOperands && tooMany == "" {
				tooMany = "The IN operator is provided with too many operands; number of operands: " + itoa(len(n.args)-1)
			}
		case nAnd, nOr, nNot:
			for _, a := range n.args {
				if a.kind == nFunc && a.name == "size" {
					misuse("size")
				}
			}
		}
	})
	if root.kind == nFunc && root.name == "size" {
		misuse("size")
	}
	switch {
	case redundant:
		return "The expression has redundant parentheses;"
	case unknown != "":
		return "Invalid function name; function: " + unknown
	case misused != "":
		return "The function is not allowed to be used this way in an expression; function: " + misused
	case reserved != "":
		return "Attribute name is a reserved keyword; reserved keyword: " + reserved
	}
	return tooMany
}

// condBinder resolves placeholders and checks operands, one comparison or
// function ("unit") at a time.
type condBinder struct {
	ctx *Context
	// first error of each category in the current unit
	nameVal, operandErr, distinct, function string
}

// bindCondition binds a checked condition AST; the error has no prefix.
func (c *Context) bindCondition(root *node) (*cond, string) {
	b := condBinder{ctx: c}
	return b.cond(root)
}

func (b *condBinder) cond(n *node) (*cond, string) {
	switch n.kind {
	case nAnd, nOr:
		kind := cAnd
		if n.kind == nOr {
			kind = cOr
		}
		out := &cond{kind: kind}
		for _, a := range n.args {
			k, err := b.cond(a)
			if err != "" {
				return nil, err
			}
			if k.kind == kind {
				out.kids = append(out.kids, k.kids...)
			} else {
				out.kids = append(out.kids, k)
			}
		}
		return out, ""
	case nNot:
		k, err := b.cond(n.args[0])
		if err != "" {
			return nil, err
		}
		return &cond{kind: cNot, kids: []*cond{k}}, ""
	}
	// A unit: comparison, BETWEEN, IN or a function.
	b.nameVal, b.operandErr, b.distinct, b.function = "", "", "", ""
	var c *cond
	switch n.kind {
	case nCompare:
		c = &cond{kind: cCmp, op: n.op, ops: b.operands(n.args)}
		b.checkDistinct(n.op.String(), c.ops)
		if n.op >= opLT {
			b.checkOrderable(n.op.String(), c.ops)
		}
	case nBetween:
		c = &cond{kind: cBetween, ops: b.operands(n.args)}
		b.checkBetween(c.ops)
	case nIn:
		c = &cond{kind: cIn, ops: b.operands(n.args)}
	case nFunc:
		c = b.funcCond(n)
	}
	switch {
	case b.nameVal != "":
		return nil, b.nameVal
	case b.operandErr != "":
		return nil, b.operandErr
	case b.distinct != "":
		return nil, b.distinct
	case b.function != "":
		return nil, b.function
	}
	return c, ""
}

// funcCond binds a function used as a condition.
func (b *condBinder) funcCond(n *node) *cond {
	ops := b.operands(n.args)
	b.checkFunction(n.name, ops)
	var kind condKind
	switch n.name {
	case "attribute_exists":
		kind = cExists
	case "attribute_not_exists":
		kind = cNotExists
	case "attribute_type":
		kind = cType
	case "begins_with":
		kind = cBeginsWith
	case "contains":
		kind = cContains
	}
	return &cond{kind: kind, ops: ops}
}

func (b *condBinder) operands(ns []*node) []operand {
	ops := make([]operand, len(ns))
	for i, a := range ns {
		ops[i] = b.operand(a)
	}
	return ops
}

// operand binds one operand: a path, a :value or size(...).
func (b *condBinder) operand(n *node) operand {
	switch n.kind {
	case nPath:
		return operand{kind: oPath, path: b.path(n)}
	case nValue:
		v, ok := b.ctx.value(n.name)
		if !ok && b.nameVal == "" {
			b.nameVal = "An expression attribute value used in expression is not defined; attribute value: " + n.name
		}
		return operand{kind: oConst, val: v}
	}
	// size(...): the only function the static checks allow as an operand.
	ops := b.operands(n.args)
	b.checkFunction(n.name, ops)
	return operand{kind: oSize, inner: &ops[0]}
}

// path resolves the placeholders of a path operand.
func (b *condBinder) path(n *node) docPath {
	p, undefined := b.ctx.resolvePath(n.path)
	if undefined != "" && b.nameVal == "" {
		b.nameVal = "An expression attribute name used in the document path is not defined; attribute name: " + undefined
	}
	return p
}

// resolvePath resolves a raw path; undefined is the first undefined
// #placeholder ("" if all are defined).
func (c *Context) resolvePath(raw []rawPart) (p docPath, undefined string) {
	p = make(docPath, len(raw))
	for i, r := range raw {
		switch r.kind {
		case partIdent:
			p[i].name = r.name
		case partIndex:
			p[i] = pathElem{index: r.index, isIndex: true}
		case partPlaceholder:
			name, ok := c.name(r.name)
			if !ok && undefined == "" {
				undefined = r.name
			}
			p[i].name = name
		}
	}
	return p, undefined
}

// typeOf returns the operand's type when it is known before evaluation.
func typeOf(o operand) (attr.Kind, bool) {
	switch o.kind {
	case oConst:
		return o.val.Kind, o.val.Kind != attr.KindInvalid
	case oSize:
		return attr.KindN, true
	}
	return attr.KindInvalid, false
}

func (b *condBinder) checkFunction(name string, ops []operand) {
	if b.operandErr != "" {
		return
	}
	if want := conditionFuncs[name]; len(ops) != want {
		b.operandErr = "Incorrect number of operands for operator or function; operator or function: " +
			name + ", number of operands: " + itoa(len(ops))
		return
	}
	b.checkDistinct(name, ops)
	if b.function != "" {
		return
	}
	switch name {
	case "attribute_exists", "attribute_not_exists":
		if ops[0].kind != oPath {
			b.function = "Operator or function requires a document path; operator or function: " + name
		}
	case "begins_with":
		for _, o := range ops {
			if k, ok := typeOf(o); ok && k != attr.KindS && k != attr.KindB {
				b.function = incorrectOperand(name, k.String())
				return
			}
		}
	case "attribute_type":
		k, ok := typeOf(ops[1])
		switch {
		case !ok:
			b.function = incorrectOperand(name, "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}")
		case k != attr.KindS:
			b.function = incorrectOperand(name, k.String())
		case ops[1].kind == oConst && attr.KindFromName(ops[1].val.Str) == attr.KindInvalid:
			b.function = "Invalid attribute type name found; type: " + ops[1].val.Str +
				", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
		}
	case "size":
		if k, ok := typeOf(ops[0]); ok && (k == attr.KindN || k == attr.KindBOOL || k == attr.KindNULL) {
			b.function = incorrectOperand(name, k.String())
		}
	}
}

func incorrectOperand(fn, typ string) string {
	return "Incorrect operand type for operator or function; operator or function: " + fn + ", operand type: " + typ
}

// checkDistinct refuses two identical paths as the operands of a binary
// operator or function ("a = a").
func (b *condBinder) checkDistinct(name string, ops []operand) {
	if b.distinct != "" || len(ops) != 2 || ops[0].kind != oPath || ops[1].kind != oPath {
		return
	}
	if ops[0].path.equal(ops[1].path) {
		b.distinct = "The first operand must be distinct from the remaining operands for this operator or function; operator: " +
			name + ", first operand: " + ops[0].path.String()
	}
}

// checkOrderable refuses constants of types that cannot be ordered as the
// operands of <, <=, >, >= and BETWEEN.
func (b *condBinder) checkOrderable(name string, ops []operand) {
	if b.function != "" {
		return
	}
	for _, o := range ops {
		if k, ok := typeOf(o); ok && !orderable(k) {
			b.function = incorrectOperand(name, k.String())
			return
		}
	}
}

// checkBetween checks constant BETWEEN bounds: same type, lower <= upper.
func (b *condBinder) checkBetween(ops []operand) {
	if b.function != "" {
		return
	}
	lo, hi := ops[1], ops[2]
	if lo.kind == oConst && hi.kind == oConst && lo.val.Kind != attr.KindInvalid && hi.val.Kind != attr.KindInvalid {
		bounds := "lower bound operand: AttributeValue: {" + lo.val.Kind.String() + ":" + scalarText(lo.val) +
			"}, upper bound operand: AttributeValue: {" + hi.val.Kind.String() + ":" + scalarText(hi.val) + "}"
		if lo.val.Kind != hi.val.Kind {
			b.function = "The BETWEEN operator requires same data type for lower and upper bounds; " + bounds
			return
		}
		if c, ok := attr.Compare(lo.val, hi.val); ok && c > 0 {
			b.function = "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; " + bounds
			return
		}
	}
	b.checkOrderable("BETWEEN", ops)
}
