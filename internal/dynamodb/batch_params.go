package dynamodb

import (
	"context"
	"strings"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// requestItems checks the RequestItems map of a batch operation: present,
// not empty, and keyed by valid table names or ARNs (reported once, as
// DynamoDB does for map key constraints).
func (v *violations) requestItems(names []string, isNil bool) {
	if isNil {
		v.addNull("requestItems")
		return
	}
	rendered := "{" + strings.Join(names, ", ") + "}"
	if len(names) == 0 {
		v.add(rendered, "requestItems", "Member must have length greater than or equal to 1")
	}
	for _, n := range names {
		if !validTableName(n) && !(strings.HasPrefix(n, "arn:") && len(n) <= maxTableArnLen) {
			v.add(rendered, "requestItems", "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]")
			return
		}
	}
}

// batchTable looks up a table named by a RequestItems key (a name or an ARN).
func (a *API) batchTable(ctx context.Context, key string) (*engine.Table, error) {
	var v violations // the key's shape was checked with the request
	name, err := a.tableRef(&v, "requestItems", &key)
	if err != nil {
		return nil, err
	}
	return a.itemTable(ctx, name)
}
