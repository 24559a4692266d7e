package repo

import (
	"bytes"
	"context"
	"testing"
)

// A writer's WithCompression level decides how its new chunks are
// compressed; every level reads back, and the same data at the fastest
// level is stored larger than at the better level (the levels really
// differ).
func TestWriterCompressionLevels(t *testing.T) {
	e := newEnv(t, smallChunks)
	r := e.open(e.key, smallChunks)
	sizes := map[int]int64{}
	for i, level := range []int{CompressionFastest, CompressionDefault, CompressionBetter} {
		// Different seeds: chunks are not deduplicated across levels.
		recs := jsonRecords(uint64(100+i), 400)
		w, err := r.NewWriter(context.Background(), "backup", "level", WithCompression(level))
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			if err := w.Add(rec); err != nil {
				t.Fatal(err)
			}
		}
		m, err := w.Commit(nil)
		if err != nil {
			t.Fatal(err)
		}
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
	if sizes[CompressionFastest] <= sizes[CompressionBetter] {
		t.Fatalf("stored bytes fastest %d, better %d: levels not applied", sizes[CompressionFastest], sizes[CompressionBetter])
	}
}
