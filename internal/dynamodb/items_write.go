package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/expr"
)

// maxItemBytes is DynamoDB's item size limit (400 KB, as attr.ItemSize counts).
const maxItemBytes = 400 * 1024

// constraints records the Coral constraint violations of the shared write
// members.
func (w *writeCommon) constraints(v *violations) {
	v.returnConsumedCapacity(w.ReturnConsumedCapacity)
	v.conditionalOperator(w.ConditionalOperator)
	v.expected(w.Expected)
	v.returnValues(w.ReturnValues)
	v.returnItemCollectionMetrics(w.ReturnItemCollectionMetrics)
	v.returnValuesOnConditionCheckFailure(w.ReturnValuesOnConditionCheckFailure)
}

// checkExpressionParams applies the expression/legacy mixing rules to a write
// whose other expression (UpdateExpression) and legacy member
// (AttributeUpdates) come first in DynamoDB's lists.
func (w *writeCommon) checkExpressionParams(exprs, legacy []member) error {
	exprs = append(exprs, member{"ConditionExpression", w.ConditionExpression != nil})
	legacy = append(legacy, member{"Expected", w.Expected != nil})
	return checkExpressionParams(exprs, legacy, w.ExpressionAttributeNames, w.ExpressionAttributeValues)
}

// exprContext checks ExpressionAttributeNames/Values and builds the context
// the request's expressions are parsed in.
func (w *writeCommon) exprContext() (*expr.Context, error) {
	return newExprContext(w.ExpressionAttributeNames, w.ExpressionAttributeValues)
}

// condition compiles the write condition, the last expression parsed, and
// then rejects names or values no expression used.
func (w *writeCommon) condition(ectx *expr.Context) (*expr.Condition, error) {
	cond, err := compileCondition(ectx, w.ConditionExpression, w.Expected, w.ConditionalOperator)
	if err != nil {
		return nil, err
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, exprError(err)
	}
	return cond, nil
}

// returnOldOnFailure reports whether a failed condition returns the stored item.
func (w *writeCommon) returnOldOnFailure() bool {
	return w.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
}

// checkOldOnlyReturnValues applies the PutItem/DeleteItem rule that only
// ALL_OLD and NONE make sense.
func (w *writeCommon) checkOldOnlyReturnValues() error {
	if w.ReturnValues != "" && w.ReturnValues != "ALL_OLD" && w.ReturnValues != "NONE" {
		return Validation("ReturnValues can only be ALL_OLD or NONE")
	}
	return nil
}
