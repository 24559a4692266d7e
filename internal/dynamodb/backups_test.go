package dynamodb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

func TestBackupOpsNeedAService(t *testing.T) {
	a := newEnginelessAPI()
	for _, op := range []string{"CreateBackup", "DescribeBackup", "ListBackups", "DeleteBackup", "RestoreTableFromBackup"} {
		if a.Has(op) {
			t.Errorf("%s is registered without a backup service", op)
		}
	}
	b, _, _ := newBackupAPI(t)
	for _, op := range []string{"CreateBackup", "DescribeBackup", "ListBackups", "DeleteBackup", "RestoreTableFromBackup"} {
		if !b.Has(op) {
			t.Errorf("%s is not registered", op)
		}
	}
}

func TestCreateBackupValidation(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	long := strings.Repeat("x", 256)
	for _, c := range []struct{ body, typ, msg string }{
		{`{}`, "ValidationException", "The parameter 'TableName' is required but was not present in the request"},
		{`{"BackupName":"nightly"}`, "ValidationException", "The parameter 'TableName' is required but was not present in the request"},
		{`{"TableName":"Music"}`, "ValidationException",
			"1 validation error detected: Value null at 'backupName' failed to satisfy constraint: Member must not be null"},
		{`{"TableName":"Music","BackupName":"a!"}`, "ValidationException",
			"2 validation errors detected: Value 'a!' at 'backupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value 'a!' at 'backupName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{`{"TableName":"Music","BackupName":"` + long + `"}`, "ValidationException",
			"1 validation error detected: Value '" + long + "' at 'backupName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{`{"TableName":"ab","BackupName":"ok"}`, "ValidationException",
			"2 validation errors detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value 'ok' at 'backupName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{`{"TableName":"arn:aws:dynamodb:eu-west-1:000000000000:table/Music","BackupName":"nightly"}`, "ValidationException",
			"1 validation error detected: Invalid AWS region in 'arn:aws:dynamodb:eu-west-1:000000000000:table/Music'"},
		{`{"TableName":"arn:aws:dynamodb:us-east-1:111111111111:table/Music","BackupName":"nightly"}`, "TableNotFoundException",
			"Table not found: Music"},
		{`{"TableName":"Music","BackupName":5}`, "SerializationException", "NUMBER_VALUE cannot be converted to String"},
	} {
		wantError(t, a, "CreateBackup", c.body, c.typ, c.msg)
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}
}

func TestCreateBackup(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	out := mustCall(t, a, "CreateBackup", `{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Music","BackupName":"nightly.1"}`)
	if got := f.calls[len(f.calls)-1]; got != "Create Music nightly.1" {
		t.Errorf("service call %q, want the table by name", got)
	}
	wantKeys(t, out, "", "BackupDetails")
	wantKeys(t, out, "BackupDetails", "BackupArn", "BackupName", "BackupSizeBytes", "BackupStatus", "BackupType", "BackupCreationDateTime")
	d := path(out, "BackupDetails")
	created := f.backups[len(f.backups)-1]
	for p, want := range map[string]any{
		"BackupArn":              created.ARN,
		"BackupName":             "nightly.1",
		"BackupStatus":           "CREATING",
		"BackupType":             "USER",
		"BackupSizeBytes":        float64(1234),
		"BackupCreationDateTime": float64(created.CreatedAt.UnixMilli()) / 1000,
	} {
		if got := path(d, p); got != want {
			t.Errorf("BackupDetails.%s = %v, want %v", p, got, want)
		}
	}
}

func TestCreateBackupTableErrors(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	for _, err := range []error{engine.ErrTableNotFound, engine.ErrTableNotReady} {
		f.errs["Create"] = fmt.Errorf("%w: Music", err)
		wantError(t, a, "CreateBackup", `{"TableName":"Music","BackupName":"nightly"}`, "TableNotFoundException", "Table not found: Music")
	}
}

