// Command load is a load generator for any DynamoDB-compatible endpoint
// (Ebbtide, DynamoDB Local, real DynamoDB, ...). It drives a configurable mix
// of PutItem/GetItem/Query/UpdateItem/DeleteItem/Scan/BatchWriteItem/
// BatchGetItem calls from N concurrent clients, prints a progress line every
// second and a final report with per-operation latency percentiles, peak
// server RSS (when the server runs on this machine) and the client's own heap.
//
// The measured calls go through the raw client by default (--client raw:
// net/http, hand-built JSON, cheap but real SigV4), so that on a small
// machine the load generator leaves the CPU to the server; --client sdk
// makes the same calls through aws-sdk-go-v2 for cross-checking. Table set-up
// and tear-down always use the SDK.
//
//	go run ./bench/load --endpoint http://127.0.0.1:8000 --clients 32 --duration 20s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ebbtide/ebbtide/bench/internal/procstat"
)

type config struct {
	client       string
	endpoint     string
	region       string
	table        string
	clients      int
	duration     time.Duration
	ops          int64
	mix          string
	itemSize     int
	keys         int
	perPartition int
	queryLimit   int
	consistent   bool
	preload      bool
	preloadBatch int
	payload      string
	serverPID    int
	timeout      time.Duration
	seed         uint64
	jsonOut      string
	cpuProfile   string
	deleteTable  bool
	accessKey    string
	secretKey    string
	sessionToken string
}

