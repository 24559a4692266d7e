package main

import (
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/bench/internal/procstat"
)

// histogram is an HDR-style log-linear latency histogram over nanoseconds:
// values below 256 ns are exact; above, each power of two is split into 128
// linear sub-buckets, so any recorded value is known to within 1/128 (0.8%).
// It is fixed-size, mergeable and cheap to record into, so runs of any
// length use bounded memory.
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	min    int64
	max    int64
	sum    float64
}

const (
	subBits     = 7
	subCount    = 1 << subBits       // 128
	linearLimit = 1 << (subBits + 1) // 256
	histBuckets = linearLimit + 56*subCount
)

func bucketOf(v int64) int {
	if v < linearLimit {
		if v < 0 {
			return 0
		}
		return int(v)
	}
	e := bits.Len64(uint64(v)) - (subBits + 1) // >= 1
	sub := int(uint64(v)>>e) - subCount        // 0..127
	idx := linearLimit + (e-1)*subCount + sub
	if idx >= histBuckets {
		return histBuckets - 1
	}
	return idx
}

// bucketHigh is the largest value that falls into bucket idx (HDR's
// "highest equivalent value").
func bucketHigh(idx int) int64 {
	if idx < linearLimit {
		return int64(idx)
	}
	e := (idx-linearLimit)/subCount + 1
	sub := (idx-linearLimit)%subCount + subCount
	return int64(sub+1)<<e - 1
}

func (h *histogram) record(d time.Duration) {
	v := int64(d)
	h.counts[bucketOf(v)]++
	if h.n == 0 || v < h.min {
		h.min = v
	}
	if v > h.max {
		h.max = v
	}
	h.n++
	h.sum += float64(v)
}

func (h *histogram) merge(o *histogram) {
	if o.n == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	h.sum += o.sum
}

// quantile returns the value at quantile q (0..1), never above the exact max.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max))
		}
	}
	return time.Duration(h.max)
}

func (h *histogram) mean() time.Duration {
	if h.n == 0 {
		return 0
	}
	return time.Duration(h.sum / float64(h.n))
}

// opStats is what one operation type accumulated.
type opStats struct {
	ok     histogram // latency of successful calls
	all    histogram // latency of all calls, errors included
	errors uint64
	empty  uint64 // successful calls that found less than asked for
	codes  map[string]uint64
	sample map[string]string // the first full message of each code
}

func newOpStats() *opStats {
	return &opStats{codes: map[string]uint64{}, sample: map[string]string{}}
}

func (s *opStats) merge(o *opStats) {
	s.ok.merge(&o.ok)
	s.all.merge(&o.all)
	s.errors += o.errors
	s.empty += o.empty
	for k, v := range o.codes {
		s.codes[k] += v
	}
	for k, v := range o.sample {
		if _, ok := s.sample[k]; !ok {
			s.sample[k] = v
		}
	}
}

// workerStats is per worker, so recording takes no lock.
type workerStats struct {
	ops map[string]*opStats
}

func newWorkerStats() *workerStats { return &workerStats{ops: map[string]*opStats{}} }

func (w *workerStats) record(op string, lat time.Duration, empty bool, err error) {
	s, ok := w.ops[op]
	if !ok {
		s = newOpStats()
		w.ops[op] = s
	}
	s.all.record(lat)
	if err != nil {
		s.errors++
		code := errorCode(err)
		s.codes[code]++
		if _, ok := s.sample[code]; !ok {
			msg := err.Error()
			if len(msg) > 400 {
				msg = msg[:400]
			}
			s.sample[code] = msg
		}
		return
	}
	s.ok.record(lat)
	if empty {
		s.empty++
	}
}

