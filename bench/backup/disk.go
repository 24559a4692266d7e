package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
)

// DiskResult is the disk's sequential write speed: size bytes written in
// 1 MiB blocks to a new file, then fsync'd, like
// `dd if=/dev/urandom of=F bs=1M count=N conv=fsync`.
type DiskResult struct {
	Label        string  `json:"label"`
	Dir          string  `json:"dir"`
	Bytes        int64   `json:"bytes"`
	WriteSeconds float64 `json:"write_seconds"` // write calls (into the page cache)
	SyncSeconds  float64 `json:"fsync_seconds"` // the final fsync
	MBps         float64 `json:"mb_per_s"`      // bytes / (write + fsync)
}

// diskSpeed writes size bytes of random data (so no layer below can
// compress it) to a new file in dir, fsyncs it, and removes it.
func diskSpeed(dir string, size int64, bar *progressbar.ProgressBar) (DiskResult, error) {
	f, err := os.CreateTemp(dir, "disk-speed-*")
	if err != nil {
		return DiskResult{}, err
	}
	name := f.Name()
	defer os.Remove(name)
	defer f.Close()
	const block = 1 << 20
	// 8 MiB of random data, written round-robin with a per-block twist so
	// that no two blocks are equal.
	pool := make([]byte, 8*block)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < len(pool); i += 8 {
		u := r.Uint64()
		for b := range 8 {
			pool[i+b] = byte(u >> (8 * b))
		}
	}
	start := time.Now()
	var written int64
	for n := 0; written < size; n++ {
		chunk := pool[(n%8)*block : (n%8+1)*block]
		chunk[0], chunk[1] = byte(n), byte(n>>8)
		w := min(int64(block), size-written)
		if _, err := f.Write(chunk[:w]); err != nil {
			return DiskResult{}, fmt.Errorf("disk speed test: %w", err)
		}
		written += w
		if bar != nil {
			_ = bar.Add64(w)
		}
	}
	wrote := time.Since(start)
	if err := f.Sync(); err != nil {
		return DiskResult{}, fmt.Errorf("disk speed test: fsync: %w", err)
	}
	total := time.Since(start)
	abs, _ := filepath.Abs(dir)
	return DiskResult{Dir: abs, Bytes: written, WriteSeconds: wrote.Seconds(),
		SyncSeconds: (total - wrote).Seconds(), MBps: mbps(written, total)}, nil
}
