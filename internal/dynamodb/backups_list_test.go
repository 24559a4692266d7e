package dynamodb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
)

// listArns runs ListBackups and returns the listed ARNs and
// LastEvaluatedBackupArn ("" if absent).
func listArns(t *testing.T, a *API, body string) ([]string, string) {
	t.Helper()
	out := mustCall(t, a, "ListBackups", body)
	list, ok := path(out, "BackupSummaries").([]any)
	if !ok {
		t.Fatalf("ListBackups %s: no BackupSummaries list in %v", body, out)
	}
	arns := make([]string, len(list))
	for i, s := range list {
		arns[i], _ = path(s, "BackupArn").(string)
	}
	last, _ := path(out, "LastEvaluatedBackupArn").(string)
	return arns, last
}

// wantList checks the ARNs a ListBackups request lists and its
// LastEvaluatedBackupArn.
func wantList(t *testing.T, a *API, body string, last string, want ...*backup.Backup) {
	t.Helper()
	arns, gotLast := listArns(t, a, body)
	wantArns := make([]string, len(want))
	for i, b := range want {
		wantArns[i] = b.ARN
	}
	if !slices.Equal(arns, wantArns) || gotLast != last {
		t.Errorf("ListBackups %s:\n got %v last %q\nwant %v last %q", body, arns, gotLast, wantArns, last)
	}
}

func TestListBackupsFilters(t *testing.T) {
	a, _, fx := newBackupAPI(t)
	// Default: USER backups of every table, by creation time then ARN.
	wantList(t, a, `{}`, "", fx.music1, fx.music2, fx.plain2, fx.plain3, fx.events)
	wantList(t, a, `{"BackupType":"USER"}`, "", fx.music1, fx.music2, fx.plain2, fx.plain3, fx.events)
	wantList(t, a, `{"BackupType":"ALL"}`, "", fx.music1, fx.music2, fx.plain2, fx.system, fx.plain3, fx.events)
	wantList(t, a, `{"BackupType":"SYSTEM"}`, "", fx.system)
	wantList(t, a, `{"BackupType":"AWS_BACKUP"}`, "")

	// By table, by name or ARN; a missing table or another account's has none.
	wantList(t, a, `{"TableName":"Music"}`, "", fx.music1, fx.music2)
	wantList(t, a, `{"TableName":"`+testTableARN("Music")+`","BackupType":"ALL"}`, "", fx.music1, fx.music2, fx.system)
	wantList(t, a, `{"TableName":"Nothing"}`, "")
	wantList(t, a, `{"TableName":"arn:aws:dynamodb:us-east-1:111111111111:table/Music"}`, "")

	// Time range: lower bound inclusive, upper bound exclusive, at ms precision.
	second := float64(fx.music2.CreatedAt.UnixMilli()) / 1000
	wantList(t, a, fmt.Sprintf(`{"TimeRangeLowerBound":%v}`, second), "", fx.music2, fx.plain2, fx.plain3, fx.events)
	wantList(t, a, fmt.Sprintf(`{"TimeRangeUpperBound":%v}`, second), "", fx.music1)
	wantList(t, a, fmt.Sprintf(`{"TimeRangeLowerBound":%v,"TimeRangeUpperBound":%v}`, second, second+0.001), "", fx.music2, fx.plain2)
	wantList(t, a, fmt.Sprintf(`{"TimeRangeLowerBound":%v,"TimeRangeUpperBound":%v}`, second, second), "")
	wantList(t, a, fmt.Sprintf(`{"TimeRangeLowerBound":%v}`, second+0.001), "", fx.plain3, fx.events)
	wantList(t, a, `{"TimeRangeLowerBound":0,"TimeRangeUpperBound":4102444800}`, "", fx.music1, fx.music2, fx.plain2, fx.plain3, fx.events)
}

func TestListBackupsPaging(t *testing.T) {
	a, _, fx := newBackupAPI(t)
	wantList(t, a, `{"Limit":2}`, fx.music2.ARN, fx.music1, fx.music2)
	wantList(t, a, `{"Limit":2,"ExclusiveStartBackupArn":"`+fx.music2.ARN+`"}`, fx.plain3.ARN, fx.plain2, fx.plain3)
	wantList(t, a, `{"Limit":2,"ExclusiveStartBackupArn":"`+fx.plain3.ARN+`"}`, "", fx.events)
	// Exactly Limit matches: nothing more to say.
	wantList(t, a, `{"Limit":2,"TableName":"Music"}`, "", fx.music1, fx.music2)
	wantList(t, a, `{"Limit":1,"TableName":"Music","BackupType":"ALL","ExclusiveStartBackupArn":"`+fx.music1.ARN+`"}`,
		fx.music2.ARN, fx.music2)

	// The cursor is a position: a deleted backup's ARN, or a well-formed one
	// that never existed, resumes after where it would be.
	mustCall(t, a, "DeleteBackup", `{"BackupArn":"`+fx.music2.ARN+`"}`)
	wantList(t, a, `{"ExclusiveStartBackupArn":"`+fx.music2.ARN+`"}`, "", fx.plain2, fx.plain3, fx.events)
	between := testTableARN("Zebra") + fmt.Sprintf("/backup/%014d-00000001", fx.music1.CreatedAt.UnixMilli()+500)
	wantList(t, a, `{"ExclusiveStartBackupArn":"`+between+`"}`, "", fx.plain2, fx.plain3, fx.events)
	// Same millisecond as plain2: ARN order decides (Music < Plain < Zebra).
	sameMs := testTableARN("Zebra") + fmt.Sprintf("/backup/%014d-00000001", fx.plain2.CreatedAt.UnixMilli())
	wantList(t, a, `{"ExclusiveStartBackupArn":"`+sameMs+`"}`, "", fx.plain3, fx.events)
}

