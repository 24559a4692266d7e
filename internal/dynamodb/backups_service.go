package dynamodb

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Backups is the on-demand backup service behind CreateBackup,
// DescribeBackup, ListBackups, DeleteBackup and RestoreTableFromBackup
// (implemented by backup.Service). Errors: backup.ErrBackupNotFound,
// backup.ErrBackupInUse, backup.ErrRestoreLimit, backup.ErrSystemBackup,
// engine.ErrTableNotFound, engine.ErrTableNotReady, engine.ErrTableExists.
type Backups interface {
	// Create starts a backup of the table as of now; the result is CREATING.
	Create(ctx context.Context, table, name string) (*backup.Backup, error)
	// Describe returns the backup with that ARN.
	Describe(ctx context.Context, arn string) (*backup.Backup, error)
	// List returns every CREATING or AVAILABLE backup of every type, ordered
	// by CreatedAt, then ARN.
	List(ctx context.Context) ([]*backup.Backup, error)
	// Delete removes a backup and returns it with Status DELETED.
	Delete(ctx context.Context, arn string) (*backup.Backup, error)
	// Restore creates the table spec describes (spec.Restore is set by the
	// service) in CREATING and loads the backup into it in the background.
	Restore(ctx context.Context, arn string, spec engine.TableSpec) (*engine.Table, error)
}
