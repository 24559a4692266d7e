// Command backup benchmarks Ebbtide's on-demand backups and restores
// against a real server process that it builds, starts and stops itself.
//
// # What it measures
//
//  1. CreateBackup latency against table size ("latency" phase). A table
//     of ~1 KB items (orders: keys, strings, numbers, a boolean, a string
//     set, a map, a list of maps, 96 random bytes and ~600 bytes of words;
//     sized with the server's own accounting) is loaded with BatchWriteItem
//     from --load-clients goroutines to each of --sizes in turn; at each
//     size CreateBackup is called --calls times, each backup waited for
//     before the next call, and the latency of the CreateBackup call itself
//     is reported (median, p99 = max for fewer than 100 calls). It should
//     not depend on the size: the call only pins a snapshot.
//  2. Backup and restore throughput ("throughput" phase) of the --size
//     table: the first backup at that size (all chunks new) from
//     CreateBackup to AVAILABLE, in MB/s of the table's logical size
//     (TableSizeBytes) and of the bytes written to the repository; the
//     later calls of phase 1 at that size are repeat backups of an
//     unchanged table (every chunk deduplicated). Then
//     RestoreTableFromBackup of the first backup until the new table is
//     ACTIVE, in MB/s, against the disk's sequential write speed measured
//     just before in the same data directory (--disk-test-size bytes
//     written in 1 MiB blocks and fsync'd): the ratio restore time /
//     (table size / disk speed) says how far the restore is from the disk.
//  3. A live table during a backup ("live" phase): --clients workers run
//     GetItem/PutItem 50/50 on uniformly random items of the --size table;
//     after a 3 s warm-up, a --load-duration baseline window, then a backup
//     of the table starts and the same load is measured until the backup
//     is AVAILABLE. Ops/s and p50/p99 of both windows and their ratio
//     (target: ≥ 90 %).
//  4. Storage of daily backups ("daily" phase): --days iterations of
//     (rewrite --churn of the items, distinct and chosen uniformly at
//     random, with new random values; CreateBackup; wait AVAILABLE). It
//     reports the stored bytes of those backups (the distinct chunks they
//     reference, plus their manifests, read from the repository's
//     manifests) against days × table size, the dedup ratio, what each day
//     added, and, with fewer than 30 days, a clearly labelled linear
//     extrapolation to 30.
//  5. Point-in-time recovery ("pitr" phase, not in the default list; see
//     pitr.go): PutItem throughput of --clients workers with PITR off and
//     on (--pitr-rounds pairs of windows), now − LatestRestorableDateTime
//     polled every 200 ms under that load, and, after rewriting
//     --pitr-churn of the items with PITR on, RestoreTableToPointInTime to
//     a random instant of the rewrite against RestoreTableFromBackup of a
//     backup of the same table, both timed to ACTIVE.
//
// On a shared machine, --repeat N makes N restores (into new tables) and N
// live measurements (each baseline's writes change the table, so each
// backup writes new chunks); the report lists every attempt and takes the
// one during which other processes used the least CPU as the result. The
// daily phase also summarizes its backups during which other processes
// used under 0.15 cores: full-backup throughput on a quiet machine (with
// 1 % scattered churn nearly every chunk is new, see below).
//
// Every phase also reports the server's CPU (cores), peak RSS and disk
// bytes read and written (/proc/PID/{stat,status,io}), this tool's CPU,
// and the CPU of every other process on the machine (from /proc/stat), as
// bench/load does. Progress is drawn on stderr; the report goes to stdout
// (and with --json FILE, as JSON).
//
// # Usage
//
// From the repository root (it runs `go build ./cmd/ebbtide` there, or
// uses --bin):
//
//	# quick check, about a minute: 100 MB table, 5 days
//	go run ./bench/backup --size 100MB --days 5
//
//	# the full run of docs/performance.md: 1 GB table (1, 10, 100 MB, 1 GB
//	# for the latency curve), 30 days, server CPU profiles, JSON report
//	go run ./bench/backup --size 1GB --sizes 10MB,100MB,1GB --days 30 \
//	    --profile /tmp/backup-prof --json /tmp/backup.json
//
//	# only some phases
//	go run ./bench/backup --size 1GB --phases throughput,live
//
//	# point-in-time recovery only
//	go run ./bench/backup --size 300MB --phases pitr --load-duration 15s
//
//	# on a shared machine: before each measured phase wait (up to 5 min)
//	# until other processes use under 0.15 cores; 3 restores and 3 live
//	# measurements, the least disturbed one reported
//	go run ./bench/backup --size 1GB --wait-idle-machine 5m --repeat 3
//
// The server listens on a free 127.0.0.1 port with a fresh data directory
// under --data-parent (default $TMPDIR), its log in the work directory
// (printed at the start); both are removed at the end unless --keep. The
// disk test writes into the server's data directory. Sizes are decimal
// (MB = 10^6 bytes) in flags and report; KiB/MiB/GiB are accepted too.
//
// With --profile DIR the server runs with --pprof-addr and a CPU profile
// of --profile-duration is taken at the start of the first full backup,
// the restore and the backup under load (DIR/{backup,restore,live-backup}
// .cpu.prof, with `go tool pprof -top` in NAME.top.txt and the samples
// split into backup/restore categories in NAME.categories.md beside each);
// read them with `go tool pprof -top BIN PROFILE` (BIN is kept in DIR).
// `go run ./bench/backup -categorize BIN PROFILE...` prints the categories
// of existing profiles.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/procstat"
)

