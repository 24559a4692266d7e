package dynamodb

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
)

// Backup ARNs: arn:aws:dynamodb:<region>:<account>:table/<table>/backup/<id>,
// the id being the 14-digit creation time in epoch milliseconds, "-" and 8
// hex digits. DynamoDB identifies a backup by account, table name and id:
// an ARN naming another known region finds this region's backup (and the
// response echoes the ARN as sent), one naming an unknown region, partition
// or service is not valid, and one of another account is access denied.

// Lengths of the BackupArn shape.
const (
	minBackupArnLen = 37
	maxBackupArnLen = 1024
)

// Messages of backup ARNs DynamoDB cannot use.
const (
	msgInvalidBackupArn   = "Invalid Backup ARN"
	msgBackupArnNotValid  = "Invalid Request: BackupArn is not valid"
	msgCursorOtherRegion  = "Invalid Request: The supplied ExclusiveStartBackupArn does not match the region"
	msgCrossRegionRestore = "Invalid Request: sseSpecificationOverride must be provided for cross-region restores"
	msgAccessDenied       = "Access is denied"
)

// backupIDPattern matches a backup id.
var backupIDPattern = regexp.MustCompile(`^[0-9]{14}-[0-9a-f]{8}$`)

// awsRegions are the regions of the aws partition a backup ARN may name
// besides the server's own.
var awsRegions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-south-1": true, "ap-south-2": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true, "ap-southeast-4": true,
	"ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true,
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": true,
	"ca-central-1": true, "ca-west-1": true,
	"eu-central-1": true, "eu-central-2": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"eu-south-1": true, "eu-south-2": true, "eu-north-1": true,
	"il-central-1": true, "me-south-1": true, "me-central-1": true, "mx-central-1": true, "sa-east-1": true,
}

// backupRef is a parsed backup ARN.
type backupRef struct {
	arn    string // as the request sent it
	local  string // the same backup's ARN in this region: what the service knows
	region string
	table  string
	id     string
}

// otherRegion reports whether the ARN names a region other than the server's.
func (r backupRef) otherRegion(a *API) bool { return r.region != a.cfg.Region }

// createdMillis is the backup's creation time in epoch milliseconds, from
// its id.
func (r backupRef) createdMillis() int64 {
	ms, _ := strconv.ParseInt(r.id[:14], 10, 64) // the id matched backupIDPattern
	return ms
}

// backupArnLength records the Coral violations of a BackupArn member: its
// length (and, when required, its presence).
func (v *violations) backupArnLength(arn *string, member string, required bool) {
	switch {
	case arn == nil:
		if required {
			v.addNull(member)
		}
	case len(*arn) < minBackupArnLen:
		v.add(*arn, member, "Member must have length greater than or equal to 37")
	case len(*arn) > maxBackupArnLen:
		v.add(*arn, member, "Member must have length less than or equal to 1024")
	}
}

// parseBackupArn checks a backup ARN, in DynamoDB's order: the shape of a
// backup ARN, then its partition, service and region, then its account.
func (a *API) parseBackupArn(arn string) (backupRef, error) {
	parts := strings.SplitN(arn, ":", 6)
	if !strings.HasPrefix(arn, "arn:") || len(parts) != 6 {
		return backupRef{}, Validation(msgInvalidBackupArn)
	}
	rest, ok := strings.CutPrefix(parts[5], "table/")
	table, id, ok2 := strings.Cut(rest, "/backup/")
	if !ok || !ok2 || !validTableName(table) || !backupIDPattern.MatchString(id) {
		return backupRef{}, Validation(msgInvalidBackupArn)
	}
	region, account := parts[3], parts[4]
	switch {
	case parts[1] != "aws" || parts[2] != "dynamodb":
		return backupRef{}, Validation(msgBackupArnNotValid)
	case region == "":
		return backupRef{}, Service("AccessDeniedException", msgAccessDenied)
	case region != a.cfg.Region && !awsRegions[region]:
		return backupRef{}, Validation(msgBackupArnNotValid)
	case account != a.cfg.AccountID:
		return backupRef{}, Service("AccessDeniedException", msgAccessDenied)
	}
	return backupRef{
		arn:    arn,
		local:  "arn:aws:dynamodb:" + a.cfg.Region + ":" + account + ":table/" + table + "/backup/" + id,
		region: region,
		table:  table,
		id:     id,
	}, nil
}

// backupTableName is the name of a backup's source table: from its table
// record, or else from its ARN.
func backupTableName(b *backup.Backup) string {
	if b.Table != nil {
		return b.Table.Name
	}
	_, rest, _ := strings.Cut(b.ARN, ":table/")
	name, _, _ := strings.Cut(rest, "/backup/")
	return name
}

// isoMillis renders an instant as DynamoDB's messages do (Java's
// Instant.toString): UTC, with milliseconds unless they are zero.
func isoMillis(t time.Time) string {
	t = t.UTC().Truncate(time.Millisecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return t.Format("2006-01-02T15:04:05.000Z")
}