func main() {
	var c config
	flag.StringVar(&c.client, "client", clientRaw, "client for the measured calls: raw (net/http, hand-built requests) or sdk (aws-sdk-go-v2)")
	flag.StringVar(&c.endpoint, "endpoint", "http://127.0.0.1:8000", "DynamoDB-compatible endpoint URL")
	flag.StringVar(&c.region, "region", "us-east-1", "AWS region")
	flag.StringVar(&c.table, "table", "ebbtide-load", "table name (created if missing: PAY_PER_REQUEST, pk S + sk S)")
	flag.IntVar(&c.clients, "clients", 16, "number of concurrent clients")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to run (ignored when --ops > 0)")
	flag.Int64Var(&c.ops, "ops", 0, "total number of operations to run (0: run for --duration)")
	flag.StringVar(&c.mix, "mix", "put=40,get=40,query=10,update=10", "operation mix: weights for put,get,query,update,delete,scan,batchwrite,batchget")
	flag.IntVar(&c.itemSize, "item-size", 256, "approximate item size in bytes (DynamoDB item size accounting)")
	flag.StringVar(&c.payload, "payload", payloadFixed, "item payload: fixed (the same text in every item) or random (each item its own random text: incompressible)")
	flag.IntVar(&c.keys, "keys", 10000, "key space: number of distinct items")
	flag.IntVar(&c.perPartition, "items-per-partition", 10, "items per partition key (sort keys per pk)")
	flag.IntVar(&c.queryLimit, "query-limit", 10, "Limit for Query and Scan operations")
	flag.BoolVar(&c.consistent, "consistent", false, "use strongly consistent reads")
	flag.BoolVar(&c.preload, "preload", true, "write every key once (BatchWriteItem) before the measured run")
	flag.IntVar(&c.preloadBatch, "preload-batch", 25, "items per BatchWriteItem during the preload (1..25; 1 = PutItem)")
	flag.IntVar(&c.serverPID, "server-pid", 0, "pid of the server process to sample RSS from (0: find the listener of a local endpoint)")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	flag.Uint64Var(&c.seed, "seed", 0, "random seed (0: time-based)")
	flag.StringVar(&c.jsonOut, "json", "", "also write the final report as JSON to this file")
	flag.BoolVar(&c.deleteTable, "delete-table", false, "delete the table at the end")
	flag.StringVar(&c.cpuProfile, "cpu-profile", "", "write a CPU profile of the load tool itself during the measured run to this file")
	flag.StringVar(&c.accessKey, "access-key", envOr("AWS_ACCESS_KEY_ID", "ebbtide"), "access key id")
	flag.StringVar(&c.secretKey, "secret-key", envOr("AWS_SECRET_ACCESS_KEY", "ebbtide"), "secret access key")
	flag.StringVar(&c.sessionToken, "session-token", os.Getenv("AWS_SESSION_TOKEN"), "session token of temporary credentials (signed as X-Amz-Security-Token)")
	flag.Parse()

	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(c config) error {
	if c.clients < 1 {
		return errors.New("--clients must be >= 1")
	}
	if c.keys < 1 || c.perPartition < 1 {
		return errors.New("--keys and --items-per-partition must be >= 1")
	}
	if c.preloadBatch < 1 || c.preloadBatch > 25 {
		return errors.New("--preload-batch must be 1..25")
	}
	mix, err := parseMix(c.mix)
	if err != nil {
		return err
	}
	payload, err := newPayloadSource(c)
	if err != nil {
		return err
	}
	// The measured client: no retries (errors are counted, not hidden).
	measured, err := newClientFactory(c, payload, false)
	if err != nil {
		return err
	}
	// The preload's client: the same kind, retrying failed batches.
	loader, err := newClientFactory(c, payload, true)
	if err != nil {
		return err
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Table set-up and tear-down: the SDK with its default retries.
	setup := newSDKClient(c, true)

	if err := ensureTable(ctx, setup, c.table); err != nil {
		return fmt.Errorf("table %s: %w", c.table, err)
	}

	w := &workload{cfg: c, mix: mix, newClient: measured}

	pid := c.serverPID
	if pid == 0 {
		pid = findLocalListenerPID(c.endpoint)
	}
	rss := procstat.NewRSSSampler(pid)
	rss.Start()
	defer rss.Stop()

	fmt.Printf("endpoint=%s client=%s table=%s clients=%d mix=%s item-size=%d payload=%s keys=%d items/partition=%d seed=%d server-pid=%s\n",
		c.endpoint, c.client, c.table, c.clients, mix, c.itemSize, c.payload, c.keys, c.perPartition, c.seed, pidString(pid))

	if c.preload {
		start := time.Now()
		n, err := w.preload(ctx, loader)
		if err != nil {
			return fmt.Errorf("preload: %w", err)
		}
		el := time.Since(start)
		fmt.Printf("preloaded %d items in %s (%.0f items/s, %d per request)", n, el.Round(time.Millisecond), float64(n)/el.Seconds(), c.preloadBatch)
		if r := rss.Current(); r > 0 {
			fmt.Printf(", server RSS %s", humanBytes(r))
		}
		fmt.Println()
	}

	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	res := w.run(ctx, rss)
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	rep := buildReport(c, mix, res, rss)
	rep.print(os.Stdout)
	if c.jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if c.deleteTable {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := setup.DeleteTable(dctx, &dynamodb.DeleteTableInput{TableName: aws.String(c.table)}); err != nil {
			fmt.Fprintln(os.Stderr, "delete table:", err)
		}
	}
	return nil
}

func pidString(pid int) string {
	if pid <= 0 {
		return "unknown"
	}
	return fmt.Sprint(pid)
}

// result is what the measured run produced.
type result struct {
	elapsed time.Duration
	ops     map[string]*opStats // merged over workers
	heap    heapStats
	cpu     cpuUsage
}

type heapStats struct {
	PeakHeapAllocBytes uint64 `json:"peak_heap_alloc_bytes"`
	HeapInuseBytes     uint64 `json:"heap_inuse_bytes"`
	SysBytes           uint64 `json:"sys_bytes"`
	NumGC              uint32 `json:"num_gc"`
}

// run drives the measured phase: c.clients workers until the deadline or the
// operation budget, with a progress line every second.
func (w *workload) run(ctx context.Context, rss *procstat.RSSSampler) result {
	c := w.cfg
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.ops <= 0 {
		var cancelT context.CancelFunc
		runCtx, cancelT = context.WithTimeout(runCtx, c.duration)
		defer cancelT()
	}

	var (
		budget  atomic.Int64
		done    atomic.Int64
		errs    atomic.Int64
		wg      sync.WaitGroup
		workers = make([]*workerStats, c.clients)
	)
	budget.Store(c.ops)
	cpu := startCPUMeter(rss.PID())
	start := time.Now()
	for i := range c.clients {
		workers[i] = newWorkerStats()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w.worker(runCtx, i, workers[i], func() bool {
				if c.ops <= 0 {
					return true
				}
				return budget.Add(-1) >= 0
			}, &done, &errs)
		}(i)
	}

	var heap heapStats
	sampleHeap := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap.PeakHeapAllocBytes = max(heap.PeakHeapAllocBytes, ms.HeapAlloc)
		heap.HeapInuseBytes = ms.HeapInuse
		heap.SysBytes = ms.Sys
		heap.NumGC = ms.NumGC
	}

	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var lastOps int64
	lastT := start
loop:
	for {
		select {
		case <-finished:
			break loop
		case now := <-tick.C:
			sampleHeap()
			n, e := done.Load(), errs.Load()
			el := now.Sub(start)
			cur := float64(n-lastOps) / now.Sub(lastT).Seconds()
			lastOps, lastT = n, now
			line := fmt.Sprintf("[%6.1fs] ops=%d ops/s=%.0f (last 1s: %.0f) errors=%d", el.Seconds(), n, float64(n)/el.Seconds(), cur, e)
			if r := rss.Current(); r > 0 {
				line += " server-rss=" + humanBytes(r)
			}
			fmt.Println(line)
		}
	}
	elapsed := time.Since(start)
	usage := cpu.stop()
	sampleHeap()

	merged := map[string]*opStats{}
	for _, ws := range workers {
		for name, s := range ws.ops {
			m, ok := merged[name]
			if !ok {
				m = newOpStats()
				merged[name] = m
			}
			m.merge(s)
		}
	}
	return result{elapsed: elapsed, ops: merged, heap: heap, cpu: usage}
}

func humanBytes(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%dB", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(b)/float64(div), "KMGTPE"[exp])
}

func splitKV(s string) (string, string, bool) {
	k, v, ok := strings.Cut(s, "=")
	return strings.TrimSpace(k), strings.TrimSpace(v), ok
}
