// Package crash holds crash-consistency tests of the real server binary:
// concurrent writers, kill -9 at a random moment while writes are in flight,
// restart on the same data directory, and check that every acknowledged write
// survived with exactly its acknowledged value (crash_test.go: plain items;
// crash_index_test.go: secondary indexes, transactions and a GSI backfill).
// helpers_test.go builds and runs the binary.
//
//	go test ./test/crash -v                          # random seed, logged
//	go test ./test/crash -run Kill9 -crash.seed=N -v # reproduce a run
package crash

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// ------------------------------------------------------------------- model

// state is the full content of one item as the oracle knows it.
type state struct {
	exists bool
	seq    int64  // "seq" attribute: per-key sequence number of the write that produced it
	cnt    int64  // "cnt" attribute
	val    string // "val" attribute ("" = absent)
}

func (s state) String() string {
	if !s.exists {
		return "<absent>"
	}
	v := s.val
	if len(v) > 24 {
		v = fmt.Sprintf("%s…(%d bytes)", v[:24], len(v))
	}
	return fmt.Sprintf("{seq=%d cnt=%d val=%q}", s.seq, s.cnt, v)
}

type key struct {
	pk, sk string
	cur    state
	// Set when the last operation on the key was not acknowledged: after
	// restart the item may be in either state. The key is not written again
	// until the ambiguity is resolved by reading it back.
	uncertain bool
	alt       state // the state had the unacknowledged write been applied
	nextSeq   int64
	lastOp    string
}

func (k *key) name() string { return k.pk + "/" + k.sk }

func (k *key) av() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: k.pk},
		"sk": &types.AttributeValueMemberS{Value: k.sk},
	}
}

// payload is deterministic in (key, seq), with a size varying up to ~3 KB.
func payload(k *key, seq int64) string {
	head := fmt.Sprintf("%s/%s#%d:", k.pk, k.sk, seq)
	n := int((seq*7919 + int64(len(k.pk))*31) % 3000)
	return head + strings.Repeat(string(rune('a'+seq%26)), n)
}

func parseState(item map[string]types.AttributeValue) (state, error) {
	if len(item) == 0 {
		return state{}, nil
	}
	st := state{exists: true}
	for name, v := range item {
		switch name {
		case "pk", "sk":
		case "seq", "cnt":
			n, ok := v.(*types.AttributeValueMemberN)
			if !ok {
				return st, fmt.Errorf("attribute %s is %T, want N", name, v)
			}
			x, err := strconv.ParseInt(n.Value, 10, 64)
			if err != nil {
				return st, fmt.Errorf("attribute %s = %q: %v", name, n.Value, err)
			}
			if name == "seq" {
				st.seq = x
			} else {
				st.cnt = x
			}
		case "val":
			s, ok := v.(*types.AttributeValueMemberS)
			if !ok {
				return st, fmt.Errorf("attribute val is %T, want S", v)
			}
			st.val = s.Value
		default:
			return st, fmt.Errorf("unexpected attribute %q", name)
		}
	}
	return st, nil
}

// ------------------------------------------------------------------- test

const (
	tableName     = "crash"
	writers       = 8
	keysPerWriter = 48
)

