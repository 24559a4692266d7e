package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/schollz/progressbar/v3"

	"github.com/ebbtide/ebbtide/bench/internal/ddbclient"
	"github.com/ebbtide/ebbtide/bench/internal/procstat"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// bench is one run: the server, its clients and what was measured so far.
type bench struct {
	cfg     config
	srv     *server
	db      *dynamodb.Client // control plane (SDK, no retries)
	raw     *rawClient       // data plane
	gen     *itemGen
	rss     *procstat.RSSSampler
	repo    *repo.Repo
	rep     *Report
	workDir string
	dataDir string

	items   int     // items 0..items-1 exist in the main table
	avgItem float64 // mean item size measured by the server (0: not yet)
	version atomic.Int64
}

// Credentials the clients sign with (the server's default open mode
// accepts any).
const (
	accessKey = "ebbtide"
	secretKey = "ebbtide"
)

// settle waits, before a measured phase, for the server's background work
// of the previous phase (flushes, compactions) to end and, with
// --wait-idle-machine, for other processes to leave the CPUs alone.
func (b *bench) settle() {
	b.status("waiting for the server to settle (flushes, compactions)")
	waitQuiet(b.srv.pid(), quietLimit)
	if b.cfg.idleWait > 0 {
		b.status("waiting up to %s for other processes to go idle", b.cfg.idleWait)
		waited, other := waitIdleMachine(b.srv.pid(), b.cfg.idleWait)
		b.status("other processes: %.2f cores after %.0f s", other, waited.Seconds())
	}
}

// connect builds the SDK and raw clients for the server.
func (b *bench) connect() error {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        16,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	b.db = dynamodb.New(dynamodb.Options{
		Region:       serverRegion,
		BaseEndpoint: aws.String(b.srv.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
		HTTPClient:   &http.Client{Transport: tr, Timeout: b.cfg.timeout},
		Retryer:      aws.NopRetryer{}, // a failed call is reported, not hidden
	})
	conns := max(b.cfg.loadClients, b.cfg.clients)
	raw, err := newRawClient(b.srv.endpoint, serverRegion, accessKey, secretKey, conns, b.cfg.timeout)
	if err != nil {
		return err
	}
	b.raw = raw
	return nil
}

// status prints a line on stderr (unless quiet).
func (b *bench) status(format string, args ...any) {
	if !b.cfg.quiet {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
	}
}

// isTTY reports whether stderr is a terminal.
var isTTY = func() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}()

// newBar returns a progress bar on stderr counting to total (a spinner if
// total < 0), silent with --quiet. Off a terminal it redraws every 2 s.
func (b *bench) newBar(total int64, desc string, bytes bool) *progressbar.ProgressBar {
	if b.cfg.quiet {
		return progressbar.DefaultSilent(total, desc)
	}
	throttle := 100 * time.Millisecond
	if !isTTY {
		throttle = 2 * time.Second
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(total > 0),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }),
	}
	if bytes {
		opts = append(opts, progressbar.OptionShowBytes(true))
	} else if total > 0 {
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts())
	}
	bar := progressbar.NewOptions64(total, opts...)
	_ = bar.RenderBlank()
	return bar
}

// diskTest measures the disk's sequential write speed in the data dir.
func (b *bench) diskTest(label string) (DiskResult, error) {
	bar := b.newBar(b.cfg.diskTest, label, true)
	d, err := diskSpeed(b.dataDir, b.cfg.diskTest, bar)
	_ = bar.Finish()
	d.Label = label
	return d, err
}

