package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// backupEnv is a running server with one populated table.
type backupEnv struct {
	srv    *ebbtidetest.Server
	client *dynamodb.Client
}

// newBackupEnv starts a server and creates table "Music" with n items.
func newBackupEnv(t *testing.T, n int) *backupEnv {
	t.Helper()
	unsetenv(t, "EBBTIDE_ENDPOINT_URL")
	old := pollInterval
	pollInterval = 20 * time.Millisecond
	t.Cleanup(func() { pollInterval = old })
	srv := ebbtidetest.Start(t)
	c := dynamodb.New(dynamodb.Options{
		BaseEndpoint: aws.String(srv.Endpoint),
		Region:       srv.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
	})
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("Music"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("Artist"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("Song"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("Artist"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("Song"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := dynamodb.NewTableExistsWaiter(c).Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("Music")}, time.Minute,
		func(o *dynamodb.TableExistsWaiterOptions) {
			o.MinDelay = 10 * time.Millisecond
			o.MaxDelay = 100 * time.Millisecond
		}); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Music"), Item: map[string]types.AttributeValue{
			"Artist": &types.AttributeValueMemberS{Value: fmt.Sprintf("artist-%d", i%7)},
			"Song":   &types.AttributeValueMemberS{Value: fmt.Sprintf("song-%04d", i)},
			"Lyrics": &types.AttributeValueMemberS{Value: strings.Repeat("la ", 50)},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	return &backupEnv{srv: srv, client: c}
}

// run runs an ebbtide client command against the server.
func (e *backupEnv) run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return run(t, append(args, "--endpoint-url", e.srv.Endpoint, "--region", e.srv.Region)...)
}

// createBackup runs `backup create --wait -q` and returns its output.
func (e *backupEnv) createBackup(t *testing.T, name string) (arn, summary string) {
	t.Helper()
	out, _, err := e.run(t, "backup", "create", "--table", "Music", "--name", name, "--wait", "-q")
	if err != nil {
		t.Fatalf("backup create: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], ":table/Music/backup/") {
		t.Fatalf("backup create --wait output:\n%s", out)
	}
	return lines[0], lines[1]
}

func TestBackupCLI(t *testing.T) {
	e := newBackupEnv(t, 40)
	arn, summary := e.createBackup(t, "nightly")
	t.Logf("backup create --wait:\n%s\n%s", arn, summary)
	if !strings.HasPrefix(arn, "arn:aws:dynamodb:us-east-1:000000000000:table/Music/backup/") {
		t.Errorf("backup ARN %q", arn)
	}
	if !strings.HasPrefix(summary, "AVAILABLE: 40 items, ") {
		t.Errorf("backup create --wait summary %q", summary)
	}

	// list, text and JSON, with time bounds.
	out, _, err := e.run(t, "backup", "list")
	if err != nil {
		t.Fatalf("backup list: %v", err)
	}
	t.Logf("backup list:\n%s", out)
	for _, want := range []string{"NAME", "ARN", "STATUS", "TYPE", "CREATED", "SIZE", "nightly", arn, "AVAILABLE", "USER"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup list lacks %q:\n%s", want, out)
		}
	}
	out, _, err = e.run(t, "backup", "list", "--table", "Music", "--type", "all", "--from", "-1h", "--to", "+1h", "-o", "json")
	if err != nil {
		t.Fatalf("backup list --output json: %v", err)
	}
	var list struct{ BackupSummaries []types.BackupSummary }
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list JSON: %v\n%s", err, out)
	}
	if len(list.BackupSummaries) != 1 || aws.ToString(list.BackupSummaries[0].BackupArn) != arn {
		t.Errorf("list JSON:\n%s", out)
	}
	if out, _, err = e.run(t, "backup", "list", "--to", "-1h"); err != nil || strings.TrimSpace(out) != "no backups" {
		t.Errorf("backup list --to -1h: %v\n%s", err, out)
	}
	if _, _, err = e.run(t, "backup", "list", "--type", "weekly"); err == nil || !strings.Contains(err.Error(), "--type") {
		t.Errorf("backup list --type weekly: err = %v", err)
	}
	if _, _, err = e.run(t, "backup", "list", "--from", "15m"); err == nil || !strings.Contains(err.Error(), "needs a sign") {
		t.Errorf("backup list --from 15m: err = %v", err)
	}

	// describe, text and JSON.
	out, _, err = e.run(t, "backup", "describe", arn)
	if err != nil {
		t.Fatalf("backup describe: %v", err)
	}
	t.Logf("backup describe:\n%s", out)
	for _, want := range []string{"Name:", "nightly", "Status:", "AVAILABLE", "Table:", "Music", "Items:", "40",
		"Key schema:", "Artist HASH, Song RANGE", "PAY_PER_REQUEST"} {
		if !strings.Contains(out, want) {
			t.Errorf("backup describe lacks %q:\n%s", want, out)
		}
	}
	out, _, err = e.run(t, "backup", "describe", arn, "--output", "json")
	if err != nil {
		t.Fatalf("backup describe --output json: %v", err)
	}
	var desc types.BackupDescription
	if err := json.Unmarshal([]byte(out), &desc); err != nil || desc.BackupDetails == nil ||
		aws.ToString(desc.BackupDetails.BackupArn) != arn {
		t.Errorf("describe JSON (%v):\n%s", err, out)
	}

	// restore, with the progress bar drawn on stderr.
	out, stderr, err := e.run(t, "restore", "--backup-arn", arn, "--target", "Music2")
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	t.Logf("restore:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasSuffix(lines[0], ":table/Music2") ||
		!strings.HasPrefix(lines[1], "restored Music2: 40 items in ") {
		t.Errorf("restore output:\n%s", out)
	}
	if stderr == "" {
		t.Error("restore drew no progress on stderr")
	}
	scan, err := e.client.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("Music2"), Select: types.SelectCount})
	if err != nil || scan.Count != 40 {
		t.Errorf("restored table: %v items, err %v", scan.Count, err)
	}
	_, _, err = e.run(t, "restore", "--backup-arn", arn, "--target", "Music2", "-q")
	if err == nil || !strings.HasPrefix(err.Error(), "RestoreTableFromBackup: TableAlreadyExistsException") {
		t.Errorf("restore into an existing table: err = %v", err)
	}
	out, _, err = e.run(t, "restore", "--backup-arn", arn, "--target", "Music3", "--no-wait")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), ":table/Music3") {
		t.Errorf("restore --no-wait: %v\n%s", err, out)
	}
	waitActive(t, e.client, "Music3")

	// delete.
	out, _, err = e.run(t, "backup", "delete", arn)
	if err != nil || strings.TrimSpace(out) != "deleted backup nightly ("+arn+")" {
		t.Errorf("backup delete: %v\n%s", err, out)
	}
	_, _, err = e.run(t, "backup", "describe", arn)
	if err == nil || !strings.HasPrefix(err.Error(), "DescribeBackup: BackupNotFoundException") {
		t.Errorf("describe of a deleted backup: err = %v", err)
	}
}

