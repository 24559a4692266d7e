package crash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestKill9DuringBackupAndRestore kills the server while a backup is being
// written and a restore is loading, round after round, and checks after each
// restart: no backup is left CREATING; every AVAILABLE backup restores to
// exactly the table as it was at its CreateBackup; every restore target
// ends ACTIVE (redone after the crash) with exactly its backup's content,
// its GSI included — never ACTIVE with partial data.
func TestKill9DuringBackupAndRestore(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 7))
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "server.log")
	logServerOnFailure(t, logPath)
	ctx := context.Background()

	srv := startServer(t, dataDir, logPath)
	db := newClient(srv.endpoint, 8)
	const table, items = "src", 12000
	createBackupSource(ctx, t, db, table)
	content := map[int]string{} // item number → its "v" attribute
	writeItems(ctx, t, db, table, content, rng, items)

	expected := map[string]map[int]string{} // backup ARN → content at its instant
	restores := map[string]string{}         // target table → backup ARN
	rounds := *roundsFlag
	for round := range rounds {
		// Change some items, then back up (the content is then fixed until
		// the next round's changes, so the backup's expected content is known).
		writeItems(ctx, t, db, table, content, rng, 300)
		out, err := db.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(table), BackupName: aws.String(fmt.Sprintf("round-%d", round))})
		if err != nil {
			t.Fatalf("round %d: CreateBackup: %v", round, err)
		}
		arn := aws.ToString(out.BackupDetails.BackupArn)
		expected[arn] = cloneContent(content)
		// Restore an earlier backup that survived, if any.
		if src := availableBackup(ctx, t, db, arn); src != "" {
			target := fmt.Sprintf("restored-%d", round)
			if _, err := db.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(src), TargetTableName: aws.String(target)}); err != nil {
				t.Fatalf("round %d: RestoreTableFromBackup: %v", round, err)
			}
			restores[target] = src
		}
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond) // a backup or restore here takes ~100-200 ms
		srv.kill9()
		t.Logf("round %d: killed", round)
		srv = startServer(t, dataDir, logPath)
		db = newClient(srv.endpoint, 8)

		// No backup may stay CREATING: an interrupted one is removed at start.
		list := listAllBackups(ctx, t, db)
		present := map[string]bool{}
		for _, b := range list {
			if b.BackupStatus != types.BackupStatusAvailable {
				t.Fatalf("round %d: after restart backup %s is %s", round, aws.ToString(b.BackupArn), b.BackupStatus)
			}
			present[aws.ToString(b.BackupArn)] = true
		}
		for a := range expected {
			if !present[a] {
				t.Logf("round %d: backup %s was interrupted and removed", round, a)
				delete(expected, a)
			}
		}
		// Every restore target finishes with exactly its backup's content.
		for target, src := range restores {
			checkRestored(ctx, t, db, target, expected[src])
		}
	}
	// Finally every surviving backup restores exactly.
	n := 0
	for a, want := range expected {
		target := fmt.Sprintf("final-%d", n)
		n++
		if _, err := db.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(a), TargetTableName: aws.String(target)}); err != nil {
			t.Fatalf("final restore of %s: %v", a, err)
		}
		checkRestored(ctx, t, db, target, want)
	}
	if err := srv.stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	if n == 0 {
		t.Log("no backup survived its round (every kill came before its manifest)")
	}
	if strings.Contains(srv.logTail(), "level=ERROR") {
		t.Errorf("errors in the server log:\n%s", srv.logTail())
	}
}

func createBackupSource(ctx context.Context, t *testing.T, db *dynamodb.Client, table string) {
	t.Helper()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   aws.String(table),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byG"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	waitTableActive(ctx, t, db, table)
}

// writeItems writes n random items (numbers below 12000; new or replaced)
// with BatchWriteItem and records them in content.
func writeItems(ctx context.Context, t *testing.T, db *dynamodb.Client, table string, content map[int]string, rng *rand.Rand, n int) {
	t.Helper()
	pad := strings.Repeat("x", 900)
	for done := 0; done < n; {
		var reqs []types.WriteRequest
		batch := map[int]bool{}
		for len(reqs) < 25 && done < n {
			i := rng.IntN(12000)
			if batch[i] {
				continue
			}
			batch[i] = true
			v := fmt.Sprintf("v%d-%s", rng.IntN(1_000_000), pad[:rng.IntN(len(pad))])
			content[i] = v
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: strconv.Itoa(i)},
				"g":  &types.AttributeValueMemberS{Value: "g" + strconv.Itoa(i%7)},
				"v":  &types.AttributeValueMemberS{Value: v},
			}}})
			done++
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
		if err != nil {
			t.Fatalf("BatchWriteItem: %v", err)
		}
		if len(out.UnprocessedItems) != 0 {
			t.Fatalf("BatchWriteItem left %d tables unprocessed", len(out.UnprocessedItems))
		}
	}
}

func cloneContent(m map[int]string) map[int]string {
	out := make(map[int]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// availableBackup returns an AVAILABLE backup other than skip, or "".
func availableBackup(ctx context.Context, t *testing.T, db *dynamodb.Client, skip string) string {
	for _, b := range listAllBackups(ctx, t, db) {
		if a := aws.ToString(b.BackupArn); a != skip && b.BackupStatus == types.BackupStatusAvailable {
			return a
		}
	}
	return ""
}

func listAllBackups(ctx context.Context, t *testing.T, db *dynamodb.Client) []types.BackupSummary {
	t.Helper()
	var out []types.BackupSummary
	in := &dynamodb.ListBackupsInput{}
	for {
		page, err := db.ListBackups(ctx, in)
		if err != nil {
			t.Fatalf("ListBackups: %v", err)
		}
		out = append(out, page.BackupSummaries...)
		if page.LastEvaluatedBackupArn == nil {
			return out
		}
		in.ExclusiveStartBackupArn = page.LastEvaluatedBackupArn
	}
}

// checkRestored waits for the table to be ACTIVE and compares it (and its
// GSI) with want.
func checkRestored(ctx context.Context, t *testing.T, db *dynamodb.Client, table string, want map[int]string) {
	t.Helper()
	td := waitTableActive(ctx, t, db, table)
	got := map[int]string{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}
		for _, it := range page.Items {
			i, _ := strconv.Atoi(it["pk"].(*types.AttributeValueMemberS).Value)
			got[i] = it["v"].(*types.AttributeValueMemberS).Value
		}
	}
	if len(got) != len(want) || aws.ToInt64(td.ItemCount) != int64(len(want)) {
		t.Fatalf("restored %s: %d items scanned, ItemCount %d, want %d", table, len(got), aws.ToInt64(td.ItemCount), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("restored %s: item %d differs", table, k)
		}
	}
	gsi := 0
	pi := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: aws.String("byG"), Select: types.SelectCount})
	for pi.HasMorePages() {
		page, err := pi.NextPage(ctx)
		if err != nil {
			t.Fatalf("Scan %s/byG: %v", table, err)
		}
		gsi += int(page.Count)
	}
	if gsi != len(want) {
		t.Fatalf("restored %s: GSI has %d entries, want %d", table, gsi, len(want))
	}
}
