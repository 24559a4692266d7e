package kv

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Bulk loading. A bulk load commits large batches without waiting for the
// WAL to reach the disk, then makes them all durable with one sync at the
// end: the WAL is written in order, so syncing it once covers every batch
// committed before.

// NewBatchSized returns an empty write batch with room for size bytes of
// writes, so a bulk load's large batches never grow by copying.
func (d *DB) NewBatchSized(size int) *Batch {
	return &Batch{b: d.db.NewBatchWithSize(size)}
}

// Len returns the batch's size in bytes (its encoded writes).
func (b *Batch) Len() int { return b.b.Len() }

// CommitNoSync applies the batch atomically without syncing the WAL, then
// releases it. The writes are visible at once; they survive a process
// crash once the WAL is written out, and a power loss only after a later
// synced commit or SyncWAL. A crash never leaves part of a batch.
func (b *Batch) CommitNoSync() error {
	err := b.b.Commit(pebble.NoSync)
	if cerr := b.b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("kv: commit: %w", err)
	}
	return nil
}

// SyncWAL makes every batch committed so far durable: it writes an empty
// record to the WAL and syncs it.
func (d *DB) SyncWAL() error {
	if err := d.db.LogData(nil, pebble.Sync); err != nil {
		return fmt.Errorf("kv: sync WAL: %w", err)
	}
	return nil
}
