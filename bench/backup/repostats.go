package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// The server's backup repository, opened read-only alongside the server
// (as `ebbtide repo stats` does; reading manifests and listing objects is
// safe while the server writes): per-backup manifests give the bytes each
// backup added, and the set of distinct chunks a group of backups
// references gives what that group costs in storage.

// Server defaults that name a backup in the repository (its manifest id is
// "<account>:<region>:<backup id>").
const (
	serverAccount = "000000000000"
	serverRegion  = "us-east-1"
	backupKind    = "backup"
)

// openRepo opens the repository of a server's data directory.
func openRepo(ctx context.Context, dataDir string) (*repo.Repo, error) {
	key, err := keys.LoadRootKey(filepath.Join(dataDir, "keys", "root.key"))
	if err != nil {
		return nil, err
	}
	store, err := blob.Open(ctx, filepath.Join(dataDir, "repository"), blob.S3Config{})
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return repo.Open(ctx, store, key, repo.Options{Logger: log})
}

// repoIDOf returns the repository id of a backup ARN (…/backup/<id>).
func repoIDOf(arn string) (string, error) {
	i := strings.LastIndex(arn, "/backup/")
	if i < 0 {
		return "", fmt.Errorf("not a backup ARN: %q", arn)
	}
	return serverAccount + ":" + serverRegion + ":" + arn[i+len("/backup/"):], nil
}

// backupManifest returns a backup's manifest and the stored size of the
// manifest object itself.
func backupManifest(ctx context.Context, r *repo.Repo, arn string) (*repo.Manifest, int64, error) {
	id, err := repoIDOf(arn)
	if err != nil {
		return nil, 0, err
	}
	m, err := r.Manifest(ctx, backupKind, id)
	if err != nil {
		return nil, 0, err
	}
	size, err := r.Store().Size(ctx, "manifests/"+backupKind+"/"+id)
	if err != nil {
		return nil, 0, err
	}
	return m, size, nil
}

// chunkSet accumulates the distinct chunks of a group of manifests.
type chunkSet struct {
	seen          map[repo.ChunkID]bool
	chunkBytes    int64 // stored bytes of the distinct chunks
	manifestBytes int64 // stored bytes of the manifests
	logical       int64 // sum of the manifests' logical bytes
	chunks        int
}

func newChunkSet() *chunkSet { return &chunkSet{seen: map[repo.ChunkID]bool{}} }

// add adds a manifest and returns the stored bytes it added to the set
// (its chunks not referenced by earlier manifests, plus the manifest).
func (s *chunkSet) add(m *repo.Manifest, manifestSize int64) int64 {
	added := manifestSize
	for _, c := range m.Chunks {
		if !s.seen[c.ID] {
			s.seen[c.ID] = true
			s.chunkBytes += c.Stored
			s.chunks++
			added += c.Stored
		}
	}
	s.manifestBytes += manifestSize
	s.logical += m.LogicalBytes
	return added
}

// stored is the total stored bytes of the set.
func (s *chunkSet) stored() int64 { return s.chunkBytes + s.manifestBytes }

// RepoStats is repo.Stats of the whole repository, for the report.
type RepoStats struct {
	Snapshots     int     `json:"snapshots"`
	LogicalBytes  int64   `json:"logical_bytes"`
	StoredBytes   int64   `json:"stored_bytes"`
	ChunkBytes    int64   `json:"chunk_bytes"`
	ManifestBytes int64   `json:"manifest_bytes"`
	Chunks        int     `json:"chunks"`
	DedupRatio    float64 `json:"dedup_ratio"`
	DirBytes      int64   `json:"dir_bytes"` // du of <data-dir>/repository (files)
}

func repoStats(ctx context.Context, r *repo.Repo, dataDir string) (RepoStats, error) {
	st, err := r.Stats(ctx)
	if err != nil {
		return RepoStats{}, err
	}
	return RepoStats{Snapshots: st.Snapshots, LogicalBytes: st.LogicalBytes, StoredBytes: st.StoredBytes,
		ChunkBytes: st.ChunkBytes, ManifestBytes: st.ManifestBytes, Chunks: st.Chunks, DedupRatio: st.DedupRatio,
		DirBytes: dirSize(filepath.Join(dataDir, "repository"))}, nil
}