func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 0))

	dataDir := filepath.Join(t.TempDir(), "data")
	logPath := filepath.Join(t.TempDir(), "server.log")
	logServerOnFailure(t, logPath)

	// Every writer owns a disjoint set of keys, so each key sees one
	// operation at a time and the oracle is exact.
	owned := make([][]*key, writers)
	var all []*key
	for w := range writers {
		for i := range keysPerWriter {
			k := &key{pk: fmt.Sprintf("w%d-p%02d", w, i/4), sk: fmt.Sprintf("s%d", i%4), nextSeq: 1}
			owned[w] = append(owned[w], k)
			all = append(all, k)
		}
	}

	srv := startServer(t, dataDir, logPath)
	createTable(t, newClient(srv.endpoint, 1))

	for round := 1; round <= *roundsFlag; round++ {
		db := newClient(srv.endpoint, writers)
		var (
			killed    atomic.Bool
			acked     atomic.Int64
			uncertain atomic.Int64
			preKill   = make(chan error, 64)
		)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			wr := rand.New(rand.NewPCG(seed, uint64(round*1000+w)))
			go func() {
				defer wg.Done()
				writer(ctx, db, owned[w], wr, &killed, &acked, &uncertain, preKill)
			}()
		}

		// Kill at a random moment: after a random number of acknowledged
		// writes (so the store is not empty and writers are mid-stream).
		target := int64(200 + rng.IntN(1200))
		deadline := time.Now().Add(45 * time.Second)
		for acked.Load() < target && time.Now().Before(deadline) && len(preKill) == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(5000)) * time.Microsecond)
		killed.Store(true)
		srv.kill9()
		cancel()
		wg.Wait()
		close(preKill)
		n := 0
		for err := range preKill {
			if n++; n <= 5 {
				t.Errorf("round %d: write failed while the server was up: %v", round, err)
			}
		}
		if acked.Load() < target {
			t.Fatalf("round %d: only %d writes acknowledged (wanted %d before the kill)", round, acked.Load(), target)
		}
		t.Logf("round %d: kill -9 after %d acknowledged writes; %d writes unacknowledged (in flight or after the kill)", round, acked.Load(), uncertain.Load())

		srv = startServer(t, dataDir, logPath)
		verify(t, fmt.Sprintf("after kill -9 #%d", round), newClient(srv.endpoint, 4), all)
		if t.Failed() {
			return
		}
	}

	// A graceful shutdown must keep everything too, and exit cleanly.
	if err := srv.stop(); err != nil {
		t.Errorf("server exit after SIGTERM: %v (want exit status 0)", err)
	}
	srv = startServer(t, dataDir, logPath)
	verify(t, "after SIGTERM and restart", newClient(srv.endpoint, 4), all)
	_ = srv.stop()
}

func createTable(t *testing.T, db *dynamodb.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(tableName),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	waitTableActive(ctx, t, db, tableName)
}

// writer runs random writes on its own keys until ctx ends. A write that
// returns without error is acknowledged and becomes the key's state; one
// that fails leaves the key uncertain (before or after) and frozen.
func writer(ctx context.Context, db *dynamodb.Client, keys []*key, r *rand.Rand,
	killed *atomic.Bool, acked, uncertain *atomic.Int64, preKill chan<- error) {
	fail := func(desc string, err error, ks []*key, afters []state) {
		if !killed.Load() {
			select {
			case preKill <- fmt.Errorf("%s: %w", desc, err):
			default:
			}
		}
		for i, k := range ks {
			k.uncertain = true
			k.alt = afters[i]
		}
		uncertain.Add(1)
	}
	for ctx.Err() == nil {
		free := pickFree(keys, r, 1+r.IntN(6))
		if len(free) == 0 {
			return
		}
		k := free[0]
		switch p := r.IntN(100); {
		case p < 35: // PutItem: the whole item is replaced
			after, item := putState(k)
			k.lastOp = fmt.Sprintf("PutItem seq=%d", after.seq)
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: item}); err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*key{k}, []state{after})
				continue
			}
			k.cur = after
		case p < 70: // UpdateItem: SET seq, ADD cnt 1 (creates the item if absent)
			seq := k.nextSeq
			k.nextSeq++
			after := state{exists: true, seq: seq, cnt: 1}
			if k.cur.exists {
				after.cnt = k.cur.cnt + 1
				after.val = k.cur.val
			}
			k.lastOp = fmt.Sprintf("UpdateItem SET seq=%d ADD cnt 1", seq)
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName:        aws.String(tableName),
				Key:              k.av(),
				UpdateExpression: aws.String("SET seq = :s ADD cnt :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":s":   &types.AttributeValueMemberN{Value: strconv.FormatInt(seq, 10)},
					":one": &types.AttributeValueMemberN{Value: "1"},
				},
			})
			if err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*key{k}, []state{after})
				continue
			}
			k.cur = after
		case p < 85: // DeleteItem
			k.lastOp = "DeleteItem"
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(tableName), Key: k.av()}); err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*key{k}, []state{{}})
				continue
			}
			k.cur = state{}
		default: // BatchWriteItem over several keys: each write stands alone
			var reqs []types.WriteRequest
			afters := make([]state, len(free))
			for i, bk := range free {
				if r.IntN(3) == 0 {
					bk.lastOp = "DeleteItem in BatchWriteItem"
					reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: bk.av()}})
					continue
				}
				var item map[string]types.AttributeValue
				afters[i], item = putState(bk)
				bk.lastOp = fmt.Sprintf("PutItem seq=%d in BatchWriteItem", afters[i].seq)
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			}
			out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: reqs}})
			if err != nil {
				fail(fmt.Sprintf("BatchWriteItem of %d keys (first %s)", len(free), k.name()), err, free, afters)
				continue
			}
			// Unprocessed requests did not happen: those keys keep their state.
			unprocessed := map[string]bool{}
			for _, u := range out.UnprocessedItems[tableName] {
				key := map[string]types.AttributeValue(nil)
				if u.PutRequest != nil {
					key = u.PutRequest.Item
				} else if u.DeleteRequest != nil {
					key = u.DeleteRequest.Key
				}
				pk, _ := key["pk"].(*types.AttributeValueMemberS)
				sk, _ := key["sk"].(*types.AttributeValueMemberS)
				if pk != nil && sk != nil {
					unprocessed[pk.Value+"/"+sk.Value] = true
				}
			}
			for i, bk := range free {
				if !unprocessed[bk.name()] {
					bk.cur = afters[i]
				}
			}
		}
		acked.Add(1)
	}
}

