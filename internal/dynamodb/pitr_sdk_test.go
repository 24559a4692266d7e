package dynamodb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// The AWS SDK for Go v2 decodes the PITR operations' responses and errors.
func TestPITROperationsWithSDK(t *testing.T) {
	a, f := newPITRAPI(t)
	c := sdkClient(t, a)
	ctx := context.Background()

	updated, err := c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("Plain"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(10)}})
	if err != nil {
		t.Fatalf("UpdateContinuousBackups: %v", err)
	}
	d := updated.ContinuousBackupsDescription
	p := d.PointInTimeRecoveryDescription
	if d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled ||
		aws.ToInt32(p.RecoveryPeriodInDays) != 10 || !aws.ToTime(p.EarliestRestorableDateTime).Equal(f.now) || !aws.ToTime(p.LatestRestorableDateTime).Equal(f.now) {
		t.Errorf("UpdateContinuousBackups = %+v %+v", d, p)
	}

	described, err := c.DescribeContinuousBackups(ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String(testTableARN("Music"))})
	if err != nil {
		t.Fatalf("DescribeContinuousBackups: %v", err)
	}
	p = described.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	if !aws.ToTime(p.EarliestRestorableDateTime).Equal(pitrEarliest) || !aws.ToTime(p.LatestRestorableDateTime).Equal(pitrLatest) {
		t.Errorf("window = [%v, %v], want [%v, %v]", aws.ToTime(p.EarliestRestorableDateTime), aws.ToTime(p.LatestRestorableDateTime), pitrEarliest, pitrLatest)
	}

	disabled, err := c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("Plain"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}})
	if err != nil {
		t.Fatalf("UpdateContinuousBackups: %v", err)
	}
	if p := disabled.ContinuousBackupsDescription.PointInTimeRecoveryDescription; p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled ||
		p.RecoveryPeriodInDays != nil || p.EarliestRestorableDateTime != nil || p.LatestRestorableDateTime != nil {
		t.Errorf("disabled = %+v", p)
	}

	at := pitrEarliest.Add(1500 * time.Millisecond)
	restored, err := c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("Music"),
		TargetTableName: aws.String("Copy"), RestoreDateTime: aws.Time(at), GlobalSecondaryIndexOverride: []types.GlobalSecondaryIndex{}})
	if err != nil {
		t.Fatalf("RestoreTableToPointInTime: %v", err)
	}
	td := restored.TableDescription
	if td.TableStatus != types.TableStatusCreating || td.RestoreSummary == nil || !aws.ToBool(td.RestoreSummary.RestoreInProgress) ||
		td.RestoreSummary.SourceBackupArn != nil || aws.ToString(td.RestoreSummary.SourceTableArn) != testTableARN("Music") ||
		!aws.ToTime(td.RestoreSummary.RestoreDateTime).Equal(at) || len(td.GlobalSecondaryIndexes) != 0 || len(td.LocalSecondaryIndexes) != 1 {
		t.Errorf("RestoreTableToPointInTime = %+v", td)
	}
	latest, err := c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableArn: aws.String(testTableARN("Events")),
		TargetTableName: aws.String("Latest"), UseLatestRestorableTime: aws.Bool(true)})
	if err != nil {
		t.Fatalf("RestoreTableToPointInTime: %v", err)
	}
	if got := aws.ToTime(latest.TableDescription.RestoreSummary.RestoreDateTime); !got.Equal(pitrLatest) {
		t.Errorf("RestoreDateTime = %v, want %v", got, pitrLatest)
	}

	// Errors decode to the SDK's modeled types.
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("Plain"),
		TargetTableName: aws.String("Other"), UseLatestRestorableTime: aws.Bool(true)})
	var unavailable *types.PointInTimeRecoveryUnavailableException
	if !errors.As(err, &unavailable) {
		t.Errorf("restore of a table without PITR: %v", err)
	}
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("Music"),
		TargetTableName: aws.String("Other"), RestoreDateTime: aws.Time(pitrLatest.Add(time.Millisecond))})
	var badTime *types.InvalidRestoreTimeException
	if !errors.As(err, &badTime) {
		t.Errorf("restore outside the window: %v", err)
	}
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("Music"),
		TargetTableName: aws.String("Copy"), UseLatestRestorableTime: aws.Bool(true)})
	var inUse *types.TableInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("restore into a table being restored: %v", err)
	}
	_, err = c.RestoreTableToPointInTime(ctx, &ddb.RestoreTableToPointInTimeInput{SourceTableName: aws.String("Music"),
		TargetTableName: aws.String("Events"), UseLatestRestorableTime: aws.Bool(true)})
	var exists *types.TableAlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("restore into an existing table: %v", err)
	}
	_, err = c.DescribeContinuousBackups(ctx, &ddb.DescribeContinuousBackupsInput{TableName: aws.String("Nope")})
	var notFound *types.TableNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeContinuousBackups of a missing table: %v", err)
	}
	_, err = c.UpdateContinuousBackups(ctx, &ddb.UpdateContinuousBackupsInput{TableName: aws.String("Plain"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(36)}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("RecoveryPeriodInDays 36: %v", err)
	}
}
