package repo

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// GCOptions tune a garbage collection.
type GCOptions struct {
	// DryRun computes what would be deleted without deleting anything.
	DryRun bool
}

// GCStats reports a garbage collection.
type GCStats struct {
	// Manifests is the number of live snapshots.
	Manifests int
	// ChunksReferenced is the number of distinct chunks they reference.
	ChunksReferenced int
	// ChunksTotal is the number of chunk objects found.
	ChunksTotal int
	// ChunksDeleted and BytesFreed count what was (or, dry run, would be) removed.
	ChunksDeleted int
	BytesFreed    int64
	// StaleLocksRemoved counts abandoned writer locks that were removed.
	StaleLocksRemoved int
}

// GC deletes the chunks no manifest references. It first writes the GC
// marker (new writers wait while it runs), then refuses with ErrLocked if
// any writer holds a fresh lock, since a running writer may reuse chunks no
// manifest references yet. Stale locks (older than LockStale) are removed.
// If any manifest cannot be read, nothing is deleted: its chunks are
// unknown. See the package documentation for the safety argument.
func (r *Repo) GC(ctx context.Context, opts GCOptions) (GCStats, error) {
	var st GCStats
	prev, _, err := r.readLock(ctx, gcLockKey)
	if err != nil {
		return st, err
	}
	if prev.Running && !r.stale(prev.Refreshed) {
		return st, fmt.Errorf("%w: another garbage collection is running (host %s, since %v)",
			ErrLocked, prev.Host, prev.Created)
	}
	marker := r.newLockInfo("gc", "")
	marker.Running = true
	marker.Generation = randomHex(8)
	if opts.DryRun {
		marker.Generation = prev.Generation // deletes nothing: known sets stay valid
	}
	if err := r.putLock(ctx, gcLockKey, marker); err != nil {
		return st, err
	}
	finish := func() {
		marker.Running = false
		marker.Refreshed = r.opts.Clock().UTC()
		if err := r.putLock(context.WithoutCancel(ctx), gcLockKey, marker); err != nil {
			r.log.Warn("repo: clearing the GC marker", "err", err)
		}
	}
	defer finish()
	// 1. No fresh writer may exist.
	locks, err := r.Locks(ctx)
	if err != nil {
		return st, err
	}
	var active []string
	var staleKeys []string
	for name, li := range locks {
		if name == "gc" {
			continue
		}
		if r.stale(li.Refreshed) {
			staleKeys = append(staleKeys, locksPrefix+name)
			continue
		}
		active = append(active, fmt.Sprintf("%s (%s, host %s, since %s)", name, li.For, li.Host, li.Created.Format("2006-01-02T15:04:05Z07:00")))
	}
	if len(active) > 0 {
		marker.Generation = prev.Generation // nothing deleted
		sort.Strings(active)
		return st, fmt.Errorf("%w: %d writer(s) in progress, retry when they finish: %s",
			ErrLocked, len(active), strings.Join(active, "; "))
	}
	if !opts.DryRun {
		// The generation has changed: this process's known set must be
		// relisted by the next writer.
		r.knownMu.Lock()
		r.known = nil
		r.knownMu.Unlock()
		for _, k := range staleKeys {
			r.log.Warn("repo: removing stale writer lock", "key", k)
			if err := r.store.Delete(ctx, k); err != nil {
				return st, fmt.Errorf("repo: removing stale lock %s: %w", k, err)
			}
			st.StaleLocksRemoved++
		}
	}

	// 2. Mark: every chunk a manifest references.
	keys, err := r.manifestKeys(ctx, "")
	if err != nil {
		return st, err
	}
	referenced := make(map[ChunkID]bool)
	for _, key := range keys {
		kind, id, ok := splitManifestKey(key)
		if !ok {
			return st, fmt.Errorf("repo: gc: unexpected object %s; nothing deleted", key)
		}
		obj, err := r.store.Get(ctx, key)
		if errors.Is(err, blob.ErrNotFound) {
			continue
		}
		if err != nil {
			return st, fmt.Errorf("repo: gc: reading %s: %w", key, err)
		}
		m, err := r.decodeManifest(kind, id, obj)
		if err != nil {
			return st, fmt.Errorf("repo: gc: %s: %w; nothing deleted (run verify)", key, err)
		}
		st.Manifests++
		for _, c := range m.Chunks {
			referenced[c.ID] = true
		}
	}
	st.ChunksReferenced = len(referenced)

	// 3. Sweep.
	type victim struct {
		key  string
		size int64
	}
	var victims []victim
	err = r.store.List(ctx, chunksPrefix, func(key string, size int64) error {
		st.ChunksTotal++
		if id, ok := parseChunkKey(key); ok && !referenced[id] {
			victims = append(victims, victim{key, size})
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("repo: gc: listing chunks: %w", err)
	}
	lastRefresh := marker.Refreshed
	for _, v := range victims {
		if !opts.DryRun {
			// Keep the marker fresh; stop if it could have gone stale.
			now := r.opts.Clock()
			if now.Sub(lastRefresh) > r.opts.LockRefresh {
				marker.Refreshed = now.UTC()
				if err := r.putLock(ctx, gcLockKey, marker); err != nil {
					return st, err
				}
				lastRefresh = marker.Refreshed
			}
			if err := r.store.Delete(ctx, v.key); err != nil {
				return st, fmt.Errorf("repo: gc: deleting %s: %w", v.key, err)
			}
		}
		st.ChunksDeleted++
		st.BytesFreed += v.size
	}
	r.log.Info("repo: garbage collection done", "dry_run", opts.DryRun, "manifests", st.Manifests,
		"chunks", st.ChunksTotal, "deleted", st.ChunksDeleted, "bytes_freed", st.BytesFreed)
	return st, nil
}
