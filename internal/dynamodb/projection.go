package dynamodb

import (
	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// compileProjection compiles the ProjectionExpression or the legacy
// AttributesToGet; nil means the whole item.
func compileProjection(ectx *expr.Context, projection *string, attrsToGet []string) (*expr.Projection, error) {
	switch {
	case projection != nil:
		p, err := ectx.ParseProjection(*projection)
		return p, exprError(err)
	case attrsToGet != nil:
		return expr.FromAttributesToGet(attrsToGet), nil
	}
	return nil, nil
}

// project applies a projection to a stored item (a nil projection keeps the
// whole item). An item with none of the projected attributes becomes {}.
func project(p *expr.Projection, item attr.Item) attr.Item {
	if p == nil {
		return item
	}
	if out := p.Apply(item); out != nil {
		return out
	}
	return attr.Item{}
}

// checkSelect applies DynamoDB's rules tying Select to ProjectionExpression /
// AttributesToGet and IndexName. Query reports them as a one-violation Coral
// message ("1 validation error detected: ..."), Scan bare; wrap says which.
func checkSelect(sel string, projection *string, attrsToGet []string, indexName *string, wrap bool) error {
	given := ""
	switch {
	case projection != nil:
		given = "ProjectionExpression"
	case attrsToGet != nil:
		given = "AttributesToGet"
	}
	var msg string
	switch sel {
	case "SPECIFIC_ATTRIBUTES":
		if given == "" {
			msg = "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
		}
	case "ALL_ATTRIBUTES":
		if given != "" {
			msg = "Cannot specify the " + given + " when choosing to get ALL_ATTRIBUTES"
		}
	case "ALL_PROJECTED_ATTRIBUTES":
		if indexName == nil {
			msg = "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
		} else if given != "" {
			msg = "Cannot specify the " + given + " when choosing to get ALL_PROJECTED_ATTRIBUTES"
		}
	case "COUNT":
		if given != "" {
			msg = "Cannot specify the " + given + " when choosing to get only the Count"
		}
	}
	switch {
	case msg == "":
		return nil
	case wrap:
		return Validation("1 validation error detected: %s", msg)
	}
	return Validation("%s", msg)
}
