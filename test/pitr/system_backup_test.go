package pitr

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

// TestPITRDeleteTableSystemBackup: DeleteTable of a table with PITR on,
// while writers write to it right up to the call, leaves the SYSTEM backup
// "<name>$DeletedTableBackup" — hidden from ListBackups by default, shown
// with BackupType SYSTEM and ALL, expiring 35 days after its creation,
// refused by DeleteBackup — which restores exactly the table's last state:
// every write acknowledged before DeleteTable was sent, none sent after
// its response, indexes included. The deleted table's PITR history is
// gone. Deleting a table that never had PITR, or had it disabled, leaves
// no backup.
func TestPITRDeleteTableSystemBackup(t *testing.T) {
	seed := testSeed(t)
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()

	// Tables without PITR: deleted first, so that once the PITR table's
	// SYSTEM backup is listed, any of theirs would be too.
	const never, disabled = "sys-never-enabled", "sys-disabled"
	for _, name := range []string{never, disabled} {
		oracle.CreateTable(t, c, name)
		putItems(t, c, name, 5)
	}
	setPITR(t, c, disabled, true, nil)
	putItems(t, c, disabled, 3)
	setPITR(t, c, disabled, false, nil)
	for _, name := range []string{never, disabled} {
		deleteTable(t, c, name)
	}

	const table = "sys-source"
	oracle.CreateTable(t, c, table)
	src := oracle.DescribeTable(t, c, table)
	setPITR(t, c, table, true, nil)

	ws := oracle.NewWriters(3, 16)
	var deleting, deleted atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, len(ws))
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w.ID)))
			for !deleted.Load() {
				if err := w.Step(ctx, c, table, rng); err != nil {
					if !deleting.Load() {
						errs <- fmt.Errorf("writer %d before DeleteTable: %w", w.ID, err)
					}
					return
				}
			}
		}()
	}
	// Let some history ship, and some not, then a write of the test's own
	// right before DeleteTable.
	time.Sleep(1500 * time.Millisecond)
	last := oracle.Item{"pk": oracle.Str("last-write"), "sk": oracle.Num(0), "val": oracle.Str("just before DeleteTable")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: last}); err != nil {
		t.Fatal(err)
	}
	delStart := wallNow()
	deleting.Store(true)
	out, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(table)})
	delEnd := wallNow()
	deleted.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if err != nil {
		t.Fatalf("DeleteTable: %v", err)
	}
	if out.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Errorf("DeleteTable: status %s, want DELETING", out.TableDescription.TableStatus)
	}
	total := 0
	for _, w := range ws {
		total += len(w.Ops)
		for _, o := range w.Ops {
			if !o.Start.Before(delEnd) {
				t.Errorf("writer %d: an operation sent at %s, after DeleteTable returned at %s, was acknowledged", w.ID, fmtTime(o.Start), fmtTime(delEnd))
				break
			}
		}
	}
	t.Logf("%d writers ran %d operations up to DeleteTable", len(ws), total)

	// The SYSTEM backup.
	name := table + "$DeletedTableBackup"
	var sum types.BackupSummary
	deadline := time.Now().Add(time.Minute)
	for {
		bs := listBackups(t, c, &dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterSystem})
		if len(bs) != 1 {
			t.Fatalf("ListBackups SYSTEM: %d backups (%s), want the one of %s", len(bs), summaries(bs), table)
		}
		sum = bs[0]
		if sum.BackupStatus == types.BackupStatusAvailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SYSTEM backup still %s a minute after DeleteTable", sum.BackupStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
	arn := aws.ToString(sum.BackupArn)
	created := aws.ToTime(sum.BackupCreationDateTime)
	if aws.ToString(sum.BackupName) != name || sum.BackupType != types.BackupTypeSystem || aws.ToString(sum.TableName) != table ||
		aws.ToString(sum.TableArn) != aws.ToString(src.TableArn) || aws.ToString(sum.TableId) != aws.ToString(src.TableId) ||
		!strings.HasPrefix(arn, aws.ToString(src.TableArn)+"/backup/") {
		t.Errorf("SYSTEM backup summary %s, want name %s of table %s (%s, %s)", summaries([]types.BackupSummary{sum}), name, table,
			aws.ToString(src.TableArn), aws.ToString(src.TableId))
	}
	if created.Before(delStart.Truncate(time.Millisecond)) || created.After(ceilMilli(delEnd)) {
		t.Errorf("SYSTEM backup created at %s, but DeleteTable ran in [%s, %s]", fmtTime(created), fmtTime(delStart), fmtTime(delEnd))
	}
	if exp := aws.ToTime(sum.BackupExpiryDateTime); exp.Sub(created) < 35*24*time.Hour-time.Minute || exp.Sub(created) > 35*24*time.Hour+time.Minute {
		t.Errorf("SYSTEM backup expires at %s, want 35 days after its creation at %s", exp, created)
	}
	for _, in := range []*dynamodb.ListBackupsInput{{}, {BackupType: types.BackupTypeFilterUser}, {TableName: aws.String(table)}} {
		if bs := listBackups(t, c, in); len(bs) != 0 {
			t.Errorf("ListBackups (BackupType %q, TableName %q): %s, want none (SYSTEM backups are hidden)", in.BackupType, aws.ToString(in.TableName), summaries(bs))
		}
	}
	for _, in := range []*dynamodb.ListBackupsInput{{BackupType: types.BackupTypeFilterAll}, {BackupType: types.BackupTypeFilterAll, TableName: aws.String(table)},
		{BackupType: types.BackupTypeFilterSystem, TableName: aws.String(table)}} {
		if bs := listBackups(t, c, in); len(bs) != 1 || aws.ToString(bs[0].BackupArn) != arn {
			t.Errorf("ListBackups (BackupType %q, TableName %q): %s, want only the SYSTEM backup", in.BackupType, aws.ToString(in.TableName), summaries(bs))
		}
	}
	for _, gone := range []string{never, disabled} {
		if bs := listBackups(t, c, &dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterAll, TableName: aws.String(gone)}); len(bs) != 0 {
			t.Errorf("table %s was deleted without PITR, yet ListBackups ALL shows %s", gone, summaries(bs))
		}
	}
	d, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("DescribeBackup: %v", err)
	}
	if bd := d.BackupDescription.BackupDetails; bd.BackupType != types.BackupTypeSystem || aws.ToString(bd.BackupName) != name ||
		bd.BackupStatus != types.BackupStatusAvailable || bd.BackupExpiryDateTime == nil {
		t.Errorf("DescribeBackup: details %+v", bd)
	}
	if f := d.BackupDescription.SourceTableFeatureDetails; f == nil || len(f.GlobalSecondaryIndexes) != 1 || len(f.LocalSecondaryIndexes) != 1 {
		t.Errorf("DescribeBackup: SourceTableFeatureDetails %+v, want the GSI and the LSI", f)
	}

	_, err = c.DeleteBackup(ctx, &dynamodb.DeleteBackupInput{BackupArn: aws.String(arn)})
	var ve interface{ ErrorCode() string }
	if !errors.As(err, &ve) || ve.ErrorCode() != "ValidationException" {
		t.Errorf("DeleteBackup of the SYSTEM backup: err = %v, want ValidationException", err)
	}
	if bs := listBackups(t, c, &dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterSystem}); len(bs) != 1 {
		t.Errorf("after the refused DeleteBackup, ListBackups SYSTEM: %s", summaries(bs))
	}

	// It restores the table's last state.
	const target = "sys-restored"
	if _, err := c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(arn), TargetTableName: aws.String(target)}); err != nil {
		t.Fatalf("RestoreTableFromBackup of the SYSTEM backup: %v", err)
	}
	td := waitRestored(t, c, target)
	got := oracle.ScanAll(t, c, target, nil)
	what := "SYSTEM backup of " + table
	for _, w := range ws {
		lo, hi := w.Bounds(delStart, delEnd)
		w.CheckPrefix(t, what, lo, hi, got)
	}
	if g, ok := got["last-write"]; !ok || oracle.Canonical(g) != oracle.Canonical(last) {
		t.Errorf("%s: the write acknowledged right before DeleteTable is %v, want %s", what, g, oracle.Canonical(last))
	}
	for pk := range got {
		if pk != "last-write" && !strings.HasPrefix(pk, "w") {
			t.Errorf("%s: unexpected item %s", what, pk)
		}
	}
	oracle.CheckGSI(t, c, target, got)
	oracle.CheckLSI(t, c, target, got)
	if n := aws.ToInt64(td.ItemCount); n != int64(len(got)) {
		t.Errorf("%s: restored ItemCount %d, scan found %d", what, n, len(got))
	}
	if n := aws.ToInt64(d.BackupDescription.SourceTableDetails.ItemCount); n != int64(len(got)) {
		t.Errorf("%s: SourceTableDetails.ItemCount %d, restored %d items", what, n, len(got))
	}
	if rs := td.RestoreSummary; rs == nil || aws.ToString(rs.SourceBackupArn) != arn || aws.ToString(rs.SourceTableArn) != aws.ToString(src.TableArn) {
		t.Errorf("%s: restored table's RestoreSummary %s", what, fmtSummary(rs))
	}

	// The deleted table's PITR history is gone with it; a new table of the
	// same name starts without PITR.
	_, err = c.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(table),
		TargetTableName: aws.String("sys-pitr"), UseLatestRestorableTime: aws.Bool(true)})
	var tnf *types.TableNotFoundException
	if !errors.As(err, &tnf) {
		t.Errorf("point-in-time restore of the deleted table: err = %v, want TableNotFoundException", err)
	}
	oracle.CreateTable(t, c, table)
	if p := describePITR(t, c, table); p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("re-created %s: PointInTimeRecoveryStatus %s, want DISABLED", table, p.PointInTimeRecoveryStatus)
	}
	deleteTable(t, c, table)
	if bs := listBackups(t, c, &dynamodb.ListBackupsInput{BackupType: types.BackupTypeFilterAll}); len(bs) != 1 {
		t.Errorf("after deleting the re-created table (no PITR), ListBackups ALL: %s, want only the first SYSTEM backup", summaries(bs))
	}
}