func TestListBackupsPageSize(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	f.backups = nil
	const n = 4000
	for i := range n {
		f.backups = append(f.backups, testBackup(plainSource(), backup.TypeUser, backupEpoch.Add(time.Duration(i)*time.Millisecond),
			fmt.Sprintf("%08x", i), strings.Repeat("b", 200)))
	}
	var all []string
	body := `{}`
	for pages := 1; ; pages++ {
		out, apiErr := call(t, a, "ListBackups", body)
		if apiErr != nil {
			t.Fatal(apiErr)
		}
		if len(out) > maxListBackupsBytes+200 {
			t.Errorf("page %d: %d bytes", pages, len(out))
		}
		arns, last := listArns(t, a, body)
		all = append(all, arns...)
		if last == "" {
			if pages < 2 {
				t.Errorf("%d backups in one page", n)
			}
			break
		}
		if last != arns[len(arns)-1] {
			t.Fatalf("LastEvaluatedBackupArn %s is not the page's last backup", last)
		}
		body = `{"ExclusiveStartBackupArn":"` + last + `"}`
	}
	if len(all) != n || !slices.IsSorted(all) {
		t.Errorf("listed %d backups (sorted %v), want %d in order", len(all), slices.IsSorted(all), n)
	}
}

func TestListBackupsShape(t *testing.T) {
	a, f, _ := newBackupAPI(t)
	out := mustCall(t, a, "ListBackups", `{"BackupType":"ALL","TableName":"Music"}`)
	wantKeys(t, out, "", "BackupSummaries")
	wantKeys(t, out, "BackupSummaries.0", "TableName", "TableId", "TableArn", "BackupArn", "BackupName",
		"BackupCreationDateTime", "BackupStatus", "BackupType", "BackupSizeBytes")
	wantKeys(t, out, "BackupSummaries.2", "TableName", "TableId", "TableArn", "BackupArn", "BackupName",
		"BackupCreationDateTime", "BackupExpiryDateTime", "BackupStatus", "BackupType", "BackupSizeBytes")
	for p, want := range map[string]any{
		"BackupSummaries.0.TableName":              "Music",
		"BackupSummaries.0.TableId":                "aaaaaaaa-0000-0000-0000-000000000001",
		"BackupSummaries.0.TableArn":               testTableARN("Music"),
		"BackupSummaries.0.BackupName":             "first",
		"BackupSummaries.0.BackupStatus":           "AVAILABLE",
		"BackupSummaries.0.BackupType":             "USER",
		"BackupSummaries.0.BackupCreationDateTime": 1700000000.0,
		"BackupSummaries.2.BackupType":             "SYSTEM",
		"BackupSummaries.2.BackupName":             "Music$DeletedTableBackup",
	} {
		if got := path(out, p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
	if got, _ := call(t, a, "ListBackups", `{"TableName":"Nothing"}`); got != `{"BackupSummaries":[]}` {
		t.Errorf("empty listing = %s", got)
	}
	// A backup without a table record is listed under its ARN's table.
	f.backups = []*backup.Backup{testBackup(nil, backup.TypeUser, backupEpoch, "00000001", "bare")}
	f.backups[0].ARN = testTableARN("Bare") + "/backup/" + f.backups[0].ID
	out = mustCall(t, a, "ListBackups", `{"TableName":"Bare"}`)
	if got := path(out, "BackupSummaries.0.TableName"); got != "Bare" {
		t.Errorf("TableName = %v", got)
	}
}

func TestListBackupsValidation(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	for _, c := range []struct{ body, msg string }{
		{`{"Limit":0}`, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{`{"Limit":101}`, "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
		{`{"BackupType":"user"}`, "1 validation error detected: Value 'user' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]"},
		{`{"BackupType":""}`, "1 validation error detected: Value '' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]"},
		{`{"ExclusiveStartBackupArn":"arn:aws:dynamodb"}`, "1 validation error detected: Value 'arn:aws:dynamodb' at 'exclusiveStartBackupArn' failed to satisfy constraint: Member must have length greater than or equal to 37"},
		{`{"TableName":"ab","Limit":200,"BackupType":"X"}`, "3 validation errors detected: " +
			"Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
			"Value '200' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100; " +
			"Value 'X' at 'backupType' failed to satisfy constraint: Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]"},
		{`{"TimeRangeLowerBound":1700000001,"TimeRangeUpperBound":1700000000.999}`,
			"One or more parameter values were invalid: Time range lower bound must be less than or equal to upper bound"},
		{`{"ExclusiveStartBackupArn":"` + testTableARN("Music") + `"}`, "Invalid Backup ARN"},
		{`{"ExclusiveStartBackupArn":"` + strings.Replace(fx.music1.ARN, "us-east-1", "eu-west-1", 1) + `"}`,
			"Invalid Request: The supplied ExclusiveStartBackupArn does not match the region"},
		{`{"TableName":"arn:aws:dynamodb:eu-west-1:000000000000:table/Music"}`,
			"1 validation error detected: Invalid AWS region in 'arn:aws:dynamodb:eu-west-1:000000000000:table/Music'"},
	} {
		wantError(t, a, "ListBackups", c.body, "ValidationException", c.msg)
	}
	wantError(t, a, "ListBackups", `{"TimeRangeLowerBound":"2023-01-01"}`, "SerializationException", "STRING_VALUE cannot be converted to Date")
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}
}
