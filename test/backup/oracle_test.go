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
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

var seedFlag = flag.Uint64("backup.seed", 0, "random seed (0: time-based)")

// op is one acknowledged operation of a writer: the interval in which it
// ran and the after-image of every key it changed (nil = deleted).
type op struct {
	start, end time.Time
	after      map[string]map[string]types.AttributeValue
}

// writer owns a disjoint set of keys, so its operations are totally
// ordered and a consistent snapshot holds a prefix of them.
type writer struct {
	id   int
	keys []string // pk values
	ops  []op
	cur  map[string]map[string]types.AttributeValue
}

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
	createOracleTable(t, c, table)

	const writers, keysPerWriter = 4, 24
	ws := make([]*writer, writers)
	for i := range ws {
		w := &writer{id: i, cur: map[string]map[string]types.AttributeValue{}}
		for k := range keysPerWriter {
			w.keys = append(w.keys, fmt.Sprintf("w%d-k%02d", i, k))
		}
		ws[i] = w
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w.id)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := w.step(ctx, c, table, rng); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w.id, err)
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
		total += len(w.ops)
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
		waitTableActive(t, c, target)
		got := scanAll(t, c, target, nil)
		for _, w := range ws {
			w.checkPrefix(t, b, got)
		}
		desc, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(b.arn)})
		if err != nil {
			t.Fatal(err)
		}
		if n := aws.ToInt64(desc.BackupDescription.SourceTableDetails.ItemCount); n != int64(len(got)) {
			t.Errorf("backup %d: SourceTableDetails.ItemCount %d, restored %d items", i, n, len(got))
		}
		td := describeTable(t, c, target)
		if aws.ToInt64(td.ItemCount) != int64(len(got)) {
			t.Errorf("restored table %s: ItemCount %d, scan found %d", target, aws.ToInt64(td.ItemCount), len(got))
		}
		if td.RestoreSummary == nil || aws.ToString(td.RestoreSummary.SourceBackupArn) != b.arn || aws.ToBool(td.RestoreSummary.RestoreInProgress) {
			t.Errorf("restored table %s: RestoreSummary %+v", target, td.RestoreSummary)
		}
		if withIndex {
			checkGSI(t, c, target, got)
			checkLSI(t, c, target, got)
		} else if len(td.GlobalSecondaryIndexes) != 0 || len(td.LocalSecondaryIndexes) != 1 {
			t.Errorf("restored table %s with GSI override []: %d GSIs, %d LSIs", target, len(td.GlobalSecondaryIndexes), len(td.LocalSecondaryIndexes))
		}
	}
}

// step runs one random operation on the writer's keys and records it.
func (w *writer) step(ctx context.Context, c *dynamodb.Client, table string, rng *rand.Rand) error {
	pk := w.keys[rng.IntN(len(w.keys))]
	start := time.Now()
	after := map[string]map[string]types.AttributeValue{}
	var err error
	switch r := rng.IntN(10); {
	case r < 4: // put
		it := randomItem(rng, pk)
		_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it})
		after[pk] = it
	case r < 6: // update: ADD cnt, SET val
		val := fmt.Sprintf("u%d", rng.IntN(1000))
		var out *dynamodb.UpdateItemOutput
		out, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: keyAV(pk),
			UpdateExpression:          aws.String("ADD cnt :one SET val = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":v": str(val)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		if err == nil {
			after[pk] = out.Attributes
		}
	case r < 7: // conditional update that may fail
		var out *dynamodb.UpdateItemOutput
		out, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: keyAV(pk),
			UpdateExpression:          aws.String("SET g = :g"),
			ConditionExpression:       aws.String("attribute_exists(pk) AND cnt < :lim"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": str(fmt.Sprintf("g%d", rng.IntN(4))), ":lim": num(3)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		var ccf *types.ConditionalCheckFailedException
		if asErr(err, &ccf) {
			return nil // no effect, nothing to record
		}
		if err == nil {
			after[pk] = out.Attributes
		}
	case r < 8: // delete
		_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: keyAV(pk)})
		after[pk] = nil
	default: // transaction over two or three of the writer's keys
		n := 2 + rng.IntN(2)
		var items []types.TransactWriteItem
		seen := map[string]bool{}
		for range n {
			k := w.keys[rng.IntN(len(w.keys))]
			if seen[k] {
				continue
			}
			seen[k] = true
			if rng.IntN(4) == 0 {
				items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(table), Key: keyAV(k)}})
				after[k] = nil
				continue
			}
			it := randomItem(rng, k)
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: it}})
			after[k] = it
		}
		_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	}
	if err != nil {
		return err
	}
	w.ops = append(w.ops, op{start: start, end: time.Now(), after: after})
	return nil
}