// Phase names accepted by --phases.
const (
	phaseLatency    = "latency"
	phaseThroughput = "throughput"
	phaseLive       = "live"
	phaseDaily      = "daily"
	phasePITR       = "pitr"
)

var allPhases = []string{phaseLatency, phaseThroughput, phaseLive, phaseDaily, phasePITR}

// defaultPhases leaves out pitr: it adds several minutes (four load
// windows, three base snapshots, two restores); ask for it with --phases.
var defaultPhases = []string{phaseLatency, phaseThroughput, phaseLive, phaseDaily}

type config struct {
	size          int64
	sizes         []int64
	sizesFlag     string
	calls         int
	itemSize      int
	loadClients   int
	clients       int
	loadDuration  time.Duration
	days          int
	churn         float64
	diskTest      int64
	diskTestFlag  string
	sizeFlag      string
	phases        map[string]bool
	phasesFlag    string
	bin           string
	src           string
	dataParent    string
	keep          bool
	profileDir    string
	profileLength time.Duration
	jsonOut       string
	quiet         bool
	poll          time.Duration
	seed          uint64
	timeout       time.Duration
	table         string
	idleWait      time.Duration
	repeat        int
	pitrRounds    int
	pitrChurn     float64
}

func main() {
	var c config
	flag.StringVar(&c.sizeFlag, "size", "1GB", "size of the main table (phases throughput, live, daily), by DynamoDB item size accounting")
	flag.StringVar(&c.sizesFlag, "sizes", "", "table sizes of the CreateBackup latency curve, ascending, the last at most --size (default: --size/100, --size/10, --size)")
	flag.IntVar(&c.calls, "calls", 10, "CreateBackup calls per size in the latency phase (each waits for the previous backup)")
	flag.IntVar(&c.itemSize, "item-size", 1024, "item size in bytes (DynamoDB accounting)")
	flag.IntVar(&c.loadClients, "load-clients", 16, "goroutines loading and churning items with BatchWriteItem (25 items a request)")
	flag.IntVar(&c.clients, "clients", 16, "clients of the live GetItem/PutItem load")
	flag.DurationVar(&c.loadDuration, "load-duration", 20*time.Second, "baseline window of the live load (after a 3 s warm-up)")
	flag.IntVar(&c.days, "days", 30, "daily backups in the daily phase")
	flag.Float64Var(&c.churn, "churn", 0.01, "fraction of the items rewritten before each daily backup")
	flag.StringVar(&c.diskTestFlag, "disk-test-size", "1GB", "size of the sequential write + fsync disk test (0: skip)")
	flag.StringVar(&c.phasesFlag, "phases", strings.Join(defaultPhases, ","), "phases to run, of: "+strings.Join(allPhases, ","))
	flag.IntVar(&c.pitrRounds, "pitr-rounds", 4, "pitr phase: PITR off/on PutItem window pairs, alternately off-on and on-off (each window 3 s warm-up + --load-duration)")
	flag.Float64Var(&c.pitrChurn, "pitr-churn", 0.10, "pitr phase: fraction of the items rewritten with PITR on before the point-in-time restore")
	flag.StringVar(&c.bin, "bin", "", "server binary to run (default: go build ./cmd/ebbtide from --src into the work directory)")
	flag.StringVar(&c.src, "src", ".", "the Ebbtide source tree to build the server from")
	flag.StringVar(&c.dataParent, "data-parent", os.TempDir(), "parent directory of the server's fresh data directory (and of the disk test)")
	flag.BoolVar(&c.keep, "keep", false, "keep the data and work directories")
	flag.StringVar(&c.profileDir, "profile", "", "take server CPU profiles (of the first full backup, the restore, the backup under load and each PITR on/off window) into this directory")
	flag.DurationVar(&c.profileLength, "profile-duration", 20*time.Second, "length of each CPU profile")
	flag.StringVar(&c.jsonOut, "json", "", "also write the report as JSON to this file")
	flag.BoolVar(&c.quiet, "quiet", false, "draw no progress on stderr")
	flag.DurationVar(&c.poll, "poll", 100*time.Millisecond, "longest interval between DescribeBackup/DescribeTable polls (shorter while an operation is young)")
	flag.Uint64Var(&c.seed, "seed", 0, "random seed (0: time-based)")
	flag.DurationVar(&c.timeout, "timeout", 30*time.Second, "per-request timeout")
	flag.StringVar(&c.table, "table", "bench-backup", "name of the main table")
	flag.IntVar(&c.repeat, "repeat", 1, "restores and live measurements to make; the report shows all and takes the one with the least CPU used by other processes")
	flag.DurationVar(&c.idleWait, "wait-idle-machine", 0, "before each measured phase, wait up to this long for other processes to use < 0.15 cores (on a shared machine)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: go run ./bench/backup [flags]\n\nBenchmarks Ebbtide's backups and restores against a server it starts (see the package doc).\n\n")
		flag.PrintDefaults()
	}
	categorize := flag.Bool("categorize", false, "print the categories of the CPU profiles named as arguments (BIN PROFILE...) and exit")
	flag.Parse()
	if *categorize {
		if err := categorizeMain(flag.Args()); err != nil {
			fmt.Fprintln(os.Stderr, "backup:", err)
			os.Exit(1)
		}
		return
	}
	if err := c.resolve(); err != nil {
		fmt.Fprintln(os.Stderr, "backup:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "backup:", err)
		os.Exit(1)
	}
}

