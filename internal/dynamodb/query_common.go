package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// constraints records the Coral constraint violations of the members Query
// and Scan share (TableName apart: see API.tableRef).
func (r *readCommon) constraints(v *violations) {
	v.enum(r.Select, "select", "SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
	if r.IndexName != nil {
		v.tableName(r.IndexName, "indexName") // same length and pattern rules
	}
	v.returnConsumedCapacity(r.ReturnConsumedCapacity)
	v.conditionalOperator(r.ConditionalOperator)
	v.attributesToGet("attributesToGet", r.AttributesToGet)
	if r.Limit != nil && *r.Limit < 1 {
		v.add(*r.Limit, "limit", "Member must have value greater than or equal to 1")
	}
}

// compileRead parses the filter (FilterExpression, or the legacy QueryFilter /
// ScanFilter named what) and the projection, in DynamoDB's order.
func (r *readCommon) compileRead(ectx *expr.Context, what string, legacy map[string]expr.LegacyCondition) (*expr.Condition, *expr.Projection, error) {
	var filter *expr.Condition
	var err error
	switch {
	case r.FilterExpression != nil:
		filter, err = ectx.ParseCondition("FilterExpression", *r.FilterExpression)
	case len(legacy) > 0:
		filter, err = expr.FromFilter(what, legacy, r.ConditionalOperator)
	}
	if err != nil {
		return nil, nil, exprError(err)
	}
	proj, err := compileProjection(ectx, r.ProjectionExpression, r.AttributesToGet)
	if err != nil {
		return nil, nil, err
	}
	return filter, proj, nil
}

// startKey decodes ExclusiveStartKey; invalid values are reported as an
// invalid starting key.
func (r *readCommon) startKey() (attr.Item, error) {
	return decodeAttrItem(r.ExclusiveStartKey, "The provided starting key is invalid: ")
}

// newPager checks the parts of a read that depend on what it reads (a
// Select or projection the source cannot serve, an index still being built)
// and returns the pager of its page.
func (a *API) newPager(ctx context.Context, src readSource, r *readCommon, filter *expr.Condition, proj *expr.Projection) (*pager, error) {
	sel := effectiveSelect(r)
	if err := src.checkSelectAll(sel); err != nil {
		return nil, err
	}
	fetch, err := src.needsTable(sel, proj)
	if err != nil {
		return nil, err
	}
	if err := src.checkReadable(); err != nil {
		return nil, err
	}
	p := &pager{source: src, filter: filter, proj: proj, count: sel == "COUNT",
		fetch: a.tableFetcher(ctx, src, fetch), consistent: r.ConsistentRead}
	if r.Limit != nil {
		p.limit = *r.Limit
	}
	return p, nil
}
