package pitr

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/test/sdkclient"
)

func newClient(endpoint string) *dynamodb.Client { return sdkclient.New(endpoint, 8, 60*time.Second) }

// testSeed returns the -pitr.seed flag, or a time-based seed, and logs it.
func testSeed(t *testing.T) uint64 {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -run '^%s$' -pitr.seed=%d)", seed, t.Name(), seed)
	return seed
}

// wallNow is the wall clock without its monotonic reading (the server
// stamps commits with the wall clock; instants on the wire have none).
func wallNow() time.Time { return time.Now().Round(0) }

// ceilMilli rounds t up to a whole millisecond (the wire's precision).
func ceilMilli(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

// committedBy is the bound the oracle uses for an instant T: a restore to T
// includes every commit in or before T's microsecond, so an operation
// acknowledged before T+1µs is in, and one sent at or after T+1µs is out.
func committedBy(at time.Time) time.Time { return at.Add(time.Microsecond) }

// setPITR calls UpdateContinuousBackups and returns the description.
func setPITR(t testing.TB, c *dynamodb.Client, table string, enabled bool, days *int32) *types.PointInTimeRecoveryDescription {
	t.Helper()
	out, err := c.UpdateContinuousBackups(context.Background(), &dynamodb.UpdateContinuousBackupsInput{
		TableName: aws.String(table),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: aws.Bool(enabled), RecoveryPeriodInDays: days,
		},
	})
	if err != nil {
		t.Fatalf("UpdateContinuousBackups %s enabled=%v: %v", table, enabled, err)
	}
	d := out.ContinuousBackupsDescription
	if d == nil || d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || d.PointInTimeRecoveryDescription == nil {
		t.Fatalf("UpdateContinuousBackups %s: description %+v", table, d)
	}
	p := d.PointInTimeRecoveryDescription
	want := types.PointInTimeRecoveryStatusDisabled
	if enabled {
		want = types.PointInTimeRecoveryStatusEnabled
	}
	if p.PointInTimeRecoveryStatus != want {
		t.Fatalf("UpdateContinuousBackups %s: PointInTimeRecoveryStatus %s, want %s", table, p.PointInTimeRecoveryStatus, want)
	}
	return p
}

// describePITR calls DescribeContinuousBackups.
func describePITR(t testing.TB, c *dynamodb.Client, table string) *types.PointInTimeRecoveryDescription {
	t.Helper()
	out, err := c.DescribeContinuousBackups(context.Background(), &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeContinuousBackups %s: %v", table, err)
	}
	d := out.ContinuousBackupsDescription
	if d == nil || d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || d.PointInTimeRecoveryDescription == nil {
		t.Fatalf("DescribeContinuousBackups %s: description %+v", table, d)
	}
	return d.PointInTimeRecoveryDescription
}

// window returns the table's restorable window; PITR must be on, and the
// window well-formed.
func window(t testing.TB, c *dynamodb.Client, table string) (earliest, latest time.Time) {
	t.Helper()
	p := describePITR(t, c, table)
	if p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled || p.EarliestRestorableDateTime == nil || p.LatestRestorableDateTime == nil {
		t.Fatalf("DescribeContinuousBackups %s: %+v, want ENABLED with a window", table, p)
	}
	earliest, latest = *p.EarliestRestorableDateTime, *p.LatestRestorableDateTime
	if latest.Before(earliest) {
		t.Fatalf("DescribeContinuousBackups %s: LatestRestorableDateTime %s before EarliestRestorableDateTime %s", table, latest, earliest)
	}
	return earliest, latest
}

