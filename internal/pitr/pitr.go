// Package pitr implements DynamoDB's point-in-time recovery (continuous
// backups). While it is on for a table, the engine captures every write in
// the same batch as the write; a shipper seals the captured changes into
// compressed, encrypted log segments in the backup repository about every
// second and trims the local log; base snapshots (deduplicated like
// backups) bound how much log a restore replays. A restore to an instant T
// merges the newest base at or before T with the log up to T, last image
// per key winning, and bulk-loads the result into a new table. Retention
// follows the table's recovery period on the injectable clock.
package pitr

import (
	"errors"
	"time"
)

// Default and bounds of RecoveryPeriodInDays.
const (
	DefaultRecoveryPeriodDays = 35
	MinRecoveryPeriodDays     = 1
	MaxRecoveryPeriodDays     = 35
)

// Errors of the PITR service; the dynamodb layer maps them to AWS errors.
var (
	// ErrNotEnabled: a point-in-time restore of a table without PITR.
	ErrNotEnabled = errors.New("pitr: point in time recovery is not enabled")
	// ErrInvalidTime: the restore time is outside the recovery window; the
	// error is an *InvalidTimeError carrying the window.
	ErrInvalidTime = errors.New("pitr: restore time outside the recovery window")
)

// InvalidTimeError is ErrInvalidTime with the window at the time of the call.
type InvalidTimeError struct {
	At, Earliest, Latest time.Time
}

func (e *InvalidTimeError) Error() string {
	return "pitr: restore time " + e.At.UTC().Format(time.RFC3339Nano) + " is outside [" +
		e.Earliest.UTC().Format(time.RFC3339Nano) + ", " + e.Latest.UTC().Format(time.RFC3339Nano) + "]"
}

// Unwrap makes errors.Is(err, ErrInvalidTime) true.
func (e *InvalidTimeError) Unwrap() error { return ErrInvalidTime }

// Status is a table's continuous-backups state, as
// DescribeContinuousBackups reports it.
type Status struct {
	// Enabled is PointInTimeRecoveryStatus ENABLED.
	Enabled bool
	// RecoveryPeriodDays, Earliest and Latest are set only when Enabled:
	// the restorable window is [Earliest, Latest] (millisecond precision).
	RecoveryPeriodDays int
	Earliest, Latest   time.Time
}
