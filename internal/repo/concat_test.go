package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Concat makes one snapshot of several without writing a chunk: it reads
// back as their records in order, nests (a concatenation of
// concatenations), survives deleting the sources and a GC, and verifies.
func TestConcat(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, smallChunks)
	r := e.repo
	var want [][]byte
	var ids []string
	for i := range 4 {
		recs := jsonRecords(uint64(40+i), 50+100*i)
		id := fmt.Sprintf("s%d", i)
		write(t, r, "pitr", id, recs, WithFixedChunks(), WithCompression(CompressionS2))
		want = append(want, recs...)
		ids = append(ids, id)
	}
	if _, err := r.Concat(ctx, "pitr", "ab", ids[:2], nil); err != nil {
		t.Fatal(err)
	}
	m, err := r.Concat(ctx, "pitr", "all", []string{"ab", ids[2], ids[3]}, []byte(`{"merged":true}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Parts) != 4 || m.NewStoredBytes != 0 || m.Records != int64(len(want)) {
		t.Fatalf("manifest: %d parts, %d new bytes, %d records (want 4, 0, %d)", len(m.Parts), m.NewStoredBytes, m.Records, len(want))
	}
	for _, id := range append(ids, "ab") {
		if err := r.Delete(ctx, "pitr", id); err != nil {
			t.Fatal(err)
		}
	}
	st, err := r.GC(ctx, GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksDeleted != 0 {
		t.Fatalf("GC deleted %d chunks the concatenation references", st.ChunksDeleted)
	}
	got, err := readAll(r, "pitr", "all")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(got, want, bytes.Equal) {
		t.Fatalf("read %d records, want %d (or they differ)", len(got), len(want))
	}
	if rep, err := r.Verify(ctx, nil); err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", rep, err)
	}

	// Edge cases: no source (an empty stream), an existing id, a missing source.
	if _, err := r.Concat(ctx, "pitr", "none", nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(r, "pitr", "none"); err != nil || len(got) != 0 {
		t.Fatalf("empty concatenation: %d records, %v", len(got), err)
	}
	if _, err := r.Concat(ctx, "pitr", "all", nil, nil); !errors.Is(err, ErrExists) {
		t.Fatalf("concat over an existing snapshot: %v", err)
	}
	if _, err := r.Concat(ctx, "pitr", "x", []string{"gone"}, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("concat of a missing source: %v", err)
	}
}

// Each part of a concatenation keeps its checksum: chunks moved from one
// part to another, or parts swapped, fail the read.
func TestConcatPartsChecked(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, smallChunks)
	r := e.repo
	write(t, r, "pitr", "a", jsonRecords(1, 300))
	write(t, r, "pitr", "b", jsonRecords(2, 300))
	m, err := r.Concat(ctx, "pitr", "ab", []string{"a", "b"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func(m *Manifest){
		"parts swapped": func(m *Manifest) { m.Parts[0], m.Parts[1] = m.Parts[1], m.Parts[0] },
		"boundary moved": func(m *Manifest) {
			m.Parts[0].Chunks++
			m.Parts[1].Chunks--
		},
		"chunks swapped across parts": func(m *Manifest) {
			n := m.Parts[0].Chunks
			m.Chunks[n-1], m.Chunks[n] = m.Chunks[n], m.Chunks[n-1]
		},
	} {
		bad := *m
		bad.Parts = slices.Clone(m.Parts)
		bad.Chunks = slices.Clone(m.Chunks)
		tamper(&bad)
		e.store.Set(manifestKey("pitr", "ab"), r.encodeManifest(&bad))
		if _, err := readAll(r, "pitr", "ab"); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "SHA-256 mismatch") {
			t.Errorf("%s: read gave %v", name, err)
		}
	}
}
