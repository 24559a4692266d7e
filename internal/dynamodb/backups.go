package dynamodb

import (
	"context"
	"errors"
	"strings"

	"github.com/ebbtide/ebbtide/internal/backup"
)

// On-demand backups: CreateBackup, DescribeBackup, ListBackups,
// DeleteBackup and RestoreTableFromBackup, served by Config.Backups. The
// API validates requests with DynamoDB's messages and maps the service's
// errors to DynamoDB's; the service stores, lists and restores backups.

// registerBackupOps adds the backup operations when a backup service is
// configured (without one they are unknown operations).
func (a *API) registerBackupOps() {
	if a.cfg.Backups == nil {
		return
	}
	a.ops["CreateBackup"] = a.createBackup
	a.ops["DescribeBackup"] = a.describeBackup
	a.ops["ListBackups"] = a.listBackups
	a.ops["DeleteBackup"] = a.deleteBackup
	a.ops["RestoreTableFromBackup"] = a.restoreTableFromBackup
}

// backupNotFound is the BackupNotFoundException for a backup ARN.
func backupNotFound(arn string) error {
	return Dynamo("BackupNotFoundException", "Backup not found: %s", arn)
}

// backupTableNotFound is the TableNotFoundException of the backup
// operations, for a missing table and for one still being created.
func backupTableNotFound(name string) error {
	return Dynamo("TableNotFoundException", "Table not found: %s", name)
}

// isResourceNotFound reports whether err is a ResourceNotFoundException
// (what tableArg reports for a table ARN of another account).
func isResourceNotFound(err error) bool {
	e, ok := err.(*Error)
	return ok && strings.HasSuffix(e.Type, "#ResourceNotFoundException")
}

// createBackup implements CreateBackup: a backup of the table as of now,
// CREATING in the response.
func (a *API) createBackup(ctx context.Context, body []byte) (any, error) {
	var in CreateBackupInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	v.tableName(in.BackupName, "backupName") // same pattern and lengths
	if err := v.err(); err != nil {
		return nil, err
	}
	if isResourceNotFound(later) {
		return nil, backupTableNotFound(name)
	}
	if later != nil {
		return nil, later
	}
	b, err := a.cfg.Backups.Create(ctx, name, *in.BackupName)
	if tableUnavailable(err) {
		return nil, backupTableNotFound(name)
	}
	if err != nil {
		return nil, err
	}
	return CreateBackupOutput{BackupDetails: backupDetails(b, b.ARN)}, nil
}

// backupArnArg decodes a request whose only member is the required
// BackupArn and checks the ARN.
func (a *API) backupArnArg(body []byte) (backupRef, error) {
	var in BackupArnInput
	if err := decode(body, &in); err != nil {
		return backupRef{}, err
	}
	var v violations
	v.backupArnLength(in.BackupArn, "backupArn", true)
	if err := v.err(); err != nil {
		return backupRef{}, err
	}
	return a.parseBackupArn(*in.BackupArn)
}

// describeBackup implements DescribeBackup.
func (a *API) describeBackup(ctx context.Context, body []byte) (any, error) {
	ref, err := a.backupArnArg(body)
	if err != nil {
		return nil, err
	}
	b, err := a.cfg.Backups.Describe(ctx, ref.local)
	if errors.Is(err, backup.ErrBackupNotFound) {
		return nil, backupNotFound(ref.arn)
	}
	if err != nil {
		return nil, err
	}
	return DescribeBackupOutput{BackupDescription: backupDescription(b, ref.arn)}, nil
}

// deleteBackup implements DeleteBackup: the backup is gone when the
// response, which describes it as DELETED, is sent. A backup a restore is
// reading cannot be deleted, nor can a SYSTEM backup (it expires).
func (a *API) deleteBackup(ctx context.Context, body []byte) (any, error) {
	ref, err := a.backupArnArg(body)
	if err != nil {
		return nil, err
	}
	b, err := a.cfg.Backups.Delete(ctx, ref.local)
	switch {
	case errors.Is(err, backup.ErrBackupNotFound):
		return nil, backupNotFound(ref.arn)
	case errors.Is(err, backup.ErrBackupInUse):
		return nil, Dynamo("BackupInUseException", "Backup is being used to restore table: %s", ref.arn)
	case errors.Is(err, backup.ErrSystemBackup):
		return nil, a.systemBackupError(ctx, ref)
	case err != nil:
		return nil, err
	}
	d := backupDescription(b, ref.arn)
	d.BackupDetails.BackupStatus = backup.StatusDeleted
	return DeleteBackupOutput{BackupDescription: d}, nil
}

// systemBackupError is the ValidationException for deleting a SYSTEM
// backup, which names its expiry.
func (a *API) systemBackupError(ctx context.Context, ref backupRef) error {
	b, err := a.cfg.Backups.Describe(ctx, ref.local)
	if errors.Is(err, backup.ErrBackupNotFound) {
		return backupNotFound(ref.arn) // it expired meanwhile
	}
	if err != nil {
		return err
	}
	return Validation("Invalid Request: User is not allowed to delete the system backup with arn %s. It will automatically expire on %s",
		ref.arn, isoMillis(b.ExpiresAt))
}
