package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// The two restores, RestoreTableFromBackup and RestoreTableToPointInTime,
// take the same six overrides and create their target the same way: the
// overrides are checked as far as they can be without the source
// (restoreOverrides.violations, API.checkOverrides), then the target's
// specification is computed from a source table record — the backup's
// record of the table, or the source table's current record for a
// point-in-time restore — and the overrides (restoreSpec). A refusal to
// create the target is reported alike (restoreConflict, restoreLimit).

// Messages of the throughput overrides of a restore.
const (
	msgRestoreThroughputOnDemand       = "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST"
	msgRestoreThroughputNeeded         = "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
	msgRestoreThroughputNotProvisioned = "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"
)

// restoreOverrides are the override members of a restore request. The index
// overrides tell absent (nil: restore every index) from [] (restore none).
type restoreOverrides struct {
	billingMode string
	gsis        []GlobalSecondaryIndex
	lsis        []LocalSecondaryIndex
	throughput  *ProvisionedThroughput
	onDemand    json.RawMessage // kept raw: only its presence matters yet
	sse         *SSESpecification
}

// restoreRequest is a restore request checked as far as it can be without
// its source.
type restoreRequest struct {
	target string
	o      restoreOverrides
	// sse is the encryption the SSE override asks for (nil: the AWS owned
	// key); meaningful only when o.sse is set.
	sse *engine.SSE
	// ref is the backup of a RestoreTableFromBackup.
	ref backupRef
}

// violations records the Coral violations of the overrides, in the model's
// member order.
func (o *restoreOverrides) violations(v *violations) {
	v.enum(o.billingMode, "billingModeOverride", billingProvisioned, billingPayPerRequest)
	v.globalIndexOverrides(o.gsis)
	v.localIndexOverrides(o.lsis)
	v.provisionedThroughputAt(o.throughput, "provisionedThroughputOverride")
	if o.sse != nil {
		v.enum(o.sse.SSEType, "sseSpecificationOverride.sseType", sseTypeAES256, sseTypeKMS)
	}
}

// checkOverrides applies the rules of the overrides that need no source
// table (Coral-valid overrides) and returns the encryption the SSE
// override asks for.
func (a *API) checkOverrides(o *restoreOverrides) (*engine.SSE, error) {
	if present(o.onDemand) {
		return nil, notSupportedYet("OnDemandThroughputOverride")
	}
	for _, ix := range o.gsis {
		if err := unsupportedInIndex(ix.KeySchema, ix.OnDemandThroughput, ix.WarmThroughput); err != nil {
			return nil, err
		}
	}
	pt := o.throughput
	switch {
	case o.billingMode == billingPayPerRequest && pt != nil:
		return nil, Validation(msgRestoreThroughputOnDemand)
	case o.billingMode == billingProvisioned && pt == nil:
		return nil, Validation(msgRestoreThroughputNeeded)
	case pt != nil:
		if err := capacityBounds(pt); err != nil {
			return nil, err
		}
	}
	return a.sseSpec(o.sse)
}

// globalIndexOverrides records the Coral violations of a
// GlobalSecondaryIndexOverride.
func (v *violations) globalIndexOverrides(list []GlobalSecondaryIndex) {
	for i, ix := range list {
		p := fmt.Sprintf("globalSecondaryIndexOverride.%d.member.", i+1)
		v.tableName(ix.IndexName, p+"indexName")
		v.provisionedThroughputAt(ix.ProvisionedThroughput, p+"provisionedThroughput")
		v.keySchemaAt(ix.KeySchema, p+"keySchema", maxGlobalKeyLength)
		v.projection(ix.Projection, p+"projection")
	}
}

// localIndexOverrides records the Coral violations of a
// LocalSecondaryIndexOverride.
func (v *violations) localIndexOverrides(list []LocalSecondaryIndex) {
	for i, ix := range list {
		p := fmt.Sprintf("localSecondaryIndexOverride.%d.member.", i+1)
		v.tableName(ix.IndexName, p+"indexName")
		v.keySchemaAt(ix.KeySchema, p+"keySchema", 2)
		v.projection(ix.Projection, p+"projection")
	}
}

// targetConflict is the error for a restore into the name of an existing
// table (engine.ErrTableExists): see restoreConflict.
func (a *API) targetConflict(ctx context.Context, target string) error {
	existing, err := a.eng.Table(ctx, target)
	if err != nil && !errors.Is(err, engine.ErrTableNotFound) {
		return err
	}
	return restoreConflict(existing, target)
}

// restoreConflict is the error for restoring into the name of an existing
// table (nil if it vanished meanwhile): TableInUseException if that table
// is itself a restore still loading, else TableAlreadyExistsException (also
// for a table being deleted, as in DynamoDB). DynamoDB's text for a table
// being restored names the backup it comes from; for a point-in-time
// restore target (no backup) Ebbtide names the source table instead.
func restoreConflict(existing *engine.Table, target string) error {
	if existing != nil && notReady(existing) && existing.Restore != nil && existing.Restore.InProgress {
		r := existing.Restore
		if r.SourceBackupARN == "" {
			return Dynamo("TableInUseException", "Table: %s is already being restored from table: %s", target, r.SourceTableARN)
		}
		return Dynamo("TableInUseException", "Table: %s is already being restored from backup: %s", target, r.SourceBackupARN)
	}
	return Dynamo("TableAlreadyExistsException", "Table already exists: %s", target)
}

// restoreLimit is the LimitExceededException for backup.ErrRestoreLimit.
func restoreLimit() error {
	return Dynamo("LimitExceededException", "Subscriber limit exceeded: Only %d restore operations can be done simultaneously", backup.MaxConcurrentRestores)
}
