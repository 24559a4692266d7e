// Command report turns bench/load JSON reports (--json) into Markdown tables,
// merging repeated runs: files named NAME.rN.json are one configuration run N
// times, shown as the median with the range (min–max) of the runs.
//
//	go run ./bench/report /tmp/ebbtide-perf-out/*.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// loadReport is the part of bench/load's JSON report used here.
type loadReport struct {
	Client         string  `json:"client"`
	Clients        int     `json:"clients"`
	Mix            string  `json:"mix"`
	ItemSize       int     `json:"item_size"`
	Keys           int     `json:"keys"`
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	TotalOps       uint64  `json:"total_ops"`
	OpsPerSec      float64 `json:"ops_per_sec"`
	Errors         uint64  `json:"errors"`
	Overall        struct {
		P50US  float64 `json:"p50_us"`
		P99US  float64 `json:"p99_us"`
		P999US float64 `json:"p999_us"`
	} `json:"overall"`
	ServerPeakRSS uint64 `json:"server_peak_rss_bytes"`
	CPU           struct {
		ClientSeconds  float64    `json:"client_cpu_seconds"`
		ServerSeconds  float64    `json:"server_cpu_seconds"`
		MachineSeconds float64    `json:"machine_cpu_seconds"`
		LoadAvgStart   [3]float64 `json:"loadavg_start"`
	} `json:"cpu"`
}

var repeatSuffix = regexp.MustCompile(`\.r[0-9]+$`)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: report FILE.json...")
		os.Exit(2)
	}
	groups := map[string][]loadReport{}
	var order []string
	for _, path := range os.Args[1:] {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		var r loadReport
		if err := json.Unmarshal(b, &r); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
			os.Exit(1)
		}
		name := repeatSuffix.ReplaceAllString(strings.TrimSuffix(filepath.Base(path), ".json"), "")
		if _, ok := groups[name]; !ok {
			order = append(order, name)
		}
		groups[name] = append(groups[name], r)
	}
	sort.Strings(order)
	printTable(os.Stdout, order, groups)
}

func printTable(w io.Writer, order []string, groups map[string][]loadReport) {
	fmt.Fprintln(w, "| run | client | clients | mix | item B | keys | n | ops/s median (range) | p50 ms | p99 ms (range) | p99.9 ms | errors | server peak RSS MiB | server cores | server µs/op | client cores | client µs/op | other procs cores (range) | load avg at start |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, name := range order {
		rs := groups[name]
		r0 := rs[0]
		get := func(f func(loadReport) float64) []float64 {
			v := make([]float64, len(rs))
			for i, r := range rs {
				v[i] = f(r)
			}
			sort.Float64s(v)
			return v
		}
		ops := get(func(r loadReport) float64 { return r.OpsPerSec })
		p50 := get(func(r loadReport) float64 { return r.Overall.P50US / 1e3 })
		p99 := get(func(r loadReport) float64 { return r.Overall.P99US / 1e3 })
		p999 := get(func(r loadReport) float64 { return r.Overall.P999US / 1e3 })
		rss := get(func(r loadReport) float64 { return float64(r.ServerPeakRSS) / (1 << 20) })
		srv := get(func(r loadReport) float64 { return r.CPU.ServerSeconds / r.ElapsedSeconds })
		cli := get(func(r loadReport) float64 { return r.CPU.ClientSeconds / r.ElapsedSeconds })
		srvOp := get(func(r loadReport) float64 { return r.CPU.ServerSeconds * 1e6 / float64(max(r.TotalOps, 1)) })
		cliOp := get(func(r loadReport) float64 { return r.CPU.ClientSeconds * 1e6 / float64(max(r.TotalOps, 1)) })
		la := get(func(r loadReport) float64 { return r.CPU.LoadAvgStart[0] })
		other := get(otherCores)
		otherS := withRange(other, "%.2f")
		if rs[0].CPU.MachineSeconds == 0 {
			otherS = "n/a" // a report from before machine CPU was recorded
		}
		var errs uint64
		for _, r := range rs {
			errs += r.Errors
		}
		fmt.Fprintf(w, "| %s | %s | %d | %s | %d | %d | %d | %s | %.2f | %s | %.1f | %d | %.0f | %.2f | %.0f | %.2f | %.0f | %s | %s |\n",
			name, r0.Client, r0.Clients, r0.Mix, r0.ItemSize, r0.Keys, len(rs),
			withRange(ops, "%.0f"), median(p50), withRange(p99, "%.1f"), median(p999), errs,
			rss[len(rss)-1], median(srv), median(srvOp), median(cli), median(cliOp), otherS, rangeOf(la, "%.1f"))
	}
}

// otherCores is the CPU other processes used during a run, in cores (0
// when the report has no machine CPU).
func otherCores(r loadReport) float64 {
	if r.CPU.MachineSeconds == 0 {
		return 0
	}
	return max(r.CPU.MachineSeconds-r.CPU.ClientSeconds-r.CPU.ServerSeconds, 0) / r.ElapsedSeconds
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// withRange formats the median of sorted v and, with several values, the
// range: "6120 (5890–6400)".
func withRange(v []float64, f string) string {
	s := fmt.Sprintf(f, median(v))
	if len(v) > 1 {
		s += " (" + rangeOf(v, f) + ")"
	}
	return s
}

func rangeOf(v []float64, f string) string {
	if len(v) == 1 {
		return fmt.Sprintf(f, v[0])
	}
	return fmt.Sprintf(f+"–"+f, v[0], v[len(v)-1])
}
