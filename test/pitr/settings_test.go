package pitr

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

// TestPITRContinuousBackupsSettings: UpdateContinuousBackups is
// synchronous and idempotent; RecoveryPeriodInDays defaults to 35, changes
// in place, may not be sent when disabling and is forgotten by disabling;
// disabling then re-enabling restarts the window (older instants are no
// longer restorable, and the new window's restores hold the table's whole
// content); missing tables are TableNotFoundException.
func TestPITRContinuousBackupsSettings(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const table = "settings"
	oracle.CreateTable(t, c, table)
	arn := aws.ToString(oracle.DescribeTable(t, c, table).TableArn)
	putItems(t, c, table, 10)

	p := setPITR(t, c, table, true, aws.Int32(7))
	if aws.ToInt32(p.RecoveryPeriodInDays) != 7 {
		t.Errorf("enable with 7 days: RecoveryPeriodInDays %d", aws.ToInt32(p.RecoveryPeriodInDays))
	}
	earliest := aws.ToTime(p.EarliestRestorableDateTime)
	putItems(t, c, table, 12) // p-10, p-11 are new
	mid := ceilMilli(wallNow())
	time.Sleep(2 * time.Millisecond)
	putItems(t, c, table, 15) // p-12 … p-14 are new
	if p := setPITR(t, c, table, true, nil); aws.ToInt32(p.RecoveryPeriodInDays) != 7 || !aws.ToTime(p.EarliestRestorableDateTime).Equal(earliest) {
		t.Errorf("enable when enabled, no period: %d days, earliest %s, want 7 days and the window kept from %s",
			aws.ToInt32(p.RecoveryPeriodInDays), fmtTime(aws.ToTime(p.EarliestRestorableDateTime)), fmtTime(earliest))
	}
	if p := setPITR(t, c, table, true, aws.Int32(14)); aws.ToInt32(p.RecoveryPeriodInDays) != 14 || !aws.ToTime(p.EarliestRestorableDateTime).Equal(earliest) {
		t.Errorf("period changed in place: %d days, earliest %s, want 14 days and the window kept from %s",
			aws.ToInt32(p.RecoveryPeriodInDays), fmtTime(aws.ToTime(p.EarliestRestorableDateTime)), fmtTime(earliest))
	}
	if p := describePITR(t, c, table); aws.ToInt32(p.RecoveryPeriodInDays) != 14 {
		t.Errorf("DescribeContinuousBackups: RecoveryPeriodInDays %d, want 14", aws.ToInt32(p.RecoveryPeriodInDays))
	}
	waitRestorable(t, c, table, mid)
	restoreTo(t, c, table, arn, "settings-mid", mid)
	checkPKs(t, c, "settings-mid", 12)

	for _, bad := range []int32{0, 36} {
		_, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(table),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(bad)}})
		expectCode(t, fmt.Sprintf("RecoveryPeriodInDays %d", bad), err, "ValidationException")
	}
	_, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(table),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false), RecoveryPeriodInDays: aws.Int32(7)}})
	expectCode(t, "RecoveryPeriodInDays sent when disabling", err, "ValidationException")
	if p := describePITR(t, c, table); p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled {
		t.Fatalf("a refused disable changed the status to %s", p.PointInTimeRecoveryStatus)
	}
	for _, name := range []string{"no-such-table", "arn:aws:dynamodb:us-east-1:" + srv.AccountID + ":table/no-such-table"} {
		_, err = c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(name)})
		expectCode(t, "DescribeContinuousBackups "+name, err, "TableNotFoundException")
		_, err = c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(name),
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
		expectCode(t, "UpdateContinuousBackups "+name, err, "TableNotFoundException")
	}
	_, err = c.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("no-such-table"),
		TargetTableName: aws.String("settings-x"), UseLatestRestorableTime: aws.Bool(true)})
	expectCode(t, "RestoreTableToPointInTime of a missing table", err, "TableNotFoundException")

	// Disable (twice: idempotent), then enable again: a new window.
	setPITR(t, c, table, false, nil)
	setPITR(t, c, table, false, nil)
	putItems(t, c, table, 18) // p-15 … p-17, while PITR is off
	reStart := wallNow()
	p = setPITR(t, c, table, true, nil)
	if aws.ToInt32(p.RecoveryPeriodInDays) != 35 {
		t.Errorf("re-enabled without a period: RecoveryPeriodInDays %d, want the default 35 (disabling forgets it)", aws.ToInt32(p.RecoveryPeriodInDays))
	}
	e2 := aws.ToTime(p.EarliestRestorableDateTime)
	if e2.Before(reStart.Truncate(time.Millisecond)) {
		t.Errorf("re-enabled at %s: EarliestRestorableDateTime %s, want the window restarted", fmtTime(reStart), fmtTime(e2))
	}
	expectRestoreError[*types.InvalidRestoreTimeException](t, c, "restore to an instant of the window before PITR was disabled",
		&dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(table), TargetTableName: aws.String("settings-x"), RestoreDateTime: aws.Time(mid)})
	restoreTo(t, c, table, arn, "settings-restart", e2)
	checkPKs(t, c, "settings-restart", 18)
	restoreTo(t, c, table, arn, "settings-latest", time.Time{})
	checkPKs(t, c, "settings-latest", 18)
}

