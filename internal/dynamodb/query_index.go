package dynamodb

import (
	"context"
	"slices"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/expr"
)

// Query and Scan read a table or, with IndexName, one of its secondary
// indexes. An index returns its entries (the projected items) in index key
// order; its LastEvaluatedKey and ExclusiveStartKey hold the index's key
// attributes and the table's. A global secondary index serves only
// eventually consistent reads of what it projects; a local one may also
// return attributes it does not project, which are fetched from the table
// at extra read cost, as in DynamoDB. Filters always see the entries: a
// Query filtering on an attribute the index does not project is refused
// (checkFilterProjected), a Scan's filter finds it absent.

// readSource is what a Query or Scan reads: a table, or one of its
// secondary indexes.
type readSource struct {
	table *engine.Table
	index *engine.Index // nil for the table itself
}

// sourceOf returns the source IndexName designates on table t (nil: the
// table itself).
func sourceOf(t *engine.Table, indexName *string) (readSource, error) {
	s := readSource{table: t}
	if indexName == nil {
		return s, nil
	}
	i := slices.IndexFunc(t.Indexes, func(ix engine.Index) bool { return ix.Name == *indexName })
	if i < 0 {
		return s, Validation("The table does not have the specified index: %s", *indexName)
	}
	s.index = &t.Indexes[i]
	return s, nil
}

// global reports whether the source is a global secondary index.
func (s readSource) global() bool { return s.index != nil && !s.index.Local }

// keySchema is the key schema the source is ordered by.
func (s readSource) keySchema() engine.KeySchema {
	if s.index != nil {
		return s.index.KeySchema
	}
	return s.table.KeySchema
}

// keys lists the source's own key attributes, partition key first.
func (s readSource) keys() []engine.KeyAttr {
	if s.index != nil {
		return indexKeyAttrs(s.index)
	}
	return keyAttrs(s.table)
}

// startKeyNames lists the attributes of the source's LastEvaluatedKey: the
// table's key attributes and the index's.
func (s readSource) startKeyNames() []string {
	var names []string
	for _, k := range append(keyAttrs(s.table), s.keys()...) {
		if !slices.Contains(names, k.Name) {
			names = append(names, k.Name)
		}
	}
	return names
}

// lastKey is the LastEvaluatedKey of a page that ends with item.
func (s readSource) lastKey(item attr.Item) attr.Item {
	names := s.startKeyNames()
	key := make(attr.Item, len(names))
	for _, n := range names {
		if v, ok := item[n]; ok {
			key[n] = v
		}
	}
	return key
}

// name is the index's name, "" for the table.
func (s readSource) name() string {
	if s.index == nil {
		return ""
	}
	return s.index.Name
}

// checkConsistentRead rejects a strongly consistent read of a GSI.
func (s readSource) checkConsistentRead(consistent bool) error {
	if consistent && s.global() {
		return Validation("Consistent reads are not supported on global secondary indexes")
	}
	return nil
}

// checkReadable rejects reading a global secondary index that is still
// being built.
func (s readSource) checkReadable() error {
	if s.global() && (s.index.Backfilling || s.index.Status == engine.IndexCreating) {
		return Validation("Cannot read from backfilling global secondary index: %s", s.index.Name)
	}
	return nil
}

// checkSelectAll rejects Select=ALL_ATTRIBUTES on a GSI that does not
// project every attribute.
func (s readSource) checkSelectAll(sel string) error {
	if sel == "ALL_ATTRIBUTES" && s.global() && s.index.Projection.Type != projectionAll {
		return invalidParam("Select type ALL_ATTRIBUTES is not supported for global secondary index %s because its projection type is not ALL", s.index.Name)
	}
	return nil
}