// createTable creates a PAY_PER_REQUEST table (pk S, sk S) and waits for
// it to be ACTIVE.
func (b *bench) createTable(ctx context.Context, name string) error {
	_, err := b.db.CreateTable(ctx, ddbclient.CreateTableInput(name))
	if err != nil {
		return fmt.Errorf("CreateTable: %w", err)
	}
	for {
		td, err := b.describeTable(ctx, name)
		if err != nil {
			return err
		}
		if td.TableStatus == types.TableStatusActive {
			return nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
}

func (b *bench) describeTable(ctx context.Context, name string) (*types.TableDescription, error) {
	out, err := b.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("DescribeTable %s: %w", name, err)
	}
	if out.Table == nil {
		return nil, errors.New("DescribeTable: no table in the answer")
	}
	return out.Table, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LoadStep is one growth of the main table.
type LoadStep struct {
	TargetBytes    int64   `json:"target_bytes"`
	ItemsWritten   int     `json:"items_written"`
	Items          int64   `json:"items"`            // DescribeTable ItemCount after
	TableSizeBytes int64   `json:"table_size_bytes"` // DescribeTable TableSizeBytes after
	Seconds        float64 `json:"seconds"`
	ItemsPerSecond float64 `json:"items_per_s"`
	MBps           float64 `json:"mb_per_s"`
	Usage          Usage   `json:"usage"`
}

// loadTo grows the main table to about target bytes (DynamoDB accounting,
// as DescribeTable reports it). It returns the table's size afterwards.
func (b *bench) loadTo(ctx context.Context, target int64) (int64, error) {
	td, err := b.describeTable(ctx, b.cfg.table)
	if err != nil {
		return 0, err
	}
	size := aws.ToInt64(td.TableSizeBytes)
	if size >= target*99/100 {
		return size, nil
	}
	step := LoadStep{TargetBytes: target}
	m := startMeter(b.srv.pid(), b.rss)
	start := time.Now()
	for range 3 { // the first estimate uses the generator's item size, corrections the server's
		avg := b.avgItem
		if avg == 0 {
			avg = float64(b.gen.size)
		}
		want := int(math.Ceil(float64(target) / avg))
		if want <= b.items {
			break
		}
		n, from := want-b.items, b.items
		bar := b.newBar(int64(n), fmt.Sprintf("loading to %s", humanBytes(target)), false)
		err := b.putItems(ctx, n, func(k int) int { return from + k }, 1, bar)
		_ = bar.Finish()
		if err != nil {
			return 0, fmt.Errorf("loading: %w", err)
		}
		b.items = want
		step.ItemsWritten += n
		td, err := b.describeTable(ctx, b.cfg.table)
		if err != nil {
			return 0, err
		}
		size = aws.ToInt64(td.TableSizeBytes)
		if c := aws.ToInt64(td.ItemCount); c > 0 {
			b.avgItem = float64(size) / float64(c)
		}
		if aws.ToInt64(td.ItemCount) != int64(b.items) {
			return 0, fmt.Errorf("after loading %d items the table has %d", b.items, aws.ToInt64(td.ItemCount))
		}
		if size >= target*99/100 {
			break
		}
	}
	el := time.Since(start)
	step.Usage = m.stop()
	step.Items, step.TableSizeBytes = int64(b.items), size
	step.Seconds = el.Seconds()
	step.ItemsPerSecond = float64(step.ItemsWritten) / el.Seconds()
	step.MBps = float64(step.ItemsWritten) * b.avgItem / 1e6 / el.Seconds()
	b.rep.Load = append(b.rep.Load, step)
	b.status("table %s: %d items, %s (mean item %.0f B), loaded at %.0f items/s", b.cfg.table, b.items,
		humanBytes(size), b.avgItem, step.ItemsPerSecond)
	return size, nil
}

// putItems writes n items, index(k) for k in [0, n), with version v and
// fresh random values, 25 per BatchWriteItem, from --load-clients
// goroutines, resending throttled or partly processed batches.
func (b *bench) putItems(ctx context.Context, n int, index func(k int) int, v int, bar *progressbar.ProgressBar) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	seed := b.cfg.seed + uint64(b.version.Add(1))*1_000_003
	for wi := range b.cfg.loadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := b.raw.newWorker()
			r := rand.New(rand.NewPCG(seed, uint64(wi)))
			var body []byte
			idx := make([]int, 0, 25)
			for ctx.Err() == nil {
				k := int(next.Add(25)) - 25
				if k >= n {
					return
				}
				end := min(k+25, n)
				idx = idx[:0]
				for j := k; j < end; j++ {
					idx = append(idx, index(j))
				}
				body = b.gen.batchWriteBody(body[:0], b.cfg.table, idx, v, r)
				if err := w.batchWriteRetry(ctx, body); err != nil {
					cancel(err)
					return
				}
				_ = bar.Add(end - k)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// BackupRun is one CreateBackup, waited for until AVAILABLE.
type BackupRun struct {
	Name             string  `json:"name"`
	ARN              string  `json:"arn"`
	CreateMS         float64 `json:"create_backup_ms"` // the CreateBackup call
	AvailableSeconds float64 `json:"available_seconds"`
	// ServerSeconds is the duration the server logs for the backup job
	// (from the start of the job to AVAILABLE), when found in its log.
	ServerSeconds  float64 `json:"server_seconds,omitempty"`
	Items          int64   `json:"items"`
	TableSizeBytes int64   `json:"table_size_bytes"`
	// From the backup's manifest in the repository.
	StreamBytes    int64   `json:"stream_bytes"`     // records + framing
	NewStoredBytes int64   `json:"new_stored_bytes"` // chunks this backup uploaded
	StoredBytes    int64   `json:"stored_bytes"`     // all distinct chunks it references
	Chunks         int     `json:"chunks"`
	LogicalMBps    float64 `json:"logical_mb_per_s"` // TableSizeBytes / AvailableSeconds
	RepoMBps       float64 `json:"repo_mb_per_s"`    // NewStoredBytes / AvailableSeconds
	Usage          Usage   `json:"usage"`

	manifest     *repo.Manifest
	manifestSize int64
	waitProfile  func() // waits for the CPU profile taken during the backup
}

// backup calls CreateBackup on the main table and waits until the backup
// is AVAILABLE, with a spinner labelled label (none if ""); profile names a
// CPU profile to take (or "").
func (b *bench) backup(ctx context.Context, name, label, profile string) (*BackupRun, error) {
	wait := b.profile(ctx, profile)
	m := startMeter(b.srv.pid(), b.rss)
	t0 := time.Now()
	out, err := b.db.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: aws.String(b.cfg.table), BackupName: aws.String(name)})
	lat := time.Since(t0)
	if err != nil {
		return nil, fmt.Errorf("CreateBackup: %w", err)
	}
	if out.BackupDetails == nil || out.BackupDetails.BackupArn == nil {
		return nil, errors.New("CreateBackup: no BackupArn in the answer")
	}
	arn := *out.BackupDetails.BackupArn
	bar := progressbar.DefaultSilent(-1)
	if label != "" {
		bar = b.newBar(-1, label, false)
	}
	desc, err := b.waitBackup(ctx, arn, t0)
	el := time.Since(t0)
	_ = bar.Finish()
	if err != nil {
		return nil, err
	}
	run := &BackupRun{Name: name, ARN: arn, CreateMS: ms(lat), AvailableSeconds: el.Seconds(), Usage: m.stop(), waitProfile: wait}
	if d := desc.SourceTableDetails; d != nil {
		run.Items, run.TableSizeBytes = aws.ToInt64(d.ItemCount), aws.ToInt64(d.TableSizeBytes)
	}
	run.ServerSeconds = serverLogDuration(b.srv.logPath, "backup="+arn, "backup available")
	man, msize, err := backupManifest(ctx, b.repo, arn)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest of %s: %w", arn, err)
	}
	run.manifest, run.manifestSize = man, msize
	run.StreamBytes, run.NewStoredBytes, run.StoredBytes, run.Chunks = man.StreamBytes, man.NewStoredBytes, man.StoredBytes, len(man.Chunks)
	run.LogicalMBps = mbps(run.TableSizeBytes, el)
	run.RepoMBps = mbps(run.NewStoredBytes, el)
	return run, nil
}

