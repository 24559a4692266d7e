package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The "pitr" phase: point-in-time recovery against the real server.
//
//  1. Write throughput with PITR off and on: --clients workers PutItem
//     uniformly random existing items (3 s warm-up, then --load-duration
//     measured), --pitr-rounds pairs of windows, off-on in odd rounds and
//     on-off in even ones (so that drift weighs on both sides). Before
//     each "on" window PITR is enabled and the first base snapshot is
//     waited for (server log) and the server left to settle, so that the
//     window measures steady-state capture and shipping, not the one-off
//     base copy; after it PITR is disabled again (dropping the history).
//  2. LatestRestorableDateTime lag under that load: during each "on"
//     window DescribeContinuousBackups is polled every 200 ms and
//     now − LatestRestorableDateTime recorded (now: when the answer came).
//  3. Restore with history vs a plain backup: PITR is enabled afresh (base
//     waited for), --pitr-churn of the items (distinct, uniformly random)
//     are rewritten with BatchWriteItem as fast as the loader goes (time
//     compressed: what a restore pays for is the amount of history, not the
//     wall time it spans), then RestoreTableToPointInTime to a uniformly
//     random instant within the rewrite, timed to ACTIVE, its ItemCount
//     checked against the source's (rewrites delete nothing); then
//     CreateBackup of the same table and RestoreTableFromBackup, timed the
//     same way. Ratio PITR restore / backup restore (target ≤ 2×).
//
// Known server issue this phase runs into (reported, not worked around
// beyond keeping the history count honest): an "on" window of 15 s ships
// more than 64 MiB of log on a 300 MB table, which starts a second base
// snapshot, paced while requests arrive; disabling PITR while it is being
// written deletes the history listed at that moment, and the base commits
// afterwards and stays in the repository (the disable's deletion never sees
// it). The report lists such objects as "NOT deleted" and leaves them out
// of the history the restore reads.

// PITRWindow is the PutItem load over one window.
type PITRWindow struct {
	Round     int            `json:"round"`
	PITR      bool           `json:"pitr"`
	Seconds   float64        `json:"seconds"`
	Ops       int            `json:"ops"`
	OpsPerSec float64        `json:"ops_per_s"`
	Errors    map[string]int `json:"errors,omitempty"`
	Put       LatencySummary `json:"put"`
	Usage     Usage          `json:"usage"`
	// Lag is now − LatestRestorableDateTime, polled every 200 ms (PITR on).
	Lag *LagSummary `json:"lag,omitempty"`
	// BaseSeconds is the first base snapshot's duration (server log) of the
	// enable before this window, waited for before it.
	BaseSeconds float64 `json:"base_seconds,omitempty"`
}

// LagSummary summarizes now − LatestRestorableDateTime samples, in seconds.
type LagSummary struct {
	N      int     `json:"n"`
	Errors int     `json:"errors,omitempty"`
	MinS   float64 `json:"min_s"`
	P50S   float64 `json:"p50_s"`
	P99S   float64 `json:"p99_s"`
	MaxS   float64 `json:"max_s"`
	MeanS  float64 `json:"mean_s"`
}

// PITRHistory is what the repository holds for the table at the restore.
type PITRHistory struct {
	Bases            int   `json:"bases"`
	BaseRecords      int64 `json:"base_records"`
	BaseLogicalBytes int64 `json:"base_logical_bytes"`
	Segments         int   `json:"segments"`
	SegmentRecords   int64 `json:"segment_records"`
	SegmentBytes     int64 `json:"segment_logical_bytes"`
	StoredBytes      int64 `json:"new_stored_bytes"` // sum of the objects' new_stored_bytes
	// Older are objects of the table committed before this enable (left
	// over from an earlier enable; a restore does not read them).
	OlderBases    int `json:"older_bases,omitempty"`
	OlderSegments int `json:"older_segments,omitempty"`
}

