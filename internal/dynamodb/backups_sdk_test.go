package dynamodb

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// sdkClient serves an API over HTTP the way the server does (minus
// authentication and checksums) and returns an AWS SDK client for it.
func sdkClient(t *testing.T, a *API) *ddb.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		out, apiErr := a.Call(r.Context(), op, body)
		if apiErr != nil {
			w.WriteHeader(apiErr.Status)
			_ = json.NewEncoder(w).Encode(map[string]string{"__type": apiErr.Type, "message": apiErr.Message})
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return ddb.New(ddb.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
	})
}

// The AWS SDK for Go v2 decodes every backup operation's response and
// error.
func TestBackupOperationsWithSDK(t *testing.T) {
	a, _, fx := newBackupAPI(t)
	c := sdkClient(t, a)
	ctx := context.Background()

	created, err := c.CreateBackup(ctx, &ddb.CreateBackupInput{TableName: aws.String("Music"), BackupName: aws.String("nightly")})
	if err != nil {
		t.Fatalf("CreateBackup: %v", err)
	}
	if d := created.BackupDetails; d.BackupStatus != types.BackupStatusCreating || d.BackupType != types.BackupTypeUser ||
		!strings.Contains(aws.ToString(d.BackupArn), ":table/Music/backup/") || d.BackupCreationDateTime == nil {
		t.Errorf("CreateBackup details = %+v", d)
	}

	desc, err := c.DescribeBackup(ctx, &ddb.DescribeBackupInput{BackupArn: aws.String(fx.music1.ARN)})
	if err != nil {
		t.Fatalf("DescribeBackup: %v", err)
	}
	bd := desc.BackupDescription
	if got := aws.ToTime(bd.BackupDetails.BackupCreationDateTime); !got.Equal(fx.music1.CreatedAt) {
		t.Errorf("BackupCreationDateTime = %v, want %v", got, fx.music1.CreatedAt)
	}
	src, feat := bd.SourceTableDetails, bd.SourceTableFeatureDetails
	if aws.ToString(src.TableName) != "Music" || src.BillingMode != types.BillingModeProvisioned ||
		aws.ToInt64(src.ProvisionedThroughput.ReadCapacityUnits) != 5 || aws.ToInt64(src.ItemCount) != 7 {
		t.Errorf("SourceTableDetails = %+v", src)
	}
	if len(feat.LocalSecondaryIndexes) != 1 || len(feat.GlobalSecondaryIndexes) != 1 ||
		feat.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || feat.SSEDescription.SSEType != types.SSETypeKms {
		t.Errorf("SourceTableFeatureDetails = %+v", feat)
	}

	system, err := c.DescribeBackup(ctx, &ddb.DescribeBackupInput{BackupArn: aws.String(fx.system.ARN)})
	if err != nil {
		t.Fatalf("DescribeBackup: %v", err)
	}
	if got := aws.ToTime(system.BackupDescription.BackupDetails.BackupExpiryDateTime); !got.Equal(fx.system.ExpiresAt) {
		t.Errorf("BackupExpiryDateTime = %v", got)
	}

	var arns []string
	in := &ddb.ListBackupsInput{BackupType: types.BackupTypeFilterAll, Limit: aws.Int32(2),
		TimeRangeLowerBound: aws.Time(fx.music1.CreatedAt), TimeRangeUpperBound: aws.Time(fx.events.CreatedAt)}
	for {
		page, err := c.ListBackups(ctx, in)
		if err != nil {
			t.Fatalf("ListBackups: %v", err)
		}
		for _, s := range page.BackupSummaries {
			arns = append(arns, aws.ToString(s.BackupArn))
		}
		if page.LastEvaluatedBackupArn == nil {
			break
		}
		in.ExclusiveStartBackupArn = page.LastEvaluatedBackupArn
	}
	if want := []string{fx.music1.ARN, fx.music2.ARN, fx.plain2.ARN, fx.system.ARN, fx.plain3.ARN}; strings.Join(arns, " ") != strings.Join(want, " ") {
		t.Errorf("ListBackups pages:\n got %v\nwant %v", arns, want)
	}

	restored, err := c.RestoreTableFromBackup(ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("Copy"),
		BackupArn: aws.String(fx.music1.ARN), GlobalSecondaryIndexOverride: []types.GlobalSecondaryIndex{}})
	if err != nil {
		t.Fatalf("RestoreTableFromBackup: %v", err)
	}
	td := restored.TableDescription
	if td.TableStatus != types.TableStatusCreating || td.RestoreSummary == nil || !aws.ToBool(td.RestoreSummary.RestoreInProgress) ||
		!aws.ToTime(td.RestoreSummary.RestoreDateTime).Equal(fx.music1.CreatedAt) || len(td.GlobalSecondaryIndexes) != 0 {
		t.Errorf("RestoreTableFromBackup = %+v", td)
	}

	deleted, err := c.DeleteBackup(ctx, &ddb.DeleteBackupInput{BackupArn: aws.String(fx.music2.ARN)})
	if err != nil {
		t.Fatalf("DeleteBackup: %v", err)
	}
	if deleted.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusDeleted {
		t.Errorf("DeleteBackup status = %s", deleted.BackupDescription.BackupDetails.BackupStatus)
	}

	// Errors decode to the SDK's modeled types.
	_, err = c.DescribeBackup(ctx, &ddb.DescribeBackupInput{BackupArn: aws.String(fx.music2.ARN)})
	var notFound *types.BackupNotFoundException
	if !errors.As(err, &notFound) {
		t.Errorf("DescribeBackup of a deleted backup: %v", err)
	}
	_, err = c.RestoreTableFromBackup(ctx, &ddb.RestoreTableFromBackupInput{TargetTableName: aws.String("Copy"), BackupArn: aws.String(fx.plain2.ARN)})
	var inUse *types.TableInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("RestoreTableFromBackup into a table being restored: %v", err)
	}
	_, err = c.CreateBackup(ctx, &ddb.CreateBackupInput{TableName: aws.String("arn:aws:dynamodb:us-east-1:111111111111:table/Music"), BackupName: aws.String("x.y")})
	var tableNotFound *types.TableNotFoundException
	if !errors.As(err, &tableNotFound) {
		t.Errorf("CreateBackup of another account's table: %v", err)
	}
}
