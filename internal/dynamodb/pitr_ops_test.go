package dynamodb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// updatePITR is an UpdateContinuousBackups request with the given
// PointInTimeRecoverySpecification members.
func updatePITR(table, spec string) string {
	return `{"TableName":"` + table + `","PointInTimeRecoverySpecification":{` + spec + `}}`
}

func TestContinuousBackupsValidation(t *testing.T) {
	a, f := newEnginelessPITRAPI()
	otherRegion := strings.Replace(testTableARN("Music"), testRegion, "eu-west-1", 1)
	for _, c := range []struct{ op, body, typ, msg string }{
		{"UpdateContinuousBackups", `{}`, "ValidationException", "The parameter 'TableName' is required but was not present in the request"},
		{"UpdateContinuousBackups", `{"TableName":"Music"}`, "ValidationException",
			"1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null"},
		{"UpdateContinuousBackups", updatePITR("Music", ""), "ValidationException",
			"1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null"},
		{"UpdateContinuousBackups", updatePITR("Music", `"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":36`), "ValidationException",
			"1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35"},
		{"UpdateContinuousBackups", updatePITR("Music", `"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":0`), "ValidationException",
			"1 validation error detected: Value '0' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		// Coral lists every violation, the table name first; the range
		// check precedes the rule about disabling.
		{"UpdateContinuousBackups", updatePITR("a!", `"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":-1`), "ValidationException",
			"3 validation errors detected: " +
				"Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
				"Value 'a!' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '-1' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"UpdateContinuousBackups", updatePITR("Music", `"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":35`), "ValidationException",
			"Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."},
		{"UpdateContinuousBackups", updatePITR("Music", `"PointInTimeRecoveryEnabled":"yes"`), "SerializationException",
			"Unexpected token received from parser"},
		{"UpdateContinuousBackups", updatePITR("Music", `"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7.5`), "SerializationException",
			"DECIMAL_VALUE cannot be converted to Integer"},
		{"UpdateContinuousBackups", updatePITR(otherRegion, `"PointInTimeRecoveryEnabled":true`), "ValidationException",
			"1 validation error detected: Invalid AWS region in '" + otherRegion + "'"},
		// Another account's table is not found, before the disabling rule.
		{"UpdateContinuousBackups", updatePITR("arn:aws:dynamodb:us-east-1:111111111111:table/Music", `"PointInTimeRecoveryEnabled":false,"RecoveryPeriodInDays":3`),
			"TableNotFoundException", "Table not found: Music"},
		{"DescribeContinuousBackups", `{}`, "ValidationException", "The parameter 'TableName' is required but was not present in the request"},
		{"DescribeContinuousBackups", `{"TableName":"ab"}`, "ValidationException",
			"1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{"DescribeContinuousBackups", `{"TableName":"arn:aws:dynamodb:us-east-1:111111111111:table/Music"}`, "TableNotFoundException", "Table not found: Music"},
	} {
		wantError(t, a, c.op, c.body, c.typ, c.msg)
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}
}

func TestContinuousBackupsTableNotFound(t *testing.T) {
	a, f := newPITRAPI(t)
	// A restore target still loading is not found either.
	if _, err := a.eng.CreateTable(context.Background(), engine.TableSpec{Name: "Loading",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: attr.KindS}}, BillingMode: billingPayPerRequest,
		Restore: &engine.RestoreState{SourceBackupARN: "arn:b", SourceTableARN: testTableARN("Plain")}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Nope", "Loading", testTableARN("Nope")} {
		wantError(t, a, "DescribeContinuousBackups", `{"TableName":"`+name+`"}`, "TableNotFoundException", "Table not found: "+strings.TrimPrefix(name, testTableARN("")))
		wantError(t, a, "UpdateContinuousBackups", updatePITR(name, `"PointInTimeRecoveryEnabled":true`), "TableNotFoundException",
			"Table not found: "+strings.TrimPrefix(name, testTableARN("")))
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}

	// The service's errors for a table deleted or not ready meanwhile.
	for _, err := range []error{engine.ErrTableNotFound, engine.ErrTableNotReady} {
		f.errs["Describe"] = fmt.Errorf("%w: Plain", err)
		f.errs["Update"] = fmt.Errorf("%w: Plain", err)
		wantError(t, a, "DescribeContinuousBackups", `{"TableName":"Plain"}`, "TableNotFoundException", "Table not found: Plain")
		wantError(t, a, "UpdateContinuousBackups", updatePITR("Plain", `"PointInTimeRecoveryEnabled":false`), "TableNotFoundException", "Table not found: Plain")
	}
	f.errs["Describe"] = errors.New("disk on fire")
	wantError(t, a, "DescribeContinuousBackups", `{"TableName":"Plain"}`, "InternalServerError", "Internal server error")
}

func TestContinuousBackupsDescription(t *testing.T) {
	a, f := newPITRAPI(t)
	wantDisabled := func(out map[string]any) {
		t.Helper()
		wantKeys(t, out, "", "ContinuousBackupsDescription")
		wantKeys(t, out, "ContinuousBackupsDescription", "ContinuousBackupsStatus", "PointInTimeRecoveryDescription")
		wantKeys(t, out, "ContinuousBackupsDescription.PointInTimeRecoveryDescription", "PointInTimeRecoveryStatus")
		if got := asJSON(t, out); got != `{"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED","PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}}` {
			t.Errorf("disabled description = %s", got)
		}
	}
	wantEnabled := func(out map[string]any, days float64, earliest, latest time.Time) {
		t.Helper()
		wantKeys(t, out, "ContinuousBackupsDescription.PointInTimeRecoveryDescription",
			"PointInTimeRecoveryStatus", "RecoveryPeriodInDays", "EarliestRestorableDateTime", "LatestRestorableDateTime")
		for p, want := range map[string]any{
			"ContinuousBackupsStatus":                                   "ENABLED",
			"PointInTimeRecoveryDescription.PointInTimeRecoveryStatus":  "ENABLED",
			"PointInTimeRecoveryDescription.RecoveryPeriodInDays":       days,
			"PointInTimeRecoveryDescription.EarliestRestorableDateTime": float64(earliest.UnixMilli()) / 1000,
			"PointInTimeRecoveryDescription.LatestRestorableDateTime":   float64(latest.UnixMilli()) / 1000,
		} {
			if got := path(out, "ContinuousBackupsDescription."+p); got != want {
				t.Errorf("%s = %v, want %v", p, got, want)
			}
		}
	}

	wantDisabled(mustCall(t, a, "DescribeContinuousBackups", `{"TableName":"Plain"}`))
	wantEnabled(mustCall(t, a, "DescribeContinuousBackups", `{"TableName":"`+testTableARN("Music")+`"}`), 35, pitrEarliest, pitrLatest)

	// Enabling opens the window at the service's clock (…000.789: the
	// milliseconds are kept); the period is the service's default unless given.
	out := mustCall(t, a, "UpdateContinuousBackups", updatePITR("Plain", `"PointInTimeRecoveryEnabled":true`))
	wantEnabled(out, 35, f.now, f.now)
	if got := path(out, "ContinuousBackupsDescription.PointInTimeRecoveryDescription.LatestRestorableDateTime"); got != 1700000000.789 {
		t.Errorf("LatestRestorableDateTime = %v, want 1700000000.789", got)
	}
	wantEnabled(mustCall(t, a, "UpdateContinuousBackups", updatePITR(testTableARN("Plain"), `"PointInTimeRecoveryEnabled":true,"RecoveryPeriodInDays":7`)), 7, f.now, f.now)
	wantEnabled(mustCall(t, a, "DescribeContinuousBackups", `{"TableName":"Plain"}`), 7, f.now, f.now)
	wantDisabled(mustCall(t, a, "UpdateContinuousBackups", updatePITR("Plain", `"PointInTimeRecoveryEnabled":false`)))
	wantDisabled(mustCall(t, a, "UpdateContinuousBackups", updatePITR("Plain", `"PointInTimeRecoveryEnabled":false`)))
	if got, want := f.callsOf("Update"), []string{"Update Plain true nil", "Update Plain true 7", "Update Plain false nil", "Update Plain false nil"}; !slices.Equal(got, want) {
		t.Errorf("service calls %q, want %q", got, want)
	}
}

func TestContinuousBackupsNeedTheService(t *testing.T) {
	a := newTestAPI(t)
	for _, op := range []string{"UpdateContinuousBackups", "DescribeContinuousBackups", "RestoreTableToPointInTime"} {
		wantError(t, a, op, `{}`, "UnknownOperationException", "")
	}
}

func TestDeleteTableThroughPITR(t *testing.T) {
	a, f := newPITRAPI(t)
	out := mustCall(t, a, "DeleteTable", `{"TableName":"Plain"}`)
	if got := path(out, "TableDescription.TableStatus"); got != "DELETING" {
		t.Errorf("TableStatus = %v", got)
	}
	if got := path(out, "TableDescription.TableName"); got != "Plain" {
		t.Errorf("TableName = %v", got)
	}
	if got := f.callsOf("DeleteTable"); !slices.Equal(got, []string{"DeleteTable Plain"}) {
		t.Errorf("service calls %q", got)
	}
	wantError(t, a, "DescribeTable", `{"TableName":"Plain"}`, "ResourceNotFoundException", "Requested resource not found: Table: Plain not found")

	// DeleteTable's own checks come first and keep their errors.
	if _, err := a.eng.CreateTable(context.Background(), engine.TableSpec{Name: "Loading",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: attr.KindS}}, BillingMode: billingPayPerRequest,
		Restore: &engine.RestoreState{SourceTableARN: testTableARN("Music")}}); err != nil {
		t.Fatal(err)
	}
	wantError(t, a, "DeleteTable", `{"TableName":"Music"}`, "ValidationException",
		"Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	wantError(t, a, "DeleteTable", `{"TableName":"Loading"}`, "ResourceInUseException",
		"Attempt to change a resource which is still in use: Table is being created: Loading")
	wantError(t, a, "DeleteTable", `{"TableName":"Plain"}`, "ResourceNotFoundException", "Requested resource not found: Table: Plain not found")
	if got := f.callsOf("DeleteTable"); len(got) != 1 {
		t.Errorf("service calls %q", got)
	}

	// The service's errors map as the engine's do.
	for _, c := range []struct {
		err      error
		typ, msg string
	}{
		{engine.ErrTableNotReady, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: Events"},
		{engine.ErrTableNotFound, "ResourceNotFoundException", "Requested resource not found: Table: Events not found"},
		{engine.ErrDeletionProtected, "ValidationException", "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first."},
	} {
		f.errs["DeleteTable"] = fmt.Errorf("%w: Events", c.err)
		wantError(t, a, "DeleteTable", `{"TableName":"Events"}`, c.typ, c.msg)
	}
}