// waitRestorable polls DescribeContinuousBackups until the latest
// restorable instant reaches at (one minute at most), and returns the
// window then.
func waitRestorable(t testing.TB, c *dynamodb.Client, table string, at time.Time) (earliest, latest time.Time) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		earliest, latest = window(t, c, table)
		if !latest.Before(at) {
			return earliest, latest
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: LatestRestorableDateTime still %s a minute later, want ≥ %s", table, fmtTime(latest), fmtTime(at))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// restoreTo starts a point-in-time restore of source into target at the
// instant at (zero: UseLatestRestorableTime) and checks the response.
func restoreTo(t testing.TB, c *dynamodb.Client, source, sourceARN, target string, at time.Time) *types.TableDescription {
	t.Helper()
	in := &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(source), TargetTableName: aws.String(target)}
	if at.IsZero() {
		in.UseLatestRestorableTime = aws.Bool(true)
	} else {
		in.RestoreDateTime = aws.Time(at)
	}
	out, err := c.RestoreTableToPointInTime(context.Background(), in)
	if err != nil {
		t.Fatalf("RestoreTableToPointInTime %s → %s at %s: %v", source, target, fmtTime(at), err)
	}
	d := out.TableDescription
	if d == nil || aws.ToString(d.TableName) != target || d.TableStatus != types.TableStatusCreating {
		t.Fatalf("RestoreTableToPointInTime %s: table description %+v, want %s CREATING", target, d, target)
	}
	rs := d.RestoreSummary
	if rs == nil || aws.ToString(rs.SourceTableArn) != sourceARN || rs.SourceBackupArn != nil || !aws.ToBool(rs.RestoreInProgress) || rs.RestoreDateTime == nil {
		t.Fatalf("RestoreTableToPointInTime %s: RestoreSummary %s, want SourceTableArn %s, no SourceBackupArn, RestoreInProgress", target, fmtSummary(rs), sourceARN)
	}
	if !at.IsZero() && !rs.RestoreDateTime.Equal(at) {
		t.Errorf("RestoreTableToPointInTime %s: RestoreSummary.RestoreDateTime %s, want the requested %s", target, fmtTime(*rs.RestoreDateTime), fmtTime(at))
	}
	return d
}

// expectRestoreError asserts a point-in-time restore is refused with an
// error of type E, and that it created no table.
func expectRestoreError[E error](t testing.TB, c *dynamodb.Client, what string, in *dynamodb.RestoreTableToPointInTimeInput) {
	t.Helper()
	_, err := c.RestoreTableToPointInTime(context.Background(), in)
	var want E
	if !errors.As(err, &want) {
		t.Errorf("%s: RestoreTableToPointInTime err = %v, want %T", what, err, want)
		return
	}
	_, err = c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: in.TargetTableName})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("%s: the refused restore left table %s (DescribeTable err = %v)", what, aws.ToString(in.TargetTableName), err)
	}
}

// waitRestored waits until a restore target is ACTIVE (two minutes at
// most) and returns its description; a target that disappears is a failed
// restore.
func waitRestored(t testing.TB, c *dynamodb.Client, table string) *types.TableDescription {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		var nf *types.ResourceNotFoundException
		switch {
		case errors.As(err, &nf):
			t.Fatalf("restore target %s disappeared while CREATING: the restore failed (see the server log)", table)
		case err != nil:
			t.Fatalf("DescribeTable %s: %v", table, err)
		case out.Table.TableStatus == types.TableStatusActive:
			return out.Table
		case out.Table.TableStatus != types.TableStatusCreating:
			t.Fatalf("restore target %s is %s", table, out.Table.TableStatus)
		}
		if time.Now().After(deadline) {
			t.Fatalf("restore target %s not ACTIVE after 2 minutes", table)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// deleteTable deletes a table (a restored one the test is done with).
func deleteTable(t testing.TB, c *dynamodb.Client, table string) {
	t.Helper()
	if _, err := c.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(table)}); err != nil {
		t.Fatalf("DeleteTable %s: %v", table, err)
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "latest"
	}
	return t.UTC().Format("15:04:05.000000")
}

func fmtSummary(rs *types.RestoreSummary) string {
	if rs == nil {
		return "<nil>"
	}
	at := "<nil>"
	if rs.RestoreDateTime != nil {
		at = rs.RestoreDateTime.UTC().Format(time.RFC3339Nano)
	}
	return "{SourceTableArn:" + aws.ToString(rs.SourceTableArn) + " SourceBackupArn:" + aws.ToString(rs.SourceBackupArn) +
		" RestoreDateTime:" + at + " RestoreInProgress:" + boolStr(aws.ToBool(rs.RestoreInProgress)) + "}"
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
