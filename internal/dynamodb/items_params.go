package dynamodb

import (
	"strings"

	"github.com/ebbtide/ebbtide/internal/expr"
)

// comparisonOperators is the ComparisonOperator enum in DynamoDB's order.
var comparisonOperators = []string{"IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"}

// returnConsumedCapacity checks the ReturnConsumedCapacity enum.
func (v *violations) returnConsumedCapacity(s string) {
	v.enum(s, "returnConsumedCapacity", "INDEXES", "TOTAL", "NONE")
}

// returnItemCollectionMetrics checks the ReturnItemCollectionMetrics enum.
func (v *violations) returnItemCollectionMetrics(s string) {
	v.enum(s, "returnItemCollectionMetrics", "SIZE", "NONE")
}

// returnValues checks the ReturnValues enum (narrower per-operation rules
// follow the constraint checks).
func (v *violations) returnValues(s string) {
	v.enum(s, "returnValues", "ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
}

// returnValuesOnConditionCheckFailure checks that enum.
func (v *violations) returnValuesOnConditionCheckFailure(s string) {
	v.enum(s, "returnValuesOnConditionCheckFailure", "ALL_OLD", "NONE")
}

// conditionalOperator checks the legacy ConditionalOperator enum.
func (v *violations) conditionalOperator(s string) {
	v.enum(s, "conditionalOperator", "OR", "AND")
}

// expected checks the ComparisonOperator of each legacy Expected entry.
func (v *violations) expected(m map[string]expr.ExpectedAttributeValue) {
	for _, k := range sortedKeys(m) {
		v.enum(m[k].ComparisonOperator, "expected."+k+".member.comparisonOperator", comparisonOperators...)
	}
}

// legacyConditions checks KeyConditions, QueryFilter or ScanFilter entries,
// whose ComparisonOperator is required.
func (v *violations) legacyConditions(member string, m map[string]expr.LegacyCondition) {
	for _, k := range sortedKeys(m) {
		path := member + "." + k + ".member.comparisonOperator"
		if op := m[k].ComparisonOperator; op == "" {
			v.addNull(path)
		} else {
			v.enum(op, path, comparisonOperators...)
		}
	}
}

// attributesToGet checks the length (1..255) of a legacy AttributesToGet list.
func (v *violations) attributesToGet(member string, names []string) {
	if names == nil {
		return
	}
	s := "[" + strings.Join(names, ", ") + "]"
	if len(names) < 1 {
		v.add(s, member, "Member must have length greater than or equal to 1")
	}
	if len(names) > 255 {
		v.add(s, member, "Member must have length less than or equal to 255")
	}
}

// checkAttributesToGet rejects a legacy AttributesToGet naming an attribute twice.
func checkAttributesToGet(names []string) error {
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return Validation("One or more parameter values were invalid: Duplicate value in attribute name: %s", n)
		}
		seen[n] = true
	}
	return nil
}
