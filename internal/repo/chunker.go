package repo

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/restic/chunker"
)

// ChunkParams are the content-defined chunking sizes, fixed per repository
// at initialization (changing them would defeat dedup against old chunks).
type ChunkParams struct {
	// MinSize is the smallest chunk (except a stream's last) in bytes.
	MinSize int `json:"min"`
	// MaxSize is the largest chunk in bytes.
	MaxSize int `json:"max"`
	// AverageBits sets the cut probability: a cut point is taken after
	// MinSize bytes with probability 2^-AverageBits per byte, so the mean
	// chunk is about MinSize + 2^AverageBits.
	AverageBits int `json:"avg_bits"`
}

// DefaultChunking: min 512 KiB, mean ≈ 1 MiB (512 KiB + 2^19), max 8 MiB.
var DefaultChunking = ChunkParams{MinSize: 512 << 10, MaxSize: 8 << 20, AverageBits: 19}

// Limits the chunk parameters must respect.
const (
	MinChunkLimit = 4 << 10  // smallest allowed MinSize (tests use small chunks)
	MaxChunkLimit = 64 << 20 // largest allowed MaxSize
)

func (p ChunkParams) withDefaults() ChunkParams {
	if p.MinSize == 0 {
		p.MinSize = DefaultChunking.MinSize
	}
	if p.MaxSize == 0 {
		p.MaxSize = DefaultChunking.MaxSize
	}
	if p.AverageBits == 0 {
		p.AverageBits = DefaultChunking.AverageBits
	}
	return p
}

// Mean is the mean chunk size, MinSize + 2^AverageBits (the size of
// WithFixedChunks' chunks, at most MaxSize).
func (p ChunkParams) Mean() int { return min(p.MinSize+1<<p.AverageBits, p.MaxSize) }

func (p ChunkParams) validate() error {
	if p.MinSize < MinChunkLimit || p.MaxSize > MaxChunkLimit || p.MaxSize < 2*p.MinSize ||
		p.AverageBits < 10 || p.AverageBits > 26 {
		return fmt.Errorf("repo: invalid chunking parameters %+v (min ≥ %d, max ≤ %d, max ≥ 2·min, avg bits 10…26)",
			p, MinChunkLimit, MaxChunkLimit)
	}
	return nil
}

// ChunkID names a chunk: HMAC-SHA256(chunk-id key, plaintext).
type ChunkID [32]byte

// String returns the id in hex.
func (id ChunkID) String() string { return hex.EncodeToString(id[:]) }

// Short returns the first 8 hex digits, for messages.
func (id ChunkID) Short() string { return hex.EncodeToString(id[:4]) }

// MarshalText encodes the id as hex.
func (id ChunkID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText decodes a hex id.
func (id *ChunkID) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("chunk id: want 64 hex digits, got %d", len(b))
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// parseChunkKey returns the id of a chunks/<2 hex>/<64 hex> key.
func parseChunkKey(key string) (ChunkID, bool) {
	var id ChunkID
	if len(key) != len("chunks/xx/")+64 || key[:len(chunksPrefix)] != chunksPrefix {
		return id, false
	}
	if id.UnmarshalText([]byte(key[len("chunks/xx/"):])) != nil || chunkKey(id) != key {
		return id, false
	}
	return id, true
}

// chunkIDHasher computes chunk ids; not safe for concurrent use.
type chunkIDHasher struct{ h hash.Hash }

func (r *Repo) newIDHasher() *chunkIDHasher {
	return &chunkIDHasher{h: hmac.New(sha256.New, r.macKey)}
}

func (c *chunkIDHasher) sum(data []byte) ChunkID {
	c.h.Reset()
	c.h.Write(data)
	var id ChunkID
	c.h.Sum(id[:0])
	return id
}

// bufReader is the io.Reader the chunker pulls from: it hands out the
// buffers the writer pushes on ch, returning each to free once consumed.
type bufReader struct {
	ctx  context.Context // stops a blocked Read when the writer fails
	ch   <-chan []byte
	free chan<- []byte
	cur  []byte
	buf  []byte // cur's full buffer, recycled when cur is drained
}

func (b *bufReader) Read(p []byte) (int, error) {
	for len(b.cur) == 0 {
		if b.buf != nil {
			b.free <- b.buf[:0]
			b.buf = nil
		}
		var buf []byte
		var ok bool
		select {
		case buf, ok = <-b.ch:
		case <-b.ctx.Done():
			return 0, context.Cause(b.ctx)
		}
		if !ok {
			return 0, io.EOF
		}
		b.cur, b.buf = buf, buf
	}
	n := copy(p, b.cur)
	b.cur = b.cur[n:]
	return n, nil
}

// cutter cuts a writer's stream into chunks; next fills buf (capacity
// MaxSize) with the next one, io.EOF at the end.
type cutter interface {
	next(buf []byte) ([]byte, error)
}

// cdcCutter cuts at content-defined boundaries.
type cdcCutter struct{ c *chunker.Chunker }

func (c cdcCutter) next(buf []byte) ([]byte, error) {
	ch, err := c.c.Next(buf)
	return ch.Data, err
}

// fixedCutter cuts every size bytes (WithFixedChunks).
type fixedCutter struct {
	rd   io.Reader
	size int
}

func (c *fixedCutter) next(buf []byte) ([]byte, error) {
	n, err := io.ReadFull(c.rd, buf[:c.size])
	if err == io.ErrUnexpectedEOF {
		err = nil
	}
	return buf[:n], err
}
