package dynamodb

import (
	"bytes"
	"slices"
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
// against the key schema queried (the table's or an index's), the last
// expression of the request, then rejects unused names/values and values
// whose type is not the key's.
func (in *queryInput) keyCondition(ectx *expr.Context, ks engine.KeySchema) (*expr.KeyCondition, error) {
	hash, rng := ks.Hash.Name, ""
	if ks.Range != nil {
		rng = ks.Range.Name
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
	if ks.Range != nil {
		rangeType = ks.Range.Type
	}
	if err := kc.CheckTypes(ks.Hash.Type, rangeType); err != nil {
		return nil, exprError(err)
	}
	return kc, nil
}

// checkFilterKeys rejects a Query filter that reads a key attribute of the
// source queried (keys: the table's, or the index's own for an index
// Query), partition key first: the key condition is the place for those.
// expression says whether the filter is a FilterExpression (any path from
// the attribute counts: a.b or a[1] names a) or the legacy QueryFilter;
// DynamoDB names them differently. Scan has no such rule.
func checkFilterKeys(keys []engine.KeyAttr, filter *expr.Condition, expression bool) error {
	if filter == nil {
		return nil
	}
	what := "QueryFilter"
	if expression {
		what = "Filter Expression"
	}
	names := filter.AttributeNames()
	for _, k := range keys {
		if slices.Contains(names, k.Name) {
			return Validation("%s can only contain non-primary key attributes: Primary key attribute: %s", what, k.Name)
		}
	}
	return nil
}

// checkQueryStartKey validates a Query's ExclusiveStartKey: the key
// attributes of the table and of the index queried (see
// checkStartKeyShape and checkStartKeyTable), inside the queried partition
// and sort key range.
func checkQueryStartKey(s readSource, esk attr.Item, kc *expr.KeyCondition) error {
	if esk == nil {
		return nil
	}
	if err := checkStartKeyShape(s, esk); err != nil {
		return err
	}
	if err := checkStartKeyTable(s, esk); err != nil {
		return err
	}
	samePartition := attr.Equal(esk[s.keySchema().Hash.Name], kc.HashValue)
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
