package repo

import (
	"bytes"
	"context"
	"testing"
)

// A writer's WithCompression level decides how its new chunks are
// compressed; every level reads back, and the same data at the fastest
// level is stored larger than at the better level, and S2 larger than
// the fastest zstd (the levels really differ).
func TestWriterCompressionLevels(t *testing.T) {
	e := newEnv(t, smallChunks)
	r := e.open(e.key, smallChunks)
	sizes := map[int]int64{}
	for i, level := range []int{CompressionFastest, CompressionDefault, CompressionBetter, CompressionS2} {
		// Different seeds: chunks are not deduplicated across levels.
		recs := jsonRecords(uint64(100+i), 400)
		m := write(t, r, "backup", "level", recs, WithCompression(level))
		if m.StoredBytes >= m.LogicalBytes {
			t.Fatalf("level %d: stored %d of %d logical bytes: not compressed", level, m.StoredBytes, m.LogicalBytes)
		}
		sizes[level] = m.StoredBytes
		got, err := readAll(r, "backup", "level")
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(recs) {
			t.Fatalf("level %d: %d records read, want %d", level, len(got), len(recs))
		}
		for j := range recs {
			if !bytes.Equal(got[j], recs[j]) {
				t.Fatalf("level %d: record %d differs", level, j)
			}
		}
		if err := r.Delete(context.Background(), "backup", "level"); err != nil {
			t.Fatal(err)
		}
	}
	if sizes[CompressionFastest] <= sizes[CompressionBetter] || sizes[CompressionS2] <= sizes[CompressionFastest] {
		t.Fatalf("stored bytes S2 %d, fastest %d, better %d: levels not applied",
			sizes[CompressionS2], sizes[CompressionFastest], sizes[CompressionBetter])
	}
}

// Options.Compression is a zstd level (manifests are zstd): S2 or an
// unknown level is refused at Open.
func TestOpenRefusesNonZstdLevel(t *testing.T) {
	e := newEnv(t, smallChunks)
	for _, level := range []int{CompressionS2, 9, -1} {
		opts := e.opts(smallChunks)
		opts.Compression = level
		if _, err := Open(context.Background(), e.store, e.key, opts); err == nil {
			t.Fatalf("Open with Compression %d succeeded", level)
		}
	}
}

// WithFixedChunks cuts the stream every mean-chunk-size bytes (the last
// chunk holds the rest), whatever the content; the snapshot reads back and
// verifies.
func TestWriterFixedChunks(t *testing.T) {
	e := newEnv(t, smallChunks)
	r := e.open(e.key, smallChunks)
	recs := jsonRecords(7, 600)
	m := write(t, r, "pitr", "fixed", recs, WithFixedChunks(), WithCompression(CompressionS2))
	size := int64(smallChunks.MinSize + 1<<smallChunks.AverageBits) // Mean
	if len(m.Chunks) < 3 {
		t.Fatalf("%d chunks for %d stream bytes", len(m.Chunks), m.StreamBytes)
	}
	for i, c := range m.Chunks {
		if last := i == len(m.Chunks)-1; (!last && c.Length != size) || (last && (c.Length <= 0 || c.Length > size)) {
			t.Fatalf("chunk %d of %d is %d bytes, want %d", i, len(m.Chunks), c.Length, size)
		}
	}
	got, err := readAll(r, "pitr", "fixed")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records read, want %d", len(got), len(recs))
	}
	for j := range recs {
		if !bytes.Equal(got[j], recs[j]) {
			t.Fatalf("record %d differs", j)
		}
	}
	rep, err := r.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("verify: %+v", rep)
	}
}