// PITRResult is the pitr phase's result.
type PITRResult struct {
	Clients  int          `json:"clients"`
	Items    int          `json:"items"`
	Windows  []PITRWindow `json:"windows"`
	OffOps   float64      `json:"off_mean_ops_per_s"`
	OnOps    float64      `json:"on_mean_ops_per_s"`
	OpsRatio float64      `json:"ops_ratio"` // OnOps / OffOps (target ≥ 0.95)
	Lag      LagSummary   `json:"lag"`       // all "on" windows

	// The restore comparison.
	Churn           float64 `json:"churn"`
	ChurnItems      int     `json:"churn_items"`
	ChurnSeconds    float64 `json:"churn_seconds"`
	ChurnItemsPerS  float64 `json:"churn_items_per_s"`
	EnableBaseSecs  float64 `json:"enable_base_seconds"`
	RestoreAt       string  `json:"restore_at"`
	RestoreAtOffset float64 `json:"restore_at_offset_s"` // from the rewrite's start
	// RestorableAfter is how long after the rewrite ended the instant
	// became restorable (LatestRestorableDateTime ≥ RestoreAt).
	RestorableAfter float64     `json:"restorable_after_rewrite_s"`
	History         PITRHistory `json:"history"`
	SourceItems     int64       `json:"source_items"`
	SourceBytes     int64       `json:"source_table_size_bytes"`
	PITRRestore     *RestoreRun `json:"pitr_restore"`
	Backup          *BackupRun  `json:"backup"`
	BackupRestore   *RestoreRun `json:"backup_restore"`
	RestoreRatio    float64     `json:"restore_ratio"` // PITR / backup restore, to ACTIVE (target ≤ 2)
	Seconds         float64     `json:"seconds"`
	lagSamples      []float64   // all "on" windows
}

// pitrPhase runs the three PITR measurements on the main table.
func (b *bench) pitrPhase(ctx context.Context) error {
	c := b.cfg
	start := time.Now()
	res := &PITRResult{Clients: c.clients, Items: b.items, Churn: c.pitrChurn}
	b.rep.PITR = res
	for round := 1; round <= c.pitrRounds; round++ {
		// Odd rounds measure off then on, even rounds on then off, so
		// that a drift of the machine over the phase (compactions of the
		// load settling, page cache) weighs on both sides alike.
		for _, on := range []bool{round%2 == 0, round%2 == 1} {
			var baseSecs float64
			if on {
				var err error
				if baseSecs, err = b.enablePITR(ctx); err != nil {
					return err
				}
			}
			b.settle()
			w, err := b.putWindow(ctx, round, on)
			if err != nil {
				return err
			}
			w.BaseSeconds = baseSecs
			res.Windows = append(res.Windows, w)
			if on {
				if err := b.setPITR(ctx, false); err != nil {
					return err
				}
			}
		}
	}
	var offs, ons []float64
	for _, w := range res.Windows {
		if w.PITR {
			ons = append(ons, w.OpsPerSec)
		} else {
			offs = append(offs, w.OpsPerSec)
		}
	}
	res.OffOps, res.OnOps = mean(offs), mean(ons)
	if res.OffOps > 0 {
		res.OpsRatio = res.OnOps / res.OffOps
	}
	res.Lag = summarizeLag(res.lagSamples, 0)
	b.status("pitr: PutItem off %.0f ops/s, on %.0f ops/s (%.1f%%); restorable lag p50 %.2f s, p99 %.2f s, max %.2f s",
		res.OffOps, res.OnOps, 100*res.OpsRatio, res.Lag.P50S, res.Lag.P99S, res.Lag.MaxS)

	// 3. History, then restore to an instant within it.
	b.settle()
	var err error
	enabledAt := time.Now()
	if res.EnableBaseSecs, err = b.enablePITR(ctx); err != nil {
		return err
	}
	b.settle()
	n := b.items
	k := max(int(math.Round(c.pitrChurn*float64(n))), 1)
	r := rand.New(rand.NewPCG(c.seed, 0x5049_5452))
	idx := sample(r, n, k)
	v := int(b.version.Add(1)) + 3_000_000
	bar := b.newBar(int64(k), fmt.Sprintf("[pitr] rewriting %d items (%.0f%%) with PITR on", k, 100*c.pitrChurn), false)
	t0 := time.Now()
	err = b.putItems(ctx, k, func(j int) int { return idx[j] }, v, bar)
	t1 := time.Now()
	_ = bar.Finish()
	if err != nil {
		return fmt.Errorf("pitr rewrite: %w", err)
	}
	res.ChurnItems, res.ChurnSeconds = k, t1.Sub(t0).Seconds()
	res.ChurnItemsPerS = float64(k) / res.ChurnSeconds
	at := t0.Add(time.Duration(r.Float64() * float64(t1.Sub(t0)))).Truncate(time.Millisecond)
	res.RestoreAt, res.RestoreAtOffset = at.UTC().Format(time.RFC3339Nano), at.Sub(t0).Seconds()
	for {
		_, latest, err := b.describePITR(ctx)
		if err != nil {
			return err
		}
		if !latest.Before(at) {
			break
		}
		if time.Since(t1) > 10*time.Minute {
			return fmt.Errorf("pitr: LatestRestorableDateTime %s still before %s 10 min after the rewrite", latest, at)
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return err
		}
	}
	res.RestorableAfter = time.Since(t1).Seconds()
	b.settle() // shipping, a base the rewrite may have triggered, compactions
	td, err := b.describeTable(ctx, c.table)
	if err != nil {
		return err
	}
	res.SourceItems, res.SourceBytes = aws.ToInt64(td.ItemCount), aws.ToInt64(td.TableSizeBytes)
	if res.History, err = b.pitrHistory(ctx, aws.ToString(td.TableId), enabledAt); err != nil {
		return err
	}
	var disk float64
	if c.diskTest > 0 {
		d, err := b.diskTest("disk speed (before the PITR restore)")
		if err != nil {
			return err
		}
		b.rep.Disk = append(b.rep.Disk, d)
		disk = d.MBps
	}
	pr, err := b.restorePITR(ctx, at, c.table+"-pitr", res.SourceItems)
	if err != nil {
		return err
	}
	setDisk(pr, disk)
	res.PITRRestore = pr
	b.status("pitr restore to %s: ACTIVE after %.1f s (%d items)", res.RestoreAt, pr.ActiveSeconds, pr.Items)

	b.settle()
	run, err := b.backup(ctx, "pitr-compare", "[pitr] CreateBackup of the same table", "")
	if err != nil {
		return err
	}
	res.Backup = run
	b.settle()
	br, err := b.restore(ctx, run, c.table+"-from-backup", "")
	if err != nil {
		return err
	}
	setDisk(br, disk)
	res.BackupRestore = br
	if br.ActiveSeconds > 0 {
		res.RestoreRatio = pr.ActiveSeconds / br.ActiveSeconds
	}
	res.Seconds = time.Since(start).Seconds()
	b.status("pitr restore %.1f s vs backup restore %.1f s: %.2f×", pr.ActiveSeconds, br.ActiveSeconds, res.RestoreRatio)
	return nil
}

