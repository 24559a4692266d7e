package blob

import (
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// FS is a Store on a local directory: the object with key "a/b/c" is the
// file <dir>/a/b/c.
//
// Put writes a temporary file (named TempPrefix + random, in the target's
// directory), fsyncs it, renames it over the target and fsyncs the
// directory, so a crash leaves either the old object or the new one, never
// a partial one, and a Put that returned survives a crash. Directories are
// created on demand (and their parents fsynced) and never removed: Delete
// leaves empty directories behind, which cost nothing and spare a race with
// a concurrent Put into the same directory.
//
// A key cannot be both an object and a directory of other objects ("a" and
// "a/b"): the filesystem refuses it, and Put returns the error.
//
// Several FS values (or processes) may share a directory.
type FS struct {
	root string // absolute, cleaned

	// Hooks for fault-injection tests; nil in normal use.
	writeHook func(f *os.File, data []byte) (int, error)
	syncHook  func(f *os.File) error
}

// dirPerm is the mode of the directories FS creates. Objects hold backup
// data, so only the owner may read them: files get os.CreateTemp's 0o600.
const dirPerm = 0o700

// NewFS opens (creating it if needed) a filesystem store rooted at dir and
// removes temporary files left by writes that a crash interrupted (those
// older than an hour, so as not to disturb another process's write in
// progress). Leftovers are never listed in any case.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("blob: filesystem store: empty directory name")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob: filesystem store %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, fmt.Errorf("blob: filesystem store %s: %w", abs, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("blob: filesystem store %s: %w", abs, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("blob: filesystem store %s: not a directory", abs)
	}
	s := &FS{root: abs}
	if err := s.removeStaleTemps(tempMaxAge); err != nil {
		return nil, fmt.Errorf("blob: filesystem store %s: removing leftover temporary files: %w", abs, err)
	}
	return s, nil
}

// Dir returns the store's root directory (absolute).
func (s *FS) Dir() string { return s.root }

// String returns the store's URL, "file:///abs/dir".
func (s *FS) String() string { return "file://" + filepath.ToSlash(s.root) }

func (s *FS) path(key string) string {
	return filepath.Join(s.root, filepath.FromSlash(key))
}

// Put writes an object atomically and durably (see FS).
func (s *FS) Put(ctx context.Context, key string, data []byte) error {
	if err := s.check(ctx, "put", key); err != nil {
		return err
	}
	if err := s.put(key, data); err != nil {
		return fmt.Errorf("blob: put %q in %s: %w", key, s, err)
	}
	return nil
}

func (s *FS) put(key string, data []byte) (err error) {
	target := s.path(key)
	dir := filepath.Dir(target)
	if err := s.mkdirAll(dir); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, TempPrefix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close() // may already be closed; the error is irrelevant then
			_ = os.Remove(tmp)
		}
	}()
	if err := s.write(f, data); err != nil {
		return err
	}
	if err := s.sync(f); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		if fi, serr := os.Stat(target); serr == nil && fi.IsDir() {
			return fmt.Errorf("a directory of other objects has this name: %w", err)
		}
		return err
	}
	return syncDir(dir)
}

func (s *FS) write(f *os.File, data []byte) error {
	write := f.Write
	if s.writeHook != nil {
		write = func(p []byte) (int, error) { return s.writeHook(f, p) }
	}
	n, err := write(data)
	if err == nil && n != len(data) {
		err = fmt.Errorf("short write (%d of %d bytes)", n, len(data))
	}
	return err
}

func (s *FS) sync(f *os.File) error {
	if s.syncHook != nil {
		return s.syncHook(f)
	}
	return f.Sync()
}

// Get reads a whole object.
func (s *FS) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check(ctx, "get", key); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.path(key))
	if err != nil {
		return nil, s.opError("get", key, err)
	}
	return data, nil
}

// Size returns an object's size.
func (s *FS) Size(ctx context.Context, key string) (int64, error) {
	if err := s.check(ctx, "size of", key); err != nil {
		return 0, err
	}
	fi, err := os.Stat(s.path(key))
	if err == nil && !fi.Mode().IsRegular() {
		err = syscall.EISDIR
	}
	if err != nil {
		return 0, s.opError("size of", key, err)
	}
	return fi.Size(), nil
}

// Delete removes an object durably (the directory is fsynced); deleting an
// absent object is not an error. Directories are left in place.
func (s *FS) Delete(ctx context.Context, key string) error {
	if err := s.check(ctx, "delete", key); err != nil {
		return err
	}
	p := s.path(key)
	fi, err := os.Lstat(p)
	if err != nil || fi.IsDir() {
		if err == nil || isNotFound(err) {
			return nil // absent, or only a directory of other objects
		}
		return fmt.Errorf("blob: delete %q in %s: %w", key, s, err)
	}
	if err := os.Remove(p); err != nil {
		if isNotFound(err) {
			return nil // a concurrent Delete won
		}
		return fmt.Errorf("blob: delete %q in %s: %w", key, s, err)
	}
	if err := syncDir(filepath.Dir(p)); err != nil {
		return fmt.Errorf("blob: delete %q in %s: %w", key, s, err)
	}
	return nil
}

// check validates the key and the context before an operation.
func (s *FS) check(ctx context.Context, op, key string) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("blob: %s in %s: %w", op, s, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("blob: %s %q in %s: %w", op, key, s, err)
	}
	return nil
}

// opError wraps a read error; a missing object becomes ErrNotFound.
func (s *FS) opError(op, key string, err error) error {
	if isNotFound(err) || errors.Is(err, syscall.EISDIR) {
		return fmt.Errorf("blob: %s %q in %s: %w", op, key, s, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %q in %s: %w", op, key, s, err)
}

// isNotFound reports a path that does not exist, including one whose
// parent is a file (ENOTDIR: "a/b" when "a" is an object).
func isNotFound(err error) bool {
	return errors.Is(err, iofs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
