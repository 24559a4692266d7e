package expr

import (
	"sort"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// The legacy (pre-expression) request parameters compile to the same forms
// as expressions. Map entries are checked in sorted key order so that the
// error reported for a request is deterministic. Validating the attribute
// values themselves and the enum fields' spelling is the caller's job.

// Legacy parameter shapes, decoded straight from the request JSON.

// ExpectedAttributeValue is one entry of the legacy Expected map.
type ExpectedAttributeValue struct {
	Value              *attr.Value  `json:"Value,omitempty"`
	Exists             *bool        `json:"Exists,omitempty"`
	ComparisonOperator string       `json:"ComparisonOperator,omitempty"`
	AttributeValueList []attr.Value `json:"AttributeValueList,omitempty"`
}

// LegacyCondition is one entry of KeyConditions, QueryFilter or ScanFilter.
type LegacyCondition struct {
	ComparisonOperator string       `json:"ComparisonOperator"`
	AttributeValueList []attr.Value `json:"AttributeValueList,omitempty"`
}

// AttributeValueUpdate is one entry of the legacy AttributeUpdates map.
type AttributeValueUpdate struct {
	Value  *attr.Value `json:"Value,omitempty"`
	Action string      `json:"Action,omitempty"` // PUT (default) | ADD | DELETE
}

const msgInvalidParam = "One or more parameter values were invalid: "

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// argCountOK checks the number of values a ComparisonOperator takes;
// known is false for an unknown operator.
func argCountOK(op string, n int) (ok, known bool) {
	switch op {
	case "NULL", "NOT_NULL":
		return n == 0, true
	case "EQ", "NE", "LE", "LT", "GE", "GT", "CONTAINS", "NOT_CONTAINS", "BEGINS_WITH":
		return n == 1, true
	case "IN":
		return n >= 1, true
	case "BETWEEN":
		return n == 2, true
	}
	return false, false
}

// checkValueList applies the checks common to every legacy condition: the
// number of values, one type for all of them, BETWEEN bounds in order.
func checkValueList(op string, vals []attr.Value) *Error {
	ok, known := argCountOK(op, len(vals))
	if !known {
		return &Error{Message: msgInvalidParam + "Unsupported ComparisonOperator: " + op}
	}
	if !ok {
		return &Error{Message: msgInvalidParam + "Invalid number of argument(s) for the " + op + " ComparisonOperator"}
	}
	for _, v := range vals[min(1, len(vals)):] {
		if v.Kind != vals[0].Kind {
			return &Error{Message: msgInvalidParam + "AttributeValues inside AttributeValueList must be of same type"}
		}
	}
	return nil
}

// checkBetweenOrder refuses BETWEEN bounds given high to low.
func checkBetweenOrder(op string, vals []attr.Value) *Error {
	if op == "BETWEEN" {
		if c, ok := attr.Compare(vals[0], vals[1]); ok && c > 0 {
			return &Error{Message: "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"}
		}
	}
	return nil
}

// opTypesOK reports whether a filter/key ComparisonOperator accepts values
// of kind k.
func opTypesOK(op string, k attr.Kind) bool {
	switch op {
	case "LE", "LT", "GE", "GT", "IN", "BETWEEN", "CONTAINS", "NOT_CONTAINS":
		return orderable(k)
	case "BEGINS_WITH":
		return k == attr.KindS || k == attr.KindB
	}
	return true
}

// checkLegacyConditions validates KeyConditions/QueryFilter/ScanFilter entries.
func checkLegacyConditions(conds map[string]LegacyCondition) *Error {
	for _, k := range sortedKeys(conds) {
		c := conds[k]
		op, vals := c.ComparisonOperator, c.AttributeValueList
		if err := checkValueList(op, vals); err != nil {
			return err
		}
		for _, v := range vals {
			if !opTypesOK(op, v.Kind) {
				return &Error{Message: msgInvalidParam + "ComparisonOperator " + op + " is not valid for " + v.Kind.String() + " AttributeValue type"}
			}
		}
		if err := checkBetweenOrder(op, vals); err != nil {
			return err
		}
	}
	return nil
}

// legacyCond compiles "attribute <op> values" on a top-level attribute.
func legacyCond(name, op string, vals []attr.Value) *cond {
	ops := make([]operand, 1, len(vals)+1)
	ops[0] = operand{kind: oPath, path: topPath(name)}
	for _, v := range vals {
		ops = append(ops, operand{kind: oConst, val: v})
	}
	c := &cond{ops: ops}
	switch op {
	case "EQ", "NE", "LE", "LT", "GE", "GT":
		c.kind = cCmp
		c.op = map[string]cmpOp{"EQ": opEQ, "NE": opNE, "LT": opLT, "LE": opLE, "GT": opGT, "GE": opGE}[op]
	case "NULL":
		c.kind = cNotExists
	case "NOT_NULL":
		c.kind = cExists
	case "CONTAINS":
		c.kind = cContains
	case "NOT_CONTAINS":
		c.kind = cNotContains
	case "BEGINS_WITH":
		c.kind = cBeginsWith
	case "IN":
		c.kind = cIn
	case "BETWEEN":
		c.kind = cBetween
	}
	return c
}

// combine joins legacy conditions with ConditionalOperator (AND default).
func combine(kids []*cond, conditionalOperator string) *Condition {
	switch {
	case len(kids) == 0:
		return &Condition{root: &cond{kind: cTrue}}
	case len(kids) == 1:
		return &Condition{root: kids[0]}
	case conditionalOperator == "OR":
		return &Condition{root: &cond{kind: cOr, kids: kids}}
	}
	return &Condition{root: &cond{kind: cAnd, kids: kids}}
}

// FromExpected compiles Expected with ConditionalOperator (AND default).
func FromExpected(expected map[string]ExpectedAttributeValue, conditionalOperator string) (*Condition, error) {
	var kids []*cond
	for _, k := range sortedKeys(expected) {
		e := expected[k]
		if e.AttributeValueList != nil && e.Value != nil {
			return nil, &Error{Message: msgInvalidParam + "Value and AttributeValueList cannot be used together for Attribute: " + k}
		}
		switch {
		case e.ComparisonOperator != "":
			op := e.ComparisonOperator
			if e.Exists != nil {
				return nil, &Error{Message: msgInvalidParam + "Exists and ComparisonOperator cannot be used together for Attribute: " + k}
			}
			vals := e.AttributeValueList
			if vals == nil && e.Value != nil {
				vals = []attr.Value{*e.Value}
			}
			if op != "NULL" && op != "NOT_NULL" && e.AttributeValueList == nil && e.Value == nil {
				return nil, &Error{Message: msgInvalidParam + "Value or AttributeValueList must be used with ComparisonOperator: " +
					op + " for Attribute: " + k}
			}
			if err := checkValueList(op, vals); err != nil {
				return nil, err
			}
			if err := checkBetweenOrder(op, vals); err != nil {
				return nil, err
			}
			kids = append(kids, legacyCond(k, op, vals))
		case e.AttributeValueList != nil:
			return nil, &Error{Message: msgInvalidParam + "AttributeValueList can only be used with a ComparisonOperator for Attribute: " + k}
		default:
			exists := e.Exists == nil || *e.Exists
			switch {
			case exists && e.Value == nil:
				state := "null"
				if e.Exists != nil {
					state = "true"
				}
				return nil, &Error{Message: msgInvalidParam + "Value must be provided when Exists is " + state + " for Attribute: " + k}
			case !exists && e.Value != nil:
				return nil, &Error{Message: msgInvalidParam + "Value cannot be used when Exists is false for Attribute: " + k}
			case exists:
				kids = append(kids, legacyCond(k, "EQ", []attr.Value{*e.Value}))
			default:
				kids = append(kids, legacyCond(k, "NULL", nil))
			}
		}
	}
	return combine(kids, conditionalOperator), nil
}

// FromFilter compiles QueryFilter/ScanFilter with ConditionalOperator. what
// names the parameter ("QueryFilter" or "ScanFilter"); DynamoDB's messages
// for these do not mention it.
func FromFilter(what string, filter map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	_ = what
	if err := checkLegacyConditions(filter); err != nil {
		return nil, err
	}
	var kids []*cond
	for _, k := range sortedKeys(filter) {
		c := filter[k]
		kids = append(kids, legacyCond(k, c.ComparisonOperator, c.AttributeValueList))
	}
	return combine(kids, conditionalOperator), nil
}

// FromKeyConditions compiles legacy KeyConditions for the given key names.
// The value types are checked against the key schema by CheckTypes.
func FromKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	if err := checkLegacyConditions(conds); err != nil {
		return nil, err
	}
	kcs := make(map[string]*keyCond, len(conds))
	for k, c := range conds {
		kcs[k] = &keyCond{op: c.ComparisonOperator, vals: c.AttributeValueList}
	}
	return buildKeyCondition(kcs, len(conds), hashKey, rangeKey, true)
}

