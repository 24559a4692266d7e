// Package kv is Ebbtide's thin layer over Pebble: opening a store with
// sensible options (slog logging, block cache, bloom filters, synced WAL
// commits), batches that are committed durably (bulk loads may commit
// unsynced and sync once at the end), point reads, bounded iterators,
// snapshots, and int64 counters updated by a merge operator. Pebble's commit
// pipeline gives group commit: concurrent synced batches share WAL fsyncs.
//
// Upper layers (engine) own the key layout; kv only stores bytes.
package kv

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Defaults for Options fields left zero.
const (
	DefaultCacheSize    = 128 << 20
	DefaultMemTableSize = 32 << 20
)

// Options configure a DB.
type Options struct {
	// Dir is the store directory (created if missing).
	Dir string
	// FS is the file system; nil means the real disk (vfs.Default). Tests may
	// pass vfs.NewMem() or a wrapper.
	FS vfs.FS
	// Logger receives Pebble's messages (info as Debug, errors as Error);
	// nil means slog.Default().
	Logger *slog.Logger
	// CacheSize is the block cache size in bytes (0: DefaultCacheSize).
	CacheSize int64
	// MemTableSize is the memtable size in bytes (0: DefaultMemTableSize).
	MemTableSize uint64
}

// DB is an open store. Safe for concurrent use.
type DB struct {
	db *pebble.DB
}

// Open opens (creating if needed) the store in opts.Dir.
func Open(opts Options) (*DB, error) {
	if opts.Dir == "" {
		return nil, errors.New("kv: Options.Dir is empty")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.MemTableSize == 0 {
		opts.MemTableSize = DefaultMemTableSize
	}
	cache := pebble.NewCache(opts.CacheSize)
	defer cache.Unref() // the DB holds its own reference
	po := &pebble.Options{
		FS:                 opts.FS,
		Cache:              cache,
		MemTableSize:       opts.MemTableSize,
		FormatMajorVersion: pebble.FormatNewest,
		Logger:             slogLogger{opts.Logger.With("component", "pebble")},
		Merger:             counterMerger,
	}
	// Bloom filters on every level: most point reads on the write path
	// look for keys that do not exist (new items, absent index entries),
	// which a filter answers without reading data blocks.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
	}
	db, err := pebble.Open(opts.Dir, po)
	if err != nil {
		return nil, fmt.Errorf("kv: open %s: %w", opts.Dir, err)
	}
	return &DB{db: db}, nil
}

// Close closes the store. Every committed batch is already durable.
func (d *DB) Close() error { return d.db.Close() }

// Get returns a copy of the value stored at key; found is false if absent.
func (d *DB) Get(key []byte) (value []byte, found bool, err error) {
	return get(d.db, key)
}

// AppendGet appends the value stored at key to dst; see Reader.
func (d *DB) AppendGet(dst, key []byte) (value []byte, found bool, err error) {
	return appendGet(d.db, dst, key)
}

// NewIter returns an iterator over keys in [lower, upper); a nil bound is
// open. It sees the store as of its creation. Close it when done.
func (d *DB) NewIter(lower, upper []byte) (*Iter, error) {
	return newIter(d.db, lower, upper)
}

// NewSnapshot returns a consistent read-only view of the store as of now.
// Close it when done: it pins old versions until then.
func (d *DB) NewSnapshot() *Snapshot {
	return &Snapshot{s: d.db.NewSnapshot()}
}

// NewBatch returns an empty write batch.
func (d *DB) NewBatch() *Batch {
	return &Batch{b: d.db.NewBatch()}
}

// Flush writes the memtable out to an sstable (tests and shutdown paths).
func (d *DB) Flush() error { return d.db.Flush() }

// Reader is what both a DB and a Snapshot can read.
type Reader interface {
	Get(key []byte) (value []byte, found bool, err error)
	// AppendGet is Get appending the value to dst (for hot loops that
	// reuse one buffer); dst is returned unchanged when key is absent.
	AppendGet(dst, key []byte) (value []byte, found bool, err error)
	NewIter(lower, upper []byte) (*Iter, error)
}

var (
	_ Reader = (*DB)(nil)
	_ Reader = (*Snapshot)(nil)
)

// Snapshot is a consistent read-only view of the store.
type Snapshot struct {
	s *pebble.Snapshot
}

// Get returns a copy of the value stored at key in the snapshot.
func (s *Snapshot) Get(key []byte) (value []byte, found bool, err error) {
	return get(s.s, key)
}

// AppendGet appends the value at key in the snapshot to dst; see Reader.
func (s *Snapshot) AppendGet(dst, key []byte) (value []byte, found bool, err error) {
	return appendGet(s.s, dst, key)
}

// NewIter returns an iterator over the snapshot's keys in [lower, upper).
func (s *Snapshot) NewIter(lower, upper []byte) (*Iter, error) {
	return newIter(s.s, lower, upper)
}

// Close releases the snapshot.
func (s *Snapshot) Close() error { return s.s.Close() }

// pebbleReader is the read side shared by *pebble.DB and *pebble.Snapshot.
type pebbleReader interface {
	Get(key []byte) ([]byte, io.Closer, error)
	NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
}

func get(r pebbleReader, key []byte) ([]byte, bool, error) {
	return appendGet(r, nil, key)
}

func appendGet(r pebbleReader, dst, key []byte) ([]byte, bool, error) {
	v, closer, err := r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return dst, false, nil
	}
	if err != nil {
		return dst, false, fmt.Errorf("kv: get: %w", err)
	}
	dst = append(dst, v...)
	return dst, true, closer.Close()
}

func newIter(r pebbleReader, lower, upper []byte) (*Iter, error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, fmt.Errorf("kv: new iterator: %w", err)
	}
	return &Iter{it: it}, nil
}