// checkPrefix asserts that the restored table holds, for this writer's
// keys, exactly the state after some prefix of its operations, and that
// the prefix is allowed by the backup call's timing: every operation
// acknowledged before CreateBackup was sent is in, none sent after its
// response is.
func (w *writer) checkPrefix(t *testing.T, b backupCall, restored map[string]map[string]types.AttributeValue) {
	t.Helper()
	lo, hi := 0, 0
	for i, o := range w.ops {
		if o.end.Before(b.start) {
			lo = i + 1
		}
		if o.start.Before(b.end) {
			hi = i + 1
		}
	}
	want := map[string]string{}
	for _, k := range w.keys {
		if it, ok := restored[k]; ok {
			want[k] = canonical(it)
		}
	}
	state := map[string]string{}
	diff := len(want) // keys whose replayed state differs from the restored one
	match := func(k string) bool { return state[k] == want[k] }
	var ok []int
	if diff == 0 {
		ok = append(ok, 0)
	}
	for i, o := range w.ops {
		for k, it := range o.after {
			before := match(k)
			if it == nil {
				delete(state, k)
			} else {
				state[k] = canonical(it)
			}
			if after := match(k); before != after {
				if after {
					diff--
				} else {
					diff++
				}
			}
		}
		if diff == 0 {
			ok = append(ok, i+1)
		}
	}
	for _, p := range ok {
		if p >= lo && p <= hi {
			return
		}
	}
	t.Errorf("backup %s, writer %d: restored state matches operation prefixes %v, but the call's timing allows only [%d, %d] of %d",
		b.arn, w.id, ok, lo, hi, len(w.ops))
}

// randomItem returns a full item for pk: sometimes without the GSI key
// (sparse index), with a set and a binary attribute now and then.
func randomItem(rng *rand.Rand, pk string) map[string]types.AttributeValue {
	it := map[string]types.AttributeValue{
		"pk":  str(pk),
		"sk":  num(0),
		"cnt": num(int64(rng.IntN(5))),
		"val": str(fmt.Sprintf("v%d", rng.IntN(1000))),
		"ls":  num(int64(rng.IntN(50))),
	}
	if rng.IntN(3) > 0 {
		it["g"] = str(fmt.Sprintf("g%d", rng.IntN(4)))
	}
	if rng.IntN(4) == 0 {
		it["tags"] = &types.AttributeValueMemberSS{Value: []string{"a", strconv.Itoa(rng.IntN(9))}}
	}
	if rng.IntN(5) == 0 {
		it["bin"] = &types.AttributeValueMemberB{Value: []byte{byte(rng.IntN(256)), 0, 1}}
	}
	return it
}

func createOracleTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("ls"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byG"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"val"}},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byLs"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("ls"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	waitTableActive(t, c, name)
}

// checkGSI compares the restored GSI with the one recomputed from the
// restored items (INCLUDE val: keys, g and val).
func checkGSI(t *testing.T, c *dynamodb.Client, table string, items map[string]map[string]types.AttributeValue) {
	t.Helper()
	want := map[string]string{}
	for k, it := range items {
		g, ok := it["g"]
		if !ok {
			continue
		}
		p := map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"], "g": g}
		if v, ok := it["val"]; ok {
			p["val"] = v
		}
		want[k] = canonical(p)
	}
	got := scanAll(t, c, table, aws.String("byG"))
	compareMaps(t, table+"/byG", want, got)
}

// checkLSI compares the restored LSI (KEYS_ONLY) with the recomputed one.
func checkLSI(t *testing.T, c *dynamodb.Client, table string, items map[string]map[string]types.AttributeValue) {
	t.Helper()
	want := map[string]string{}
	for k, it := range items {
		if ls, ok := it["ls"]; ok {
			want[k] = canonical(map[string]types.AttributeValue{"pk": it["pk"], "sk": it["sk"], "ls": ls})
		}
	}
	got := scanAll(t, c, table, aws.String("byLs"))
	compareMaps(t, table+"/byLs", want, got)
}

func compareMaps(t *testing.T, what string, want map[string]string, got map[string]map[string]types.AttributeValue) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing %s", what, k)
			continue
		}
		if canonical(g) != w {
			t.Errorf("%s: %s = %s, want %s", what, k, canonical(g), w)
		}
	}
}
