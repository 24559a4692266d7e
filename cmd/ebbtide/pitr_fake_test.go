package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Tests of the pitr commands against the scripted endpoint of wait_test.go.

const fakeTableARN = "arn:aws:dynamodb:us-east-1:000000000000:table/T"

// epoch formats t as the JSON protocol's timestamps: Unix seconds with
// milliseconds.
func epoch(t time.Time) string {
	return fmt.Sprintf("%.3f", float64(t.UnixMilli())/1000)
}

// pitrEnabled is a DescribeContinuousBackups/UpdateContinuousBackups
// response of an enabled table whose window is [earliest, latest].
func pitrEnabled(days int, earliest, latest time.Time) string {
	return fmt.Sprintf(`{"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",`+
		`"PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"ENABLED","RecoveryPeriodInDays":%d,`+
		`"EarliestRestorableDateTime":%s,"LatestRestorableDateTime":%s}}}`, days, epoch(earliest), epoch(latest))
}

const pitrDisabled = `{"ContinuousBackupsDescription":{"ContinuousBackupsStatus":"ENABLED",` +
	`"PointInTimeRecoveryDescription":{"PointInTimeRecoveryStatus":"DISABLED"}}}`

// pitrRequest is the members of a pitr command's request the tests check.
type pitrRequest struct {
	TableName                        *string
	PointInTimeRecoverySpecification *struct {
		PointInTimeRecoveryEnabled *bool
		RecoveryPeriodInDays       *int
	}
	SourceTableName, SourceTableArn, TargetTableName *string
	RestoreDateTime                                  *float64
	UseLatestRestorableTime                          *bool
}

// decodeRequests decodes the bodies op received.
func decodeRequests(t *testing.T, f *fakeAPI, op string) []pitrRequest {
	t.Helper()
	var reqs []pitrRequest
	for _, b := range f.requests(op) {
		var r pitrRequest
		if err := json.Unmarshal([]byte(b), &r); err != nil {
			t.Fatalf("%s request %q: %v", op, b, err)
		}
		reqs = append(reqs, r)
	}
	return reqs
}