// The ARN checks every operation naming a backup shares.
func TestBackupArnValidation(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	id := fx.music1.ID
	missing := testTableARN("Music") + "/backup/01700000000000-ffffffff"
	for _, c := range []struct{ arn, typ, msg string }{
		{"short", "ValidationException",
			"1 validation error detected: Value 'short' at 'backupArn' failed to satisfy constraint: Member must have length greater than or equal to 37"},
		{"arn:" + strings.Repeat("x", 1021), "ValidationException",
			"1 validation error detected: Value 'arn:" + strings.Repeat("x", 1021) + "' at 'backupArn' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{testTableARN("Music"), "ValidationException", "Invalid Backup ARN"},
		{strings.Repeat("n", 48), "ValidationException", "Invalid Backup ARN"},
		{testTableARN("Music") + "/backup/1700000000000-0000000a", "ValidationException", "Invalid Backup ARN"},
		{testTableARN("Music") + "/export/" + id, "ValidationException", "Invalid Backup ARN"},
		{"arn:aws:dynamodb:xx-fake-1:000000000000:table/Music/backup/" + id, "ValidationException", "Invalid Request: BackupArn is not valid"},
		{"arn:aws-cn:dynamodb:us-east-1:000000000000:table/Music/backup/" + id, "ValidationException", "Invalid Request: BackupArn is not valid"},
		{"arn:aws:s3:us-east-1:000000000000:table/Music/backup/" + id, "ValidationException", "Invalid Request: BackupArn is not valid"},
		{"arn:aws:dynamodb::000000000000:table/Music/backup/" + id, "AccessDeniedException", "Access is denied"},
		{"arn:aws:dynamodb:us-east-1:111111111111:table/Music/backup/" + id, "AccessDeniedException", "Access is denied"},
		{missing, "BackupNotFoundException", "Backup not found: " + missing},
	} {
		for _, op := range []string{"DescribeBackup", "DeleteBackup"} {
			wantError(t, a, op, `{"BackupArn":"`+c.arn+`"}`, c.typ, c.msg)
		}
	}
	for _, op := range []string{"DescribeBackup", "DeleteBackup"} {
		wantError(t, a, op, `{}`, "ValidationException",
			"1 validation error detected: Value null at 'backupArn' failed to satisfy constraint: Member must not be null")
	}
	for _, c := range f.calls {
		if !strings.HasSuffix(c, missing) {
			t.Errorf("the service was called for an invalid ARN: %s", c)
		}
	}
}

func TestDescribeBackup(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	out := mustCall(t, a, "DescribeBackup", `{"BackupArn":"`+fx.music1.ARN+`"}`)
	wantKeys(t, out, "", "BackupDescription")
	wantKeys(t, out, "BackupDescription", "BackupDetails", "SourceTableDetails", "SourceTableFeatureDetails")
	wantKeys(t, out, "BackupDescription.BackupDetails",
		"BackupArn", "BackupName", "BackupSizeBytes", "BackupStatus", "BackupType", "BackupCreationDateTime")
	wantKeys(t, out, "BackupDescription.SourceTableDetails", "TableName", "TableId", "TableArn", "TableSizeBytes",
		"KeySchema", "TableCreationDateTime", "ProvisionedThroughput", "ItemCount", "BillingMode")
	wantKeys(t, out, "BackupDescription.SourceTableFeatureDetails",
		"LocalSecondaryIndexes", "GlobalSecondaryIndexes", "TimeToLiveDescription", "SSEDescription")
	wantKeys(t, out, "BackupDescription.SourceTableFeatureDetails.LocalSecondaryIndexes.0", "IndexName", "KeySchema", "Projection")
	wantKeys(t, out, "BackupDescription.SourceTableFeatureDetails.GlobalSecondaryIndexes.0",
		"IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
	for p, want := range map[string]any{
		"BackupDetails.BackupArn":                                                                     fx.music1.ARN,
		"BackupDetails.BackupStatus":                                                                  "AVAILABLE",
		"BackupDetails.BackupCreationDateTime":                                                        1700000000.0,
		"SourceTableDetails.TableName":                                                                "Music",
		"SourceTableDetails.TableId":                                                                  "aaaaaaaa-0000-0000-0000-000000000001",
		"SourceTableDetails.TableArn":                                                                 testTableARN("Music"),
		"SourceTableDetails.ItemCount":                                                                7.0,
		"SourceTableDetails.TableSizeBytes":                                                           1234.0,
		"SourceTableDetails.BillingMode":                                                              "PROVISIONED",
		"SourceTableDetails.ProvisionedThroughput.ReadCapacityUnits":                                  5.0,
		"SourceTableDetails.ProvisionedThroughput.WriteCapacityUnits":                                 6.0,
		"SourceTableDetails.TableCreationDateTime":                                                    1699996400.0,
		"SourceTableDetails.KeySchema.1.AttributeName":                                                "SongTitle",
		"SourceTableDetails.KeySchema.1.KeyType":                                                      "RANGE",
		"SourceTableFeatureDetails.LocalSecondaryIndexes.0.IndexName":                                 "ByAlbum",
		"SourceTableFeatureDetails.LocalSecondaryIndexes.0.Projection.ProjectionType":                 "KEYS_ONLY",
		"SourceTableFeatureDetails.GlobalSecondaryIndexes.0.IndexName":                                "ByGenre",
		"SourceTableFeatureDetails.GlobalSecondaryIndexes.0.Projection.NonKeyAttributes.0":            "Label",
		"SourceTableFeatureDetails.GlobalSecondaryIndexes.0.ProvisionedThroughput.ReadCapacityUnits":  3.0,
		"SourceTableFeatureDetails.GlobalSecondaryIndexes.0.ProvisionedThroughput.WriteCapacityUnits": 4.0,
		"SourceTableFeatureDetails.TimeToLiveDescription.TimeToLiveStatus":                            "ENABLED",
		"SourceTableFeatureDetails.TimeToLiveDescription.AttributeName":                               "expires",
		"SourceTableFeatureDetails.SSEDescription.Status":                                             "ENABLED",
		"SourceTableFeatureDetails.SSEDescription.SSEType":                                            "KMS",
		"SourceTableFeatureDetails.SSEDescription.KMSMasterKeyArn":                                    "arn:aws:kms:us-east-1:000000000000:key/k1",
	} {
		if got := path(out, "BackupDescription."+p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}

	// A plain on-demand table: no features, throughput 0/0.
	out = mustCall(t, a, "DescribeBackup", `{"BackupArn":"`+fx.plain2.ARN+`"}`)
	if got := asJSON(t, path(out, "BackupDescription.SourceTableFeatureDetails")); got != "{}" {
		t.Errorf("SourceTableFeatureDetails of a plain table = %s, want {}", got)
	}
	if got := asJSON(t, path(out, "BackupDescription.SourceTableDetails.ProvisionedThroughput")); got != `{"ReadCapacityUnits":0,"WriteCapacityUnits":0}` {
		t.Errorf("ProvisionedThroughput of an on-demand table = %s", got)
	}
	if got := path(out, "BackupDescription.SourceTableDetails.BillingMode"); got != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode = %v", got)
	}

	// A SYSTEM backup has an expiry.
	out = mustCall(t, a, "DescribeBackup", `{"BackupArn":"`+fx.system.ARN+`"}`)
	if got, want := path(out, "BackupDescription.BackupDetails.BackupExpiryDateTime"), float64(fx.system.ExpiresAt.UnixMilli())/1000; got != want {
		t.Errorf("BackupExpiryDateTime = %v, want %v", got, want)
	}

	// Another known region's ARN finds this region's backup and is echoed.
	other := strings.Replace(fx.music1.ARN, ":us-east-1:", ":eu-west-1:", 1)
	out = mustCall(t, a, "DescribeBackup", `{"BackupArn":"`+other+`"}`)
	if got := path(out, "BackupDescription.BackupDetails.BackupArn"); got != other {
		t.Errorf("BackupArn = %v, want the ARN sent %s", got, other)
	}
	if got := f.calls[len(f.calls)-1]; got != "Describe "+fx.music1.ARN {
		t.Errorf("service call %q, want the local ARN", got)
	}
}

func TestDeleteBackup(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	body := `{"BackupArn":"` + fx.music1.ARN + `"}`
	out := mustCall(t, a, "DeleteBackup", body)
	wantKeys(t, out, "BackupDescription", "BackupDetails", "SourceTableDetails", "SourceTableFeatureDetails")
	if got := path(out, "BackupDescription.BackupDetails.BackupStatus"); got != "DELETED" {
		t.Errorf("BackupStatus = %v, want DELETED", got)
	}
	if got := path(out, "BackupDescription.SourceTableDetails.TableName"); got != "Music" {
		t.Errorf("SourceTableDetails.TableName = %v", got)
	}
	wantError(t, a, "DescribeBackup", body, "BackupNotFoundException", "Backup not found: "+fx.music1.ARN)
	wantError(t, a, "DeleteBackup", body, "BackupNotFoundException", "Backup not found: "+fx.music1.ARN)

	f.inUse[fx.music2.ARN] = true
	wantError(t, a, "DeleteBackup", `{"BackupArn":"`+fx.music2.ARN+`"}`, "BackupInUseException",
		"Backup is being used to restore table: "+fx.music2.ARN)

	// 1700000002000 ms + 35 days.
	wantError(t, a, "DeleteBackup", `{"BackupArn":"`+fx.system.ARN+`"}`, "ValidationException",
		"Invalid Request: User is not allowed to delete the system backup with arn "+fx.system.ARN+
			". It will automatically expire on 2023-12-19T22:13:22Z")
	if !slices.Contains(f.backups, fx.system) {
		t.Errorf("the system backup was deleted")
	}
}

func TestIsoMillis(t *testing.T) {
	for ms, want := range map[int64]string{
		1700000002000: "2023-11-14T22:13:22Z",
		1700000002345: "2023-11-14T22:13:22.345Z",
		1700000002300: "2023-11-14T22:13:22.300Z",
	} {
		if got := isoMillis(time.UnixMilli(ms)); got != want {
			t.Errorf("isoMillis(%d) = %s, want %s", ms, got, want)
		}
	}
}

func TestBackupServiceErrorsPassThrough(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	f.errs["Describe"] = errors.New("disk on fire")
	out, err := call(t, a, "DescribeBackup", `{"BackupArn":"`+fx.music1.ARN+`"}`)
	if err == nil || !strings.HasSuffix(err.Type, "#InternalServerError") {
		t.Errorf("DescribeBackup with a failing service = %s %v, want InternalServerError", out, err)
	}
}
