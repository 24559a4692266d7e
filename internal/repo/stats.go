package repo

import (
	"context"
	"fmt"
)

// Stats summarizes a repository.
type Stats struct {
	// Snapshots counts readable manifests; ByKind splits them by kind.
	Snapshots int
	ByKind    map[string]int
	// Unreadable counts manifests that failed to decode.
	Unreadable int
	// LogicalBytes sums the snapshots' record bytes (what a restore of
	// every snapshot would produce).
	LogicalBytes int64
	// Chunks and ChunkBytes count the chunk objects in the store.
	Chunks     int
	ChunkBytes int64
	// ManifestBytes is the stored size of the manifests.
	ManifestBytes int64
	// StoredBytes = ChunkBytes + ManifestBytes.
	StoredBytes int64
	// DedupRatio = LogicalBytes / StoredBytes (0 for an empty repository):
	// the combined effect of deduplication and compression.
	DedupRatio float64
}

// Stats lists the repository and sums its sizes.
func (r *Repo) Stats(ctx context.Context) (Stats, error) {
	st := Stats{ByKind: map[string]int{}}
	err := r.store.List(ctx, manifestsPrefix, func(_ string, size int64) error {
		st.ManifestBytes += size
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("repo: stats: %w", err)
	}
	infos, err := r.List(ctx, "")
	if err != nil {
		return st, err
	}
	for _, in := range infos {
		if in.Err != nil {
			st.Unreadable++
			continue
		}
		st.Snapshots++
		st.ByKind[in.Kind]++
		st.LogicalBytes += in.Manifest.LogicalBytes
	}
	err = r.store.List(ctx, chunksPrefix, func(_ string, size int64) error {
		st.Chunks++
		st.ChunkBytes += size
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("repo: stats: %w", err)
	}
	st.StoredBytes = st.ChunkBytes + st.ManifestBytes
	if st.StoredBytes > 0 {
		st.DedupRatio = float64(st.LogicalBytes) / float64(st.StoredBytes)
	}
	return st, nil
}
