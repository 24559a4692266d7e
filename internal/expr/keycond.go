package expr

import (
	"github.com/ebbtide/ebbtide/internal/attr"
)

// KeyCondition is a compiled key condition: equality on the partition key and
// an optional sort key condition (Op is one of the engine-independent ops below).
type KeyCondition struct {
	HashName    string
	HashValue   attr.Value
	RangeName   string // "" if no sort key condition
	RangeOp     string // "EQ","LT","LE","GT","GE","BETWEEN","BEGINS_WITH"
	RangeValues []attr.Value
}

// Key condition messages. DynamoDB returns the structural ones without the
// "Invalid KeyConditionExpression:" prefix that parse errors carry.
const (
	msgKeyNotSupported   = "Query key condition not supported"
	msgKeyMissed         = "Query condition missed key schema element: "
	msgKeyConditionCount = "Conditions can be of length 1 or 2 only"
	msgKeyTypeMismatch   = "One or more parameter values were invalid: Condition parameter type does not match schema type"
)

// keyCond is one key attribute's condition while a key condition is built.
type keyCond struct {
	op   string
	vals []attr.Value
}

// ParseKeyCondition compiles a KeyConditionExpression against the key names of
// the table or index queried (rangeKey "" if none), checking DynamoDB's rules
// (only key attributes, equality on the hash key, one condition per key).
// The value types are checked against the key schema by CheckTypes.
func (c *Context) ParseKeyCondition(s, hashKey, rangeKey string) (*KeyCondition, error) {
	const what = "KeyConditionExpression"
	if err := checkText(what, s); err != nil {
		return nil, err
	}
	pc := parseConditionCached(s)
	if pc.err != "" {
		return nil, invalid(what, pc.err)
	}
	root, msg := c.bindCondition(pc.root)
	if msg != "" {
		return nil, invalid(what, msg)
	}
	conds := map[string]*keyCond{}
	var order []string
	if msg := collectKeyConds(root, conds, &order); msg != "" {
		return nil, &Error{Message: msg}
	}
	return buildKeyCondition(conds, len(order), hashKey, rangeKey, false)
}

// collectKeyConds checks the shape of a bound key condition (DynamoDB's rules,
// in its order) and records each key attribute's condition.
func collectKeyConds(n *cond, conds map[string]*keyCond, order *[]string) string {
	const invalidOp = "Invalid operator used in KeyConditionExpression: "
	switch n.kind {
	case cAnd:
		for _, k := range n.kids {
			if msg := collectKeyConds(k, conds, order); msg != "" {
				return msg
			}
		}
		return ""
	case cOr:
		return invalidOp + "OR"
	case cNot:
		return invalidOp + "NOT"
	case cIn:
		return invalidOp + "IN"
	case cExists:
		return invalidOp + "attribute_exists"
	case cNotExists:
		return invalidOp + "attribute_not_exists"
	case cType:
		return invalidOp + "attribute_type"
	case cContains:
		return invalidOp + "contains"
	case cCmp:
		if n.op == opNE {
			return invalidOp + "<>"
		}
	case cBetween, cBeginsWith:
		if n.ops[0].kind != oPath {
			name := "BETWEEN"
			if n.kind == cBeginsWith {
				name = "begins_with"
			}
			return "Invalid condition in KeyConditionExpression: " + name + " operator must have the key attribute as its first operand"
		}
	}
	name, at := "", 0
	for i, o := range n.ops {
		switch o.kind {
		case oPath:
			if name != "" {
				return "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"
			}
			if len(o.path) > 1 {
				return "KeyConditionExpressions cannot have conditions on nested attributes"
			}
			name, at = o.path[0].name, i
		case oSize:
			return "KeyConditionExpressions cannot contain nested operations"
		}
	}
	if name == "" {
		return "Invalid condition in KeyConditionExpression: No key attribute specified"
	}
	if conds[name] != nil {
		return "KeyConditionExpressions must only contain one condition per key"
	}
	kc := &keyCond{}
	switch n.kind {
	case cBetween:
		kc.op = "BETWEEN"
	case cBeginsWith:
		kc.op = "BEGINS_WITH"
	default:
		op := n.op
		if at != 0 { // ":v < k" is "k > :v"
			op = [...]cmpOp{opEQ, opNE, opGT, opGE, opLT, opLE}[op]
		}
		kc.op = [...]string{"EQ", "NE", "LT", "LE", "GT", "GE"}[op]
	}
	for i, o := range n.ops {
		if i != at {
			kc.vals = append(kc.vals, o.val)
		}
	}
	conds[name] = kc
	*order = append(*order, name)
	return ""
}

