package dynamodb

import (
	"context"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/pitr"
)

// PITR is the point-in-time recovery service behind
// UpdateContinuousBackups, DescribeContinuousBackups,
// RestoreTableToPointInTime, and DeleteTable (which leaves a SYSTEM backup
// when PITR is on). Implemented by pitr.Service. Errors: engine.ErrTableNotFound,
// engine.ErrTableNotReady, engine.ErrTableExists, engine.ErrDeletionProtected,
// pitr.ErrNotEnabled, pitr.ErrInvalidTime (*pitr.InvalidTimeError),
// backup.ErrRestoreLimit.
type PITR interface {
	// Update enables or disables PITR on a table. periodDays (1..35,
	// validated by the caller) is nil for the default (35) or to keep the
	// current period of an enabled table. Enabling an enabled table keeps
	// its window; disabling drops the history.
	Update(ctx context.Context, table string, enabled bool, periodDays *int) (*pitr.Status, error)
	// Source returns the record a point-in-time restore of the table starts
	// from: the live table's, or the last one recorded in the repository
	// for a table known only from its shipped history (disaster recovery).
	Source(ctx context.Context, table string) (*engine.Table, error)
	// Describe returns the table's state.
	Describe(ctx context.Context, table string) (*pitr.Status, error)
	// Restore creates the table spec describes (spec.Restore is set by the
	// service) in CREATING and loads the source table as it was at `at`
	// (or at its latest restorable instant when latest is true) in the
	// background. The returned table's Restore.RestoreDateTime is the
	// instant restored.
	Restore(ctx context.Context, source string, at time.Time, latest bool, spec engine.TableSpec) (*engine.Table, error)
	// DeleteTable deletes a table; with PITR on it first leaves a SYSTEM
	// backup "<table>$DeletedTableBackup" of its last state (35 days).
	DeleteTable(ctx context.Context, table string) (*engine.Table, error)
}