// pickFree returns up to n distinct keys that are not frozen.
func pickFree(keys []*key, r *rand.Rand, n int) []*key {
	var out []*key
	seen := map[*key]bool{}
	for range 4 * n {
		c := keys[r.IntN(len(keys))]
		if !c.uncertain && !seen[c] {
			seen[c] = true
			out = append(out, c)
			if len(out) == n {
				return out
			}
		}
	}
	if len(out) == 0 {
		for _, c := range keys {
			if !c.uncertain {
				return []*key{c}
			}
		}
	}
	return out
}

// putState returns the state a PutItem with the key's next sequence number
// produces, and the item to send.
func putState(k *key) (state, map[string]types.AttributeValue) {
	seq := k.nextSeq
	k.nextSeq++
	after := state{exists: true, seq: seq, cnt: 0, val: payload(k, seq)}
	item := k.av()
	item["seq"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(seq, 10)}
	item["cnt"] = &types.AttributeValueMemberN{Value: "0"}
	item["val"] = &types.AttributeValueMemberS{Value: after.val}
	return after, item
}

// verify reads every key back and checks it against the oracle, then checks
// with a Scan that the table holds no other item. Uncertain keys are
// resolved to what was read (which must be one of their two states).
func verify(t *testing.T, when string, db *dynamodb.Client, keys []*key) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bad := 0
	present := 0
	resolved := map[string]int{}
	for _, k := range keys {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: k.av(), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatalf("%s: GetItem %s/%s: %v", when, k.pk, k.sk, err)
		}
		got, perr := parseState(out.Item)
		switch {
		case perr != nil:
			bad++
			t.Errorf("%s: key %s/%s: malformed item: %v (%v)", when, k.pk, k.sk, perr, out.Item)
		case !k.uncertain && got != k.cur:
			bad++
			t.Errorf("%s: key %s/%s: got %v, want the acknowledged state %v (last op: %s)", when, k.pk, k.sk, got, k.cur, k.lastOp)
		case k.uncertain && got != k.cur && got != k.alt:
			bad++
			t.Errorf("%s: key %s/%s: got %v, want %v (before the unacknowledged %s) or %v (after it)", when, k.pk, k.sk, got, k.cur, k.lastOp, k.alt)
		case k.uncertain && got == k.cur && got == k.alt:
			resolved["either"]++
		case k.uncertain && got == k.alt:
			resolved["applied"]++
		case k.uncertain:
			resolved["not applied"]++
		}
		if perr == nil {
			k.cur = got
		}
		k.uncertain = false
		if got.exists {
			present++
		}
		if bad > 10 {
			t.Fatalf("%s: too many mismatches", when)
		}
	}

	// No item may exist that the oracle does not know of.
	var scanned int
	var start map[string]types.AttributeValue
	for {
		out, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(tableName), ExclusiveStartKey: start, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatalf("%s: Scan: %v", when, err)
		}
		scanned += len(out.Items)
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if scanned != present {
		t.Errorf("%s: Scan returned %d items, the oracle has %d", when, scanned, present)
	}
	t.Logf("%s: %d keys checked, %d items present; unacknowledged writes resolved: %v", when, len(keys), present, resolved)
}
