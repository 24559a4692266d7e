package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/blob/blobtest"
	"github.com/ebbtide/ebbtide/internal/repo"
	"github.com/ebbtide/ebbtide/internal/server"
	"github.com/ebbtide/ebbtide/test/oracle"
)

// fillTable creates a table and puts n items into it; it returns them by pk.
func fillTable(t *testing.T, c *dynamodb.Client, table string, n int) map[string]map[string]types.AttributeValue {
	t.Helper()
	ctx := context.Background()
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}, {AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
	})
	if err != nil {
		t.Fatal(err)
	}
	oracle.WaitTableActive(t, c, table)
	items := map[string]map[string]types.AttributeValue{}
	for i := range n {
		pk := fmt.Sprintf("item-%04d", i)
		it := map[string]types.AttributeValue{"pk": oracle.Str(pk), "sk": oracle.Num(0), "n": oracle.Num(int64(i)), "pad": oracle.Str(fmt.Sprintf("%0200d", i))}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatal(err)
		}
		items[pk] = it
	}
	return items
}

func backupAndWait(t *testing.T, c *dynamodb.Client, table, name string) string {
	t.Helper()
	out, err := c.CreateBackup(context.Background(), &dynamodb.CreateBackupInput{TableName: aws.String(table), BackupName: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateBackup: %v", err)
	}
	arn := aws.ToString(out.BackupDetails.BackupArn)
	waitBackupAvailable(t, c, arn)
	return arn
}

func restoreAndCompare(t *testing.T, c *dynamodb.Client, arn, target string, want map[string]map[string]types.AttributeValue) {
	t.Helper()
	_, err := c.RestoreTableFromBackup(context.Background(), &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(arn), TargetTableName: aws.String(target)})
	if err != nil {
		t.Fatalf("RestoreTableFromBackup: %v", err)
	}
	oracle.WaitTableActive(t, c, target)
	got := oracle.ScanAll(t, c, target, nil)
	ws := map[string]string{}
	for k, it := range want {
		ws[k] = oracle.Canonical(it)
	}
	oracle.CompareMaps(t, target, ws, got)
}

// TestDisasterRecovery loses the whole data directory: a fresh server given
// only the repository and the root key lists the backups and restores them.
func TestDisasterRecovery(t *testing.T) {
	repoDir := t.TempDir()
	keyFile := filepath.Join(t.TempDir(), "root.key")
	dataA := t.TempDir()
	a := ebbtidetest.StartWith(t, ebbtidetest.Options{DataDir: dataA, Repository: repoDir, RootKeyFile: keyFile})
	ca := newClient(a.Endpoint)
	items := fillTable(t, ca, "orders", 300)
	arn := backupAndWait(t, ca, "orders", "before-the-fire")
	a.Stop()
	if err := os.RemoveAll(dataA); err != nil {
		t.Fatal(err)
	}

	b := ebbtidetest.StartWith(t, ebbtidetest.Options{Repository: repoDir, RootKeyFile: keyFile})
	cb := newClient(b.Endpoint)
	list, err := cb.ListBackups(context.Background(), &dynamodb.ListBackupsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.BackupSummaries) != 1 || aws.ToString(list.BackupSummaries[0].BackupArn) != arn ||
		aws.ToString(list.BackupSummaries[0].BackupName) != "before-the-fire" ||
		list.BackupSummaries[0].BackupStatus != types.BackupStatusAvailable {
		t.Fatalf("ListBackups on the fresh server: %+v", list.BackupSummaries)
	}
	d, err := cb.DescribeBackup(context.Background(), &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if n := aws.ToInt64(d.BackupDescription.SourceTableDetails.ItemCount); n != 300 {
		t.Errorf("SourceTableDetails.ItemCount = %d, want 300", n)
	}
	restoreAndCompare(t, cb, arn, "orders", items) // the original name is free on the new server
}

// TestWrongRootKey: a repository opened with another root key is refused
// with a message naming both keys, never read with garbage.
func TestWrongRootKey(t *testing.T) {
	repoDir := t.TempDir()
	a := ebbtidetest.StartWith(t, ebbtidetest.Options{Repository: repoDir})
	fillTable(t, newClient(a.Endpoint), "table-1", 3)
	a.Stop()
	_, err := server.New(server.Config{DataDir: t.TempDir(), Repository: repoDir, Logger: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, repo.ErrWrongKey) {
		t.Fatalf("server with another root key: err = %v, want repo.ErrWrongKey", err)
	}
}

// TestBackupOutlivesTable: a backup stays after DeleteTable, and restoring it
// gives back the deleted table's data; a re-created table of the same name
// is another table (another TableId) whose backups are distinct.
func TestBackupOutlivesTable(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	items := fillTable(t, c, "music", 50)
	arn1 := backupAndWait(t, c, "music", "one")
	id1 := aws.ToString(oracle.DescribeTable(t, c, "music").TableId)
	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("music")}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn1)})
	if err != nil {
		t.Fatalf("DescribeBackup after DeleteTable: %v", err)
	}
	if d.BackupDescription.BackupDetails.BackupStatus != types.BackupStatusAvailable || aws.ToString(d.BackupDescription.SourceTableDetails.TableId) != id1 {
		t.Fatalf("backup after DeleteTable: %+v", d.BackupDescription)
	}
	fillTable(t, c, "music", 5)
	id2 := aws.ToString(oracle.DescribeTable(t, c, "music").TableId)
	if id2 == id1 {
		t.Fatal("re-created table has the old TableId")
	}
	arn2 := backupAndWait(t, c, "music", "two")
	d2, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn2)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(d2.BackupDescription.SourceTableDetails.TableId) != id2 {
		t.Errorf("second backup's TableId = %s, want %s", aws.ToString(d2.BackupDescription.SourceTableDetails.TableId), id2)
	}
	restoreAndCompare(t, c, arn1, "music-old", items)
}

// TestBackupOnS3 runs backup and restore with the repository on a real
// S3-compatible server (versitygw), then recovers from it on a fresh server.
func TestBackupOnS3(t *testing.T) {
	endpoint := blobtest.StartVersityGW(t)
	blobtest.CreateBucket(t, endpoint, "backups")
	s3cfg := blob.S3Config{Endpoint: endpoint, AccessKeyID: blobtest.GWAccessKey, SecretAccessKey: blobtest.GWSecretKey}
	keyFile := filepath.Join(t.TempDir(), "root.key")
	start := func() *running {
		cfg := server.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Repository: "s3://backups/ebbtide", S3: s3cfg,
			RootKeyFile: keyFile, Logger: slog.New(slog.DiscardHandler)}
		return startServer(t, cfg)
	}
	a := start()
	ca := newClient(a.Endpoint)
	items := fillTable(t, ca, "events", 120)
	arn := backupAndWait(t, ca, "events", "s3-backup")
	restoreAndCompare(t, ca, arn, "events-copy", items)
	a.Stop()

	b := start()
	restoreAndCompare(t, newClient(b.Endpoint), arn, "events", items)
}