func setDisk(r *RestoreRun, disk float64) {
	if disk > 0 {
		r.DiskMBps = disk
		r.DiskLimitSeconds = float64(r.TableSizeBytes) / 1e6 / disk
		r.DiskLimitRatio = r.ActiveSeconds / r.DiskLimitSeconds
	}
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// setPITR calls UpdateContinuousBackups on the main table.
func (b *bench) setPITR(ctx context.Context, on bool) error {
	_, err := b.db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName: aws.String(b.cfg.table),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: aws.Bool(on)},
	})
	if err != nil {
		return fmt.Errorf("UpdateContinuousBackups(enabled=%v): %w", on, err)
	}
	return nil
}

// enablePITR turns PITR on and waits for the server to log the first base
// snapshot written; it returns the base's logged duration.
func (b *bench) enablePITR(ctx context.Context) (float64, error) {
	before := len(baseSnapshots(b.srv.logPath, b.cfg.table))
	if err := b.setPITR(ctx, true); err != nil {
		return 0, err
	}
	on, _, err := b.describePITR(ctx)
	if err != nil {
		return 0, err
	}
	if !on {
		return 0, errors.New("DescribeContinuousBackups: PITR not ENABLED right after UpdateContinuousBackups")
	}
	bar := b.newBar(-1, "[pitr] enabled; waiting for the first base snapshot", false)
	defer bar.Finish()
	t0 := time.Now()
	for {
		if d := baseSnapshots(b.srv.logPath, b.cfg.table); len(d) > before {
			return d[before], nil
		}
		if time.Since(t0) > 10*time.Minute {
			return 0, errors.New("pitr: no base snapshot logged 10 min after enabling")
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return 0, err
		}
	}
}