// unprojected lists the attributes of names the index does not project.
func (s readSource) unprojected(names []string) []string {
	var out []string
	for _, n := range names {
		if !projects(s.table, s.index, n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// checkFilterProjected rejects a Query of an index whose filter
// (FilterExpression or QueryFilter) reads attributes the index does not
// project, listed in sorted order. DynamoDB filters an index's entries and
// fetches nothing from the table to evaluate a filter, whether the index is
// global or local; a Scan is not refused, its filter just finds such
// attributes absent.
func (s readSource) checkFilterProjected(filter *expr.Condition) error {
	if s.index == nil || filter == nil {
		return nil
	}
	if missing := s.unprojected(filter.AttributeNames()); missing != nil {
		slices.Sort(missing)
		return invalidParam("Secondary index %s does not project one or more filter attributes: [%s]", s.index.Name, strings.Join(missing, ", "))
	}
	return nil
}

// needsTable decides how a read of an index returns items: from the
// entries alone, or from the table (an LSI asked for all attributes, or for
// attributes it does not project, when its projection is not ALL). For a
// GSI, asking for attributes it does not project is an error.
func (s readSource) needsTable(sel string, proj *expr.Projection) (bool, error) {
	if s.index == nil || s.index.Projection.Type == projectionAll || sel == "COUNT" || sel == "ALL_PROJECTED_ATTRIBUTES" {
		return false, nil
	}
	var missing []string
	switch {
	case sel == "ALL_ATTRIBUTES":
		return true, nil // checkSelectAll has refused it on a GSI
	case proj != nil:
		missing = s.unprojected(proj.Attributes())
	}
	switch {
	case missing == nil:
		return false, nil
	case s.global():
		return false, invalidParam("Global secondary index %s does not project [%s]", s.index.Name, strings.Join(missing, ", "))
	}
	return true, nil
}

// effectiveSelect is the Select a read runs with: as given, or by default
// SPECIFIC_ATTRIBUTES when a projection is given, ALL_PROJECTED_ATTRIBUTES
// on an index and ALL_ATTRIBUTES on a table.
func effectiveSelect(r *readCommon) string {
	switch {
	case r.Select != "":
		return r.Select
	case r.ProjectionExpression != nil || r.AttributesToGet != nil:
		return "SPECIFIC_ATTRIBUTES"
	case r.IndexName != nil:
		return "ALL_PROJECTED_ATTRIBUTES"
	}
	return "ALL_ATTRIBUTES"
}

// tableFetcher returns the function a pager uses to read from the table the
// whole item of an LSI entry, or nil when the entries suffice.
func (a *API) tableFetcher(ctx context.Context, s readSource, fetch bool) func(attr.Item) (attr.Item, error) {
	if !fetch {
		return nil
	}
	return func(entry attr.Item) (attr.Item, error) {
		return a.eng.GetItem(ctx, s.table.Name, itemKey(s.table, entry))
	}
}

// checkStartKeyShape validates an ExclusiveStartKey against the source's
// key attributes: exactly the table's and the index's attributes, the
// source's own present (else the key is invalid), of the declared type
// (else it does not match the schema) and valid as key values.
func checkStartKeyShape(s readSource, esk attr.Item) error {
	if len(esk) != len(s.startKeyNames()) {
		return Validation("The provided starting key is invalid")
	}
	for i, k := range s.keys() {
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
	return nil
}

// checkStartKeyTable validates the table's key within an index's
// ExclusiveStartKey.
func checkStartKeyTable(s readSource, esk attr.Item) error {
	if s.index == nil {
		return nil
	}
	if err := checkKey(s.table, itemKey(s.table, esk)); err != nil {
		return Validation("The provided starting key is invalid: %s", err.(*Error).Message)
	}
	return nil
}

// readUsage is the capacity of a page that read size bytes of the source
// (and fetched items from the table for fetchUnits): a GSI's own, an LSI's
// (from the table's throughput, reported per index) plus the fetches, or the
// table's.
func (s readSource) readUsage(size int, consistent bool, fetchUnits float64) usage {
	units := readUnits(size, consistent && !s.global())
	if s.index == nil {
		return tableUsage(units)
	}
	u := tableUsage(fetchUnits)
	u.addIndex(s.index.Local, s.index.Name, units)
	return u
}
