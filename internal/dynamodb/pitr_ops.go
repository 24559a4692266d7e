package dynamodb

import (
	"context"
	"errors"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/pitr"
)

// Point-in-time recovery: UpdateContinuousBackups,
// DescribeContinuousBackups and RestoreTableToPointInTime, served by
// Config.PITR, which also deletes tables (leaving a SYSTEM backup of a
// table with PITR on). The API validates requests with DynamoDB's messages
// and maps the service's errors to DynamoDB's; the service keeps the
// change log, the windows and the restores.

// msgPeriodWhenDisabling is the error for a RecoveryPeriodInDays sent with
// PointInTimeRecoveryEnabled false.
const msgPeriodWhenDisabling = "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."

// registerPITROps adds the continuous-backup operations when a PITR service
// is configured (without one they are unknown operations).
func (a *API) registerPITROps() {
	if a.cfg.PITR == nil {
		return
	}
	a.ops["UpdateContinuousBackups"] = a.updateContinuousBackups
	a.ops["DescribeContinuousBackups"] = a.describeContinuousBackups
	a.ops["RestoreTableToPointInTime"] = a.restoreTableToPointInTime
}

// updateContinuousBackups implements UpdateContinuousBackups: PITR is on or
// off when the response, which describes the new state, is sent.
func (a *API) updateContinuousBackups(ctx context.Context, body []byte) (any, error) {
	var in UpdateContinuousBackupsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if err := requireTableName(in.TableName); err != nil {
		return nil, err
	}
	var v violations
	name, later := a.tableArg(&v, "tableName", *in.TableName)
	spec := in.PointInTimeRecoverySpecification
	if spec == nil {
		v.addNull("pointInTimeRecoverySpecification")
	} else {
		if spec.PointInTimeRecoveryEnabled == nil {
			v.addNull("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled")
		}
		v.recoveryPeriod(spec.RecoveryPeriodInDays)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	if err := pitrTableArgError(name, later); err != nil {
		return nil, err
	}
	enabled := *spec.PointInTimeRecoveryEnabled
	var days *int
	if d := spec.RecoveryPeriodInDays; d != nil {
		if !enabled {
			return nil, Validation(msgPeriodWhenDisabling)
		}
		days = ptr(int(*d))
	}
	if _, err := a.pitrTable(ctx, name); err != nil {
		return nil, err
	}
	st, err := a.cfg.PITR.Update(ctx, name, enabled, days)
	if err != nil {
		return nil, pitrTableError(name, err)
	}
	return continuousBackups(st), nil
}

// describeContinuousBackups implements DescribeContinuousBackups.
func (a *API) describeContinuousBackups(ctx context.Context, body []byte) (any, error) {
	name, err := a.tableNameArg(body)
	if err = pitrTableArgError(name, err); err != nil {
		return nil, err
	}
	if _, err := a.pitrTable(ctx, name); err != nil {
		return nil, err
	}
	st, err := a.cfg.PITR.Describe(ctx, name)
	if err != nil {
		return nil, pitrTableError(name, err)
	}
	return continuousBackups(st), nil
}

// recoveryPeriod records the Coral violation of a RecoveryPeriodInDays
// outside 1..35.
func (v *violations) recoveryPeriod(days *int32) {
	const member = "pointInTimeRecoverySpecification.recoveryPeriodInDays"
	switch {
	case days == nil:
	case *days < pitr.MinRecoveryPeriodDays:
		v.add(*days, member, "Member must have value greater than or equal to 1")
	case *days > pitr.MaxRecoveryPeriodDays:
		v.add(*days, member, "Member must have value less than or equal to 35")
	}
}

// pitrTableArgError turns what tableArg left for later into the PITR
// operations' error: another account's table is not found.
func pitrTableArgError(name string, later error) error {
	if isResourceNotFound(later) {
		return backupTableNotFound(name)
	}
	return later
}

// pitrTable returns the record of the table a PITR operation names (the
// source of a restore): a missing table and one still being created (a
// restore target) are not found, as in DynamoDB.
func (a *API) pitrTable(ctx context.Context, name string) (*engine.Table, error) {
	t, err := a.eng.Table(ctx, name)
	switch {
	case errors.Is(err, engine.ErrTableNotFound):
		return nil, backupTableNotFound(name)
	case err != nil:
		return nil, err
	case notReady(t):
		return nil, backupTableNotFound(name)
	}
	return t, nil
}

// pitrTableError maps the PITR service's errors about a table: gone or not
// ready is not found.
func pitrTableError(name string, err error) error {
	if tableUnavailable(err) {
		return backupTableNotFound(name)
	}
	return err
}

// dropTable deletes a table for DeleteTable: through the PITR service when
// one is configured (it leaves a SYSTEM backup of a table with PITR on),
// else in the engine. Both return the engine's errors.
func (a *API) dropTable(ctx context.Context, name string) (*engine.Table, error) {
	if a.cfg.PITR != nil {
		return a.cfg.PITR.DeleteTable(ctx, name)
	}
	return a.eng.DeleteTable(ctx, name)
}