// resolve parses and checks the flags.
func (c *config) resolve() error {
	var err error
	if c.size, err = parseSize(c.sizeFlag); err != nil {
		return fmt.Errorf("--size: %w", err)
	}
	if c.diskTestFlag == "0" {
		c.diskTest = 0
	} else if c.diskTest, err = parseSize(c.diskTestFlag); err != nil {
		return fmt.Errorf("--disk-test-size: %w", err)
	}
	if c.sizesFlag == "" {
		c.sizes = []int64{c.size / 100, c.size / 10, c.size}
	} else if c.sizes, err = parseSizes(c.sizesFlag); err != nil {
		return fmt.Errorf("--sizes: %w", err)
	}
	if len(c.sizes) == 0 || !slices.IsSorted(c.sizes) || c.sizes[len(c.sizes)-1] > c.size {
		return errors.New("--sizes must be ascending and at most --size")
	}
	c.phases = map[string]bool{}
	for _, p := range strings.Split(c.phasesFlag, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(allPhases, p) {
			return fmt.Errorf("--phases: unknown phase %q (want %s)", p, strings.Join(allPhases, ","))
		}
		c.phases[p] = true
	}
	switch {
	case c.calls < 1 || c.repeat < 1:
		return errors.New("--calls and --repeat must be >= 1")
	case c.loadClients < 1 || c.clients < 1:
		return errors.New("--load-clients and --clients must be >= 1")
	case c.days < 1 && c.phases[phaseDaily]:
		return errors.New("--days must be >= 1")
	case c.churn <= 0 || c.churn > 1:
		return errors.New("--churn must be in (0, 1]")
	case c.pitrChurn <= 0 || c.pitrChurn > 1 || c.pitrRounds < 1:
		return errors.New("--pitr-churn must be in (0, 1] and --pitr-rounds >= 1")
	case c.itemSize < 512 || c.itemSize > 350_000:
		return errors.New("--item-size must be 512..350000")
	}
	if c.seed == 0 {
		c.seed = uint64(time.Now().UnixNano())
	}
	return nil
}

