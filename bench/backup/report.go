package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is everything a run measured; printed as text and, with --json,
// written as JSON.
type Report struct {
	Started        time.Time `json:"started"`
	Command        string    `json:"command"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	Machine        Machine   `json:"machine"`
	Config         struct {
		SizeBytes     int64   `json:"size_bytes"`
		LatencySizes  []int64 `json:"latency_sizes_bytes"`
		CallsPerSize  int     `json:"calls_per_size"`
		ItemSize      int     `json:"item_size"`
		LoadClients   int     `json:"load_clients"`
		Clients       int     `json:"clients"`
		LoadDuration  float64 `json:"load_duration_seconds"`
		Days          int     `json:"days"`
		Churn         float64 `json:"churn"`
		PITRRounds    int     `json:"pitr_rounds"`
		PITRChurn     float64 `json:"pitr_churn"`
		DiskTestBytes int64   `json:"disk_test_bytes"`
		Phases        string  `json:"phases"`
		Repeat        int     `json:"repeat"`
		IdleWait      float64 `json:"wait_idle_machine_seconds"`
		Seed          uint64  `json:"seed"`
	} `json:"config"`
	Server struct {
		Binary          string `json:"binary"`
		Endpoint        string `json:"endpoint"`
		PID             int    `json:"pid"`
		DataDir         string `json:"data_dir"`
		Log             string `json:"log"`
		LifetimePeakRSS uint64 `json:"lifetime_peak_rss_bytes"`
		DataDirBytes    int64  `json:"data_dir_bytes"`
	} `json:"server"`
	Disk         []DiskResult   `json:"disk"`
	Load         []LoadStep     `json:"load"`
	Latency      []LatencyPoint `json:"create_backup_latency,omitempty"`
	Throughput   *Throughput    `json:"throughput,omitempty"`
	Live         *Live          `json:"live,omitempty"` // the attempt with the least other-process CPU
	LiveAttempts []*Live        `json:"live_attempts,omitempty"`
	Daily        *Daily         `json:"daily,omitempty"`
	PITR         *PITRResult    `json:"pitr,omitempty"`
	Repository   *RepoStats     `json:"repository"`
	Profiles     []string       `json:"profiles,omitempty"`

	repeats []*BackupRun // repeat backups of the full-size table (latency phase)
}

// Machine describes where the run took place.
type Machine struct {
	CPUs        int    `json:"cpus"`
	CPUModel    string `json:"cpu_model"`
	MemoryBytes int64  `json:"memory_bytes"`
	Kernel      string `json:"kernel"`
	OS          string `json:"os"`
	GoVersion   string `json:"go_version"`
}

func newReport(c config, start time.Time) *Report {
	r := &Report{Started: start, Command: strings.Join(os.Args, " "), Machine: machineInfo()}
	r.Config.SizeBytes, r.Config.LatencySizes, r.Config.CallsPerSize = c.size, c.sizes, c.calls
	r.Config.ItemSize, r.Config.LoadClients, r.Config.Clients = c.itemSize, c.loadClients, c.clients
	r.Config.LoadDuration, r.Config.Days, r.Config.Churn = c.loadDuration.Seconds(), c.days, c.churn
	r.Config.DiskTestBytes, r.Config.Phases, r.Config.Seed = c.diskTest, c.phasesFlag, c.seed
	r.Config.Repeat, r.Config.IdleWait = c.repeat, c.idleWait.Seconds()
	r.Config.PITRRounds, r.Config.PITRChurn = c.pitrRounds, c.pitrChurn
	return r
}

// String is the one-line form of a disk test in the text report.
func (d DiskResult) String() string {
	return fmt.Sprintf("%s: %s in %.2f s (write %.2f s + fsync %.2f s) = %.0f MB/s",
		d.Label, humanBytes(d.Bytes), d.WriteSeconds+d.SyncSeconds, d.WriteSeconds, d.SyncSeconds, d.MBps)
}

// print writes the text report.
func (r *Report) print(w io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	p("# Ebbtide backup benchmark, %s", r.Started.UTC().Format(time.RFC3339))
	p("command: %s", r.Command)
	m := r.Machine
	p("machine: %d CPUs (%s), %s memory, Linux %s, %s", m.CPUs, m.CPUModel, humanBytes(m.MemoryBytes), m.Kernel, m.GoVersion)
	p("server: %s (pid %d) on %s, data %s", r.Server.Binary, r.Server.PID, r.Server.Endpoint, r.Server.DataDir)
	p("sizes are decimal: 1 MB = 10^6 bytes; table sizes are DescribeTable's TableSizeBytes")
	for _, d := range r.Disk {
		p("disk: %s", d)
	}
	p("")
	if len(r.Load) > 0 {
		p("## Loading (BatchWriteItem, 25 items a request, %d goroutines, %d-byte items)", r.Config.LoadClients, r.Config.ItemSize)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "target\titems written\ttable items\ttable size\tseconds\titems/s\tMB/s\tserver cores\t")
		for _, s := range r.Load {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.1f\t%.0f\t%.1f\t%.2f\t\n", humanBytes(s.TargetBytes), s.ItemsWritten, s.Items,
				humanBytes(s.TableSizeBytes), s.Seconds, s.ItemsPerSecond, s.MBps, s.Usage.ServerCores)
		}
		tw.Flush()
		p("")
	}
	if len(r.Latency) > 0 {
		p("## 1. CreateBackup latency vs table size (%d calls per size, each backup waited for)", r.Config.CallsPerSize)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "table size\titems\tcalls\tmin ms\tp50 ms\tp99 ms\tmax ms\tto AVAILABLE median s\t")
		for _, l := range r.Latency {
			c := l.CreateBackup
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", humanBytes(l.TableSizeBytes), l.Items, c.N,
				c.MinMS, c.P50MS, c.P99MS, c.MaxMS, l.MedianAvailableSeconds)
		}
		tw.Flush()
		if n := len(r.Latency); n > 1 {
			a, b := r.Latency[0], r.Latency[n-1]
			p("p50 at %s / p50 at %s: %.2f× for %.0f× the data (p99 with fewer than 100 calls is the maximum)",
				humanBytes(b.TableSizeBytes), humanBytes(a.TableSizeBytes), b.CreateBackup.P50MS/a.CreateBackup.P50MS,
				float64(b.TableSizeBytes)/float64(a.TableSizeBytes))
		}
		p("")
	}
	if t := r.Throughput; t != nil {
		f := t.First
		p("## 2. Backup and restore throughput (%s table, %d items)", humanBytes(f.TableSizeBytes), f.Items)
		p("first backup (all chunks new): CreateBackup %.2f ms, AVAILABLE after %.2f s%s", f.CreateMS, f.AvailableSeconds, serverSecs(f.ServerSeconds))
		p("  logical %s → %.1f MB/s; stream %s; written to the repository %s (%.0f%% of logical) → %.1f MB/s; %d chunks",
			humanBytes(f.TableSizeBytes), f.LogicalMBps, humanBytes(f.StreamBytes), humanBytes(f.NewStoredBytes),
			100*float64(f.NewStoredBytes)/float64(max(f.TableSizeBytes, 1)), f.RepoMBps, f.Chunks)
		p("  %s", f.Usage)
		if t.RepeatCount > 0 {
			p("repeat backups of the unchanged table (every chunk deduplicated, %d): median %.2f s → %.1f MB/s logical, server %.2f cores",
				t.RepeatCount, t.RepeatSeconds, t.RepeatLogicalMBps, t.RepeatServerCores)
		}
		if len(t.Restores) > 1 {
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "restore attempt\tto ACTIVE s\tMB/s\tdisk MB/s\t× disk limit\tserver cores\tother cores\t")
			for _, rs := range t.Restores {
				fmt.Fprintf(tw, "%d\t%.2f\t%.1f\t%.0f\t%.1f\t%.2f\t%.2f\t\n", rs.Attempt, rs.ActiveSeconds, rs.LogicalMBps,
					rs.DiskMBps, rs.DiskLimitRatio, rs.Usage.ServerCores, rs.Usage.OtherCores)
			}
			tw.Flush()
		}
		if rs := t.Restore; rs != nil {
			which := ""
			if len(t.Restores) > 1 {
				which = fmt.Sprintf(" (attempt %d: least CPU of other processes)", rs.Attempt)
			}
			p("restore%s: RestoreTableFromBackup %.2f ms, ACTIVE after %.2f s%s → %.1f MB/s logical (%d items, %s)",
				which, rs.CallMS, rs.ActiveSeconds, serverSecs(rs.ServerSeconds), rs.LogicalMBps, rs.Items, humanBytes(rs.TableSizeBytes))
			if rs.DiskMBps > 0 {
				p("  disk limit: %s at %.0f MB/s = %.2f s; restore time / disk limit = %.1f×",
					humanBytes(rs.TableSizeBytes), rs.DiskMBps, rs.DiskLimitSeconds, rs.DiskLimitRatio)
			}
			p("  server wrote %s to disk during the restore (%.2f× the table size)", humanBytes(rs.Usage.ServerWriteBytes), rs.WriteAmp)
			p("  %s", rs.Usage)
			p("  after ACTIVE: %.1f s until the server was idle, %s more written, %.1f s server CPU",
				rs.SettleSeconds, humanBytes(rs.SettleUsage.ServerWriteBytes), rs.SettleUsage.ServerCPUSeconds)
		}
		p("")
	}
	if l := r.Live; l != nil {
		p("## 3. Live table during a backup (%d clients, GetItem/PutItem 50/50, %d items)", l.Clients, l.Items)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "attempt\twindow\tseconds\tops\tops/s\tp50 ms\tp99 ms\tget p99\tput p99\terrors\tserver cores\ttool cores\tother cores\t")
		for _, a := range r.LiveAttempts {
			for _, x := range []struct {
				name string
				w    LiveWindow
			}{{"baseline", a.Baseline}, {"during backup", a.During}} {
				fmt.Fprintf(tw, "%d\t%s\t%.1f\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t%.2f\t\n", a.Attempt, x.name,
					x.w.Seconds, x.w.Ops, x.w.OpsPerSec, x.w.All.P50MS, x.w.All.P99MS, x.w.Get.P99MS, x.w.Put.P99MS,
					errString(x.w.Errors), x.w.Usage.ServerCores, x.w.Usage.ToolCores, x.w.Usage.OtherCores)
			}
		}
		tw.Flush()
		for _, a := range r.LiveAttempts {
			verdict := "met"
			if a.OpsRatio < 0.9 {
				verdict = "NOT met"
			}
			chosen := ""
			if a == l && len(r.LiveAttempts) > 1 {
				chosen = " (the result: least CPU of other processes)"
			}
			p("attempt %d%s: during / baseline %.1f%% of the ops/s (target ≥ 90%%: %s); p99 %.2f× the baseline's; backup AVAILABLE after %.2f s, %.1f MB/s logical",
				a.Attempt, chosen, 100*a.OpsRatio, verdict, a.During.All.P99MS/max(a.Baseline.All.P99MS, 1e-9),
				a.Backup.AvailableSeconds, a.Backup.LogicalMBps)
		}
		p("")
	}
	if d := r.Daily; d != nil {
		p("## 4. Storage of %d daily backups, %.1f%% of the items rewritten each day (%s table, %d items)",
			d.Days, 100*d.Churn, humanBytes(d.TableSizeBytes), d.Items)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "day\tchurn s\tCreateBackup ms\tto AVAILABLE s\tserver cores\tother cores\tchunks\treused\tadded\tcumulative\t")
		for _, x := range d.PerDay {
			fmt.Fprintf(tw, "%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t%.1f%%\t%s\t%s\t\n", x.Day, x.ChurnSeconds, x.CreateMS,
				x.AvailableSeconds, x.ServerCores, x.OtherCores, x.Chunks, 100*x.ReusedChunks, humanBytes(x.AddedBytes),
				humanBytes(x.CumulativeStored))
		}
		tw.Flush()
		p("stored: %s for %d backups (%d distinct chunks) vs %d × table size = %s: %.1f%%; dedup ratio (logical / stored) %.2f×",
			humanBytes(d.StoredBytes), d.Days, d.Chunks, d.Days, humanBytes(d.NaiveBytes), 100*d.StoredToNaive, d.DedupRatio)
		if d.QuietDays > 0 {
			p("backups with other processes under %.2f cores (%d of %d days): median %.2f s to AVAILABLE = %.1f MB/s logical, %.1f MB/s to the repository, server %.2f cores",
				idleOther, d.QuietDays, d.Days, d.QuietMedianSeconds, d.QuietLogicalMBps, d.QuietRepoMBps, d.QuietServerCores)
		}
		p("day 1 (full, compressed): %s; mean added per later day: %s (%.1f%% of day 1)", humanBytes(d.FirstBytes),
			humanBytes(d.MeanAddedBytes), 100*float64(d.MeanAddedBytes)/float64(max(d.FirstBytes, 1)))
		if d.Extrapolated30 > 0 {
			p("EXTRAPOLATED to 30 days (day 1 + 29 × mean added; not measured): %s vs 30 × table size = %s (%.1f%%)",
				humanBytes(d.Extrapolated30), humanBytes(30*d.TableSizeBytes), 100*float64(d.Extrapolated30)/float64(30*d.TableSizeBytes))
		}
		p("phase time: %.0f s", d.Seconds)
		p("")
	}
	if r.PITR != nil {
		r.PITR.print(w)
	}
	if s := r.Repository; s != nil {
		p("## Repository at the end (all phases)")
		p("%d snapshots, logical %s, stored %s (chunks %s, manifests %s, %d chunks), dedup ratio %.2f×; files on disk %s",
			s.Snapshots, humanBytes(s.LogicalBytes), humanBytes(s.StoredBytes), humanBytes(s.ChunkBytes),
			humanBytes(s.ManifestBytes), s.Chunks, s.DedupRatio, humanBytes(s.DirBytes))
	}
	p("server: lifetime peak RSS %s; data dir %s at the end", humanBytes(r.Server.LifetimePeakRSS), humanBytes(r.Server.DataDirBytes))
	for _, pr := range r.Profiles {
		p("profile: %s  (go tool pprof -top %s %s)", pr, r.Server.Binary, pr)
	}
	p("total time: %.0f s", r.ElapsedSeconds)
}

func serverSecs(s float64) string {
	if s == 0 {
		return ""
	}
	return fmt.Sprintf(" (server log: %.2f s)", s)
}

func errString(m map[string]int) string {
	if len(m) == 0 {
		return "0"
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	return strings.Join(parts, ",")
}
