package dynamodb

import (
	"context"
	"errors"
	"strings"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Table operations take TableName members of the model's TableArn shape
// (1..1024 characters): a table name, or the table's ARN
// arn:aws:dynamodb:<region>:<account>:table/<name>.

// maxTableArnLen is the TableArn shape's maximum length.
const maxTableArnLen = 1024

// tableArg checks a TableName member of shape TableArn, recording Coral
// violations in v, and returns the table name it designates. later is an
// error to report once v holds no violation: an ARN DynamoDB rejects with its
// own message, or, for an ARN of another account, the table's absence. A
// missing TableName is reported before anything else (see requireTableName).
func (a *API) tableArg(v *violations, member string, in string) (name string, later error) {
	if !strings.HasPrefix(in, "arn:") {
		v.tableName(&in, member)
		return in, nil
	}
	arn := in
	if len(arn) > maxTableArnLen {
		v.add(arn, member, "Member must have length less than or equal to 1024")
		return "", nil
	}
	parts := strings.SplitN(arn, ":", 6)
	invalid := func(what string) error {
		return Validation("1 validation error detected: Invalid %s in '%s'", what, arn)
	}
	switch {
	case len(parts) != 6:
		return "", invalid("resource type")
	case parts[1] != "aws":
		return "", invalid("AWS partition")
	case parts[2] != "dynamodb":
		return "", invalid("resource type")
	case parts[3] != a.cfg.Region:
		return "", invalid("AWS region")
	}
	name, ok := strings.CutPrefix(parts[5], "table/")
	if !ok || !validTableName(name) {
		return "", invalid("resource type")
	}
	if parts[4] != a.cfg.AccountID {
		return name, tableNotFound(name)
	}
	return name, nil
}

// requireTableName is DynamoDB's first check of a table operation: a request
// without TableName fails before its members are validated.
func requireTableName(in *string) error {
	if in == nil {
		return Validation("The parameter 'TableName' is required but was not present in the request")
	}
	return nil
}

// validTableName reports whether s satisfies the TableName shape.
func validTableName(s string) bool {
	return len(s) >= 3 && len(s) <= 255 && tableNamePattern.MatchString(s)
}

// tableNotFound is the ResourceNotFoundException of the table operations.
func tableNotFound(name string) error {
	return Dynamo("ResourceNotFoundException", "Requested resource not found: Table: %s not found", name)
}

// tableBeingCreated is the ResourceInUseException for changing or deleting a
// table that is still being created.
func tableBeingCreated(name string) error {
	return Dynamo("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: %s", name)
}

// describe returns a table's catalog record and live statistics, with the
// table operations' not-found error.
func (a *API) describe(ctx context.Context, name string) (*engine.Table, engine.TableStats, error) {
	t, err := a.eng.Table(ctx, name)
	if errors.Is(err, engine.ErrTableNotFound) {
		return nil, engine.TableStats{}, tableNotFound(name)
	}
	if err != nil {
		return nil, engine.TableStats{}, err
	}
	stats, err := a.eng.Stats(ctx, t)
	if errors.Is(err, engine.ErrTableNotReady) {
		return t, engine.TableStats{}, nil // nothing counted until the restore is done
	}
	if err != nil {
		return nil, engine.TableStats{}, err
	}
	return t, stats, nil
}