func TestPitrEnableFake(t *testing.T) {
	now := time.Now()
	f := &fakeAPI{resps: map[string][]fakeResp{
		"UpdateContinuousBackups": {ok(pitrEnabled(7, now.Add(-2*time.Second), now.Add(-1500*time.Millisecond)))},
	}}
	url := f.start(t)
	out, _, err := run(t, "pitr", "enable", "--endpoint-url", url, "--table", "T", "--days", "7")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pitr enable --days 7:\n%s", out)
	want := `^table: T
status: ENABLED
recovery period: 7 days
earliest: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \(\d\.\ds ago\)
latest: ` + regexp.QuoteMeta(formatInstant(now.Add(-1500*time.Millisecond))) + ` \(1\.\ds ago\)
$`
	if !regexp.MustCompile(want).MatchString(out) {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	// Without --days, no period is sent (the server keeps or defaults it).
	if _, _, err := run(t, "pitr", "enable", "--endpoint-url", url, "--table", fakeTableARN, "-o", "json"); err != nil {
		t.Fatal(err)
	}
	reqs := decodeRequests(t, f, "UpdateContinuousBackups")
	if len(reqs) != 2 {
		t.Fatalf("%d UpdateContinuousBackups requests", len(reqs))
	}
	s := reqs[0].PointInTimeRecoverySpecification
	if deref(reqs[0].TableName) != "T" || s == nil || s.PointInTimeRecoveryEnabled == nil || !*s.PointInTimeRecoveryEnabled ||
		s.RecoveryPeriodInDays == nil || *s.RecoveryPeriodInDays != 7 {
		t.Errorf("enable --days 7 sent %s", f.requests("UpdateContinuousBackups")[0])
	}
	s = reqs[1].PointInTimeRecoverySpecification
	if deref(reqs[1].TableName) != fakeTableARN || s == nil || !*s.PointInTimeRecoveryEnabled || s.RecoveryPeriodInDays != nil {
		t.Errorf("enable sent %s", f.requests("UpdateContinuousBackups")[1])
	}
}

func TestPitrEnableDaysRange(t *testing.T) {
	f := &fakeAPI{}
	url := f.start(t)
	for _, days := range []string{"0", "36", "-1"} {
		_, _, err := run(t, "pitr", "enable", "--endpoint-url", url, "--table", "T", "--days", days)
		if err == nil || !strings.Contains(err.Error(), "--days must be 1 to 35") {
			t.Errorf("--days %s: err = %v", days, err)
		}
	}
	if _, _, err := run(t, "pitr", "enable", "--endpoint-url", url, "--days", "3"); err == nil || !strings.Contains(err.Error(), `"table"`) {
		t.Errorf("enable without --table: err = %v", err)
	}
	if _, _, err := run(t, "pitr", "disable", "--endpoint-url", url, "--table", "T", "--days", "3"); err == nil {
		t.Error("disable accepted --days")
	}
	if n := f.count("UpdateContinuousBackups"); n != 0 {
		t.Errorf("%d requests sent for bad arguments", n)
	}
}

func TestPitrDisableAndStatusFake(t *testing.T) {
	f := &fakeAPI{resps: map[string][]fakeResp{
		"UpdateContinuousBackups":   {ok(pitrDisabled)},
		"DescribeContinuousBackups": {ok(pitrDisabled)},
	}}
	url := f.start(t)
	out, _, err := run(t, "pitr", "disable", "--endpoint-url", url, "--table", "T")
	if err != nil || out != "table: T\nstatus: DISABLED\n" {
		t.Errorf("disable: %v\n%s", err, out)
	}
	reqs := decodeRequests(t, f, "UpdateContinuousBackups")
	if len(reqs) != 1 || reqs[0].PointInTimeRecoverySpecification == nil ||
		reqs[0].PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled == nil ||
		*reqs[0].PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled ||
		reqs[0].PointInTimeRecoverySpecification.RecoveryPeriodInDays != nil {
		t.Errorf("disable sent %q", f.requests("UpdateContinuousBackups"))
	}
	out, _, err = run(t, "pitr", "status", "--endpoint-url", url, "--table", "T")
	if err != nil || out != "table: T\nstatus: DISABLED\n" {
		t.Errorf("status: %v\n%s", err, out)
	}
	if reqs := decodeRequests(t, f, "DescribeContinuousBackups"); len(reqs) != 1 || deref(reqs[0].TableName) != "T" {
		t.Errorf("status sent %q", f.requests("DescribeContinuousBackups"))
	}
}

func TestPitrStatusJSONFake(t *testing.T) {
	earliest := time.Date(2026, 11, 23, 0, 12, 40, 3e6, time.UTC)
	latest := time.Date(2026, 11, 24, 0, 31, 2, 114e6, time.UTC)
	f := &fakeAPI{resps: map[string][]fakeResp{"DescribeContinuousBackups": {ok(pitrEnabled(35, earliest, latest))}}}
	url := f.start(t)
	out, _, err := run(t, "pitr", "status", "--endpoint-url", url, "--table", "T", "--output", "json")
	if err != nil {
		t.Fatal(err)
	}
	var d types.ContinuousBackupsDescription
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	p := d.PointInTimeRecoveryDescription
	if d.ContinuousBackupsStatus != types.ContinuousBackupsStatusEnabled || p == nil ||
		p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled || p.RecoveryPeriodInDays == nil ||
		*p.RecoveryPeriodInDays != 35 || p.EarliestRestorableDateTime == nil || !p.EarliestRestorableDateTime.Equal(earliest) ||
		p.LatestRestorableDateTime == nil || !p.LatestRestorableDateTime.Equal(latest) {
		t.Errorf("status JSON:\n%s", out)
	}
}

func TestPitrErrorsFake(t *testing.T) {
	f := &fakeAPI{resps: map[string][]fakeResp{
		"UpdateContinuousBackups":   {awsErr("TableNotFoundException", "Table not found: Nope")},
		"DescribeContinuousBackups": {awsErr("TableNotFoundException", "Table not found: Nope")},
	}}
	url := f.start(t)
	_, _, err := run(t, "pitr", "enable", "--endpoint-url", url, "--table", "Nope")
	if err == nil || err.Error() != "UpdateContinuousBackups: TableNotFoundException: Table not found: Nope" {
		t.Errorf("enable: err = %v", err)
	}
	_, _, err = run(t, "pitr", "status", "--endpoint-url", url, "--table", "Nope")
	if err == nil || err.Error() != "DescribeContinuousBackups: TableNotFoundException: Table not found: Nope" {
		t.Errorf("status: err = %v", err)
	}
	_, _, err = run(t, "pitr", "status", "--endpoint-url", url, "--table", "T", "-o", "yaml")
	if err == nil || !strings.Contains(err.Error(), "--output") {
		t.Errorf("--output yaml: err = %v", err)
	}
	_, _, err = run(t, "pitr", "status", "--endpoint-url", "http://127.0.0.1:1", "--table", "T")
	if err == nil || !strings.Contains(err.Error(), "DescribeContinuousBackups: cannot reach the server at http://127.0.0.1:1") {
		t.Errorf("unreachable server: err = %v", err)
	}
}
