package main

import (
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI is a scripted DynamoDB endpoint: each operation answers from a
// queue of responses (the last one repeats).
type fakeAPI struct {
	mu     sync.Mutex
	resps  map[string][]fakeResp
	calls  map[string]int
	bodies map[string][]string // request bodies by operation
}

// requests returns the request bodies op received.
func (f *fakeAPI) requests(op string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies[op]...)
}

// count returns how often op was called.
func (f *fakeAPI) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// fakeResp is one response: an HTTP status and a JSON body.
type fakeResp struct {
	status int
	body   string
}

func ok(body string) fakeResp { return fakeResp{200, body} }

func awsErr(code, msg string) fakeResp {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazonaws.dynamodb.v20120810#" + code, "message": msg})
	return fakeResp{400, string(b)}
}

// start serves the fake and returns its URL.
func (f *fakeAPI) start(t *testing.T) string {
	f.calls, f.bodies = map[string]int{}, map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "DynamoDB_20120810.")
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies[op] = append(f.bodies[op], string(body))
		q := f.resps[op]
		i := min(f.calls[op], len(q)-1)
		f.calls[op]++
		f.mu.Unlock()
		if len(q) == 0 {
			q, i = []fakeResp{awsErr("UnknownOperationException", "")}, 0
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(q[i].body))), 10))
		w.WriteHeader(q[i].status)
		w.Write([]byte(q[i].body))
	}))
	t.Cleanup(srv.Close)
	unsetenv(t, "EBBTIDE_ENDPOINT_URL")
	old := pollInterval
	pollInterval = time.Millisecond
	t.Cleanup(func() { pollInterval = old })
	return srv.URL
}

const fakeBackupARN = "arn:aws:dynamodb:us-east-1:000000000000:table/T/backup/01700000000000-abcdef01"

func TestRestoreTargetDisappears(t *testing.T) {
	f := &fakeAPI{resps: map[string][]fakeResp{
		"RestoreTableFromBackup": {ok(`{"TableDescription":{"TableName":"T2","TableArn":"arn:aws:dynamodb:us-east-1:000000000000:table/T2","TableStatus":"CREATING"}}`)},
		"DescribeBackup":         {ok(`{"BackupDescription":{"BackupDetails":{"BackupArn":"` + fakeBackupARN + `","BackupStatus":"AVAILABLE"},"SourceTableDetails":{"TableName":"T","ItemCount":100}}}`)},
		"DescribeTable": {
			ok(`{"Table":{"TableName":"T2","TableStatus":"CREATING","ItemCount":10}}`),
			ok(`{"Table":{"TableName":"T2","TableStatus":"CREATING","ItemCount":60}}`),
			awsErr("ResourceNotFoundException", "Requested resource not found"),
		},
	}}
	url := f.start(t)
	out, stderr, err := run(t, "restore", "--endpoint-url", url, "--backup-arn", fakeBackupARN, "--target", "T2")
	if err == nil || !strings.Contains(err.Error(), "restore of "+fakeBackupARN+" into T2 failed: the target table no longer exists") {
		t.Errorf("err = %v", err)
	}
	if strings.TrimSpace(out) != "arn:aws:dynamodb:us-east-1:000000000000:table/T2" {
		t.Errorf("stdout %q", out)
	}
	if !strings.Contains(stderr, "/100") {
		t.Errorf("no progress bar out of 100 items on stderr: %q", stderr)
	}
	if f.count("DescribeTable") != 3 {
		t.Errorf("DescribeTable called %d times", f.count("DescribeTable"))
	}
}

func TestBackupWaitFails(t *testing.T) {
	created := `{"BackupDetails":{"BackupArn":"` + fakeBackupARN + `","BackupName":"b","BackupStatus":"CREATING"}}`
	f := &fakeAPI{resps: map[string][]fakeResp{
		"CreateBackup": {ok(created)},
		"DescribeBackup": {
			ok(`{"BackupDescription":` + created + `}`),
			awsErr("BackupNotFoundException", "Backup not found"),
		},
	}}
	url := f.start(t)
	_, _, err := run(t, "backup", "create", "--endpoint-url", url, "--table", "T", "--name", "bbb", "--wait", "-q")
	if err == nil || !strings.Contains(err.Error(), "backup "+fakeBackupARN+" failed: it no longer exists") {
		t.Errorf("err = %v", err)
	}
}

func TestListBackupsPages(t *testing.T) {
	sum := func(name string) string {
		return `{"BackupArn":"` + fakeBackupARN[:len(fakeBackupARN)-1] + name[len(name)-1:] + `","BackupName":"` + name + `","BackupStatus":"AVAILABLE","BackupType":"USER"}`
	}
	f := &fakeAPI{resps: map[string][]fakeResp{
		"ListBackups": {
			ok(`{"BackupSummaries":[` + sum("one1") + `,` + sum("two2") + `],"LastEvaluatedBackupArn":"x2"}`),
			ok(`{"BackupSummaries":[` + sum("three3") + `]}`),
		},
	}}
	url := f.start(t)
	out, _, err := run(t, "backup", "list", "--endpoint-url", url)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"one1", "two2", "three3"} {
		if !strings.Contains(out, name) {
			t.Errorf("list lacks %s:\n%s", name, out)
		}
	}
	if reqs := f.requests("ListBackups"); len(reqs) != 2 || !strings.Contains(reqs[1], `"ExclusiveStartBackupArn":"x2"`) {
		t.Errorf("ListBackups requests: %q", reqs)
	}
}