// buildKeyCondition applies the query-level rules to the conditions found,
// in DynamoDB's order: the number of conditions, then the hash key, then the
// sort key. legacy selects the KeyConditions checks on operators.
func buildKeyCondition(conds map[string]*keyCond, n int, hashKey, rangeKey string, legacy bool) (*KeyCondition, error) {
	if n != 1 && n != 2 {
		return nil, &Error{Message: msgKeyConditionCount}
	}
	if rangeKey == "" && n > 1 {
		return nil, &Error{Message: msgKeyNotSupported}
	}
	h := conds[hashKey]
	if h == nil {
		return nil, &Error{Message: msgKeyMissed + hashKey}
	}
	if legacy && !indexable(h.op) {
		return nil, &Error{Message: msgNotIndexable}
	}
	if h.op != "EQ" {
		return nil, &Error{Message: msgKeyNotSupported}
	}
	kc := &KeyCondition{HashName: hashKey, HashValue: h.vals[0]}
	if rangeKey == "" {
		return kc, nil
	}
	r := conds[rangeKey]
	if r == nil {
		if n > 1 {
			return nil, &Error{Message: msgKeyMissed + rangeKey}
		}
		return kc, nil
	}
	if legacy && !indexable(r.op) {
		return nil, &Error{Message: msgNotIndexable}
	}
	kc.RangeName, kc.RangeOp, kc.RangeValues = rangeKey, r.op, r.vals
	return kc, nil
}

const msgNotIndexable = "Attempted conditional constraint is not an indexable operation"

// indexable reports whether a legacy operator can be used on a key.
func indexable(op string) bool {
	switch op {
	case "NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN":
		return false
	}
	return true
}

// CheckTypes checks the condition's values against the key schema types
// ("One or more parameter values were invalid: Condition parameter type does
// not match schema type"). rangeType is ignored when there is no sort key
// condition.
func (kc *KeyCondition) CheckTypes(hashType, rangeType attr.Kind) error {
	if kc.HashValue.Kind != hashType {
		return &Error{Message: msgKeyTypeMismatch}
	}
	for _, v := range kc.RangeValues {
		if v.Kind != rangeType {
			return &Error{Message: msgKeyTypeMismatch}
		}
	}
	return nil
}

// Match reports whether an item's key values satisfy the condition (the
// engine normally turns the condition into a key range instead).
func (kc *KeyCondition) Match(item attr.Item) bool {
	h, ok := item[kc.HashName]
	if !ok || !attr.Equal(h, kc.HashValue) {
		return false
	}
	if kc.RangeName == "" {
		return true
	}
	r, ok := item[kc.RangeName]
	if !ok {
		return false
	}
	v := kc.RangeValues
	switch kc.RangeOp {
	case "EQ":
		return attr.Equal(r, v[0])
	case "LT":
		return compareOp(opLT, r, v[0])
	case "LE":
		return compareOp(opLE, r, v[0])
	case "GT":
		return compareOp(opGT, r, v[0])
	case "GE":
		return compareOp(opGE, r, v[0])
	case "BETWEEN":
		return between(r, v[0], v[1])
	case "BEGINS_WITH":
		return beginsWith(r, v[0])
	}
	return false
}
