package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/ebbtide/ebbtide/internal/repo"
)

// Day is one iteration of the daily phase.
type Day struct {
	Day              int     `json:"day"`
	ChurnItems       int     `json:"churn_items"`
	ChurnSeconds     float64 `json:"churn_seconds"`
	CreateMS         float64 `json:"create_backup_ms"`
	AvailableSeconds float64 `json:"available_seconds"`
	TableSizeBytes   int64   `json:"table_size_bytes"`
	// AddedBytes is what this backup added to the stored size of the
	// phase's backups: its chunks none of the earlier days references,
	// plus its manifest.
	AddedBytes int64 `json:"added_bytes"`
	// NewStoredBytes is what it added to the whole repository (manifest's
	// new_stored_bytes).
	NewStoredBytes int64 `json:"new_stored_bytes"`
	// ReusedChunks is the fraction of its chunks already referenced by an
	// earlier day.
	ReusedChunks float64 `json:"reused_chunk_fraction"`
	Chunks       int     `json:"chunks"`
	// CumulativeStored is the stored size of days 1..Day.
	CumulativeStored int64   `json:"cumulative_stored_bytes"`
	ServerCores      float64 `json:"server_cores"`
	OtherCores       float64 `json:"other_procs_cores"` // during the backup
}

// Daily is the storage of --days daily backups with --churn.
type Daily struct {
	Days           int     `json:"days"`
	Churn          float64 `json:"churn"`
	Items          int     `json:"items"`
	TableSizeBytes int64   `json:"table_size_bytes"`
	PerDay         []Day   `json:"per_day"`
	// StoredBytes is the stored size of the phase's backups: the distinct
	// chunks they reference plus their manifests.
	StoredBytes  int64 `json:"stored_bytes"`
	Chunks       int   `json:"chunks"`
	LogicalBytes int64 `json:"logical_bytes"` // sum of the backups' logical sizes
	// NaiveBytes = Days × TableSizeBytes: full uncompressed copies.
	NaiveBytes    int64   `json:"naive_bytes"`
	StoredToNaive float64 `json:"stored_to_naive"`
	DedupRatio    float64 `json:"dedup_ratio"` // LogicalBytes / StoredBytes
	// FirstBytes is day 1's stored size (a full, compressed copy);
	// MeanAddedBytes the mean of what days 2..N added.
	FirstBytes     int64 `json:"first_bytes"`
	MeanAddedBytes int64 `json:"mean_added_bytes"`
	// Extrapolated30 is FirstBytes + 29 × MeanAddedBytes, set when fewer
	// than 30 days ran: an estimate, not a measurement.
	Extrapolated30 int64 `json:"extrapolated_30_days_bytes,omitempty"`
	// The backups during which other processes used under idleOther
	// cores: how many, and their median time, throughputs and server CPU.
	QuietDays          int     `json:"quiet_days"`
	QuietMedianSeconds float64 `json:"quiet_median_seconds,omitempty"`
	QuietLogicalMBps   float64 `json:"quiet_logical_mb_per_s,omitempty"`
	QuietRepoMBps      float64 `json:"quiet_repo_mb_per_s,omitempty"`
	QuietServerCores   float64 `json:"quiet_server_cores,omitempty"`
	Seconds            float64 `json:"seconds"`
}

// dailyPhase runs the daily churn + backup iterations.
func (b *bench) dailyPhase(ctx context.Context) error {
	c := b.cfg
	b.settle()
	n := b.items
	k := max(int(math.Round(c.churn*float64(n))), 1)
	res := &Daily{Days: c.days, Churn: c.churn, Items: n}
	set := newChunkSet()
	start := time.Now()
	bar := b.newBar(int64(c.days), "[daily] days", false)
	defer bar.Finish()
	for d := 1; d <= c.days; d++ {
		r := rand.New(rand.NewPCG(c.seed, uint64(d)))
		idx := sample(r, n, k)
		t0 := time.Now()
		v := int(b.version.Add(1)) + 2_000_000
		if err := b.putItems(ctx, k, func(j int) int { return idx[j] }, v, progressbar.DefaultSilent(int64(k))); err != nil {
			return fmt.Errorf("day %d churn: %w", d, err)
		}
		churn := time.Since(t0)
		run, err := b.backup(ctx, fmt.Sprintf("day-%03d", d), "", "")
		if err != nil {
			return fmt.Errorf("day %d: %w", d, err)
		}
		reused := reusedFraction(set, run.manifest)
		added := set.add(run.manifest, run.manifestSize)
		day := Day{Day: d, ChurnItems: k, ChurnSeconds: churn.Seconds(), CreateMS: run.CreateMS,
			AvailableSeconds: run.AvailableSeconds, TableSizeBytes: run.TableSizeBytes, AddedBytes: added,
			NewStoredBytes: run.NewStoredBytes, ReusedChunks: reused, Chunks: run.Chunks,
			CumulativeStored: set.stored(), ServerCores: run.Usage.ServerCores, OtherCores: run.Usage.OtherCores}
		res.PerDay = append(res.PerDay, day)
		res.TableSizeBytes = run.TableSizeBytes
		_ = bar.Add(1)
		bar.Describe(fmt.Sprintf("[daily] day %d: +%s, total %s", d, humanBytes(added), humanBytes(set.stored())))
	}
	res.Seconds = time.Since(start).Seconds()
	res.StoredBytes, res.Chunks, res.LogicalBytes = set.stored(), set.chunks, set.logical
	res.NaiveBytes = int64(res.Days) * res.TableSizeBytes
	if res.NaiveBytes > 0 {
		res.StoredToNaive = float64(res.StoredBytes) / float64(res.NaiveBytes)
	}
	if res.StoredBytes > 0 {
		res.DedupRatio = float64(res.LogicalBytes) / float64(res.StoredBytes)
	}
	res.FirstBytes = res.PerDay[0].AddedBytes
	if len(res.PerDay) > 1 {
		var sum int64
		for _, d := range res.PerDay[1:] {
			sum += d.AddedBytes
		}
		res.MeanAddedBytes = sum / int64(len(res.PerDay)-1)
	}
	if res.Days < 30 {
		res.Extrapolated30 = res.FirstBytes + 29*res.MeanAddedBytes
	}
	var secs, logical, stored, cores []float64
	for _, d := range res.PerDay {
		if d.OtherCores < idleOther {
			secs = append(secs, d.AvailableSeconds)
			logical = append(logical, float64(d.TableSizeBytes)/1e6/d.AvailableSeconds)
			stored = append(stored, float64(d.NewStoredBytes)/1e6/d.AvailableSeconds)
			cores = append(cores, d.ServerCores)
		}
	}
	res.QuietDays = len(secs)
	res.QuietMedianSeconds, res.QuietLogicalMBps = median(secs), median(logical)
	res.QuietRepoMBps, res.QuietServerCores = median(stored), median(cores)
	b.rep.Daily = res
	return nil
}

// sample returns k distinct integers of [0, n), uniformly (Floyd's method).
func sample(r *rand.Rand, n, k int) []int {
	k = min(k, n)
	seen := make(map[int]bool, k)
	out := make([]int, 0, k)
	for j := n - k; j < n; j++ {
		t := r.IntN(j + 1)
		if seen[t] {
			t = j
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// reusedFraction is the fraction of m's chunks already in set.
func reusedFraction(set *chunkSet, m *repo.Manifest) float64 {
	if len(m.Chunks) == 0 {
		return 0
	}
	var hit int
	for _, c := range m.Chunks {
		if set.seen[c.ID] {
			hit++
		}
	}
	return float64(hit) / float64(len(m.Chunks))
}