// checkPKs waits for a restored table and checks it holds exactly the
// items p-0 … p-<n-1> that putItems wrote.
func checkPKs(t *testing.T, c *dynamodb.Client, table string, n int) {
	t.Helper()
	waitRestored(t, c, table)
	got := oracle.ScanAll(t, c, table, nil)
	want := map[string]string{}
	for i := range n {
		pk := fmt.Sprintf("p-%d", i)
		want[pk] = oracle.Canonical(oracle.Item{"pk": oracle.Str(pk), "sk": oracle.Num(0), "ls": oracle.Num(int64(i))})
	}
	oracle.CompareMaps(t, table, want, got)
	oracle.CheckLSI(t, c, table, got)
}

// expectCode asserts err is a service error with the given code.
func expectCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

// TestPITRRestoreTakesCurrentIndexes: a point-in-time restore takes the
// source's current indexes, even to an instant before one was created, and
// builds them from the restored items.
func TestPITRRestoreTakesCurrentIndexes(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const source = "late-index"
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(source),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
	})
	if err != nil {
		t.Fatal(err)
	}
	oracle.WaitTableActive(t, c, source)
	arn := aws.ToString(oracle.DescribeTable(t, c, source).TableArn)
	setPITR(t, c, source, true, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	items := map[string]string{}
	put := func(i int) {
		pk := fmt.Sprintf("k%02d", i)
		it := oracle.RandomItem(rng, pk)
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(source), Item: it}); err != nil {
			t.Fatal(err)
		}
		items[pk] = oracle.Canonical(it)
	}
	for i := range 40 {
		put(i)
	}
	before := ceilMilli(wallNow())
	time.Sleep(2 * time.Millisecond)
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(source),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
			IndexName:  aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"val"}},
		}}}})
	if err != nil {
		t.Fatalf("UpdateTable (create GSI): %v", err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		d := oracle.DescribeTable(t, c, source)
		if d.TableStatus == types.TableStatusActive && len(d.GlobalSecondaryIndexes) == 1 && d.GlobalSecondaryIndexes[0].IndexStatus == types.IndexStatusActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("GSI not ACTIVE after a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	old := map[string]string{}
	for k, v := range items {
		old[k] = v
	}
	for i := 40; i < 50; i++ {
		put(i)
	}
	waitRestorable(t, c, source, wallNow())
	restoreTo(t, c, source, arn, "late-index-before", before)
	restoreTo(t, c, source, arn, "late-index-latest", time.Time{})
	for target, want := range map[string]map[string]string{"late-index-before": old, "late-index-latest": items} {
		td := waitRestored(t, c, target)
		got := oracle.ScanAll(t, c, target, nil)
		oracle.CompareMaps(t, target, want, got)
		if len(td.GlobalSecondaryIndexes) != 1 || aws.ToString(td.GlobalSecondaryIndexes[0].IndexName) != "byG" {
			t.Errorf("%s: GSIs %d, want the source's current byG", target, len(td.GlobalSecondaryIndexes))
			continue
		}
		oracle.CheckGSI(t, c, target, got)
	}
}