// report is the final summary (also written as JSON with --json).
type report struct {
	Endpoint       string            `json:"endpoint"`
	Client         string            `json:"client"`
	Table          string            `json:"table"`
	Clients        int               `json:"clients"`
	Mix            string            `json:"mix"`
	ItemSize       int               `json:"item_size"`
	Payload        string            `json:"payload"`
	Keys           int               `json:"keys"`
	ElapsedSeconds float64           `json:"elapsed_seconds"`
	TotalOps       uint64            `json:"total_ops"`
	OpsPerSec      float64           `json:"ops_per_sec"`
	Errors         uint64            `json:"errors"`
	Operations     []opReport        `json:"operations"`
	Overall        opReport          `json:"overall"`
	ServerPID      int               `json:"server_pid,omitempty"`
	ServerPeakRSS  uint64            `json:"server_peak_rss_bytes,omitempty"`
	ServerVmHWM    uint64            `json:"server_vmhwm_bytes,omitempty"`
	ClientHeap     heapStats         `json:"client_heap"`
	CPU            cpuUsage          `json:"cpu"`
	ErrorCodes     map[string]uint64 `json:"error_codes,omitempty"`
	ErrorSamples   map[string]string `json:"error_samples,omitempty"` // first message per code
}

type opReport struct {
	Op     string `json:"op"`
	Count  uint64 `json:"count"`
	Errors uint64 `json:"errors"`
	// Successful calls that found less than asked for: GetItem without an
	// item, an empty Query/Scan page, BatchGetItem missing keys.
	Empty     uint64  `json:"empty"`
	OpsPerSec float64 `json:"ops_per_sec"`
	// Latencies of successful calls, microseconds.
	MeanUS float64 `json:"mean_us"`
	P50US  float64 `json:"p50_us"`
	P90US  float64 `json:"p90_us"`
	P99US  float64 `json:"p99_us"`
	P999US float64 `json:"p999_us"`
	MaxUS  float64 `json:"max_us"`
}

func us(d time.Duration) float64 { return float64(d) / 1e3 }

func makeOpReport(name string, s *opStats, el time.Duration) opReport {
	h := &s.ok
	return opReport{
		Op: name, Count: s.all.n, Errors: s.errors, Empty: s.empty,
		OpsPerSec: float64(s.all.n) / el.Seconds(),
		MeanUS:    us(h.mean()),
		P50US:     us(h.quantile(0.50)), P90US: us(h.quantile(0.90)),
		P99US: us(h.quantile(0.99)), P999US: us(h.quantile(0.999)),
		MaxUS: us(time.Duration(h.max)),
	}
}

func buildReport(c config, mix opMix, res result, rss *procstat.RSSSampler) report {
	r := report{
		Endpoint: c.endpoint, Client: c.client, Table: c.table, Clients: c.clients, Mix: mix.String(),
		ItemSize: c.itemSize, Payload: c.payload, Keys: c.keys, ElapsedSeconds: res.elapsed.Seconds(),
		ClientHeap: res.heap, CPU: res.cpu, ErrorCodes: map[string]uint64{},
	}
	overall := newOpStats()
	names := make([]string, 0, len(res.ops))
	for n := range res.ops {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := res.ops[n]
		r.Operations = append(r.Operations, makeOpReport(n, s, res.elapsed))
		overall.merge(s)
	}
	r.Overall = makeOpReport("ALL", overall, res.elapsed)
	r.TotalOps = overall.all.n
	r.Errors = overall.errors
	r.OpsPerSec = float64(r.TotalOps) / res.elapsed.Seconds()
	r.ErrorCodes = overall.codes
	r.ErrorSamples = overall.sample
	r.ServerPID = rss.PID()
	r.ServerPeakRSS = rss.Peak()
	// VmHWM is updated lazily by the kernel; never report it below a sample.
	r.ServerVmHWM = max(rss.HWM(), r.ServerPeakRSS)
	return r
}

