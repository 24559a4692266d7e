package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// Operation names accepted in --mix.
var opNames = []string{"put", "get", "query", "update", "delete", "scan", "batchwrite", "batchget"}

type mixEntry struct {
	name   string
	weight int
}

type opMix struct {
	entries []mixEntry
	total   int
}

func (m opMix) String() string {
	parts := make([]string, len(m.entries))
	for i, e := range m.entries {
		parts[i] = fmt.Sprintf("%s=%d", e.name, e.weight)
	}
	return strings.Join(parts, ",")
}

func (m opMix) pick(r *rand.Rand) string {
	n := r.IntN(m.total)
	for _, e := range m.entries {
		if n < e.weight {
			return e.name
		}
		n -= e.weight
	}
	return m.entries[len(m.entries)-1].name
}

func parseMix(s string) (opMix, error) {
	var m opMix
	seen := map[string]bool{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, v, ok := splitKV(part)
		if !ok {
			return m, fmt.Errorf("--mix: %q is not op=weight", part)
		}
		k = strings.ToLower(k)
		valid := false
		for _, n := range opNames {
			valid = valid || n == k
		}
		if !valid {
			return m, fmt.Errorf("--mix: unknown operation %q (known: %s)", k, strings.Join(opNames, ","))
		}
		if seen[k] {
			return m, fmt.Errorf("--mix: %q given twice", k)
		}
		seen[k] = true
		wt, err := strconv.Atoi(v)
		if err != nil || wt < 0 {
			return m, fmt.Errorf("--mix: bad weight %q for %s", v, k)
		}
		if wt == 0 {
			continue
		}
		m.entries = append(m.entries, mixEntry{k, wt})
		m.total += wt
	}
	if m.total == 0 {
		return m, errors.New("--mix: no operation with a positive weight")
	}
	return m, nil
}

// ensureTable creates the table (pk S, sk S, PAY_PER_REQUEST) unless it
// exists, and waits for it to be ACTIVE.
func ensureTable(ctx context.Context, db *dynamodb.Client, name string) error {
	_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	switch {
	case err == nil:
	case errors.As(err, &nf):
		_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName: aws.String(name),
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
		var inUse *types.ResourceInUseException
		if err != nil && !errors.As(err, &inUse) {
			return err
		}
	default:
		return err
	}
	waiter := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay = 100 * time.Millisecond
		o.MaxDelay = time.Second
	})
	return waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 2*time.Minute)
}

type workload struct {
	cfg     config
	db      *dynamodb.Client
	mix     opMix
	payload string
}

// makePayload returns a string that brings an item to about --item-size
// bytes under DynamoDB's size accounting (attribute names + values).
func makePayload(c config) string {
	// pk(2)+value(10) + sk(2)+value(8) + "n"(1)+number(~2) + "u"(1)+number(~8) + "d"(1)
	overhead := 2 + 10 + 2 + 8 + 1 + 2 + 1 + 8 + 1
	n := max(c.itemSize-overhead, 1)
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[(i*7+3)%len(alphabet)]
	}
	return string(b)
}

func (w *workload) pkOf(i int) string { return fmt.Sprintf("p%09d", i/w.cfg.perPartition) }
func (w *workload) skOf(i int) string { return fmt.Sprintf("s%07d", i%w.cfg.perPartition) }

func (w *workload) key(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: w.pkOf(i)},
		"sk": &types.AttributeValueMemberS{Value: w.skOf(i)},
	}
}

func (w *workload) item(i int) map[string]types.AttributeValue {
	it := w.key(i)
	it["d"] = &types.AttributeValueMemberS{Value: w.payload}
	it["n"] = &types.AttributeValueMemberN{Value: "0"}
	return it
}

func (w *workload) partitions() int {
	return (w.cfg.keys + w.cfg.perPartition - 1) / w.cfg.perPartition
}

// preload writes every key once with BatchWriteItem, using the setup client
// (which retries), resubmitting UnprocessedItems.
func (w *workload) preload(ctx context.Context, db *dynamodb.Client) (int, error) {
	var (
		next    atomic.Int64
		written atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		firstE  error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range w.cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(25)) - 25
				if lo >= w.cfg.keys {
					return
				}
				hi := min(lo+25, w.cfg.keys)
				reqs := make([]types.WriteRequest, 0, hi-lo)
				for i := lo; i < hi; i++ {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: w.item(i)}})
				}
				if err := batchWriteAll(ctx, db, w.cfg.table, reqs); err != nil {
					errOnce.Do(func() { firstE = err; cancel() })
					return
				}
				written.Add(int64(hi - lo))
			}
		}()
	}
	wg.Wait()
	if firstE != nil {
		return int(written.Load()), firstE
	}
	return int(written.Load()), ctx.Err()
}

