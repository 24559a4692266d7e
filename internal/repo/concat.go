package repo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

// Concat writes snapshot kind/id whose stream is the concatenation of the
// streams of the snapshots srcs (of the same kind), in order, without
// reading or rewriting any chunk: its manifest lists theirs, and keeps
// each source's SHA-256 as one of its Parts (a source that is itself a
// concatenation contributes its parts). The sources can then be deleted;
// their chunks stay referenced. It takes a writer lock like NewWriter and
// fails with ErrExists if kind/id is there.
func (r *Repo) Concat(ctx context.Context, kind, id string, srcs []string, meta json.RawMessage) (*Manifest, error) {
	if err := checkName(kind, id); err != nil {
		return nil, err
	}
	if meta != nil && !json.Valid(meta) {
		return nil, errors.New("repo: Concat: meta is not valid JSON")
	}
	if err := r.checkAbsent(ctx, kind, id); err != nil {
		return nil, err
	}
	lock, err := r.acquireWriterLock(ctx, kind+"/"+id)
	if err != nil {
		return nil, err
	}
	defer lock.release(ctx)
	m := &Manifest{
		Version: manifestVersion, Kind: kind, ID: id, Meta: meta,
		Parts: []StreamPart{}, Chunks: []ChunkRef{},
	}
	for _, src := range srcs {
		sm, err := r.Manifest(ctx, kind, src)
		if err != nil {
			return nil, err
		}
		m.Records += sm.Records
		m.LogicalBytes += sm.LogicalBytes
		m.StreamBytes += sm.StreamBytes
		m.Parts = append(m.Parts, sm.parts()...)
		m.Chunks = append(m.Chunks, sm.Chunks...)
	}
	if len(m.Parts) == 0 { // no sources: an empty stream
		m.Parts = nil
		m.StreamSHA256 = emptySHA256
	}
	seen := make(map[ChunkID]bool, len(m.Chunks))
	for _, c := range m.Chunks {
		if !seen[c.ID] {
			seen[c.ID] = true
			m.StoredBytes += c.Stored
		}
	}
	if err := lock.check(); err != nil {
		return nil, err
	}
	if err := r.checkAbsent(ctx, kind, id); err != nil {
		return nil, err
	}
	m.Created = r.opts.Clock().UTC()
	key := manifestKey(kind, id)
	if err := r.store.Put(ctx, key, r.encodeManifest(m)); err != nil {
		return nil, fmt.Errorf("repo: writing %s: %w", key, err)
	}
	return m, nil
}

// emptySHA256 is the SHA-256 of no bytes, in hex.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
