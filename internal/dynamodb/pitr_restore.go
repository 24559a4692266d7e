package dynamodb

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/pitr"
)

// RestoreTableToPointInTime creates a new table from a table's state at an
// instant of its recovery window. DynamoDB's precedence: the request's
// shape (Coral constraints, the source, the time, the overrides), then
// the source's existence, then PITR being on, the instant being in the
// window, and last the target's name being free. The API checks the shape
// and the source; it computes the target's specification from the source's
// current record (as DynamoDB takes indexes, capacity and encryption from
// the source's current settings) and the overrides, exactly as
// RestoreTableFromBackup does from a backup's record; the PITR service
// checks the rest in that order, creates the target CREATING and loads it
// in the background.

// Messages of RestoreTableToPointInTime's own rules.
const (
	msgExactlyOneSource   = "Must provide exactly one of: sourceTableArn, sourceTableName"
	msgSourceArnInvalid   = "sourceTableArn is not a valid ARN"
	msgSourceOtherAccount = "This action is only supported by accounts that match the resource owner's account"
	msgBothRestoreTimes   = "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time restore request. " +
		"Please specify either RestoreDateTime time or UseLatestRestorableTime"
	msgNoRestoreTime = "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"
)

// accountPattern matches an AWS account id.
var accountPattern = regexp.MustCompile(`^[0-9]{12}$`)

// pitrRestoreRequest is a RestoreTableToPointInTime request checked as far
// as it can be without the source table.
type pitrRestoreRequest struct {
	restoreRequest
	source string    // the source table's name
	at     time.Time // the instant asked for, unless latest
	latest bool      // UseLatestRestorableTime
}

// restoreTableToPointInTime implements RestoreTableToPointInTime.
func (a *API) restoreTableToPointInTime(ctx context.Context, body []byte) (any, error) {
	var in RestoreTableToPointInTimeInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	req, err := a.checkPITRRestore(&in)
	if err != nil {
		return nil, err
	}
	src, err := a.cfg.PITR.Source(ctx, req.source)
	if err != nil {
		return nil, pitrTableError(req.source, err)
	}
	spec, err := restoreSpec(&req.restoreRequest, src)
	if err != nil {
		return nil, err
	}
	t, err := a.cfg.PITR.Restore(ctx, req.source, req.at, req.latest, spec)
	if err != nil {
		return nil, a.pitrRestoreError(ctx, req, err)
	}
	d := tableDescription(t, engine.TableStats{}, a.now())
	d.TableStatus = engine.StatusCreating
	if d.RestoreSummary == nil {
		// The service records the restore; this covers one that did not,
		// with the start of the restore standing in for "latest".
		at := req.at
		if req.latest {
			at = t.CreatedAt
		}
		d.RestoreSummary = &RestoreSummary{SourceTableArn: src.ARN, RestoreDateTime: epochTime(at)}
	}
	d.RestoreSummary.SourceBackupArn = ""
	d.RestoreSummary.RestoreInProgress = true
	return RestoreTableToPointInTimeOutput{TableDescription: d}, nil
}

