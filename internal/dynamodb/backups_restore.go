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

// overrides returns the request's override members.
func (in *RestoreTableFromBackupInput) overrides() restoreOverrides {
	return restoreOverrides{
		billingMode: in.BillingModeOverride,
		gsis:        in.GlobalSecondaryIndexOverride,
		lsis:        in.LocalSecondaryIndexOverride,
		throughput:  in.ProvisionedThroughputOverride,
		onDemand:    in.OnDemandThroughputOverride,
		sse:         in.SSESpecificationOverride,
	}
}

// checkRestore validates what can be validated without the backup, in
// DynamoDB's order: the Coral constraints, the backup ARN, then the
// overrides.
func (a *API) checkRestore(in *RestoreTableFromBackupInput) (*restoreRequest, error) {
	o := in.overrides()
	var v violations
	v.tableName(in.TargetTableName, "targetTableName")
	v.backupArnLength(in.BackupArn, "backupArn", true)
	o.violations(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	ref, err := a.parseBackupArn(*in.BackupArn)
	if err != nil {
		return nil, err
	}
	if ref.otherRegion(a) && o.sse == nil {
		return nil, Validation(msgCrossRegionRestore)
	}
	sse, err := a.checkOverrides(&o)
	if err != nil {
		return nil, err
	}
	return &restoreRequest{target: *in.TargetTableName, o: o, sse: sse, ref: ref}, nil
}

// restoreError maps the backup service's refusal of a restore.
func (a *API) restoreError(ctx context.Context, req *restoreRequest, err error) error {
	switch {
	case errors.Is(err, engine.ErrTableExists):
		return a.targetConflict(ctx, req.target)
	case errors.Is(err, backup.ErrBackupInUse):
		return Dynamo("BackupInUseException", "Backup is being used to restore another table: %s", req.ref.arn)
	case errors.Is(err, backup.ErrRestoreLimit):
		return restoreLimit()
	case errors.Is(err, backup.ErrBackupNotFound):
		return backupNotFound(req.ref.arn)
	}
	return err
}
