package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// manifestVersion is the version of the manifest JSON.
const manifestVersion = 1

// Manifest describes one complete snapshot or stream. It is stored sealed
// at manifests/<kind>/<id>, written after all its chunks.
type Manifest struct {
	// Version is the manifest format version.
	Version int `json:"version"`
	// Kind and ID name the snapshot ("backup", "<backup id>").
	Kind string `json:"kind"`
	ID   string `json:"id"`
	// Created is when the writer committed (repository clock).
	Created time.Time `json:"created"`
	// Meta is the caller's metadata (schema, settings, …), opaque here.
	Meta json.RawMessage `json:"meta,omitempty"`
	// Records is the number of records in the stream.
	Records int64 `json:"records"`
	// LogicalBytes is the sum of the record sizes.
	LogicalBytes int64 `json:"logical_bytes"`
	// StreamBytes is the framed stream's length (records plus length
	// prefixes): the sum of the chunk lengths.
	StreamBytes int64 `json:"stream_bytes"`
	// NewStoredBytes is what this snapshot added to the store: the stored
	// size of the chunks it uploaded (the rest were already there).
	NewStoredBytes int64 `json:"new_stored_bytes"`
	// StoredBytes is the stored size of all distinct chunks it references.
	StoredBytes int64 `json:"stored_bytes"`
	// StreamSHA256 is the hex SHA-256 of the framed stream; empty when
	// Parts is set.
	StreamSHA256 string `json:"stream_sha256"`
	// Parts, set by Concat, says the stream is the concatenation of other
	// snapshots' streams, each checked with its own SHA-256.
	Parts []StreamPart `json:"parts,omitempty"`
	// Chunks is the stream's chunk list, in order.
	Chunks []ChunkRef `json:"chunks"`
}

// StreamPart is one part of a concatenated stream: the next Chunks chunks
// of the list, whose bytes hash to SHA256 (hex).
type StreamPart struct {
	Chunks int    `json:"chunks"`
	SHA256 string `json:"sha256"`
}

// parts returns the stream's checksummed parts: Parts, or the whole
// stream as one.
func (m *Manifest) parts() []StreamPart {
	if m.Parts != nil {
		return m.Parts
	}
	return []StreamPart{{Chunks: len(m.Chunks), SHA256: m.StreamSHA256}}
}

// ChunkRef is one entry of a manifest's chunk list.
type ChunkRef struct {
	// ID is the chunk id.
	ID ChunkID `json:"id"`
	// Length is the chunk's plaintext length.
	Length int64 `json:"len"`
	// Stored is the chunk object's size in the store.
	Stored int64 `json:"stored"`
}

// ManifestInfo is one entry of List: the manifest, or why it is unreadable.
type ManifestInfo struct {
	// Key is the manifest's object key.
	Key string
	// Kind and ID name the snapshot.
	Kind, ID string
	// Manifest is the decoded manifest (nil when Err is set).
	Manifest *Manifest
	// Err says why the manifest could not be read (corrupt, tampered).
	Err error
}

// manifestAAD binds a sealed manifest to its kind and id.
func manifestAAD(kind, id string) []byte { return []byte(aadManifest + kind + "/" + id) }

// encodeManifest seals a manifest: zstd-compressed JSON.
func (r *Repo) encodeManifest(m *Manifest) []byte {
	js, _ := json.Marshal(m)
	return seal(r.aead, manifestAAD(m.Kind, m.ID), r.enc.EncodeAll(js, nil))
}

// decodeManifest opens, decompresses, parses and checks a sealed manifest
// stored under kind/id.
func (r *Repo) decodeManifest(kind, id string, obj []byte) (*Manifest, error) {
	pt, err := open(r.aead, manifestAAD(kind, id), obj)
	if err != nil {
		return nil, err
	}
	js, err := r.dec.DecodeAll(pt, nil)
	if err != nil {
		return nil, corrupt(fmt.Sprintf("decompressing: %v", err))
	}
	return parseManifest(kind, id, js)
}