// baseSnapshots returns the durations of the base snapshots of table the
// server logged, in order.
func baseSnapshots(logPath, table string) []float64 {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return nil
	}
	var out []float64
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.Contains(line, `msg="point-in-time recovery: base snapshot written"`) ||
			!strings.Contains(line, " table="+table+" ") {
			continue
		}
		var secs float64
		if m := durationAttr.FindStringSubmatch(line); m != nil {
			if d, err := time.ParseDuration(m[1]); err == nil {
				secs = d.Seconds()
			}
		}
		out = append(out, secs)
	}
	return out
}

// describePITR returns whether PITR is on and LatestRestorableDateTime.
func (b *bench) describePITR(ctx context.Context) (bool, time.Time, error) {
	out, err := b.db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(b.cfg.table)})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("DescribeContinuousBackups: %w", err)
	}
	d := out.ContinuousBackupsDescription
	if d == nil || d.PointInTimeRecoveryDescription == nil {
		return false, time.Time{}, nil
	}
	p := d.PointInTimeRecoveryDescription
	return p.PointInTimeRecoveryStatus == types.PointInTimeRecoveryStatusEnabled, aws.ToTime(p.LatestRestorableDateTime), nil
}

// putWindow runs --clients PutItem workers on uniformly random existing
// items: a 3 s warm-up, then --load-duration measured. With PITR on it
// polls the restorable lag every 200 ms meanwhile.
func (b *bench) putWindow(ctx context.Context, round int, pitr bool) (PITRWindow, error) {
	c := b.cfg
	n := b.items
	v := int(b.version.Add(1)) + 4_000_000
	var measuring atomic.Bool
	var ops atomic.Int64
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	type rec struct {
		lat  []time.Duration
		errs map[string]int
	}
	recs := make([]*rec, c.clients)
	var wg sync.WaitGroup
	seed := c.seed ^ uint64(0x7049_7472)<<8 ^ uint64(round*2)
	if pitr {
		seed++
	}
	for wi := range c.clients {
		rc := &rec{errs: map[string]int{}}
		recs[wi] = rc
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := b.raw.newWorker()
			r := rand.New(rand.NewPCG(seed, uint64(wi)))
			var body []byte
			for runCtx.Err() == nil {
				body = b.gen.putItemBody(body[:0], c.table, r.IntN(n), v, r)
				m := measuring.Load()
				t0 := time.Now()
				err := w.putItem(runCtx, body)
				d := time.Since(t0)
				if runCtx.Err() != nil {
					return
				}
				ops.Add(1)
				if !m {
					continue
				}
				if err != nil {
					rc.errs[errorCode(err)]++
				} else {
					rc.lat = append(rc.lat, d)
				}
			}
		}()
	}
	label := fmt.Sprintf("[pitr %d] %d clients PutItem, PITR off", round, c.clients)
	if pitr {
		label = fmt.Sprintf("[pitr %d] %d clients PutItem, PITR on", round, c.clients)
	}
	bar := b.newBar(int64((warmup + c.loadDuration).Seconds()), label, false)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	go func() {
		var last int64
		for {
			select {
			case <-tick.C:
				cur := ops.Load()
				_ = bar.Add(1)
				bar.Describe(fmt.Sprintf("%s: %d ops/s", label, cur-last))
				last = cur
			case <-runCtx.Done():
				return
			}
		}
	}()
	if err := sleep(ctx, warmup); err != nil {
		return PITRWindow{}, err
	}
	m := startMeter(b.srv.pid(), b.rss)
	measuring.Store(true)
	t1 := time.Now()
	prof := fmt.Sprintf("pitr-%d-off", round)
	if pitr {
		prof = fmt.Sprintf("pitr-%d-on", round)
	}
	waitProfile := b.profile(ctx, prof)
	defer waitProfile()
	var lags []float64
	var lagErrs int
	lagDone := make(chan struct{})
	if pitr {
		go func() {
			defer close(lagDone)
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-t.C:
				case <-runCtx.Done():
					return
				}
				pctx, cancel := context.WithTimeout(runCtx, 5*time.Second)
				on, latest, err := b.describePITR(pctx)
				now := time.Now()
				cancel()
				if runCtx.Err() != nil {
					return
				}
				if err != nil || !on || latest.IsZero() {
					lagErrs++
					continue
				}
				lags = append(lags, now.Sub(latest).Seconds())
			}
		}()
	} else {
		close(lagDone)
	}
	err := sleep(ctx, c.loadDuration)
	measuring.Store(false)
	secs := time.Since(t1).Seconds()
	u := m.stop()
	stop()
	wg.Wait()
	<-lagDone
	_ = bar.Finish()
	if err != nil {
		return PITRWindow{}, err
	}
	w := PITRWindow{Round: round, PITR: pitr, Seconds: secs, Usage: u, Errors: map[string]int{}}
	var all []time.Duration
	for _, rc := range recs {
		all = append(all, rc.lat...)
		for code, k := range rc.errs {
			w.Errors[code] += k
			w.Ops += k
		}
	}
	w.Ops += len(all)
	w.OpsPerSec = float64(w.Ops) / secs
	w.Put = summarize(all)
	if len(w.Errors) == 0 {
		w.Errors = nil
	}
	if pitr {
		l := summarizeLag(lags, lagErrs)
		w.Lag = &l
		b.rep.PITR.lagSamples = append(b.rep.PITR.lagSamples, lags...)
	}
	b.status("%s: %.0f ops/s, p50 %.2f ms, p99 %.2f ms, server %.2f cores, other processes %.2f cores",
		label, w.OpsPerSec, w.Put.P50MS, w.Put.P99MS, u.ServerCores, u.OtherCores)
	return w, nil
}

