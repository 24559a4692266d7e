package repo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo/repotest"
)

// benchStreamSize is the size of the benchmark stream: 256 MiB of ~1 KB
// JSON-ish items (the shape of a table snapshot).
const benchStreamSize = 256 << 20

var benchRecs = sync.OnceValue(func() [][]byte {
	rng := rand.New(rand.NewPCG(77, 77))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
	var out [][]byte
	var n int
	for i := 0; n < benchStreamSize; i++ {
		r := jsonRecord(rng, words, i)
		out = append(out, r)
		n += len(r)
	}
	return out
})

func benchStores(b *testing.B) map[string]func() blob.Store {
	return map[string]func() blob.Store{
		"mem": func() blob.Store { return repotest.NewMemStore() },
		"fs": func() blob.Store {
			s, err := blob.NewFS(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
	}
}

func benchOpen(b *testing.B, s blob.Store, level int) *Repo {
	k, _ := keys.GenerateRootKey()
	r, err := Open(context.Background(), s, k, Options{Logger: quiet(), Compression: level})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func benchWrite(b *testing.B, r *Repo, id string, recs [][]byte, opts ...WriterOption) *Manifest {
	w, err := r.NewWriter(context.Background(), "backup", id, opts...)
	if err != nil {
		b.Fatal(err)
	}
	for _, rec := range recs {
		if err := w.Add(rec); err != nil {
			b.Fatal(err)
		}
	}
	m, err := w.Commit(nil)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkWrite writes the 256 MiB stream into an empty repository (no
// dedup possible) per iteration; MB/s is logical record bytes. "s2-fixed"
// is how PITR writes log segments.
func BenchmarkWrite(b *testing.B) {
	recs := benchRecs()
	for _, name := range []string{"mem", "fs"} {
		for _, lvl := range []struct {
			name  string
			level int
			opts  []WriterOption
		}{
			{"fastest", CompressionFastest, nil},
			{"default", CompressionDefault, nil},
			{"better", CompressionBetter, nil},
			{"s2-fixed", CompressionDefault, []WriterOption{WithCompression(CompressionS2), WithFixedChunks()}},
		} {
			if name == "fs" && lvl.name != "default" && lvl.name != "s2-fixed" {
				continue
			}
			b.Run(name+"/"+lvl.name, func(b *testing.B) {
				var m *Manifest
				b.SetBytes(benchStreamSize)
				for i := 0; b.Loop(); i++ {
					b.StopTimer()
					r := benchOpen(b, benchStores(b)[name](), lvl.level)
					b.StartTimer()
					m = benchWrite(b, r, fmt.Sprint(i), recs, lvl.opts...)
					b.StopTimer()
					r.Close()
					b.StartTimer()
				}
				b.ReportMetric(float64(m.LogicalBytes)/float64(m.StoredBytes), "ratio")
				b.ReportMetric(float64(len(m.Chunks)), "chunks")
			})
		}
	}
}

// BenchmarkWriteDedup rewrites the same stream into a repository that
// already holds it: the incremental-backup case (everything dedups).
func BenchmarkWriteDedup(b *testing.B) {
	recs := benchRecs()
	r := benchOpen(b, repotest.NewMemStore(), CompressionDefault)
	defer r.Close()
	benchWrite(b, r, "base", recs)
	b.SetBytes(benchStreamSize)
	for i := 0; b.Loop(); i++ {
		if m := benchWrite(b, r, fmt.Sprint(i), recs); m.NewStoredBytes != 0 {
			b.Fatalf("stored %d new bytes", m.NewStoredBytes)
		}
	}
}

// BenchmarkRead reads the 256 MiB stream back, verifying everything.
func BenchmarkRead(b *testing.B) {
	recs := benchRecs()
	for _, name := range []string{"mem", "fs"} {
		b.Run(name, func(b *testing.B) {
			r := benchOpen(b, benchStores(b)[name](), CompressionDefault)
			defer r.Close()
			benchWrite(b, r, "x", recs)
			b.SetBytes(benchStreamSize)
			for b.Loop() {
				n := 0
				err := r.Read(context.Background(), "backup", "x", func([]byte) error { n++; return nil })
				if err != nil || n != len(recs) {
					b.Fatal(err, n)
				}
			}
		})
	}
}