// parseManifest decodes manifest JSON and checks its internal consistency.
func parseManifest(kind, id string, js []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, corrupt(fmt.Sprintf("not a manifest: %v", err))
	}
	if m.Version != manifestVersion {
		return nil, fmt.Errorf("unsupported manifest version %d", m.Version)
	}
	if m.Kind != kind || m.ID != id {
		return nil, corrupt(fmt.Sprintf("manifest names %s/%s, stored as %s/%s", m.Kind, m.ID, kind, id))
	}
	if m.Records < 0 || m.LogicalBytes < 0 || m.StreamBytes < 0 || m.StoredBytes < 0 || m.NewStoredBytes < 0 {
		return nil, corrupt("negative count in manifest")
	}
	var total int64
	for i, c := range m.Chunks {
		if c.Length <= 0 || c.Length > MaxChunkLimit || c.Stored <= 0 || c.Stored > 2*MaxChunkLimit {
			return nil, corrupt(fmt.Sprintf("chunk %d has bad sizes (%d, %d)", i, c.Length, c.Stored))
		}
		total += c.Length
	}
	if total != m.StreamBytes {
		return nil, corrupt(fmt.Sprintf("chunk lengths add up to %d, stream is %d bytes", total, m.StreamBytes))
	}
	// Every record takes at least its one-byte length prefix.
	if m.Records > m.StreamBytes || m.LogicalBytes > m.StreamBytes {
		return nil, corrupt("record counts exceed the stream size")
	}
	if m.Parts != nil {
		if m.StreamSHA256 != "" || len(m.Parts) == 0 {
			return nil, corrupt("bad stream parts")
		}
		n := 0
		for _, p := range m.Parts {
			if p.Chunks < 0 || p.Chunks > len(m.Chunks) || !isSHA256Hex(p.SHA256) {
				return nil, corrupt("bad stream part")
			}
			n += p.Chunks
		}
		if n != len(m.Chunks) {
			return nil, corrupt(fmt.Sprintf("stream parts hold %d chunks, the list has %d", n, len(m.Chunks)))
		}
	} else if !isSHA256Hex(m.StreamSHA256) {
		return nil, corrupt("bad stream checksum")
	}
	return &m, nil
}

func isSHA256Hex(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size
}

// Manifest reads and authenticates the manifest of kind/id; ErrNotFound if
// there is no such snapshot.
func (r *Repo) Manifest(ctx context.Context, kind, id string) (*Manifest, error) {
	if err := checkName(kind, id); err != nil {
		return nil, err
	}
	key := manifestKey(kind, id)
	obj, err := r.store.Get(ctx, key)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("repo: reading %s: %w", key, err)
	}
	m, err := r.decodeManifest(kind, id, obj)
	if err != nil {
		return nil, fmt.Errorf("repo: %s: %w", key, err)
	}
	return m, nil
}

// manifestKeys lists manifest keys under kind ("" for all kinds).
func (r *Repo) manifestKeys(ctx context.Context, kind string) ([]string, error) {
	prefix := manifestsPrefix
	if kind != "" {
		if err := checkName(kind, "x"); err != nil {
			return nil, err
		}
		prefix += kind + "/"
	}
	var out []string
	err := r.store.List(ctx, prefix, func(key string, _ int64) error {
		out = append(out, key)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("repo: listing manifests: %w", err)
	}
	return out, nil
}

// splitManifestKey returns kind and id of manifests/<kind>/<id>.
func splitManifestKey(key string) (kind, id string, ok bool) {
	rest, found := strings.CutPrefix(key, manifestsPrefix)
	if !found {
		return "", "", false
	}
	kind, id, ok = strings.Cut(rest, "/")
	if !ok || checkName(kind, id) != nil {
		return "", "", false
	}
	return kind, id, true
}

// List returns the snapshots of a kind ("" for every kind) in key order,
// each decoded and authenticated. An unreadable manifest is listed with Err
// set, so one damaged snapshot never hides the others; the error result is
// for failures of the store itself.
func (r *Repo) List(ctx context.Context, kind string) ([]ManifestInfo, error) {
	keys, err := r.manifestKeys(ctx, kind)
	if err != nil {
		return nil, err
	}
	out := make([]ManifestInfo, 0, len(keys))
	for _, key := range keys {
		info := ManifestInfo{Key: key}
		k, id, ok := splitManifestKey(key)
		if !ok {
			info.Err = corrupt("unexpected object under manifests/")
			out = append(out, info)
			continue
		}
		info.Kind, info.ID = k, id
		obj, err := r.store.Get(ctx, key)
		if errors.Is(err, blob.ErrNotFound) {
			continue // deleted since the listing
		}
		if err != nil {
			return nil, fmt.Errorf("repo: reading %s: %w", key, err)
		}
		info.Manifest, info.Err = r.decodeManifest(k, id, obj)
		out = append(out, info)
	}
	return out, nil
}

// Delete removes the snapshot kind/id (its manifest). Its chunks stay until
// a GC finds them unreferenced. Deleting a missing snapshot is not an error.
func (r *Repo) Delete(ctx context.Context, kind, id string) error {
	if err := checkName(kind, id); err != nil {
		return err
	}
	if err := r.store.Delete(ctx, manifestKey(kind, id)); err != nil {
		return fmt.Errorf("repo: deleting %s: %w", manifestKey(kind, id), err)
	}
	return nil
}