func run(ctx context.Context, c config) (err error) {
	start := time.Now()
	gen, err := newItemGen(c.itemSize)
	if err != nil {
		return err
	}
	workDir, err := os.MkdirTemp("", "ebbtide-bench-backup-")
	if err != nil {
		return err
	}
	dataDir, err := os.MkdirTemp(c.dataParent, "ebbtide-bench-backup-data-")
	if err != nil {
		return err
	}
	defer func() {
		if c.keep {
			fmt.Fprintf(os.Stderr, "kept: data %s, work %s\n", dataDir, workDir)
			return
		}
		os.RemoveAll(dataDir)
		os.RemoveAll(workDir)
	}()

	b := &bench{cfg: c, gen: gen, workDir: workDir, dataDir: dataDir, rep: newReport(c, start)}
	bin := c.bin
	if bin == "" {
		b.status("building the server (go build ./cmd/ebbtide)")
		if bin, err = buildServer(ctx, c.src, workDir); err != nil {
			return err
		}
	}
	if c.profileDir != "" {
		if err := os.MkdirAll(c.profileDir, 0o755); err != nil {
			return err
		}
		// Keep the binary with its profiles: pprof needs it for symbols.
		kept := filepath.Join(c.profileDir, "ebbtide")
		if err := copyFile(bin, kept); err != nil {
			return err
		}
		bin = kept
	}
	b.rep.Server.Binary = bin
	b.rep.Server.DataDir = dataDir
	logPath := filepath.Join(workDir, "server.log")
	b.rep.Server.Log = logPath
	fmt.Fprintf(os.Stderr, "server log: %s\ndata dir: %s\n", logPath, dataDir)

	if c.diskTest > 0 {
		d, err := b.diskTest("disk speed (start)")
		if err != nil {
			return err
		}
		b.rep.Disk = append(b.rep.Disk, d)
	}

	srv, err := startServer(ctx, bin, dataDir, logPath, c.profileDir != "")
	if err != nil {
		return err
	}
	b.srv = srv
	b.rep.Server.Endpoint = srv.endpoint
	b.rep.Server.PID = srv.pid()
	b.rss = procstat.NewRSSSampler(srv.pid())
	b.rss.Start()
	defer func() {
		b.rss.Stop()
		if serr := srv.stop(); serr != nil && err == nil && ctx.Err() == nil {
			err = fmt.Errorf("stopping the server: %w", serr)
		}
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(os.Stderr, "server log tail (%s):\n%s\n", logPath, tail(logPath, 15))
		}
	}()
	if err := b.connect(); err != nil {
		return err
	}
	defer b.raw.close()

	if err := b.runPhases(ctx); err != nil {
		return err
	}
	b.rep.Server.LifetimePeakRSS = b.rss.HWM()
	b.rep.Server.DataDirBytes = dirSize(dataDir)
	b.rep.ElapsedSeconds = time.Since(start).Seconds()
	b.rep.print(os.Stdout)
	if c.jsonOut != "" {
		js, _ := json.MarshalIndent(b.rep, "", "  ")
		if err := os.WriteFile(c.jsonOut, append(js, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// runPhases runs the selected phases in order.
func (b *bench) runPhases(ctx context.Context) error {
	c := b.cfg
	if err := b.createTable(ctx, c.table); err != nil {
		return err
	}
	rp, err := openRepo(ctx, b.dataDir)
	if err != nil {
		return fmt.Errorf("opening the server's repository: %w", err)
	}
	defer rp.Close()
	b.repo = rp

	var first *BackupRun // the first backup of the full-size table
	if c.phases[phaseLatency] {
		if first, err = b.latencyPhase(ctx); err != nil {
			return err
		}
	}
	if _, err := b.loadTo(ctx, c.size); err != nil {
		return err
	}
	if c.phases[phaseThroughput] {
		if err := b.throughputPhase(ctx, first); err != nil {
			return err
		}
	}
	if c.phases[phaseLive] {
		if err := b.livePhase(ctx); err != nil {
			return err
		}
	}
	if c.phases[phaseDaily] {
		if err := b.dailyPhase(ctx); err != nil {
			return err
		}
	}
	if c.phases[phasePITR] {
		if err := b.pitrPhase(ctx); err != nil {
			return err
		}
	}
	st, err := repoStats(ctx, rp, b.dataDir)
	if err != nil {
		return err
	}
	b.rep.Repository = &st
	return nil
}

// categorizeMain prints the categories of profiles (args: BIN PROFILE...).
func categorizeMain(args []string) error {
	if len(args) < 2 {
		return errors.New("-categorize: want the server binary and one or more profiles")
	}
	for _, p := range args[1:] {
		shares, total, err := categorizeProfile(context.Background(), args[0], p)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		writeCategories(os.Stdout, filepath.Base(p), shares, total)
		fmt.Println()
	}
	return nil
}

// copyFile copies src to dst (mode 0755).
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o755)
}

// machineInfo describes the machine for the report.
func machineInfo() Machine {
	m := Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryBytes = kb * 1024
		}
	}
	return m
}