func batchWriteAll(ctx context.Context, db *dynamodb.Client, table string, reqs []types.WriteRequest) error {
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt > 50 {
			return fmt.Errorf("%d unprocessed items after %d attempts", len(reqs), attempt)
		}
		out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{table: reqs},
		})
		if err != nil {
			return err
		}
		reqs = out.UnprocessedItems[table]
		if len(reqs) > 0 {
			time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
		}
	}
	return nil
}

// worker issues operations until ctx ends or take() says the budget is spent.
func (w *workload) worker(ctx context.Context, id int, ws *workerStats, take func() bool, done, errs *atomic.Int64) {
	r := rand.New(rand.NewPCG(w.cfg.seed, uint64(id)+1))
	for ctx.Err() == nil && take() {
		op := w.mix.pick(r)
		t0 := time.Now()
		err := w.do(ctx, r, op)
		lat := time.Since(t0)
		if err != nil && ctx.Err() != nil {
			// Cut off by the end of the run: neither a success nor an error.
			return
		}
		ws.record(op, lat, err)
		done.Add(1)
		if err != nil {
			errs.Add(1)
		}
	}
}

func (w *workload) do(ctx context.Context, r *rand.Rand, op string) error {
	c := w.cfg
	switch op {
	case "put":
		_, err := w.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &c.table, Item: w.item(r.IntN(c.keys))})
		return err
	case "get":
		_, err := w.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &c.table, Key: w.key(r.IntN(c.keys)), ConsistentRead: aws.Bool(c.consistent)})
		return err
	case "query":
		_, err := w.db.Query(ctx, &dynamodb.QueryInput{
			TableName:                 &c.table,
			KeyConditionExpression:    aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: w.pkOf(r.IntN(w.partitions()) * c.perPartition)}},
			Limit:                     aws.Int32(int32(c.queryLimit)),
			ConsistentRead:            aws.Bool(c.consistent),
		})
		return err
	case "update":
		_, err := w.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName:        &c.table,
			Key:              w.key(r.IntN(c.keys)),
			UpdateExpression: aws.String("SET u = :u ADD n :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":u":   &types.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().UnixMilli()%100000000, 10)},
				":one": &types.AttributeValueMemberN{Value: "1"},
			},
		})
		return err
	case "delete":
		_, err := w.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &c.table, Key: w.key(r.IntN(c.keys))})
		return err
	case "scan":
		_, err := w.db.Scan(ctx, &dynamodb.ScanInput{TableName: &c.table, Limit: aws.Int32(int32(c.queryLimit)), ConsistentRead: aws.Bool(c.consistent)})
		return err
	case "batchwrite":
		reqs := make([]types.WriteRequest, 0, 25)
		for _, i := range distinctKeys(r, c.keys, 25) {
			reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: w.item(i)}})
		}
		out, err := w.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{c.table: reqs}})
		if err == nil && len(out.UnprocessedItems[c.table]) > 0 {
			return fmt.Errorf("UnprocessedItems: %d", len(out.UnprocessedItems[c.table]))
		}
		return err
	case "batchget":
		keys := make([]map[string]types.AttributeValue, 0, 25)
		for _, i := range distinctKeys(r, c.keys, 25) {
			keys = append(keys, w.key(i))
		}
		out, err := w.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{c.table: {Keys: keys, ConsistentRead: aws.Bool(c.consistent)}}})
		if err == nil && len(out.UnprocessedKeys[c.table].Keys) > 0 {
			return fmt.Errorf("UnprocessedKeys: %d", len(out.UnprocessedKeys[c.table].Keys))
		}
		return err
	}
	return fmt.Errorf("unknown op %q", op)
}

// distinctKeys picks up to n distinct key indexes (batch requests may not
// name one key twice).
func distinctKeys(r *rand.Rand, keys, n int) []int {
	n = min(n, keys)
	seen := make(map[int]bool, n)
	out := make([]int, 0, n)
	for len(out) < n {
		i := r.IntN(keys)
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	sort.Ints(out)
	return out
}

// errorCode names an error for the report: the AWS error code when there is
// one, else a short description.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "Timeout"
	}
	s := err.Error()
	switch {
	case strings.Contains(s, "connection refused"):
		return "ConnectionRefused"
	case strings.Contains(s, "connection reset"):
		return "ConnectionReset"
	case strings.Contains(s, "EOF"):
		return "EOF"
	case strings.Contains(s, "Client.Timeout"):
		return "Timeout"
	case strings.HasPrefix(s, "Unprocessed"):
		return strings.SplitN(s, ":", 2)[0]
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
