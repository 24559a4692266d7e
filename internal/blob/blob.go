// Package blob is the object-store layer under the backup repository: a
// flat namespace of immutable objects addressed by slash-separated keys,
// stored on the local filesystem (the default) or on S3-compatible object
// storage. Writes are atomic: an object is either wholly present or absent.
package blob

import (
	"context"
	"errors"
)

// ErrNotFound is returned (wrapped) when an object does not exist.
var ErrNotFound = errors.New("blob: object not found")

// Store is an object store. Implementations are safe for concurrent use.
// Keys are non-empty, slash-separated, without leading slash, "." or ".."
// elements; values are at most a few MiB (repository chunks and manifests).
type Store interface {
	// Put writes an object atomically, replacing any previous one.
	Put(ctx context.Context, key string, data []byte) error
	// Get reads a whole object; ErrNotFound if absent.
	Get(ctx context.Context, key string) ([]byte, error)
	// Size returns an object's size; ErrNotFound if absent.
	Size(ctx context.Context, key string) (int64, error)
	// List calls fn for every object whose key starts with prefix, in
	// lexical key order; an error from fn stops the listing and is returned.
	List(ctx context.Context, prefix string, fn func(key string, size int64) error) error
	// Delete removes an object; deleting an absent object is not an error.
	Delete(ctx context.Context, key string) error
	// String describes the store for logs ("file:///data/repository", "s3://bucket/prefix").
	String() string
}
