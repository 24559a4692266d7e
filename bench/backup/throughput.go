package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// quietLimit bounds how long a phase waits for the server's background
// work (memtable flushes, compactions) of the previous phase to end.
const quietLimit = 3 * time.Minute

// LatencyPoint is the CreateBackup latency at one table size.
type LatencyPoint struct {
	TargetBytes    int64          `json:"target_bytes"`
	TableSizeBytes int64          `json:"table_size_bytes"`
	Items          int            `json:"items"`
	CreateBackup   LatencySummary `json:"create_backup"`
	// Seconds from CreateBackup to AVAILABLE of each call.
	AvailableSeconds []float64 `json:"available_seconds"`
	// MedianAvailableSeconds is their median.
	MedianAvailableSeconds float64 `json:"median_available_seconds"`
}

// latencyPhase grows the table through --sizes and calls CreateBackup
// --calls times at each size, waiting for each backup. It returns the
// first backup at the full size (nil if the last size is smaller), which
// the throughput phase reports; the later calls at that size are repeat
// backups of an unchanged table.
func (b *bench) latencyPhase(ctx context.Context) (*BackupRun, error) {
	c := b.cfg
	var first *BackupRun
	for si, target := range c.sizes {
		size, err := b.loadTo(ctx, target)
		if err != nil {
			return nil, err
		}
		b.settle()
		full := target == c.size
		p := LatencyPoint{TargetBytes: target, TableSizeBytes: size, Items: b.items}
		var lat []time.Duration
		for call := 1; call <= c.calls; call++ {
			profile := ""
			if full && call == 1 && c.profileDir != "" {
				profile = "backup"
			}
			label := fmt.Sprintf("[latency %d/%d] %s table: backup %d/%d", si+1, len(c.sizes), humanBytes(size), call, c.calls)
			run, err := b.backup(ctx, fmt.Sprintf("latency-%d-%d", si, call), label, profile)
			if err != nil {
				return nil, err
			}
			run.waitProfile()
			lat = append(lat, time.Duration(run.CreateMS*float64(time.Millisecond)))
			p.AvailableSeconds = append(p.AvailableSeconds, run.AvailableSeconds)
			if full {
				if call == 1 {
					first = run
				} else {
					b.rep.repeats = append(b.rep.repeats, run)
				}
			}
		}
		p.CreateBackup = summarize(lat)
		p.MedianAvailableSeconds = median(p.AvailableSeconds)
		b.rep.Latency = append(b.rep.Latency, p)
		b.status("%s: CreateBackup p50 %.2f ms, p99 %.2f ms; backup to AVAILABLE median %.2f s",
			humanBytes(size), p.CreateBackup.P50MS, p.CreateBackup.P99MS, p.MedianAvailableSeconds)
	}
	return first, nil
}