func TestBackupCLIErrors(t *testing.T) {
	e := newBackupEnv(t, 0)
	_, _, err := e.run(t, "backup", "create", "--table", "Nope", "--name", "xyz")
	if err == nil || !strings.HasPrefix(err.Error(), "CreateBackup: TableNotFoundException") {
		t.Errorf("backup of a missing table: err = %v", err)
	}
	if _, _, err = e.run(t, "backup", "create", "--table", "Music"); err == nil || !strings.Contains(err.Error(), `"name"`) {
		t.Errorf("backup create without --name: err = %v", err)
	}
	// An empty table restores with a spinner (unknown total).
	arn, _ := e.createBackup(t, "empty")
	out, _, err := e.run(t, "restore", "--backup-arn", arn, "--target", "Empty2")
	if err != nil || !strings.Contains(out, "restored Empty2: 0 items in ") {
		t.Errorf("restore of an empty backup: %v\n%s", err, out)
	}
	// An unreachable server is named as such.
	_, _, err = run(t, "backup", "list", "--endpoint-url", "http://127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server at http://127.0.0.1:1") {
		t.Errorf("unreachable server: err = %v", err)
	}
	if _, _, err = run(t, "backup", "list", "--endpoint-url", "localhost:8000"); err == nil ||
		!strings.Contains(err.Error(), "--endpoint-url") {
		t.Errorf("endpoint without scheme: err = %v", err)
	}
}

// waitActive waits until table is ACTIVE.
func waitActive(t *testing.T, c *dynamodb.Client, table string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: &table})
		if err != nil {
			t.Fatal(err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return
		}
	}
	t.Fatalf("table %s not ACTIVE after a minute", table)
}
