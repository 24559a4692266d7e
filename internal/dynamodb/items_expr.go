package dynamodb

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// member is one optional request member taking part in the checks on mixing
// expression and legacy (non-expression) parameters.
type member struct {
	name string
	set  bool
}

// checkExpressionParams enforces DynamoDB's rules on expression parameters:
// expressions and their legacy counterparts are exclusive, and
// ExpressionAttributeNames/Values need an expression that can use them.
// exprs and legacy are in the order DynamoDB lists them in its messages.
func checkExpressionParams(exprs, legacy []member, names map[string]string, values map[string]json.RawMessage) error {
	var used, valueExprs []string
	anyValueExpr := false
	for _, m := range exprs {
		if m.set {
			used = append(used, m.name)
		}
		if m.name != "ProjectionExpression" { // projections take no values
			valueExprs = append(valueExprs, m.name)
			anyValueExpr = anyValueExpr || m.set
		}
	}
	if len(used) > 0 {
		var old []string
		for _, m := range legacy {
			if m.set {
				old = append(old, m.name)
			}
		}
		if len(old) > 0 {
			return Validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {%s} Expression parameters: {%s}",
				strings.Join(old, ", "), strings.Join(used, ", "))
		}
	}
	if names != nil && len(used) == 0 {
		return Validation("ExpressionAttributeNames can only be specified when using expressions")
	}
	if values != nil && len(valueExprs) > 0 && !anyValueExpr {
		verb := "is"
		if len(valueExprs) > 1 {
			verb = "are"
		}
		return Validation("ExpressionAttributeValues can only be specified when using expressions: %s %s null",
			strings.Join(valueExprs, " and "), verb)
	}
	return nil
}

// newExprContext checks ExpressionAttributeNames/Values (non-empty, well-formed
// keys, then valid values) and returns the expression context built from them.
// Values arrive undecoded so that a bad one is reported with its key.
func newExprContext(names map[string]string, rawValues map[string]json.RawMessage) (*expr.Context, error) {
	var keysOnly map[string]attr.Value
	if rawValues != nil {
		keysOnly = make(map[string]attr.Value, len(rawValues))
		for k := range rawValues {
			keysOnly[k] = attr.Value{}
		}
	}
	if err := expr.NewContext(names, keysOnly).ValidateKeys(); err != nil {
		return nil, exprError(err)
	}
	var values map[string]attr.Value
	if rawValues != nil {
		values = make(map[string]attr.Value, len(rawValues))
		for _, k := range sortedKeys(rawValues) {
			v, err := decodeAttrValue(rawValues[k], "ExpressionAttributeValues contains invalid value: ", " for key "+k)
			if err != nil {
				return nil, err
			}
			values[k] = v
		}
	}
	return expr.NewContext(names, values), nil
}

// decodeAttrValue decodes one attribute value sent as raw JSON. A validation
// failure is reported with DynamoDB's message wrapped in prefix and suffix;
// other decoding failures are reported as decode reports them.
func decodeAttrValue(raw json.RawMessage, prefix, suffix string) (attr.Value, error) {
	var v attr.Value
	if err := json.Unmarshal(raw, &v); err != nil {
		var ae *attr.Error
		if errors.As(err, &ae) {
			return v, Validation("%s%s%s", prefix, ae.Message, suffix)
		}
		return v, decodeError(err)
	}
	return v, nil
}

// decodeAttrItem decodes a map of raw attribute values (ExclusiveStartKey),
// wrapping validation failures like decodeAttrValue. A nil map gives nil.
func decodeAttrItem(raw map[string]json.RawMessage, prefix string) (attr.Item, error) {
	if raw == nil {
		return nil, nil
	}
	item := make(attr.Item, len(raw))
	for _, k := range sortedKeys(raw) {
		v, err := decodeAttrValue(raw[k], prefix, "")
		if err != nil {
			return nil, err
		}
		item[k] = v
	}
	return item, nil
}

// exprError turns an expression-language error into the ValidationException
// carrying its message; other errors pass through.
func exprError(err error) error {
	var e *expr.Error
	if errors.As(err, &e) {
		return Validation("%s", e.Message)
	}
	return err
}

// sortedKeys returns a map's keys in ascending order, for deterministic checks.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
