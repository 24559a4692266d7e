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

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
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
		_, err = db.CreateTable(ctx, ddbclient.CreateTableInput(name))
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

// workload is the measured run's configuration: what to send and with
// which client.
type workload struct {
	cfg       config
	mix       opMix
	newClient clientFactory // measured client, one per worker
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

func (w *workload) partitions() int {
	return (w.cfg.keys + w.cfg.perPartition - 1) / w.cfg.perPartition
}

// preload writes every key once, --preload-batch items per BatchWriteItem
// (PutItem when 1), from --clients workers of newClient. A failed batch
// (error or UnprocessedItems) is resent whole after a pause: puts are
// idempotent. Progress is printed every 5 s.
func (w *workload) preload(ctx context.Context, newClient clientFactory) (int, error) {
	var (
		next    atomic.Int64
		written atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		firstE  error
	)
	batch := int64(w.cfg.preloadBatch)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for range w.cfg.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := newClient()
			idx := make([]int, 0, batch)
			for ctx.Err() == nil {
				lo := int(next.Add(batch) - batch)
				if lo >= w.cfg.keys {
					return
				}
				hi := min(lo+int(batch), w.cfg.keys)
				idx = idx[:0]
				for i := lo; i < hi; i++ {
					idx = append(idx, i)
				}
				if err := preloadOne(ctx, cl, idx); err != nil {
					errOnce.Do(func() { firstE = err; cancel() })
					return
				}
				written.Add(int64(hi - lo))
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	start := time.Now()
	for waiting := true; waiting; {
		select {
		case <-done:
			waiting = false
		case <-tick.C:
			n := written.Load()
			fmt.Printf("  preload: %d/%d items (%.0f items/s)\n", n, w.cfg.keys, float64(n)/time.Since(start).Seconds())
		}
	}
	if firstE != nil {
		return int(written.Load()), firstE
	}
	return int(written.Load()), ctx.Err()
}

// preloadOne writes the items idx, retrying a failed request up to 20 times.
func preloadOne(ctx context.Context, cl opClient, idx []int) error {
	var err error
	for attempt := range 20 {
		if len(idx) == 1 {
			err = cl.put(ctx, idx[0])
		} else {
			err = cl.batchWrite(ctx, idx)
		}
		if err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond)
	}
	return fmt.Errorf("items %d..%d: %w", idx[0], idx[len(idx)-1], err)
}

// worker issues operations until ctx ends or take() says the budget is spent.
func (w *workload) worker(ctx context.Context, id int, ws *workerStats, take func() bool, done, errs *atomic.Int64) {
	r := rand.New(rand.NewPCG(w.cfg.seed, uint64(id)+1))
	cl := w.newClient()
	for ctx.Err() == nil && take() {
		op := w.mix.pick(r)
		t0 := time.Now()
		empty, err := w.do(ctx, cl, r, op)
		lat := time.Since(t0)
		if err != nil && ctx.Err() != nil {
			// Cut off by the end of the run: neither a success nor an error.
			return
		}
		ws.record(op, lat, empty, err)
		done.Add(1)
		if err != nil {
			errs.Add(1)
		}
	}
}

// do runs one operation op on random keys. empty says the answer was valid
// but found less than asked for (no item, an empty page, missing keys).
func (w *workload) do(ctx context.Context, cl opClient, r *rand.Rand, op string) (empty bool, err error) {
	c := w.cfg
	switch op {
	case "put":
		return false, cl.put(ctx, r.IntN(c.keys))
	case "get":
		found, err := cl.get(ctx, r.IntN(c.keys))
		return !found, err
	case "query":
		n, err := cl.query(ctx, r.IntN(w.partitions()))
		return n == 0, err
	case "update":
		return false, cl.update(ctx, r.IntN(c.keys), time.Now().UnixMilli()%100000000)
	case "delete":
		return false, cl.deleteItem(ctx, r.IntN(c.keys))
	case "scan":
		n, err := cl.scan(ctx)
		return n == 0, err
	case "batchwrite":
		return false, cl.batchWrite(ctx, distinctKeys(r, c.keys, 25))
	case "batchget":
		idx := distinctKeys(r, c.keys, 25)
		n, err := cl.batchGet(ctx, idx)
		return n < len(idx), err
	}
	return false, fmt.Errorf("unknown op %q", op)
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
// one, else a short description of the innermost cause (the SDK wraps
// transport and decoding failures several levels deep).
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
	case strings.Contains(s, "Client.Timeout"), strings.Contains(s, "timeout awaiting response headers"):
		return "Timeout"
	case strings.HasPrefix(s, "Unprocessed"):
		return strings.SplitN(s, ":", 2)[0]
	case strings.Contains(s, "checksum"), strings.Contains(s, "CRC32"):
		return "CRC32Mismatch"
	}
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(inner) {
		s = inner.Error()
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}