func fmtUS(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2fs", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.2fms", v/1e3)
	default:
		return fmt.Sprintf("%.0fµs", v)
	}
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "\n== %s (%s client): %d clients, mix %s, %d keys, item ~%d B ==\n", r.Endpoint, r.Client, r.Clients, r.Mix, r.Keys, r.ItemSize)
	fmt.Fprintf(w, "elapsed %.2fs   total ops %d   ops/s %.0f   errors %d\n\n", r.ElapsedSeconds, r.TotalOps, r.OpsPerSec, r.Errors)
	fmt.Fprintf(w, "%-11s %10s %8s %8s %9s %9s %9s %9s %9s %9s %9s\n", "op", "count", "errors", "empty", "ops/s", "mean", "p50", "p90", "p99", "p99.9", "max")
	row := func(o opReport) {
		fmt.Fprintf(w, "%-11s %10d %8d %8d %9.0f %9s %9s %9s %9s %9s %9s\n", o.Op, o.Count, o.Errors, o.Empty, o.OpsPerSec,
			fmtUS(o.MeanUS), fmtUS(o.P50US), fmtUS(o.P90US), fmtUS(o.P99US), fmtUS(o.P999US), fmtUS(o.MaxUS))
	}
	for _, o := range r.Operations {
		row(o)
	}
	fmt.Fprintln(w, strings.Repeat("-", 119))
	row(r.Overall)
	fmt.Fprintln(w, "(latencies are of successful calls; HDR-style histogram, ±0.8%; empty: successful calls that found no/fewer items)")
	if len(r.ErrorCodes) > 0 {
		codes := make([]string, 0, len(r.ErrorCodes))
		for k, v := range r.ErrorCodes {
			codes = append(codes, fmt.Sprintf("%s=%d", k, v))
		}
		sort.Strings(codes)
		fmt.Fprintf(w, "errors by code: %s\n", strings.Join(codes, " "))
		for _, k := range sortedKeys(r.ErrorSamples) {
			fmt.Fprintf(w, "  first %s: %s\n", k, r.ErrorSamples[k])
		}
	}
	fmt.Fprintln(w)
	if r.ServerPID > 0 {
		fmt.Fprintf(w, "server pid %d: peak RSS during run %s (VmHWM, lifetime peak: %s)\n", r.ServerPID, humanBytes(r.ServerPeakRSS), humanBytes(r.ServerVmHWM))
	} else {
		fmt.Fprintln(w, "server RSS: unknown (pass --server-pid, or run against a local endpoint)")
	}
	cpuLine := func(who string, sec float64) {
		perOp := 0.0
		if r.TotalOps > 0 {
			perOp = sec * 1e6 / float64(r.TotalOps)
		}
		fmt.Fprintf(w, "%s CPU: %.1fs = %.2f cores, %.0fµs per op\n", who, sec, sec/r.ElapsedSeconds, perOp)
	}
	cpuLine("client (this process)", r.CPU.ClientSeconds)
	la0, la1 := r.CPU.LoadAvgStart, r.CPU.LoadAvgEnd
	defer fmt.Fprintf(w, "load average (1/5/15 min): start %.2f %.2f %.2f, end %.2f %.2f %.2f\n", la0[0], la0[1], la0[2], la1[0], la1[1], la1[2])
	if r.CPU.ServerSeconds > 0 {
		cpuLine("server", r.CPU.ServerSeconds)
	}
	if m := r.CPU.MachineSeconds; m > 0 {
		other := max(m-r.CPU.ClientSeconds-r.CPU.ServerSeconds, 0)
		fmt.Fprintf(w, "machine CPU: %.2f of %d cores busy; other processes %.2f cores\n",
			m/r.ElapsedSeconds, r.CPU.Cores, other/r.ElapsedSeconds)
	}
	fmt.Fprintf(w, "client Go heap: peak HeapAlloc %s, HeapInuse %s, Sys %s, GCs %d\n",
		humanBytes(r.ClientHeap.PeakHeapAllocBytes), humanBytes(r.ClientHeap.HeapInuseBytes), humanBytes(r.ClientHeap.SysBytes), r.ClientHeap.NumGC)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
