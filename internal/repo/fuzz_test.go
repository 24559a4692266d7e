package repo

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/ebbtide/ebbtide/internal/keys"
)

func osWriteFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// FuzzDecodeManifest feeds arbitrary bytes to the manifest parser (after
// decryption, where a bug would matter most) and to the config decoder.
// Neither may panic or accept inconsistent input.
func FuzzDecodeManifest(f *testing.F) {
	m := &Manifest{Version: 1, Kind: "backup", ID: "b1", Records: 2, LogicalBytes: 3, StreamBytes: 5,
		StreamSHA256: "0000000000000000000000000000000000000000000000000000000000000000",
		Chunks:       []ChunkRef{{Length: 5, Stored: 40}}}
	js, _ := json.Marshal(m)
	f.Add(js)
	f.Add([]byte(`{"version":1,"kind":"backup","id":"b1","chunks":[]}`))
	mp := *m
	mp.StreamSHA256 = ""
	mp.Parts = []StreamPart{{Chunks: 1, SHA256: emptySHA256}, {Chunks: 0, SHA256: emptySHA256}}
	js, _ = json.Marshal(mp)
	f.Add(js)
	f.Add([]byte(`{"version":1,"kind":"backup","id":"b1","stream_bytes":-1}`))
	f.Add([]byte(`{"format":"ebbtide-repository","version":1,"id":"00000000000000000000000000000000","key_id":"x","wrapped_key":"AAAA","sealed":"AAAA"}`))
	f.Add([]byte("{}"))
	f.Add([]byte(""))
	k, _ := keys.NewRootKey(make([]byte, 32))
	f.Fuzz(func(t *testing.T, data []byte) {
		if m, err := parseManifest("backup", "b1", data); err == nil {
			var sum int64
			for _, c := range m.Chunks {
				if c.Length <= 0 {
					t.Fatal("accepted a non-positive chunk length")
				}
				sum += c.Length
			}
			if sum != m.StreamBytes || m.Kind != "backup" || m.ID != "b1" {
				t.Fatal("accepted an inconsistent manifest")
			}
			n := 0
			for _, p := range m.parts() {
				n += p.Chunks
			}
			if n != len(m.Chunks) {
				t.Fatal("accepted parts that do not cover the chunk list")
			}
		}
		decodeConfig(data, k)
		var id ChunkID
		id.UnmarshalText(data)
		splitManifestKey(string(data))
		parseChunkKey(string(data))
	})
}

// FuzzDecompress feeds arbitrary chunk payloads (after decryption) to the
// decompressor: it may not panic, nor return other than the declared
// length.
func FuzzDecompress(f *testing.F) {
	e := newEnv(f, smallChunks)
	r := e.open(e.key, smallChunks)
	data := []byte("a record, a record, a record of a table's items")
	for _, level := range []int{CompressionFastest, CompressionS2} {
		pt := r.compressor(level).compress(nil, data)
		f.Add(pt, int64(len(data)))
		f.Add(pt, int64(len(data)+1))
	}
	f.Add(append([]byte{chunkRaw}, data...), int64(len(data)))
	f.Add([]byte{chunkS2, 0xff, 0xff, 0xff, 0xff, 0x0f}, int64(1<<20))
	f.Add([]byte{}, int64(0))
	f.Fuzz(func(t *testing.T, pt []byte, length int64) {
		if length < 0 || length > 1<<20 {
			return
		}
		got, err := r.decompress(pt, length)
		if err == nil && int64(len(got)) != length {
			t.Fatalf("decompressed %d bytes, declared %d", len(got), length)
		}
	})
}
