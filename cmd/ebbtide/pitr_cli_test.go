package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// pitrWindow runs `pitr status -o json` and returns the restorable window
// (zero times when point-in-time recovery is off).
func (e *backupEnv) pitrWindow(t *testing.T, table string) (earliest, latest time.Time) {
	t.Helper()
	out, _, err := e.run(t, "pitr", "status", "--table", table, "-o", "json")
	if err != nil {
		t.Fatalf("pitr status -o json: %v", err)
	}
	var d types.ContinuousBackupsDescription
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("pitr status JSON: %v\n%s", err, out)
	}
	if p := d.PointInTimeRecoveryDescription; p != nil {
		earliest, latest = aws.ToTime(p.EarliestRestorableDateTime), aws.ToTime(p.LatestRestorableDateTime)
	}
	return earliest, latest
}

// waitRestorable waits until table's latest restorable time reaches at.
func (e *backupEnv) waitRestorable(t *testing.T, table string, at time.Time) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if _, latest := e.pitrWindow(t, table); !latest.Before(at) {
			return
		}
	}
	t.Fatalf("the latest restorable time of %s did not reach %s in a minute", table, formatInstant(at))
}

// countItems scans table and returns its item count.
func (e *backupEnv) countItems(t *testing.T, table string) int32 {
	t.Helper()
	out, err := e.client.Scan(context.Background(), &dynamodb.ScanInput{TableName: &table, Select: types.SelectCount})
	if err != nil {
		t.Fatalf("scan %s: %v", table, err)
	}
	return out.Count
}

