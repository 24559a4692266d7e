// Package backup implements DynamoDB's on-demand backups on the backup
// repository: CreateBackup streams a pinned engine snapshot of a table into
// the repository in the background; the backup catalog (ListBackups,
// DescribeBackup) is rebuilt from the repository's manifests at start, so
// a fresh server pointed at an existing repository finds every backup;
// restores load a backup into a new table through the engine's bulk
// loader. Backup and restore jobs survive crashes: an interrupted backup is
// removed, an interrupted restore is redone from scratch.
package backup

import (
	"errors"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Backup types and statuses, as DynamoDB names them.
const (
	TypeUser   = "USER"
	TypeSystem = "SYSTEM"

	StatusCreating  = "CREATING"
	StatusAvailable = "AVAILABLE"
	StatusDeleted   = "DELETED"
)

// Errors of the backup service; the dynamodb layer maps them to AWS errors.
var (
	// ErrBackupNotFound: no backup with that ARN in this account and region.
	ErrBackupNotFound = errors.New("backup: backup not found")
	// ErrBackupInUse: a restore from the backup is running (a second
	// restore, or DeleteBackup, must wait), or the backup is still being
	// created. The error message names the backup's ARN.
	ErrBackupInUse = errors.New("backup: backup in use")
	// ErrRestoreLimit: MaxConcurrentRestores restores are already running.
	ErrRestoreLimit = errors.New("backup: too many concurrent restores")
	// ErrSystemBackup: DeleteBackup of a SYSTEM backup (they expire on their own).
	ErrSystemBackup = errors.New("backup: system backups cannot be deleted")
)

// MaxConcurrentRestores is DynamoDB's per-account limit on running restores.
const MaxConcurrentRestores = 50

// Backup describes one backup: what DescribeBackup and ListBackups report.
type Backup struct {
	ARN  string // arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>
	ID   string // 14-digit request-time milliseconds + "-" + 8 hex digits
	Name string
	// Type is TypeUser or TypeSystem; Status one of the Status constants.
	Type   string
	Status string
	// CreatedAt is the request time, in milliseconds (the backup's instant).
	CreatedAt time.Time
	// ExpiresAt is when a SYSTEM backup expires; zero for USER backups.
	ExpiresAt time.Time
	// SizeBytes is the size of the table's data in the backup (the
	// source's TableSizeBytes at the backup instant).
	SizeBytes int64
	// Table is the source table's catalog record at the backup instant:
	// name, id, ARN, creation time, key schema, attribute definitions,
	// billing and throughput, indexes, TTL and SSE settings.
	Table *engine.Table
	// ItemCount and TableSizeBytes are the source's statistics at the
	// backup instant.
	ItemCount      int64
	TableSizeBytes int64
}
