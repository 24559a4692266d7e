package blob

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// tempMaxAge is how old a temporary file must be for NewFS to remove it:
// a write takes milliseconds, so an older one was interrupted by a crash.
const tempMaxAge = time.Hour

// mkdirAll creates dir (inside the root) and its missing parents, fsyncing
// each parent after the creation so the new entries survive a crash.
func (s *FS) mkdirAll(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case err == nil && fi.IsDir():
		return nil
	case err == nil:
		return s.notADirectory(dir)
	case dir == s.root || !isNotFound(err):
		return err
	}
	parent := filepath.Dir(dir)
	if err := s.mkdirAll(parent); err != nil {
		return err
	}
	if err := os.Mkdir(dir, dirPerm); err != nil {
		if !errors.Is(err, iofs.ErrExist) {
			return err
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return s.notADirectory(dir)
		}
		// Created concurrently by another Put: sync the parent anyway, as
		// that Put may not have done it yet.
	}
	return syncDir(parent)
}

func (s *FS) notADirectory(dir string) error {
	rel, err := filepath.Rel(s.root, dir)
	if err != nil {
		rel = dir
	}
	return fmt.Errorf("%q is an object, so it cannot hold other objects", filepath.ToSlash(rel))
}

// syncDir fsyncs a directory, making renames and removals in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// removeStaleTemps deletes temporary files older than maxAge anywhere
// under the root.
func (s *FS) removeStaleTemps(maxAge time.Duration) error {
	cutoff := time.Now().Add(-maxAge)
	return filepath.WalkDir(s.root, func(p string, d iofs.DirEntry, err error) error {
		if err != nil {
			if isNotFound(err) {
				return nil // removed concurrently
			}
			return err
		}
		if d.IsDir() || !strings.HasPrefix(d.Name(), TempPrefix) {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			if isNotFound(err) {
				return nil
			}
			return err
		}
		if fi.ModTime().After(cutoff) {
			return nil
		}
		if err := os.Remove(p); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	})
}
