// Package expr implements DynamoDB's expression language: condition, filter,
// key-condition, projection and update expressions (lexer, parser, evaluator),
// the checks on ExpressionAttributeNames/Values, and the translation of the
// legacy request parameters (Expected, KeyConditions, QueryFilter, ScanFilter,
// AttributeUpdates, AttributesToGet) into the same compiled forms.
package expr

import (
	"github.com/ebbtide/ebbtide/internal/attr"
)

// CONTRACT (being implemented): exported API used by the dynamodb layer.
// Every error returned is an *Error whose Message is the exact text DynamoDB
// puts in its ValidationException.

// Error is a validation error with DynamoDB's message text.
type Error struct{ Message string }

func (e *Error) Error() string { return e.Message }

// Context holds one request's ExpressionAttributeNames/Values and records which
// of them the request's expressions used.
type Context struct {
	Names  map[string]string
	Values map[string]attr.Value
	// unexported usage tracking
}

// NewContext builds a Context; nil maps are fine.
func NewContext(names map[string]string, values map[string]attr.Value) *Context {
	return &Context{Names: names, Values: values}
}

// CheckUnused reports names or values that no expression of the request used,
// with DynamoDB's messages ("Value provided in ExpressionAttributeValues unused
// in expressions: keys: {:v}"). Call after parsing every expression.
func (c *Context) CheckUnused() error { panic("unimplemented") }

// Condition is a compiled condition or filter expression.
type Condition struct{}

// ParseCondition compiles a ConditionExpression (what = "ConditionExpression")
// or FilterExpression (what = "FilterExpression"); messages say "Invalid <what>: ...".
func (c *Context) ParseCondition(what, s string) (*Condition, error) { panic("unimplemented") }

// Eval evaluates the condition against an item (nil item = absent item).
func (cond *Condition) Eval(item attr.Item) (bool, error) { panic("unimplemented") }

// KeyCondition is a compiled key condition: equality on the partition key and
// an optional sort key condition (Op is one of the engine-independent ops below).
type KeyCondition struct {
	HashName    string
	HashValue   attr.Value
	RangeName   string // "" if no sort key condition
	RangeOp     string // "EQ","LT","LE","GT","GE","BETWEEN","BEGINS_WITH"
	RangeValues []attr.Value
}

// ParseKeyCondition compiles a KeyConditionExpression against the key names of
// the table or index queried (rangeKey "" if none), checking DynamoDB's rules
// (only key attributes, equality on the hash key, one condition per key, types).
func (c *Context) ParseKeyCondition(s, hashKey, rangeKey string) (*KeyCondition, error) {
	panic("unimplemented")
}

// Projection is a compiled ProjectionExpression (or AttributesToGet).
type Projection struct{}

// ParseProjection compiles a ProjectionExpression.
func (c *Context) ParseProjection(s string) (*Projection, error) { panic("unimplemented") }

// Apply returns a new item holding only the projected paths.
func (p *Projection) Apply(item attr.Item) attr.Item { panic("unimplemented") }

// Update is a compiled UpdateExpression (or AttributeUpdates).
type Update struct{}

// ParseUpdate compiles an UpdateExpression.
func (c *Context) ParseUpdate(s string) (*Update, error) { panic("unimplemented") }

// Apply returns the updated copy of item (item may be nil: a new item, which
// Apply starts from the key). It never modifies its input. updated lists the
// top-level attribute names the update touched (for UPDATED_OLD/UPDATED_NEW).
// Runtime errors (wrong operand types, ...) are *Error values.
func (u *Update) Apply(item attr.Item) (result attr.Item, updated []string, err error) {
	panic("unimplemented")
}

// KeyPaths reports whether the update targets any of the given attribute names
// at top level (DynamoDB refuses updates of key attributes: "Cannot update
// attribute pk. This attribute is part of the key").
func (u *Update) TouchesTopLevel(names ...string) (string, bool) { panic("unimplemented") }

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

// FromExpected compiles Expected with ConditionalOperator (AND default).
func FromExpected(expected map[string]ExpectedAttributeValue, conditionalOperator string) (*Condition, error) {
	panic("unimplemented")
}

// FromFilter compiles QueryFilter/ScanFilter with ConditionalOperator.
func FromFilter(what string, filter map[string]LegacyCondition, conditionalOperator string) (*Condition, error) {
	panic("unimplemented")
}

// FromKeyConditions compiles legacy KeyConditions for the given key names.
func FromKeyConditions(conds map[string]LegacyCondition, hashKey, rangeKey string) (*KeyCondition, error) {
	panic("unimplemented")
}

// FromAttributeUpdates compiles legacy AttributeUpdates.
func FromAttributeUpdates(updates map[string]AttributeValueUpdate) (*Update, error) {
	panic("unimplemented")
}

// FromAttributesToGet builds a projection of top-level names.
func FromAttributesToGet(names []string) *Projection { panic("unimplemented") }
