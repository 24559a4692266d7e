package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Tests of `pitr restore` against the scripted endpoint of wait_test.go.

// restoredT2 is a RestoreTableToPointInTime or DescribeTable answer for the
// target table T2 (key "TableDescription" or "Table"), restored to point.
func restoredT2(key, status string, items int, point time.Time) string {
	return `{"` + key + `":{"TableName":"T2","TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/T2",` +
		`"TableStatus":"` + status + `","ItemCount":` + itoa(items) + `,` +
		`"RestoreSummary":{"SourceTableArn":"` + fakeTableARN + `","RestoreDateTime":` + epoch(point) + `,"RestoreInProgress":` +
		map[bool]string{true: "true", false: "false"}[status != "ACTIVE"] + `}}}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// sourceT is DescribeTable's answer for the source table T with n items.
func sourceT(n int) fakeResp {
	return ok(`{"Table":{"TableName":"T","TableArn":"` + fakeTableARN + `","TableStatus":"ACTIVE","ItemCount":` + itoa(n) + `}}`)
}

func TestPitrRestoreLatestFake(t *testing.T) {
	point := time.Date(2026, 11, 24, 0, 31, 2, 114e6, time.UTC)
	f := &fakeAPI{resps: map[string][]fakeResp{
		"RestoreTableToPointInTime": {ok(restoredT2("TableDescription", "CREATING", 0, point))},
		"DescribeTable": {
			sourceT(100), // the source, for the progress bar's total
			ok(restoredT2("Table", "CREATING", 30, point)),
			ok(restoredT2("Table", "CREATING", 80, point)),
			ok(restoredT2("Table", "ACTIVE", 100, point)),
		},
	}}
	url := f.start(t)
	out, stderr, err := run(t, "pitr", "restore", "--endpoint-url", url, "--table", "T", "--to", "LATEST", "--target", "T2")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pitr restore --to latest:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != "arn:aws:dynamodb:us-east-1:000000000000:table/T2" ||
		!strings.HasPrefix(lines[1], "restored T2 to 2026-11-24T00:31:02.114Z: 100 items in ") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(stderr, "/100") {
		t.Errorf("no progress bar out of the source's 100 items on stderr: %q", stderr)
	}
	reqs := decodeRequests(t, f, "RestoreTableToPointInTime")
	if len(reqs) != 1 {
		t.Fatalf("%d restore requests", len(reqs))
	}
	r := reqs[0]
	if deref(r.SourceTableName) != "T" || r.SourceTableArn != nil || deref(r.TargetTableName) != "T2" ||
		r.UseLatestRestorableTime == nil || !*r.UseLatestRestorableTime || r.RestoreDateTime != nil {
		t.Errorf("restore --to latest sent %s", f.requests("RestoreTableToPointInTime")[0])
	}
	dts := decodeRequests(t, f, "DescribeTable")
	if len(dts) != 4 || deref(dts[0].TableName) != "T" || deref(dts[1].TableName) != "T2" || deref(dts[3].TableName) != "T2" {
		t.Errorf("DescribeTable requests %q", f.requests("DescribeTable"))
	}
}

func TestPitrRestoreDateByARNFake(t *testing.T) {
	point := time.Date(2026, 11, 24, 0, 20, 0, 250e6, time.UTC)
	f := &fakeAPI{resps: map[string][]fakeResp{
		"RestoreTableToPointInTime": {ok(restoredT2("TableDescription", "CREATING", 0, point))},
	}}
	url := f.start(t)
	out, _, err := run(t, "pitr", "restore", "--endpoint-url", url, "--table", fakeTableARN,
		"--to", "2026-11-24T01:20:00.25+01:00", "--target", "T2", "--no-wait")
	if err != nil {
		t.Fatal(err)
	}
	if out != "arn:aws:dynamodb:us-east-1:000000000000:table/T2\nrestore point: 2026-11-24T00:20:00.250Z\n" {
		t.Errorf("restore --no-wait output:\n%s", out)
	}
	r := decodeRequests(t, f, "RestoreTableToPointInTime")[0]
	if deref(r.SourceTableArn) != fakeTableARN || r.SourceTableName != nil || r.UseLatestRestorableTime != nil ||
		r.RestoreDateTime == nil || math.Abs(*r.RestoreDateTime-float64(point.UnixMilli())/1000) > 1e-6 {
		t.Errorf("restore --to DATE sent %s", f.requests("RestoreTableToPointInTime")[0])
	}
	if n := f.count("DescribeTable"); n != 0 {
		t.Errorf("--no-wait called DescribeTable %d times", n)
	}

	// --no-wait --output json prints the table description.
	out, _, err = run(t, "pitr", "restore", "--endpoint-url", url, "--table", "T", "--to", "-15m", "--target", "T2",
		"--no-wait", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var td types.TableDescription
	if err := json.Unmarshal([]byte(out), &td); err != nil || deref(td.TableName) != "T2" || td.RestoreSummary == nil {
		t.Errorf("restore --no-wait -o json (%v):\n%s", err, out)
	}
	r = decodeRequests(t, f, "RestoreTableToPointInTime")[1]
	want := float64(time.Now().Add(-15*time.Minute).UnixMilli()) / 1000
	if r.RestoreDateTime == nil || math.Abs(*r.RestoreDateTime-want) > 10 || r.UseLatestRestorableTime != nil {
		t.Errorf("restore --to -15m sent %s (want RestoreDateTime about %.3f)", f.requests("RestoreTableToPointInTime")[1], want)
	}
}

func TestPitrRestoreSpinnerAndJSONFake(t *testing.T) {
	point := time.Date(2026, 11, 24, 0, 31, 2, 0, time.UTC)
	f := &fakeAPI{resps: map[string][]fakeResp{
		"RestoreTableToPointInTime": {ok(restoredT2("TableDescription", "CREATING", 0, point))},
		"DescribeTable": {
			awsErr("AccessDeniedException", "no"), // the source: unknown total, a spinner
			ok(restoredT2("Table", "CREATING", 3, point)),
			ok(restoredT2("Table", "ACTIVE", 5, point)),
		},
	}}
	url := f.start(t)
	out, stderr, err := run(t, "pitr", "restore", "--endpoint-url", url, "--table", "T", "--to", "latest", "--target", "T2", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var td types.TableDescription
	if err := json.Unmarshal([]byte(out), &td); err != nil || td.TableStatus != types.TableStatusActive || int64Value(td.ItemCount) != 5 {
		t.Errorf("restore -o json (%v):\n%s", err, out)
	}
	if stderr == "" || strings.Contains(stderr, "/") {
		t.Errorf("want a spinner on stderr, got %q", stderr)
	}
}

func TestPitrRestoreArgsFake(t *testing.T) {
	f := &fakeAPI{}
	url := f.start(t)
	for _, tt := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--table", "T", "--target", "T2"}, `"to"`},
		{[]string{"--to", "latest", "--target", "T2"}, `"table"`},
		{[]string{"--table", "T", "--to", "latest"}, `"target"`},
		{[]string{"--table", "T", "--to", "15m", "--target", "T2"}, "--to: time \"15m\": a relative time needs a sign: -15m"},
		{[]string{"--table", "T", "--to", "yesterday", "--target", "T2"}, `--to: time "yesterday": expected "latest" (the latest restorable time), RFC 3339`},
		{[]string{"--table", "T", "--to", "latest", "--target", "T2", "extra"}, "unknown command"},
	} {
		_, _, err := run(t, append([]string{"pitr", "restore", "--endpoint-url", url}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("pitr restore %q: err = %v, want %q", tt.args, err, tt.wantErr)
		}
	}
	if n := f.count("RestoreTableToPointInTime"); n != 0 {
		t.Errorf("%d requests sent for bad arguments", n)
	}
}

func TestPitrRestoreErrorsFake(t *testing.T) {
	point := time.Date(2026, 11, 24, 0, 31, 2, 114e6, time.UTC)
	f := &fakeAPI{resps: map[string][]fakeResp{
		"RestoreTableToPointInTime": {
			awsErr("InvalidRestoreTimeException", "RestoreDateTime is outside the restorable window"),
			awsErr("PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'T'"),
			awsErr("TableAlreadyExistsException", "Table already exists: T2"),
			ok(restoredT2("TableDescription", "CREATING", 0, point)),
		},
		"DescribeTable": {
			sourceT(10),
			ok(restoredT2("Table", "CREATING", 4, point)),
			awsErr("ResourceNotFoundException", "Requested resource not found"),
		},
	}}
	url := f.start(t)
	restore := func(to string) error {
		_, _, err := run(t, "pitr", "restore", "--endpoint-url", url, "--table", "T", "--to", to, "--target", "T2", "-q")
		return err
	}
	err := restore("-1w")
	if err == nil || err.Error() != "RestoreTableToPointInTime: InvalidRestoreTimeException: RestoreDateTime is outside the "+
		"restorable window" || errorCode(err) != "InvalidRestoreTimeException" {
		t.Errorf("restore outside the window: err = %v", err)
	}
	if err = restore("latest"); err == nil || !strings.HasPrefix(err.Error(), "RestoreTableToPointInTime: PointInTimeRecoveryUnavailableException: ") {
		t.Errorf("restore without PITR: err = %v", err)
	}
	if err = restore("latest"); err == nil || err.Error() != "RestoreTableToPointInTime: TableAlreadyExistsException: Table already exists: T2" {
		t.Errorf("restore into an existing table: err = %v", err)
	}
	err = restore("latest")
	if err == nil || !strings.Contains(err.Error(), "restore of T at 2026-11-24T00:31:02.114Z into T2 failed: the target table no longer exists") {
		t.Errorf("failed restore: err = %v", err)
	}
}
