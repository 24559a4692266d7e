package repo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// Problem is one defect Verify found.
type Problem struct {
	// Object is the key of the damaged or missing object.
	Object string
	// Err describes it (errors.Is ErrCorrupt or ErrMissing for data faults).
	Err error
}

func (p Problem) String() string { return p.Object + ": " + p.Err.Error() }

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	// Manifests and Chunks count the objects checked.
	Manifests, Chunks int
	// BytesChecked is the stored size of the chunks read.
	BytesChecked int64
	// Problems lists every defect found, in object-key order.
	Problems []Problem
	// Unreferenced lists chunk objects no manifest references (garbage a
	// GC will remove; not a defect).
	Unreferenced []string
}

// OK reports whether Verify found no problem.
func (v *VerifyReport) OK() bool { return len(v.Problems) == 0 }

// String summarizes the report, one problem per line.
func (v *VerifyReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "verified %d manifests, %d chunks (%d bytes): %d problems, %d unreferenced chunks",
		v.Manifests, v.Chunks, v.BytesChecked, len(v.Problems), len(v.Unreferenced))
	for _, p := range v.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Verify re-reads and checks every object: the config (against the root
// key the repository was opened with), every manifest, and every chunk
// a manifest references (GCM authentication, decompression, length, HMAC
// id, stored size). It reports every problem found, not just the first,
// and lists unreferenced chunks. progress (may be nil) is called as objects
// are checked. The error result is for failures of the store itself.
func (r *Repo) Verify(ctx context.Context, progress func(done, total int)) (*VerifyReport, error) {
	rep := &VerifyReport{}
	var mu sync.Mutex
	problem := func(obj string, err error) {
		mu.Lock()
		rep.Problems = append(rep.Problems, Problem{obj, err})
		mu.Unlock()
	}

	// Config.
	if data, err := r.store.Get(ctx, configKey); errors.Is(err, blob.ErrNotFound) {
		problem(configKey, &reasonError{ErrMissing, "missing"})
	} else if err != nil {
		return nil, fmt.Errorf("repo: verify: reading config: %w", err)
	} else if cfg, _, err := decodeConfig(data, r.kw); err != nil {
		problem(configKey, err)
	} else if cfg.ID != r.cfg.ID || cfg.Pol != r.cfg.Pol || cfg.Chunking != r.cfg.Chunking {
		problem(configKey, corrupt("config changed since the repository was opened"))
	}

	// Manifests.
	mkeys, err := r.manifestKeys(ctx, "")
	if err != nil {
		return nil, err
	}
	type use struct {
		ref      ChunkRef
		manifest string
	}
	refs := make(map[ChunkID]use)
	for _, key := range mkeys {
		kind, id, ok := splitManifestKey(key)
		if !ok {
			problem(key, corrupt("unexpected object under manifests/"))
			continue
		}
		obj, err := r.store.Get(ctx, key)
		if errors.Is(err, blob.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("repo: verify: reading %s: %w", key, err)
		}
		m, err := r.decodeManifest(kind, id, obj)
		rep.Manifests++
		if err != nil {
			problem(key, err)
			continue
		}
		for _, c := range m.Chunks {
			if u, ok := refs[c.ID]; ok && (u.ref.Length != c.Length || u.ref.Stored != c.Stored) {
				problem(key, corrupt(fmt.Sprintf("chunk %s sizes disagree with %s", c.ID.Short(), u.manifest)))
			}
			if _, ok := refs[c.ID]; !ok {
				refs[c.ID] = use{c, key}
			}
		}
	}

	// Chunks present.
	present := make(map[ChunkID]int64)
	err = r.store.List(ctx, chunksPrefix, func(key string, size int64) error {
		id, ok := parseChunkKey(key)
		if !ok {
			problem(key, corrupt("unexpected object under chunks/"))
			return nil
		}
		present[id] = size
		if _, ok := refs[id]; !ok {
			rep.Unreferenced = append(rep.Unreferenced, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repo: verify: listing chunks: %w", err)
	}

	// Referenced chunks, read and checked concurrently.
	ids := make([]ChunkID, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return string(ids[i][:]) < string(ids[j][:]) })
	total := rep.Manifests + len(ids)
	done := rep.Manifests
	if progress != nil {
		progress(done, total)
	}
	work := make(chan ChunkID)
	var wg sync.WaitGroup
	for range r.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mac := hmac.New(sha256.New, r.macKey)
			for id := range work {
				u := refs[id]
				key := chunkKey(id)
				what := fmt.Sprintf("%s (chunk %s… of %s)", key, id.Short(), u.manifest)
				if size, ok := present[id]; !ok {
					problem(what, &reasonError{ErrMissing, "missing"})
				} else if _, err := r.loadChunk(ctx, u.ref, mac); err != nil {
					problem(what, err)
				} else if size != u.ref.Stored {
					problem(what, corrupt(fmt.Sprintf("stored size %d, manifest says %d", size, u.ref.Stored)))
				}
				mu.Lock()
				rep.Chunks++
				rep.BytesChecked += present[id]
				done++
				if progress != nil {
					progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		select {
		case work <- id:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	sort.Slice(rep.Problems, func(i, j int) bool { return rep.Problems[i].Object < rep.Problems[j].Object })
	return rep, nil
}
