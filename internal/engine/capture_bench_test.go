package engine

import (
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// BenchmarkPutCapture compares synced single-item puts from many
// goroutines (as BenchmarkMutateParallel: 32 per CPU, group commit) on
// two engines with one table each, change capture off on one and on on
// the other, with the production cache size. To cancel the drift of disk
// and machine speed, the two run in alternating phases of equal size
// within one run (off-on, then on-off, ...). It reports each one's
// writes/s over the run and on/off, the median over the phase pairs of
// the throughput ratio (target >= 0.95).
//
// "shipped" runs a shipper as PITR does (every second: read the log up to
// the resolved timestamp, then trim it); "unshipped" lets the log grow,
// which makes the store twice as large.
func BenchmarkPutCapture(b *testing.B) {
	for _, shipped := range []bool{true, false} {
		b.Run(map[bool]string{true: "shipped", false: "unshipped"}[shipped], func(b *testing.B) {
			benchPutCapture(b, shipped)
		})
	}
}

func benchPutCapture(b *testing.B, shipped bool) {
	saved := minRefImage
	minRefImage = defaultMinRefImage // as in production (TestMain lowers it)
	defer func() { minRefImage = saved }()
	var engines [2]*Engine
	for i, on := range []bool{false, true} {
		e, err := Open(Options{Dir: b.TempDir(), Region: testRegion, AccountID: testAccount, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { e.Close() })
		mustCreate(b, e, spec("B", attr.KindS, attr.KindN))
		if _, _, err := e.SetChangeCapture(bg, "B", on); err != nil {
			b.Fatal(err)
		}
		engines[i] = e
	}
	if shipped {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		defer wg.Wait()
		defer close(stop)
		wg.Go(func() {
			e := engines[1]
			var last clock.Timestamp
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				r := e.ResolvedTimestamp()
				err := e.ReadChanges(bg, "B", last, r, func(Change) error { return nil })
				if err == nil {
					err = e.TrimChanges(bg, "B", r)
				}
				if err != nil {
					b.Error(err)
					return
				}
				last = r
			}
		})
	}
	const phase = 500
	workers := 32 * runtime.GOMAXPROCS(0)
	var next atomic.Int64 // item numbers, shared so keys never repeat
	run := func(e *Engine, n int) time.Duration {
		var left atomic.Int64
		left.Store(int64(n))
		start := time.Now()
		var wg sync.WaitGroup
		for range min(workers, n) {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					i := int(next.Add(1))
					it := benchItem(fmt.Sprintf("user%d", i), i)
					if _, err := e.Mutate(bg, "B", key(it["pk"], it["sk"]), func(attr.Item) (attr.Item, error) { return it, nil }); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		return time.Since(start)
	}
	var elapsed [2]time.Duration
	var done [2]int
	var ratios []float64
	b.ResetTimer()
	for p := 0; done[0]+done[1] < b.N; p++ {
		n := min(phase, (b.N-done[0]-done[1]+1)/2)
		var d [2]time.Duration
		for _, m := range [][2]int{{0, 1}, {1, 0}}[p%2] {
			d[m] = run(engines[m], n)
			elapsed[m] += d[m]
			done[m] += n
		}
		ratios = append(ratios, float64(d[0])/float64(d[1])) // rate on / rate off
	}
	b.StopTimer()
	slices.Sort(ratios)
	b.ReportMetric(float64(done[0])/elapsed[0].Seconds(), "off-writes/s")
	b.ReportMetric(float64(done[1])/elapsed[1].Seconds(), "on-writes/s")
	b.ReportMetric(ratios[len(ratios)/2], "on/off")
}

// BenchmarkReadChanges reads a shipper's second of log: 5,000 puts of
// ~1 KB items over a 50,000-item table, logged as references whose images
// are read from the items (ns/op is per change).
func BenchmarkReadChanges(b *testing.B) {
	e, _ := openTest(b)
	mustCreate(b, e, spec("B", attr.KindS, attr.KindInvalid))
	pad := attr.S(string(make([]byte, 1000)))
	var items []attr.Item
	for i := range 50_000 {
		items = append(items, withAttrs(key(attr.S(fmt.Sprintf("k%06d", i))), "pad", pad))
	}
	putMany(b, e, "B", items)
	captureOn(b, e, "B")
	var writes []attr.Item
	for i := range 5_000 {
		writes = append(writes, withAttrs(key(attr.S(fmt.Sprintf("k%06d", i*7919%50_000))), "pad", pad, "v", num(i)))
	}
	putMany(b, e, "B", writes)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = 0
		if err := e.ReadChanges(bg, "B", 0, allTime, func(Change) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/change")
}