// summarizeLag summarizes lag samples in seconds (nearest-rank quantiles).
func summarizeLag(v []float64, errs int) LagSummary {
	l := LagSummary{N: len(v), Errors: errs}
	if len(v) == 0 {
		return l
	}
	d := make([]time.Duration, len(v))
	for i, x := range v {
		d[i] = time.Duration(x * float64(time.Second))
	}
	s := summarize(d)
	l.MinS, l.P50S, l.P99S, l.MaxS, l.MeanS = s.MinMS/1e3, s.P50MS/1e3, s.P99MS/1e3, s.MaxMS/1e3, s.MeanMS/1e3
	return l
}

// pitrHistory lists the table's PITR objects in the repository.
// Objects committed before since belong to an earlier enable.
func (b *bench) pitrHistory(ctx context.Context, tableID string, since time.Time) (PITRHistory, error) {
	var h PITRHistory
	infos, err := b.repo.List(ctx, "pitr")
	if err != nil {
		return h, fmt.Errorf("listing the PITR history: %w", err)
	}
	prefix := serverAccount + ":" + serverRegion + ":" + tableID + ":"
	for _, in := range infos {
		if in.Err != nil || in.Manifest == nil || !strings.HasPrefix(in.ID, prefix) {
			continue
		}
		m := in.Manifest
		if m.Created.Before(since) {
			if strings.HasPrefix(in.ID, prefix+"b:") {
				h.OlderBases++
			} else {
				h.OlderSegments++
			}
			continue
		}
		h.StoredBytes += m.NewStoredBytes
		switch {
		case strings.HasPrefix(in.ID, prefix+"b:"):
			h.Bases++
			h.BaseRecords += m.Records
			h.BaseLogicalBytes += m.LogicalBytes
		case strings.HasPrefix(in.ID, prefix+"l:"):
			h.Segments++
			h.SegmentRecords += m.Records
			h.SegmentBytes += m.LogicalBytes
		}
	}
	return h, nil
}

