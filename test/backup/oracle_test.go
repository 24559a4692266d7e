// Package backup holds end-to-end tests of on-demand backups through the
// real SDK: an oracle test (concurrent writers, backups taken while they
// write, every backup restored and compared with the writers' histories),
// disaster recovery from the repository alone, and restore overrides.
//
//	go test ./test/backup -v                            # random seed, logged
//	go test ./test/backup -run Oracle -backup.seed=N -v # reproduce a run
package backup

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

var seedFlag = flag.Uint64("backup.seed", 0, "random seed (0: time-based)")

// backupCall is a CreateBackup and the interval in which it ran.
type backupCall struct {
	arn        string
	start, end time.Time
}

func TestBackupOracle(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -backup.seed=%d)", seed, seed)
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const table = "oracle"
	oracle.CreateTable(t, c, table)

	const writers, keysPerWriter = 4, 24
	ws := oracle.NewWriters(writers, keysPerWriter)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w.ID)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := w.Step(ctx, c, table, rng); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w.ID, err)
					return
				}
			}
		}()
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	var backups []backupCall
	for i := range 6 {
		time.Sleep(time.Duration(100+rng.IntN(300)) * time.Millisecond)
		start := time.Now()
		out, err := c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(table), BackupName: aws.String(fmt.Sprintf("backup-%d", i))})
		end := time.Now()
		if err != nil {
			t.Fatalf("CreateBackup: %v", err)
		}
		if s := out.BackupDetails.BackupStatus; s != types.BackupStatusCreating && s != types.BackupStatusAvailable {
			t.Fatalf("CreateBackup status %s", s)
		}
		backups = append(backups, backupCall{arn: *out.BackupDetails.BackupArn, start: start, end: end})
	}
	time.Sleep(200 * time.Millisecond)
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for _, w := range ws {
		total += len(w.Ops)
	}
	t.Logf("%d writers ran %d operations; %d backups", writers, total, len(backups))

	for i, b := range backups {
		waitBackupAvailable(t, c, b.arn)
		target := fmt.Sprintf("restored-%d", i)
		in := &dynamodb.RestoreTableFromBackupInput{BackupArn: aws.String(b.arn), TargetTableName: aws.String(target)}
		withIndex := i%3 != 2
		if !withIndex {
			in.GlobalSecondaryIndexOverride = []types.GlobalSecondaryIndex{} // restore none
		}
		if _, err := c.RestoreTableFromBackup(ctx, in); err != nil {
			t.Fatalf("RestoreTableFromBackup %s: %v", b.arn, err)
		}
		oracle.WaitTableActive(t, c, target)
		got := oracle.ScanAll(t, c, target, nil)
		// Every operation acknowledged before CreateBackup was sent is in,
		// none sent after its response is.
		for _, w := range ws {
			lo, hi := w.Bounds(b.start, b.end)
			w.CheckPrefix(t, "backup "+b.arn, lo, hi, got)
		}
		desc, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(b.arn)})
		if err != nil {
			t.Fatal(err)
		}
		if n := aws.ToInt64(desc.BackupDescription.SourceTableDetails.ItemCount); n != int64(len(got)) {
			t.Errorf("backup %d: SourceTableDetails.ItemCount %d, restored %d items", i, n, len(got))
		}
		td := oracle.DescribeTable(t, c, target)
		if aws.ToInt64(td.ItemCount) != int64(len(got)) {
			t.Errorf("restored table %s: ItemCount %d, scan found %d", target, aws.ToInt64(td.ItemCount), len(got))
		}
		if td.RestoreSummary == nil || aws.ToString(td.RestoreSummary.SourceBackupArn) != b.arn || aws.ToBool(td.RestoreSummary.RestoreInProgress) {
			t.Errorf("restored table %s: RestoreSummary %+v", target, td.RestoreSummary)
		}
		if withIndex {
			oracle.CheckGSI(t, c, target, got)
			oracle.CheckLSI(t, c, target, got)
		} else if len(td.GlobalSecondaryIndexes) != 0 || len(td.LocalSecondaryIndexes) != 1 {
			t.Errorf("restored table %s with GSI override []: %d GSIs, %d LSIs", target, len(td.GlobalSecondaryIndexes), len(td.LocalSecondaryIndexes))
		}
	}
}