// median returns the median of v (0 for none).
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	for i := 1; i < len(s); i++ { // insertion sort: a handful of values
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Throughput is the backup and restore throughput of the full-size table.
type Throughput struct {
	// First is the first backup of the table (every chunk new).
	First *BackupRun `json:"first_backup"`
	// Repeat summarizes the later backups of the unchanged table (every
	// chunk already stored): seconds to AVAILABLE and logical MB/s.
	RepeatCount       int     `json:"repeat_backups"`
	RepeatSeconds     float64 `json:"repeat_median_seconds,omitempty"`
	RepeatLogicalMBps float64 `json:"repeat_logical_mb_per_s,omitempty"`
	RepeatServerCores float64 `json:"repeat_server_cores,omitempty"`
	// Restore is the restore attempt with the least CPU used by other
	// processes; Restores all of them (--repeat).
	Restore  *RestoreRun   `json:"restore"`
	Restores []*RestoreRun `json:"restores"`
}

// RestoreRun is one RestoreTableFromBackup, waited for until ACTIVE.
type RestoreRun struct {
	Attempt          int     `json:"attempt"`
	BackupARN        string  `json:"backup_arn"`
	Table            string  `json:"table"`
	CallMS           float64 `json:"restore_call_ms"`
	ActiveSeconds    float64 `json:"active_seconds"`
	ServerSeconds    float64 `json:"server_seconds,omitempty"` // the server's logged restore duration
	Items            int64   `json:"items"`
	TableSizeBytes   int64   `json:"table_size_bytes"`
	LogicalMBps      float64 `json:"logical_mb_per_s"`
	DiskMBps         float64 `json:"disk_mb_per_s"`              // the disk test just before
	DiskLimitSeconds float64 `json:"disk_limit_seconds"`         // TableSizeBytes at DiskMBps
	DiskLimitRatio   float64 `json:"restore_to_disk_ratio"`      // ActiveSeconds / DiskLimitSeconds
	WriteAmp         float64 `json:"server_write_amplification"` // disk bytes written / TableSizeBytes
	Usage            Usage   `json:"usage"`
	// After ACTIVE: the time until the server is idle again (compactions
	// of the loaded data) and what it used meanwhile.
	SettleSeconds float64 `json:"settle_seconds"`
	SettleUsage   Usage   `json:"settle_usage"`
}

// throughputPhase reports the first full backup (taking one if the
// latency phase did not) and restores it.
func (b *bench) throughputPhase(ctx context.Context, first *BackupRun) error {
	c := b.cfg
	if first == nil {
		b.settle()
		profile := ""
		if c.profileDir != "" {
			profile = "backup"
		}
		var err error
		if first, err = b.backup(ctx, "full-1", "[throughput] first full backup", profile); err != nil {
			return err
		}
		first.waitProfile()
	}
	t := &Throughput{First: first, RepeatCount: len(b.rep.repeats)}
	if len(b.rep.repeats) > 0 {
		var secs, mbs, cores []float64
		for _, r := range b.rep.repeats {
			secs = append(secs, r.AvailableSeconds)
			mbs = append(mbs, r.LogicalMBps)
			cores = append(cores, r.Usage.ServerCores)
		}
		t.RepeatSeconds, t.RepeatLogicalMBps, t.RepeatServerCores = median(secs), median(mbs), median(cores)
	}
	b.rep.Throughput = t
	b.status("first backup: %s in %.1f s (%.1f MB/s logical, %s new in the repository)",
		humanBytes(first.TableSizeBytes), first.AvailableSeconds, first.LogicalMBps, humanBytes(first.NewStoredBytes))

	for a := 1; a <= c.repeat; a++ {
		b.settle()
		var disk float64
		if c.diskTest > 0 {
			d, err := b.diskTest(fmt.Sprintf("disk speed (before restore %d)", a))
			if err != nil {
				return err
			}
			b.rep.Disk = append(b.rep.Disk, d)
			disk = d.MBps
		}
		profile := ""
		if c.profileDir != "" && a == 1 {
			profile = "restore"
		}
		r, err := b.restore(ctx, first, fmt.Sprintf("%s-restored-%d", c.table, a), profile)
		if err != nil {
			return err
		}
		r.Attempt = a
		if disk > 0 {
			r.DiskMBps = disk
			r.DiskLimitSeconds = float64(r.TableSizeBytes) / 1e6 / disk
			r.DiskLimitRatio = r.ActiveSeconds / r.DiskLimitSeconds
		}
		t.Restores = append(t.Restores, r)
		if t.Restore == nil || r.Usage.OtherCores < t.Restore.Usage.OtherCores {
			t.Restore = r
		}
		b.status("restore %d: %s in %.1f s (%.1f MB/s), other processes %.2f cores", a, humanBytes(r.TableSizeBytes),
			r.ActiveSeconds, r.LogicalMBps, r.Usage.OtherCores)
	}
	return nil
}

// restore restores backup into a new table and waits until it is ACTIVE
// (a bar counts the items loaded), then until the server is idle again.
func (b *bench) restore(ctx context.Context, backup *BackupRun, target, profile string) (*RestoreRun, error) {
	wait := b.profile(ctx, profile)
	defer wait()
	r, err := b.runRestore(ctx, target, "[throughput] restoring "+humanBytes(backup.TableSizeBytes), backup.Items,
		func(ctx context.Context) error {
			_, err := b.db.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
				BackupArn: aws.String(backup.ARN), TargetTableName: aws.String(target)})
			if err != nil {
				return fmt.Errorf("RestoreTableFromBackup: %w", err)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	r.BackupARN = backup.ARN
	return r, nil
}

// runRestore starts a restore into target with start (the API call, timed
// as CallMS), waits until target is ACTIVE (a bar labelled label counts
// the items loaded), checks that it holds want items, then waits until the
// server is idle again.
func (b *bench) runRestore(ctx context.Context, target, label string, want int64, start func(context.Context) error) (*RestoreRun, error) {
	m := startMeter(b.srv.pid(), b.rss)
	t0 := time.Now()
	if err := start(ctx); err != nil {
		return nil, err
	}
	call := time.Since(t0)
	bar := b.newBar(want, label, false)
	var td *types.TableDescription
	for {
		var err error
		td, err = b.describeTable(ctx, target)
		if err != nil {
			_ = bar.Finish()
			var nf *types.ResourceNotFoundException
			if errors.As(err, &nf) {
				return nil, fmt.Errorf("restore into %s failed: the table was dropped (see the server log)", target)
			}
			return nil, err
		}
		_ = bar.Set64(min(aws.ToInt64(td.ItemCount), want))
		if td.TableStatus == types.TableStatusActive {
			break
		}
		if err := sleep(ctx, b.pollInterval(t0)); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0)
	_ = bar.Finish()
	r := &RestoreRun{Table: target, CallMS: ms(call), ActiveSeconds: el.Seconds(), Usage: m.stop(),
		Items: aws.ToInt64(td.ItemCount), TableSizeBytes: aws.ToInt64(td.TableSizeBytes)}
	if r.Items != want {
		return nil, fmt.Errorf("restored table %s has %d items, want %d", target, r.Items, want)
	}
	r.ServerSeconds = serverLogDuration(b.srv.logPath, "table="+target, "restore complete", "restore finished")
	r.LogicalMBps = mbps(r.TableSizeBytes, el)
	if r.TableSizeBytes > 0 {
		r.WriteAmp = float64(r.Usage.ServerWriteBytes) / float64(r.TableSizeBytes)
	}
	b.status("restore ACTIVE after %.1f s; waiting for the server to settle", el.Seconds())
	sm := startMeter(b.srv.pid(), b.rss)
	r.SettleSeconds = waitQuiet(b.srv.pid(), quietLimit).Seconds()
	r.SettleUsage = sm.stop()
	return r, nil
}
