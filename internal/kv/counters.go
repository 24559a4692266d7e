package kv

import (
	"encoding/binary"
	"io"

	"github.com/cockroachdb/pebble/v2"
)

// A counter value is a vector of int64s, 8 bytes little-endian each. Merge
// operands are deltas of the same shape; merging adds them element-wise, so
// concurrent batches can update one counter key without reading it.

// EncodeCounters encodes a counter vector (or a delta).
func EncodeCounters(vs ...int64) []byte {
	out := make([]byte, 8*len(vs))
	for i, v := range vs {
		binary.LittleEndian.PutUint64(out[8*i:], uint64(v))
	}
	return out
}

// DecodeCounters decodes the first n counters of a value read from a
// counter key; missing elements (and a nil value) read as 0.
func DecodeCounters(b []byte, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		if len(b) >= 8*(i+1) {
			out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
		}
	}
	return out
}

// counterMerger is the store's merge operator. Its name is recorded on disk:
// never change it, nor the value format.
var counterMerger = &pebble.Merger{
	Name: "ebbtide.counters.v1",
	Merge: func(_, value []byte) (pebble.ValueMerger, error) {
		m := &counterSum{}
		m.add(value)
		return m, nil
	},
}

// counterSum accumulates counter operands; addition is commutative, so the
// order operands arrive in does not matter.
type counterSum struct {
	sum []int64
}

func (m *counterSum) add(v []byte) {
	n := len(v) / 8
	for len(m.sum) < n {
		m.sum = append(m.sum, 0)
	}
	for i := range n {
		m.sum[i] += int64(binary.LittleEndian.Uint64(v[8*i:]))
	}
}

func (m *counterSum) MergeNewer(v []byte) error { m.add(v); return nil }
func (m *counterSum) MergeOlder(v []byte) error { m.add(v); return nil }

func (m *counterSum) Finish(bool) ([]byte, io.Closer, error) {
	return EncodeCounters(m.sum...), nil, nil
}
