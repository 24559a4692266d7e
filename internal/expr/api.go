// Package expr implements DynamoDB's expression language: condition, filter,
// key-condition, projection and update expressions (lexer, parser, evaluator),
// the checks on ExpressionAttributeNames/Values, and the translation of the
// legacy request parameters (Expected, KeyConditions, QueryFilter, ScanFilter,
// AttributeUpdates, AttributesToGet) into the same compiled forms.
//
// Every error returned is an *Error whose Message is the exact text DynamoDB
// puts in its ValidationException.
//
// Parsing is split in two: the text of an expression is lexed, parsed and
// checked for everything that does not depend on the request (syntax,
// functions, reserved words, ...) once, and the result is kept in a bounded
// process-wide cache keyed by the text; ExpressionAttributeNames/Values are
// then bound per request by the Context. Compiled expressions are immutable
// and safe for concurrent use.
package expr

// Error is a validation error with DynamoDB's message text.
type Error struct{ Message string }

// Error returns the ValidationException message.
func (e *Error) Error() string { return e.Message }

// ParseCondition compiles a ConditionExpression (what = "ConditionExpression")
// or FilterExpression (what = "FilterExpression"); messages say "Invalid <what>: ...".
func (c *Context) ParseCondition(what, s string) (*Condition, error) {
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
	return &Condition{root: root}, nil
}