// A SYSTEM backup (what DeleteTable leaves of a table with PITR on) lists
// with its type and expiry, only when asked for.
func TestSystemBackupListing(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	at := backupEpoch.Add(10*time.Second + 123*time.Millisecond)
	sys := testBackup(plainSource(), backup.TypeSystem, at, "00000000", "Plain$DeletedTableBackup")
	f.backups = []*backup.Backup{sys}
	if got, _ := call(t, a, "ListBackups", `{}`); got != `{"BackupSummaries":[]}` {
		t.Errorf("default listing = %s", got)
	}
	out := mustCall(t, a, "ListBackups", `{"BackupType":"SYSTEM"}`)
	for p, want := range map[string]any{
		"BackupSummaries.0.BackupType":             "SYSTEM",
		"BackupSummaries.0.BackupName":             "Plain$DeletedTableBackup",
		"BackupSummaries.0.BackupCreationDateTime": 1700000010.123,
		"BackupSummaries.0.BackupExpiryDateTime":   float64(at.Add(35*24*time.Hour).UnixMilli()) / 1000,
	} {
		if got := path(out, p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
	out = mustCall(t, a, "DescribeBackup", `{"BackupArn":"`+sys.ARN+`"}`)
	if got := path(out, "BackupDescription.BackupDetails.BackupExpiryDateTime"); got != 1703024010.123 {
		t.Errorf("BackupExpiryDateTime = %v", got)
	}
	wantError(t, a, "DeleteBackup", `{"BackupArn":"`+sys.ARN+`"}`, "ValidationException",
		"Invalid Request: User is not allowed to delete the system backup with arn "+sys.ARN+". It will automatically expire on 2023-12-19T22:13:30.123Z")
}