// restorePITR restores the main table as of at into target and waits until
// it is ACTIVE with want items, then until the server is idle again.
func (b *bench) restorePITR(ctx context.Context, at time.Time, target string, want int64) (*RestoreRun, error) {
	r, err := b.runRestore(ctx, target, "[pitr] restoring to "+at.UTC().Format("15:04:05.000"), want,
		func(ctx context.Context) error {
			_, err := b.db.RestoreTableToPointInTime(ctx, &dynamodb.RestoreTableToPointInTimeInput{
				SourceTableName: aws.String(b.cfg.table), TargetTableName: aws.String(target), RestoreDateTime: aws.Time(at)})
			if err != nil {
				return fmt.Errorf("RestoreTableToPointInTime: %w", err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	r.BackupARN = "pitr:" + at.UTC().Format(time.RFC3339Nano)
	return r, nil
}

// printPITR writes the pitr phase's part of the text report.
func (p *PITRResult) print(w io.Writer) {
	pf := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	pf("## 5. Point-in-time recovery (%d items)", p.Items)
	pf("PutItem load, %d clients, uniformly random existing items; PITR enabled (first base waited for) before each \"on\" window, disabled after", p.Clients)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tPITR\tseconds\tops/s\tp50 ms\tp99 ms\terrors\tserver cores\tother cores\tlag p50 s\tlag p99 s\tlag max s\tbase s\t")
	for _, x := range p.Windows {
		state, lag := "off", "\t\t\t"
		if x.PITR {
			state = "on"
			lag = fmt.Sprintf("%.2f\t%.2f\t%.2f\t%.1f", x.Lag.P50S, x.Lag.P99S, x.Lag.MaxS, x.BaseSeconds)
		}
		fmt.Fprintf(tw, "%d\t%s\t%.1f\t%.0f\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t%s\t\n", x.Round, state, x.Seconds, x.OpsPerSec,
			x.Put.P50MS, x.Put.P99MS, errString(x.Errors), x.Usage.ServerCores, x.Usage.OtherCores, lag)
	}
	tw.Flush()
	verdict := "not met"
	if p.OpsRatio >= 0.95 {
		verdict = "met"
	}
	pf("on / off: %.0f / %.0f ops/s = %.1f%% (target ≥ 95%%: %s)", p.OnOps, p.OffOps, 100*p.OpsRatio, verdict)
	pf("now − LatestRestorableDateTime under load (%d polls, %d failed): min %.2f, p50 %.2f, p99 %.2f, max %.2f, mean %.2f s (AWS: ~5 min)",
		p.Lag.N, p.Lag.Errors, p.Lag.MinS, p.Lag.P50S, p.Lag.P99S, p.Lag.MaxS, p.Lag.MeanS)
	if p.PITRRestore == nil {
		return
	}
	pf("history: PITR enabled afresh (base %.1f s), then %d items (%.0f%%) rewritten in %.1f s (%.0f items/s, time compressed: the amount of history is what matters)",
		p.EnableBaseSecs, p.ChurnItems, 100*p.Churn, p.ChurnSeconds, p.ChurnItemsPerS)
	h := p.History
	pf("  in the repository: %d base(s) (%d records, %s), %d log segments (%d records, %s); %s stored",
		h.Bases, h.BaseRecords, humanBytes(h.BaseLogicalBytes), h.Segments, h.SegmentRecords, humanBytes(h.SegmentBytes), humanBytes(h.StoredBytes))
	if h.OlderBases+h.OlderSegments > 0 {
		pf("  NOT deleted: %d base(s) and %d segment(s) of the table from an earlier enable, committed before this one (see the package doc of pitr.go)",
			h.OlderBases, h.OlderSegments)
	}
	pf("  restore point %s (%.1f s into the rewrite), restorable %.2f s after the rewrite ended", p.RestoreAt, p.RestoreAtOffset, p.RestorableAfter)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "restore\tcall ms\tto ACTIVE s\tserver log s\titems\ttable size\tMB/s\tserver cores\tdisk written\tother cores\t")
	for _, x := range []struct {
		name string
		r    *RestoreRun
	}{{"RestoreTableToPointInTime", p.PITRRestore}, {"RestoreTableFromBackup", p.BackupRestore}} {
		r := x.r
		fmt.Fprintf(tw, "%s\t%.1f\t%.2f\t%.2f\t%d\t%s\t%.1f\t%.2f\t%s\t%.2f\t\n", x.name, r.CallMS, r.ActiveSeconds, r.ServerSeconds,
			r.Items, humanBytes(r.TableSizeBytes), r.LogicalMBps, r.Usage.ServerCores, humanBytes(int64(r.Usage.ServerWriteBytes)), r.Usage.OtherCores)
	}
	tw.Flush()
	verdict = "not met"
	if p.RestoreRatio <= 2 {
		verdict = "met"
	}
	pf("PITR restore / backup restore: %.2f× (target ≤ 2×: %s); source %d items = PITR restore %d items; backup of the source AVAILABLE after %.1f s",
		p.RestoreRatio, verdict, p.SourceItems, p.PITRRestore.Items, p.Backup.AvailableSeconds)
	pf("phase time: %.0f s", p.Seconds)
	pf("")
}
