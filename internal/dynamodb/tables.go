package dynamodb

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// registerTableOps adds the control-plane operations: tables, tags, limits
// and endpoints.
func (a *API) registerTableOps() {
	a.ops["CreateTable"] = a.createTable
	a.ops["DescribeTable"] = a.describeTable
	a.ops["ListTables"] = a.listTables
	a.ops["UpdateTable"] = a.updateTable
	a.ops["DeleteTable"] = a.deleteTable
	a.ops["TagResource"] = a.tagResource
	a.ops["UntagResource"] = a.untagResource
	a.ops["ListTagsOfResource"] = a.listTagsOfResource
	a.ops["DescribeLimits"] = a.describeLimits
	a.ops["DescribeEndpoints"] = a.describeEndpoints
}

// TableNameInput is the request of DescribeTable and DeleteTable.
type TableNameInput struct {
	TableName *string `json:"TableName"`
}

// DescribeTableOutput is the DescribeTable response.
type DescribeTableOutput struct {
	Table TableDescription `json:"Table"`
}

// DeleteTableOutput is the DeleteTable response.
type DeleteTableOutput struct {
	TableDescription TableDescription `json:"TableDescription"`
}

// tableNameArg decodes a request whose only member is TableName and returns
// the table name.
func (a *API) tableNameArg(body []byte) (string, error) {
	var in TableNameInput
	if err := decode(body, &in); err != nil {
		return "", err
	}
	if err := requireTableName(in.TableName); err != nil {
		return "", err
	}
	var v violations
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	if err := v.err(); err != nil {
		return "", err
	}
	return name, later
}

// describeTable implements DescribeTable.
func (a *API) describeTable(ctx context.Context, body []byte) (any, error) {
	name, err := a.tableNameArg(body)
	if err != nil {
		return nil, err
	}
	t, stats, err := a.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	d, err := a.fullDescription(ctx, t, stats)
	if err != nil {
		return nil, err
	}
	return DescribeTableOutput{Table: d}, nil
}

// msgDeletionProtected is DeleteTable's error for a table protected
// against deletion.
const msgDeletionProtected = "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."

// deleteTable implements DeleteTable: refused while the table is being
// created, while an index is being built or changed, or when it is protected
// against deletion; the response describes the table as DELETING, and
// afterwards the table is gone. With a PITR service the service deletes
// the table (see API.dropTable).
func (a *API) deleteTable(ctx context.Context, body []byte) (any, error) {
	name, err := a.tableNameArg(body)
	if err != nil {
		return nil, err
	}
	t, stats, err := a.describe(ctx, name)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Status == statusCreating:
		return nil, tableBeingCreated(name)
	case slices.ContainsFunc(t.Indexes, func(ix engine.Index) bool { return ix.Status != engine.IndexActive }):
		return nil, Dynamo("ResourceInUseException", "Attempt to change a resource which is still in use: Cannot delete table while indexes are being created, updated, or deleted.")
	case t.DeletionProtection:
		return nil, Validation(msgDeletionProtected)
	}
	d, err := a.fullDescription(ctx, t, stats) // the indexes' counts are gone with the table
	if err != nil {
		return nil, err
	}
	deleted, err := a.dropTable(ctx, name)
	switch {
	case errors.Is(err, engine.ErrTableNotReady):
		return nil, tableBeingCreated(name)
	case errors.Is(err, engine.ErrTableNotFound):
		return nil, tableNotFound(name)
	case errors.Is(err, engine.ErrDeletionProtected):
		return nil, Validation(msgDeletionProtected) // turned on meanwhile
	}
	if err != nil {
		return nil, err
	}
	d.TableStatus = deleted.Status
	return DeleteTableOutput{TableDescription: d}, nil
}

// ListTablesInput is the ListTables request.
type ListTablesInput struct {
	ExclusiveStartTableName *string `json:"ExclusiveStartTableName"`
	Limit                   *int32  `json:"Limit"`
}

// ListTablesOutput is the ListTables response. TableNames is always present,
// empty when there are no tables.
type ListTablesOutput struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

// maxListTables is ListTables' default and largest Limit.
const maxListTables = 100

// listTables implements ListTables: names in ascending order after
// ExclusiveStartTableName, at most Limit of them, with LastEvaluatedTableName
// set only when more remain.
func (a *API) listTables(ctx context.Context, body []byte) (any, error) {
	var in ListTablesInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	var v violations
	limit := maxListTables
	if in.Limit != nil {
		switch {
		case *in.Limit < 1:
			v.add(*in.Limit, "limit", "Member must have value greater than or equal to 1")
		case *in.Limit > maxListTables:
			v.add(*in.Limit, "limit", "Member must have value less than or equal to 100")
		default:
			limit = int(*in.Limit)
		}
	}
	if in.ExclusiveStartTableName != nil {
		v.tableName(in.ExclusiveStartTableName, "exclusiveStartTableName")
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	names, err := a.eng.ListTables(ctx)
	if err != nil {
		return nil, err
	}
	if in.ExclusiveStartTableName != nil {
		start := *in.ExclusiveStartTableName
		names = names[sort.Search(len(names), func(i int) bool { return names[i] > start }):]
	}
	out := ListTablesOutput{TableNames: []string{}}
	if len(names) > limit {
		names = names[:limit]
		out.LastEvaluatedTableName = names[limit-1]
	}
	out.TableNames = append(out.TableNames, names...)
	return out, nil
}