// checkPITRRestore validates what can be validated without the source
// table: the Coral constraints, the source, the time, then the overrides.
func (a *API) checkPITRRestore(in *RestoreTableToPointInTimeInput) (*pitrRestoreRequest, error) {
	o := in.overrides()
	var v violations
	if arn := in.SourceTableArn; arn != nil {
		switch {
		case len(*arn) < 1:
			v.add(*arn, "sourceTableArn", "Member must have length greater than or equal to 1")
		case len(*arn) > maxTableArnLen:
			v.add(*arn, "sourceTableArn", "Member must have length less than or equal to 1024")
		}
	}
	if in.SourceTableName != nil {
		v.tableName(in.SourceTableName, "sourceTableName")
	}
	v.tableName(in.TargetTableName, "targetTableName")
	o.violations(&v)
	if err := v.err(); err != nil {
		return nil, err
	}
	source, otherRegion, err := a.pitrSourceArg(in)
	if err != nil {
		return nil, err
	}
	if otherRegion && o.sse == nil {
		return nil, Validation(msgCrossRegionRestore)
	}
	req := &pitrRestoreRequest{source: source, latest: in.UseLatestRestorableTime != nil && *in.UseLatestRestorableTime}
	switch {
	case req.latest && in.RestoreDateTime != nil:
		return nil, Validation(msgBothRestoreTimes)
	case !req.latest && in.RestoreDateTime == nil:
		return nil, Validation(msgNoRestoreTime)
	case in.RestoreDateTime != nil:
		req.at = time.Time(*in.RestoreDateTime)
	}
	sse, err := a.checkOverrides(&o)
	if err != nil {
		return nil, err
	}
	req.restoreRequest = restoreRequest{target: *in.TargetTableName, o: o, sse: sse}
	return req, nil
}

// pitrSourceArg returns the name of the source table the request names
// (exactly one of SourceTableName and SourceTableArn; with neither,
// DynamoDB says TableName is missing) and whether its ARN names another
// region.
func (a *API) pitrSourceArg(in *RestoreTableToPointInTimeInput) (name string, otherRegion bool, err error) {
	switch {
	case in.SourceTableArn != nil && in.SourceTableName != nil:
		return "", false, Validation(msgExactlyOneSource)
	case in.SourceTableName != nil:
		return *in.SourceTableName, false, nil
	case in.SourceTableArn == nil:
		return "", false, requireTableName(nil)
	}
	return a.parseSourceTableArn(*in.SourceTableArn)
}

// parseSourceTableArn checks a SourceTableArn,
// arn:aws:dynamodb:<region>:<account>:table/<name>, and returns the table's
// name. As for backup ARNs, another known region of the aws partition names
// the table of that name here (a cross-region restore); an unknown one
// makes the ARN invalid. Another account's table is refused.
func (a *API) parseSourceTableArn(arn string) (name string, otherRegion bool, err error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] != "aws" || parts[2] != "dynamodb" || !accountPattern.MatchString(parts[4]) {
		return "", false, Validation(msgSourceArnInvalid)
	}
	name, ok := strings.CutPrefix(parts[5], "table/")
	region := parts[3]
	if !ok || !validTableName(name) || (region != a.cfg.Region && !awsRegions[region]) {
		return "", false, Validation(msgSourceArnInvalid)
	}
	if parts[4] != a.cfg.AccountID {
		return "", false, Validation(msgSourceOtherAccount)
	}
	return name, region != a.cfg.Region, nil
}

// pitrRestoreError maps the PITR service's refusal of a restore.
func (a *API) pitrRestoreError(ctx context.Context, req *pitrRestoreRequest, err error) error {
	var bad *pitr.InvalidTimeError
	switch {
	case errors.Is(err, pitr.ErrNotEnabled):
		return Dynamo("PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table '%s'", req.source)
	case errors.As(err, &bad):
		at := bad.At
		if at.IsZero() {
			at = req.at
		}
		return Dynamo("InvalidRestoreTimeException", "RestoreDateTime '%s' must be within EarliestRestorableDateTime '%s' and LatestRestorableDateTime '%s'",
			isoMillis(at), isoMillis(bad.Earliest), isoMillis(bad.Latest))
	case errors.Is(err, pitr.ErrInvalidTime): // without the window
		return Dynamo("InvalidRestoreTimeException", "RestoreDateTime '%s' must be within EarliestRestorableDateTime and LatestRestorableDateTime", isoMillis(req.at))
	case errors.Is(err, engine.ErrTableExists):
		return a.targetConflict(ctx, req.target)
	case errors.Is(err, backup.ErrRestoreLimit):
		return restoreLimit()
	case tableUnavailable(err):
		return backupTableNotFound(req.source) // the source went meanwhile
	}
	return err
}
