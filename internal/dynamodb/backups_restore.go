package dynamodb

import (
	"context"
	"errors"
	"fmt"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// RestoreTableFromBackup creates a new table from a backup: the request is
// validated (Coral constraints, the backup ARN, the overrides that need no
// backup), the backup looked up, the new table's specification computed
// from the backup's table record and the overrides (restoreSpec), and the
// backup service creates the table CREATING and loads it in the background.

// restoreRequest is a RestoreTableFromBackup request checked as far as it
// can be without the backup.
type restoreRequest struct {
	in     *RestoreTableFromBackupInput
	target string
	ref    backupRef
	// sse is the encryption SSESpecificationOverride asks for (nil: the AWS
	// owned key); meaningful only when in.SSESpecificationOverride is set.
	sse *engine.SSE
}

// restoreTableFromBackup implements RestoreTableFromBackup.
func (a *API) restoreTableFromBackup(ctx context.Context, body []byte) (any, error) {
	var in RestoreTableFromBackupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	req, err := a.checkRestore(&in)
	if err != nil {
		return nil, err
	}
	b, err := a.cfg.Backups.Describe(ctx, req.ref.local)
	if errors.Is(err, backup.ErrBackupNotFound) {
		return nil, backupNotFound(req.ref.arn)
	}
	if err != nil {
		return nil, err
	}
	if b.Table == nil {
		return nil, fmt.Errorf("dynamodb: backup %s has no table record", b.ARN)
	}
	spec, err := restoreSpec(req, b.Table)
	if err != nil {
		return nil, err
	}
	t, err := a.cfg.Backups.Restore(ctx, req.ref.local, spec)
	if err != nil {
		return nil, a.restoreError(ctx, req, err)
	}
	d := tableDescription(t, engine.TableStats{}, a.now())
	d.TableStatus = engine.StatusCreating
	d.RestoreSummary = restoreSummary(t.Restore)
	if d.RestoreSummary == nil {
		d.RestoreSummary = &RestoreSummary{SourceBackupArn: b.ARN, SourceTableArn: b.Table.ARN, RestoreDateTime: epochTime(b.CreatedAt)}
	}
	d.RestoreSummary.RestoreInProgress = true
	return RestoreTableFromBackupOutput{TableDescription: d}, nil
}

// Messages of the throughput overrides of a restore.
const (
	msgRestoreThroughputOnDemand       = "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST"
	msgRestoreThroughputNeeded         = "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
	msgRestoreThroughputNotProvisioned = "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"
)

// checkRestore validates what can be validated without the backup, in
// DynamoDB's order: the Coral constraints, the backup ARN, then the
// overrides.
func (a *API) checkRestore(in *RestoreTableFromBackupInput) (*restoreRequest, error) {
	var v violations
	v.tableName(in.TargetTableName, "targetTableName")
	v.backupArnLength(in.BackupArn, "backupArn", true)
	v.enum(in.BillingModeOverride, "billingModeOverride", billingProvisioned, billingPayPerRequest)
	v.globalIndexOverrides(in.GlobalSecondaryIndexOverride)
	v.localIndexOverrides(in.LocalSecondaryIndexOverride)
	v.provisionedThroughputAt(in.ProvisionedThroughputOverride, "provisionedThroughputOverride")
	if in.SSESpecificationOverride != nil {
		v.enum(in.SSESpecificationOverride.SSEType, "sseSpecificationOverride.sseType", sseTypeAES256, sseTypeKMS)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := a.parseBackupArn(*in.BackupArn)
	if err != nil {
		return nil, err
	}
	if ref.otherRegion(a) && in.SSESpecificationOverride == nil {
		return nil, Validation(msgCrossRegionRestore)
	}
	if present(in.OnDemandThroughputOverride) {
		return nil, notSupportedYet("OnDemandThroughputOverride")
	}
	for _, ix := range in.GlobalSecondaryIndexOverride {
		if err := unsupportedInIndex(ix.KeySchema, ix.OnDemandThroughput, ix.WarmThroughput); err != nil {
			return nil, err
		}
	}
	pt := in.ProvisionedThroughputOverride
	switch {
	case in.BillingModeOverride == billingPayPerRequest && pt != nil:
		return nil, Validation(msgRestoreThroughputOnDemand)
	case in.BillingModeOverride == billingProvisioned && pt == nil:
		return nil, Validation(msgRestoreThroughputNeeded)
	case pt != nil:
		if err := capacityBounds(pt); err != nil {
			return nil, err
		}
	}
	sse, err := a.sseSpec(in.SSESpecificationOverride)
	if err != nil {
		return nil, err
	}
	return &restoreRequest{in: in, target: *in.TargetTableName, ref: ref, sse: sse}, nil
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

// restoreError maps the backup service's refusal of a restore.
func (a *API) restoreError(ctx context.Context, req *restoreRequest, err error) error {
	switch {
	case errors.Is(err, engine.ErrTableExists):
		existing, lerr := a.eng.Table(ctx, req.target)
		if lerr != nil && !errors.Is(lerr, engine.ErrTableNotFound) {
			return lerr
		}
		return restoreConflict(existing, req.target)
	case errors.Is(err, backup.ErrBackupInUse):
		return Dynamo("BackupInUseException", "Backup is being used to restore another table: %s", req.ref.arn)
	case errors.Is(err, backup.ErrRestoreLimit):
		return Dynamo("LimitExceededException", "Subscriber limit exceeded: Only %d restore operations can be done simultaneously", backup.MaxConcurrentRestores)
	case errors.Is(err, backup.ErrBackupNotFound):
		return backupNotFound(req.ref.arn)
	}
	return err
}

// restoreConflict is the error for restoring into the name of an existing
// table (nil if it vanished meanwhile): TableInUseException if that table
// is itself a restore still loading, else TableAlreadyExistsException (also
// for a table being deleted, as in DynamoDB).
func restoreConflict(existing *engine.Table, target string) error {
	if existing != nil && notReady(existing) && existing.Restore != nil && existing.Restore.InProgress {
		return Dynamo("TableInUseException", "Table: %s is already being restored from backup: %s", target, existing.Restore.SourceBackupARN)
	}
	return Dynamo("TableAlreadyExistsException", "Table already exists: %s", target)
}
