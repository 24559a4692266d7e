package repo

import (
	"fmt"
	"slices"
	"sync"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
)

// Chunk payload flags (first plaintext byte inside the seal).
const (
	chunkRaw  = 0
	chunkZstd = 1
	chunkS2   = 2
)

// compressor compresses new chunks: zstd at its encoder's level, or S2
// when zstd is nil.
type compressor struct {
	zstd *zstd.Encoder
}

// compress appends the flag and data compressed to dst[:0].
func (c compressor) compress(dst, data []byte) []byte {
	if c.zstd != nil {
		return c.zstd.EncodeAll(data, append(dst[:0], chunkZstd))
	}
	n := 1 + s2.MaxEncodedLen(len(data))
	dst = slices.Grow(dst[:0], n)[:n]
	dst[0] = chunkS2
	return dst[:1+len(s2.Encode(dst[1:], data))]
}

// payloads recycles the compressed plaintexts sealChunk builds (each as
// large as a chunk; sealing copies them).
var payloads = sync.Pool{New: func() any { return new([]byte) }}

// sealChunk compresses with c (when it helps) and seals a chunk.
func (r *Repo) sealChunk(c compressor, id ChunkID, data []byte) []byte {
	bp := payloads.Get().(*[]byte)
	pt := c.compress(*bp, data)
	if len(pt) >= len(data)+1 {
		pt = append(append(pt[:0], chunkRaw), data...)
	}
	obj := seal(r.aead, append([]byte(aadChunk), id[:]...), pt)
	*bp = pt[:0]
	payloads.Put(bp)
	return obj
}

// decompress reverses sealChunk's payload, refusing output other than
// length bytes.
func (r *Repo) decompress(pt []byte, length int64) ([]byte, error) {
	data, err := r.decode(pt, length)
	if err == nil && int64(len(data)) != length {
		return nil, corrupt(fmt.Sprintf("length %d, manifest says %d", len(data), length))
	}
	return data, err
}

func (r *Repo) decode(pt []byte, length int64) ([]byte, error) {
	if len(pt) == 0 {
		return nil, corrupt("empty chunk payload")
	}
	switch pt[0] {
	case chunkRaw:
		return pt[1:], nil
	case chunkZstd:
		data, err := r.dec.DecodeAll(pt[1:], make([]byte, 0, length))
		if err != nil {
			return nil, corrupt(fmt.Sprintf("decompression failed: %v", err))
		}
		return data, nil
	case chunkS2:
		n, err := s2.DecodedLen(pt[1:])
		if err != nil {
			return nil, corrupt(fmt.Sprintf("decompression failed: %v", err))
		}
		if int64(n) != length {
			return nil, corrupt(fmt.Sprintf("length %d, manifest says %d", n, length))
		}
		data, err := s2.Decode(make([]byte, n), pt[1:])
		if err != nil {
			return nil, corrupt(fmt.Sprintf("decompression failed: %v", err))
		}
		return data, nil
	default:
		return nil, corrupt(fmt.Sprintf("unknown compression %d", pt[0]))
	}
}