func TestPitrCLI(t *testing.T) {
	e := newBackupEnv(t, 40)
	out, _, err := e.run(t, "pitr", "enable", "--table", "Music", "--days", "7")
	if err != nil {
		t.Fatalf("pitr enable: %v", err)
	}
	t.Logf("pitr enable --days 7:\n%s", out)
	for _, want := range []string{"table: Music\n", "status: ENABLED\n", "recovery period: 7 days\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("pitr enable output lacks %q:\n%s", want, out)
		}
	}

	// The 40 items are restorable at t1; 10 more come after it.
	e.waitRestorable(t, "Music", time.Now())
	time.Sleep(20 * time.Millisecond)
	t1 := time.Now().Truncate(time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	for i := range 10 {
		_, err := e.client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String("Music"),
			Item: map[string]types.AttributeValue{
				"Artist": &types.AttributeValueMemberS{Value: "late"},
				"Song":   &types.AttributeValueMemberS{Value: fmt.Sprintf("late-%02d", i)},
			}})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.waitRestorable(t, "Music", time.Now())

	out, _, err = e.run(t, "pitr", "status", "--table", "Music")
	if err != nil {
		t.Fatalf("pitr status: %v", err)
	}
	t.Logf("pitr status:\n%s", out)
	for _, want := range []string{"status: ENABLED\n", "recovery period: 7 days\n", "\nearliest: 20", "\nlatest: 20", "s ago)\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("pitr status lacks %q:\n%s", want, out)
		}
	}
	if earliest, _ := e.pitrWindow(t, "Music"); earliest.After(t1) {
		t.Fatalf("earliest restorable time %s is after %s", formatInstant(earliest), formatInstant(t1))
	}

	// restore --to latest: all 50 items, with progress on stderr.
	out, stderr, err := e.run(t, "pitr", "restore", "--table", "Music", "--to", "latest", "--target", "MusicLatest")
	if err != nil {
		t.Fatalf("pitr restore --to latest: %v", err)
	}
	t.Logf("pitr restore --to latest:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ":table/MusicLatest") ||
		!strings.HasPrefix(lines[1], "restored MusicLatest to 20") || !strings.Contains(lines[1], "Z: 50 items in ") {
		t.Errorf("pitr restore --to latest output:\n%s", out)
	}
	if stderr == "" {
		t.Error("pitr restore drew no progress on stderr")
	}
	if n := e.countItems(t, "MusicLatest"); n != 50 {
		t.Errorf("MusicLatest has %d items, want 50", n)
	}

	// restore --to an RFC 3339 time: the 40 items before it.
	at := t1.In(time.FixedZone("", 2*3600)).Format(time.RFC3339Nano)
	out, _, err = e.run(t, "pitr", "restore", "--table", "Music", "--to", at, "--target", "MusicT1", "-q")
	if err != nil {
		t.Fatalf("pitr restore --to %s: %v", at, err)
	}
	t.Logf("pitr restore --to %s:\n%s", at, out)
	if want := "restored MusicT1 to " + formatInstant(t1) + ": 40 items in "; !strings.Contains(out, want) {
		t.Errorf("pitr restore --to %s output lacks %q:\n%s", at, want, out)
	}
	if n := e.countItems(t, "MusicT1"); n != 40 {
		t.Errorf("MusicT1 has %d items, want 40", n)
	}
	_, _, err = e.run(t, "pitr", "restore", "--table", "Music", "--to", "latest", "--target", "MusicT1", "-q")
	if err == nil || !strings.HasPrefix(err.Error(), "RestoreTableToPointInTime: TableAlreadyExistsException") {
		t.Errorf("restore into an existing table: err = %v", err)
	}
	_, _, err = e.run(t, "pitr", "restore", "--table", "Music", "--to", "-30d", "--target", "MusicOld", "-q")
	if errorCode(err) != "InvalidRestoreTimeException" || !strings.HasPrefix(err.Error(), "RestoreTableToPointInTime: InvalidRestoreTimeException") {
		t.Errorf("restore before the window: err = %v", err)
	}

	// disable.
	out, _, err = e.run(t, "pitr", "disable", "--table", "Music")
	if err != nil || out != "table: Music\nstatus: DISABLED\n" {
		t.Errorf("pitr disable: %v\n%s", err, out)
	}
	out, _, err = e.run(t, "pitr", "status", "--table", "Music")
	if err != nil || out != "table: Music\nstatus: DISABLED\n" {
		t.Errorf("pitr status after disable: %v\n%s", err, out)
	}
	_, _, err = e.run(t, "pitr", "restore", "--table", "Music", "--to", "latest", "--target", "MusicGone", "-q")
	if errorCode(err) != "PointInTimeRecoveryUnavailableException" {
		t.Errorf("restore with PITR off: err = %v", err)
	}
}

func TestPitrCLIErrors(t *testing.T) {
	e := newBackupEnv(t, 0)
	_, _, err := e.run(t, "pitr", "enable", "--table", "Nope")
	if err == nil || !strings.HasPrefix(err.Error(), "UpdateContinuousBackups: TableNotFoundException") {
		t.Errorf("enable on a missing table: err = %v", err)
	}
	_, _, err = e.run(t, "pitr", "status", "--table", "Nope")
	if err == nil || !strings.HasPrefix(err.Error(), "DescribeContinuousBackups: TableNotFoundException") {
		t.Errorf("status of a missing table: err = %v", err)
	}
	_, _, err = e.run(t, "pitr", "enable", "--table", "Music", "--days", "36")
	if err == nil || !strings.Contains(err.Error(), "--days must be 1 to 35") {
		t.Errorf("enable --days 36: err = %v", err)
	}
	// An empty table restores with a spinner (unknown total).
	if _, _, err = e.run(t, "pitr", "enable", "--table", "Music"); err != nil {
		t.Fatalf("pitr enable: %v", err)
	}
	e.waitRestorable(t, "Music", time.Now())
	out, _, err := e.run(t, "pitr", "restore", "--table", "Music", "--to", "latest", "--target", "Empty2")
	if err != nil || !strings.Contains(out, ": 0 items in ") {
		t.Errorf("restore of an empty table: %v\n%s", err, out)
	}
}
