package kv

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Batch collects writes that commit atomically. A Batch is not safe for
// concurrent use; it is released by Commit or Close.
type Batch struct {
	b *pebble.Batch
}

// Set stores value at key.
func (b *Batch) Set(key, value []byte) error { return b.b.Set(key, value, nil) }

// Delete removes key.
func (b *Batch) Delete(key []byte) error { return b.b.Delete(key, nil) }

// DeleteRange removes every key in [start, end).
func (b *Batch) DeleteRange(start, end []byte) error { return b.b.DeleteRange(start, end, nil) }

// AddCounters adds deltas element-wise to the int64 counters stored at key
// (missing counters start at 0). See DecodeCounters.
func (b *Batch) AddCounters(key []byte, deltas ...int64) error {
	return b.b.Merge(key, EncodeCounters(deltas...), nil)
}

// Empty reports whether the batch holds no writes.
func (b *Batch) Empty() bool { return b.b.Empty() }

// Commit applies the batch atomically and syncs the WAL before returning,
// then releases the batch. Concurrent commits share fsyncs (group commit).
func (b *Batch) Commit() error {
	err := b.b.Commit(pebble.Sync)
	if cerr := b.b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kv: commit: %w", err)
	}
	return nil
}

// Close discards an uncommitted batch.
func (b *Batch) Close() error { return b.b.Close() }