// putItems puts n items "p-<i>" into an oracle table.
func putItems(t *testing.T, c *dynamodb.Client, table string, n int) {
	t.Helper()
	for i := range n {
		it := oracle.Item{"pk": oracle.Str(fmt.Sprintf("p-%d", i)), "sk": oracle.Num(0), "ls": oracle.Num(int64(i))}
		if _, err := c.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatalf("PutItem %s: %v", table, err)
		}
	}
}

// listBackups lists every page of ListBackups.
func listBackups(t *testing.T, c *dynamodb.Client, in *dynamodb.ListBackupsInput) []types.BackupSummary {
	t.Helper()
	var out []types.BackupSummary
	for {
		page, err := c.ListBackups(context.Background(), in)
		if err != nil {
			t.Fatalf("ListBackups: %v", err)
		}
		out = append(out, page.BackupSummaries...)
		if page.LastEvaluatedBackupArn == nil {
			return out
		}
		in.ExclusiveStartBackupArn = page.LastEvaluatedBackupArn
	}
}

func summaries(bs []types.BackupSummary) string {
	var parts []string
	for _, b := range bs {
		parts = append(parts, fmt.Sprintf("{%s %s %s table=%s created=%v expires=%v}", aws.ToString(b.BackupName), b.BackupType, b.BackupStatus,
			aws.ToString(b.TableName), aws.ToTime(b.BackupCreationDateTime), aws.ToTime(b.BackupExpiryDateTime)))
	}
	return "[" + strings.Join(parts, " ") + "]"
}
