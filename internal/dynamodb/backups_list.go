package dynamodb

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
)

// ListBackups lists backups in creation order (then by ARN), filtered by
// source table name, creation time in [TimeRangeLowerBound,
// TimeRangeUpperBound) and type (USER unless BackupType says otherwise;
// ALL is every type). ExclusiveStartBackupArn is a position in that order:
// the listing resumes after it whether or not the backup still exists (its
// id gives its creation time). A page holds at most Limit backups and at
// most about 1 MB; LastEvaluatedBackupArn is set only when more remain.

// Values of ListBackups' BackupType filter besides the backup types.
const (
	backupTypeAWSBackup = "AWS_BACKUP"
	backupTypeAll       = "ALL"
)

// Limits of a ListBackups page.
const (
	maxListBackups      = 100     // the largest Limit
	maxListBackupsBytes = 1 << 20 // DynamoDB's 1 MB page size
)

// backupFilter is a validated ListBackups request.
type backupFilter struct {
	table        string // "" for every table
	typ          string // a backup type, or backupTypeAll
	lower, upper *int64 // creation time bounds, epoch milliseconds
	startMillis  int64  // with startArn: the cursor's position
	startArn     string // "" to start at the beginning
	limit        int    // 0 for no limit but the page size
	matchNothing bool   // the table is another account's
}

// listBackups implements ListBackups.
func (a *API) listBackups(ctx context.Context, body []byte) (any, error) {
	var in ListBackupsInput
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	f, err := a.backupFilter(&in)
	if err != nil {
		return nil, err
	}
	out := ListBackupsOutput{BackupSummaries: []BackupSummary{}}
	if f.matchNothing {
		return out, nil
	}
	all, err := a.cfg.Backups.List(ctx)
	if err != nil {
		return nil, err
	}
	list := slices.Clone(all)
	slices.SortStableFunc(list, compareBackups)
	size := 0
	for _, b := range list {
		if !f.match(b) {
			continue
		}
		s := backupSummary(b)
		buf, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		// A full page with a match left over says where to resume.
		if n := len(out.BackupSummaries); (f.limit > 0 && n == f.limit) || (n > 0 && size+len(buf)+1 > maxListBackupsBytes) {
			out.LastEvaluatedBackupArn = out.BackupSummaries[n-1].BackupArn
			break
		}
		size += len(buf) + 1 // and a comma
		out.BackupSummaries = append(out.BackupSummaries, s)
	}
	return out, nil
}

// compareBackups orders backups as ListBackups lists them: by creation
// time in milliseconds, then by ARN.
func compareBackups(x, y *backup.Backup) int {
	return cmp.Or(cmp.Compare(x.CreatedAt.UnixMilli(), y.CreatedAt.UnixMilli()), cmp.Compare(x.ARN, y.ARN))
}

// match reports whether a backup belongs in the listing.
func (f *backupFilter) match(b *backup.Backup) bool {
	ms := b.CreatedAt.UnixMilli()
	switch {
	case f.table != "" && backupTableName(b) != f.table:
		return false
	case f.typ != backupTypeAll && b.Type != f.typ:
		return false
	case f.lower != nil && ms < *f.lower:
		return false
	case f.upper != nil && ms >= *f.upper:
		return false
	case f.startArn != "" && cmp.Or(cmp.Compare(ms, f.startMillis), cmp.Compare(b.ARN, f.startArn)) <= 0:
		return false
	}
	return true
}

// backupFilter validates a ListBackups request: the Coral constraints, then
// the table ARN, the time range and the start ARN.
func (a *API) backupFilter(in *ListBackupsInput) (*backupFilter, error) {
	f := &backupFilter{typ: backup.TypeUser}
	var v violations
	var later error
	if in.TableName != nil {
		f.table, later = a.tableArg(&v, "tableName", *in.TableName)
	}
	if in.Limit != nil {
		switch {
		case *in.Limit < 1:
			v.add(*in.Limit, "limit", "Member must have value greater than or equal to 1")
		case *in.Limit > maxListBackups:
			v.add(*in.Limit, "limit", "Member must have value less than or equal to 100")
		default:
			f.limit = int(*in.Limit)
		}
	}
	v.backupArnLength(in.ExclusiveStartBackupArn, "exclusiveStartBackupArn", false)
	if in.BackupType != nil {
		v.enumAlways(*in.BackupType, "backupType", backup.TypeUser, backup.TypeSystem, backupTypeAWSBackup, backupTypeAll)
		f.typ = *in.BackupType
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	switch {
	case isResourceNotFound(later):
		f.matchNothing = true // another account's table has no backups here
	case later != nil:
		return nil, later
	}
	if in.TimeRangeLowerBound != nil {
		f.lower = ptr(time.Time(*in.TimeRangeLowerBound).UnixMilli())
	}
	if in.TimeRangeUpperBound != nil {
		f.upper = ptr(time.Time(*in.TimeRangeUpperBound).UnixMilli())
	}
	if f.lower != nil && f.upper != nil && *f.lower > *f.upper {
		return nil, invalidParam("Time range lower bound must be less than or equal to upper bound")
	}
	if in.ExclusiveStartBackupArn != nil {
		ref, err := a.parseBackupArn(*in.ExclusiveStartBackupArn)
		if err != nil {
			return nil, err
		}
		if ref.otherRegion(a) {
			return nil, Validation(msgCursorOtherRegion)
		}
		f.startArn, f.startMillis = ref.local, ref.createdMillis()
	}
	return f, nil
}
