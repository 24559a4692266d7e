package blob

import (
	"context"
	"os"
)

// Test-only access to internals, for the external test package.

// NewS3Unchecked builds an S3 store without checking the bucket, to test
// how each operation reports errors.
func NewS3Unchecked(ctx context.Context, cfg S3Config) (*S3, error) { return newS3(ctx, cfg) }

// SetWriteHook replaces the write of a Put's temporary file.
func (s *FS) SetWriteHook(fn func(f *os.File, data []byte) (int, error)) { s.writeHook = fn }

// SetSyncHook replaces the fsync of a Put's temporary file.
func (s *FS) SetSyncHook(fn func(f *os.File) error) { s.syncHook = fn }

// TempMaxAge is how old a leftover temporary file must be for NewFS to remove it.
const TempMaxAge = tempMaxAge
