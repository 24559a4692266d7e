package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// compileCondition compiles a write's condition: the ConditionExpression, or
// the legacy Expected map with its ConditionalOperator. It returns nil when
// the request has no condition.
func compileCondition(ctx *expr.Context, condition *string, expected map[string]expr.ExpectedAttributeValue, op string) (*expr.Condition, error) {
	switch {
	case condition != nil:
		c, err := ctx.ParseCondition("ConditionExpression", *condition)
		return c, exprError(err)
	case len(expected) > 0:
		c, err := expr.FromExpected(expected, op)
		return c, exprError(err)
	}
	return nil, nil
}

// checkCondition evaluates a write's condition against the stored item (nil
// when absent) under the item lock. A false condition is a
// ConditionalCheckFailedException, carrying the stored item when the request
// asked for it with ReturnValuesOnConditionCheckFailure=ALL_OLD.
func checkCondition(cond *expr.Condition, old attr.Item, returnOld bool) error {
	if cond == nil {
		return nil
	}
	ok, err := cond.Eval(old)
	if err != nil {
		return exprError(err)
	}
	if ok {
		return nil
	}
	e := Dynamo("ConditionalCheckFailedException", "The conditional request failed")
	if returnOld && old != nil {
		e.Item = old
	}
	return e
}
