package dynamodb

import (
	"bytes"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// rangeOps maps the expression package's sort key operators to the engine's.
var rangeOps = map[string]engine.RangeOp{
	"":            engine.RangeNone,
	"EQ":          engine.RangeEQ,
	"LT":          engine.RangeLT,
	"LE":          engine.RangeLE,
	"GT":          engine.RangeGT,
	"GE":          engine.RangeGE,
	"BETWEEN":     engine.RangeBetween,
	"BEGINS_WITH": engine.RangeBeginsWith,
}

// keyCondition compiles the KeyConditionExpression (or legacy KeyConditions)
// against the table's key, the last expression of the request, then rejects
// unused names/values and values whose type is not the key's.
func (in *queryInput) keyCondition(ectx *expr.Context, t *engine.Table) (*expr.KeyCondition, error) {
	hash, rng := t.KeySchema.Hash.Name, ""
	if t.KeySchema.Range != nil {
		rng = t.KeySchema.Range.Name
	}
	var kc *expr.KeyCondition
	var err error
	if in.KeyConditionExpression != nil {
		kc, err = ectx.ParseKeyCondition(*in.KeyConditionExpression, hash, rng)
	} else {
		kc, err = expr.FromKeyConditions(in.KeyConditions, hash, rng)
	}
	if err != nil {
		return nil, exprError(err)
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, exprError(err)
	}
	var rangeType attr.Kind
	if t.KeySchema.Range != nil {
		rangeType = t.KeySchema.Range.Type
	}
	if err := kc.CheckTypes(t.KeySchema.Hash.Type, rangeType); err != nil {
		return nil, exprError(err)
	}
	return kc, nil
}

// checkFilterKeys rejects a legacy QueryFilter on a key attribute.
func checkFilterKeys(t *engine.Table, filter map[string]expr.LegacyCondition) error {
	for _, k := range keyAttrs(t) {
		if _, ok := filter[k.Name]; ok {
			return Validation("QueryFilter can only contain non-primary key attributes: Primary key attribute: %s", k.Name)
		}
	}
	return nil
}

// checkQueryStartKey validates a Query's ExclusiveStartKey: the table's full
// primary key, inside the queried partition and sort key range.
func checkQueryStartKey(t *engine.Table, esk attr.Item, kc *expr.KeyCondition) error {
	if esk == nil {
		return nil
	}
	ks := keyAttrs(t)
	if len(esk) != len(ks) {
		return Validation("The provided starting key is invalid")
	}
	for i, k := range ks {
		v, ok := esk[k.Name]
		if !ok {
			return Validation("The provided starting key is invalid")
		}
		if v.Kind != k.Type {
			return Validation(msgKeySchema)
		}
		if err := checkKeyValue(k.Name, v, i == 0); err != nil {
			return err
		}
	}
	samePartition := attr.Equal(esk[t.KeySchema.Hash.Name], kc.HashValue)
	if kc.RangeName == "" {
		if !samePartition {
			return Validation("The provided starting key is outside query boundaries based on provided conditions")
		}
		return nil
	}
	if !rangeMatches(kc, esk[kc.RangeName]) {
		return Validation("The provided starting key does not match the range key predicate")
	}
	if !samePartition {
		return Validation("The query can return at most one row and cannot be restarted")
	}
	return nil
}

// rangeMatches reports whether a sort key value satisfies the key condition's
// sort key predicate. Both sides have the sort key's type (checked before),
// so they always compare.
func rangeMatches(kc *expr.KeyCondition, v attr.Value) bool {
	cmp := func(i int) int {
		c, _ := attr.Compare(v, kc.RangeValues[i])
		return c
	}
	switch kc.RangeOp {
	case "EQ":
		return cmp(0) == 0
	case "LT":
		return cmp(0) < 0
	case "LE":
		return cmp(0) <= 0
	case "GT":
		return cmp(0) > 0
	case "GE":
		return cmp(0) >= 0
	case "BETWEEN":
		return cmp(0) >= 0 && cmp(1) <= 0
	case "BEGINS_WITH":
		if v.Kind == attr.KindB {
			return bytes.HasPrefix(v.Bin, kc.RangeValues[0].Bin)
		}
		return strings.HasPrefix(v.Str, kc.RangeValues[0].Str)
	}
	return true
}
