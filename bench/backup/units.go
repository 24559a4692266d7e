package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Sizes are decimal throughout (MB = 10^6 bytes, as dd reports speeds);
// KiB/MiB/GiB are accepted on input too.

// parseSize parses "10MB", "1GB", "1.5GiB", "4096" (bytes).
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if len(t) > len(u.suffix) && strings.EqualFold(t[len(t)-len(u.suffix):], u.suffix) {
			mult, t = u.mult, strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) {
		return 0, fmt.Errorf("bad size %q (want e.g. 100MB, 1GB, 512MiB)", s)
	}
	return int64(v * mult), nil
}

// parseSizes parses a comma-separated list of sizes.
func parseSizes(s string) ([]int64, error) {
	var out []int64
	for _, f := range strings.Split(s, ",") {
		if strings.TrimSpace(f) == "" {
			continue
		}
		v, err := parseSize(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// humanBytes formats b in decimal units.
func humanBytes[T int64 | uint64 | int](b T) string {
	v := float64(b)
	switch {
	case v >= 1e12:
		return fmt.Sprintf("%.2f TB", v/1e12)
	case v >= 1e9:
		return fmt.Sprintf("%.2f GB", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1f MB", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f kB", v/1e3)
	}
	return fmt.Sprintf("%d B", int64(v))
}

// mbps is bytes per second in MB/s.
func mbps[T int64 | uint64](bytes T, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(bytes) / 1e6 / d.Seconds()
}

// ms is a duration in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// LatencySummary summarizes a set of latencies (milliseconds).
type LatencySummary struct {
	N      int     `json:"n"`
	MinMS  float64 `json:"min_ms"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// summarize sorts d and returns its summary. Quantiles are nearest-rank:
// with fewer than 100 values the p99 is the maximum.
func summarize(d []time.Duration) LatencySummary {
	if len(d) == 0 {
		return LatencySummary{}
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	q := func(p float64) float64 {
		k := int(math.Ceil(p*float64(len(d)))) - 1
		return ms(d[min(max(k, 0), len(d)-1)])
	}
	var sum time.Duration
	for _, v := range d {
		sum += v
	}
	return LatencySummary{N: len(d), MinMS: ms(d[0]), P50MS: q(0.50), P90MS: q(0.90), P99MS: q(0.99),
		MaxMS: ms(d[len(d)-1]), MeanMS: ms(sum) / float64(len(d))}
}