// FromAttributeUpdates compiles legacy AttributeUpdates. As in DynamoDB, ADD
// of a list appends to an existing list, and a type mismatch at apply time
// is "Type mismatch for attribute to update".
func FromAttributeUpdates(updates map[string]AttributeValueUpdate) (*Update, error) {
	u := &Update{legacy: true}
	for _, k := range sortedKeys(updates) {
		up := updates[k]
		action := up.Action
		if action == "" {
			action = "PUT"
		}
		if up.Value == nil && action != "DELETE" {
			return nil, &Error{Message: msgInvalidParam + "Only DELETE action is allowed when no attribute value is specified"}
		}
		a := updAction{path: topPath(k)}
		switch action {
		case "PUT":
			a.kind = uSet
			a.set = &setExpr{kind: seConst, val: *up.Value}
		case "ADD":
			if t := up.Value.Kind; !isSet(t) && t != attr.KindN && t != attr.KindL {
				return nil, &Error{Message: msgInvalidParam + "ADD action is not supported for the type " + t.String()}
			}
			a.kind, a.val = uAdd, *up.Value
		case "DELETE":
			if up.Value == nil {
				a.kind = uRemove
				break
			}
			if t := up.Value.Kind; !isSet(t) {
				return nil, &Error{Message: msgInvalidParam + "DELETE action with value is not supported for the type " + t.String()}
			}
			a.kind, a.val = uDelete, *up.Value
		default:
			return nil, &Error{Message: msgInvalidParam + "Unsupported Action: " + action}
		}
		u.actions = append(u.actions, a)
	}
	u.index()
	return u, nil
}
