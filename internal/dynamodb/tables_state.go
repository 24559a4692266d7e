package dynamodb

import (
	"errors"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// A table that is CREATING in the catalog is a restore target whose data is
// still being loaded (CreateTable makes tables ACTIVE at once). DynamoDB
// lets DescribeTable see it but answers the other operations as if the table
// did not exist yet (ResourceNotFoundException, or TableNotFoundException
// for the backup operations), except DeleteTable and CreateTable, which say
// the table is in use. The engine refuses item reads and writes, UpdateTable,
// index and TTL changes, snapshots and DeleteTable on such a table with
// engine.ErrTableNotReady.

// tableUnavailable reports whether an engine error says the table is gone
// (deleted meanwhile: engine.ErrTableNotFound) or not ready yet (CREATING:
// engine.ErrTableNotReady). Operations report both as they report a
// missing table.
func tableUnavailable(err error) bool {
	return errors.Is(err, engine.ErrTableNotFound) || errors.Is(err, engine.ErrTableNotReady)
}

// notReady reports whether a table is still being created: the operations
// that refuse a table the engine would call not ready check this on the
// catalog record before asking the engine.
func notReady(t *engine.Table) bool { return t.Status == engine.StatusCreating }

// msgItemTableNotFound is the ResourceNotFoundException text of the item
// operations (the table is not named).
const msgItemTableNotFound = "Requested resource not found"

// tableGone reports a table deleted, or not ready, after an item operation
// looked it up as the item operations' ResourceNotFoundException; other
// errors pass through.
func tableGone(err error) error {
	if tableUnavailable(err) {
		return Dynamo("ResourceNotFoundException", msgItemTableNotFound)
	}
	return err
}