// waitBackup polls DescribeBackup until the backup is AVAILABLE; the
// interval grows with the backup's age up to --poll.
func (b *bench) waitBackup(ctx context.Context, arn string, t0 time.Time) (*types.BackupDescription, error) {
	for {
		out, err := b.db.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
		if err != nil {
			return nil, fmt.Errorf("DescribeBackup: %w (a failed backup is removed: see the server log)", err)
		}
		d := out.BackupDescription
		if d == nil || d.BackupDetails == nil {
			return nil, errors.New("DescribeBackup: no details in the answer")
		}
		switch d.BackupDetails.BackupStatus {
		case types.BackupStatusAvailable:
			return d, nil
		case types.BackupStatusDeleted:
			return nil, fmt.Errorf("backup %s failed (DELETED)", arn)
		}
		if err := sleep(ctx, b.pollInterval(t0)); err != nil {
			return nil, err
		}
	}
}

// pollInterval is 1/50 of the operation's age, between 5 ms and --poll.
func (b *bench) pollInterval(t0 time.Time) time.Duration {
	return min(max(time.Since(t0)/50, 5*time.Millisecond), b.cfg.poll)
}

// profile starts a --profile-duration server CPU profile named name (none
// if name is "") and returns a function that waits for it to be written.
// Callers wait before they start the next phase, so that a profile covers
// its operation and idle time only.
func (b *bench) profile(ctx context.Context, name string) (wait func()) {
	if name == "" || b.cfg.profileDir == "" {
		return func() {}
	}
	path := filepath.Join(b.cfg.profileDir, name+".cpu.prof")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.srv.cpuProfile(ctx, b.cfg.profileLength, path); err != nil {
			fmt.Fprintf(os.Stderr, "profile %s: %v\n", name, err)
			return
		}
		top := filepath.Join(b.cfg.profileDir, name+".top.txt")
		out, err := exec.CommandContext(ctx, "go", "tool", "pprof", "-top", "-nodecount=60", b.srv.bin, path).CombinedOutput()
		if err == nil {
			err = os.WriteFile(top, out, 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "profile %s: pprof -top: %v\n", name, err)
		}
		shares, total, err := categorizeProfile(ctx, b.srv.bin, path)
		if err == nil && total > 0 {
			var buf bytes.Buffer
			writeCategories(&buf, name, shares, total)
			err = os.WriteFile(filepath.Join(b.cfg.profileDir, name+".categories.md"), buf.Bytes(), 0o644)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "profile %s: categories: %v\n", name, err)
		}
		b.rep.Profiles = append(b.rep.Profiles, path)
	}()
	return func() {
		b.status("waiting for the %s CPU profile (%s)", name, b.cfg.profileLength)
		<-done
	}
}

// serverLogDuration finds the last log line with one of the messages
// msgs (alternatives: the wording changes) containing match and returns
// its duration attribute in seconds (0 if not found).
func serverLogDuration(logPath, match string, msgs ...string) float64 {
	f, err := os.Open(logPath)
	if err != nil {
		return 0
	}
	defer f.Close()
	var found float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, match+" ") && !strings.HasSuffix(line, match) {
			continue
		}
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(line, `msg="`+m+`"`) }) {
			continue
		}
		if m := durationAttr.FindStringSubmatch(line); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				found = d.Seconds()
			}
		}
	}
	return found
}

var durationAttr = regexp.MustCompile(`\bduration=(\S+)`)
