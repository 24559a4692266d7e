package blob

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// List calls fn for every object whose key starts with prefix, in lexical
// key order (byte order of the whole key, as on S3).
//
// Directory order alone would be wrong: in one directory "a.b" sorts before
// "a", yet the key "a.b" sorts after "a/x" ('.' < '/'). So each directory's
// entries are sorted with a directory name standing for name+"/", the
// prefix of every key below it, which orders whole keys exactly.
// Temporary files and names that are not valid keys are skipped.
func (s *FS) List(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: list %q in %s: %w", prefix, s, err)
	}
	if !prefixCanMatch(prefix) {
		return nil
	}
	dir, keyPrefix, rest := s.root, "", prefix
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir, keyPrefix, rest = s.path(prefix[:i]), prefix[:i+1], prefix[i+1:]
	}
	err := s.walk(ctx, dir, keyPrefix, rest, fn)
	if we, ok := err.(*walkError); ok {
		return fmt.Errorf("blob: list %q in %s: %w", prefix, s, we.err)
	}
	return err // nil, or fn's error unchanged
}

// walkError marks errors of the walk itself, as opposed to errors from the
// caller's fn, which List returns unchanged.
type walkError struct{ err error }

func (e *walkError) Error() string { return e.err.Error() }

type listEntry struct {
	name, sortKey string
	dir           bool
}

// walk lists dir, whose objects' keys start with keyPrefix, keeping only
// the entries whose names start with rest.
func (s *FS) walk(ctx context.Context, dir, keyPrefix, rest string, fn func(string, int64) error) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		if isNotFound(err) {
			return nil // no such directory (or removed concurrently)
		}
		return &walkError{err}
	}
	entries := make([]listEntry, 0, len(des))
	for _, d := range des {
		name := d.Name()
		if strings.HasPrefix(name, TempPrefix) || !strings.HasPrefix(name, rest) {
			continue
		}
		switch {
		case d.IsDir():
			entries = append(entries, listEntry{name, name + "/", true})
		case d.Type().IsRegular():
			entries = append(entries, listEntry{name, name, false})
		}
	}
	slices.SortFunc(entries, func(a, b listEntry) int { return strings.Compare(a.sortKey, b.sortKey) })
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return &walkError{err}
		}
		p := filepath.Join(dir, e.name)
		if e.dir {
			if err := s.walk(ctx, p, keyPrefix+e.name+"/", "", fn); err != nil {
				return err
			}
			continue
		}
		key := keyPrefix + e.name
		if CheckKey(key) != nil {
			continue
		}
		fi, err := os.Lstat(p)
		if err != nil {
			if isNotFound(err) {
				continue // deleted concurrently
			}
			return &walkError{err}
		}
		if err := fn(key, fi.Size()); err != nil {
			return err
		}
	}
	return nil
}
