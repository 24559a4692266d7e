package dynamodb

import (
	"context"
	"strings"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// registerItemOps adds the item operations: single-item reads and writes,
// Query, Scan and the two batch operations.
func (a *API) registerItemOps() {
	a.ops["PutItem"] = a.putItem
	a.ops["GetItem"] = a.getItem
	a.ops["UpdateItem"] = a.updateItem
	a.ops["DeleteItem"] = a.deleteItem
	a.ops["Query"] = a.query
	a.ops["Scan"] = a.scan
	a.ops["BatchGetItem"] = a.batchGetItem
	a.ops["BatchWriteItem"] = a.batchWriteItem
}

// itemTable returns the table an item operation works on. Like DynamoDB, a
// table that is still being created or is being deleted is reported as not
// found to data-plane operations.
func (a *API) itemTable(ctx context.Context, name string) (*engine.Table, error) {
	t, err := a.table(ctx, name)
	if err != nil {
		return nil, err
	}
	if notReady(t) || t.Status == engine.StatusDeleting {
		return nil, Dynamo("ResourceNotFoundException", msgItemTableNotFound)
	}
	return t, nil
}

// tableRef checks a TableName member of the TableArn shape (a table name, or
// the table's ARN), recording Coral violations in v. It returns the name to
// look the table up by, and an error to report once v holds no violation
// (an ARN DynamoDB rejects). An ARN of another account's table resolves to
// itself, which names no table here, so the lookup reports it not found.
func (a *API) tableRef(v *violations, member string, in *string) (string, error) {
	if in == nil {
		v.addNull(member)
		return "", nil
	}
	name, later := a.tableArg(v, member, *in)
	if e, ok := later.(*Error); ok && strings.HasSuffix(e.Type, "#ResourceNotFoundException") {
		return *in, nil
	}
	return name, later
}
