package blob_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/blob/blobtest"
)

func newFS(t *testing.T) *blob.FS {
	t.Helper()
	s, err := blob.NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFSConformance(t *testing.T) {
	blobtest.TestStore(t, func(t *testing.T) blob.Store { return newFS(t) })
}

func TestFSString(t *testing.T) {
	s := newFS(t)
	if got, want := s.String(), "file://"+s.Dir(); got != want || !strings.HasPrefix(got, "file:///") {
		t.Fatalf("String() = %q, want %q", got, want)
	}
}

func TestNewFSRelativeAndNested(t *testing.T) {
	t.Chdir(t.TempDir())
	s, err := blob.NewFS("a/b/repo")
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(s.Dir()) {
		t.Fatalf("Dir() = %q, want an absolute path", s.Dir())
	}
	if err := s.Put(t.Context(), "x", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("a/b/repo/x"); err != nil {
		t.Fatal(err)
	}
}

func TestNewFSOnAFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := blob.NewFS(f); err == nil || !strings.Contains(err.Error(), f) {
		t.Fatalf("NewFS(a file) = %v, want an error naming it", err)
	}
	if _, err := blob.NewFS(""); err == nil {
		t.Fatal("NewFS(\"\") succeeded")
	}
}

// A crash between creating a temporary file and renaming it leaves the
// temporary file behind: it is never listed, and NewFS removes it once it
// is old enough.
func TestFSLeftoverTempFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(t.Context(), "chunks/ab/abcd", []byte("data")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "chunks", "ab", blob.TempPrefix+"123456")
	recent := filepath.Join(dir, blob.TempPrefix+"789")
	for _, p := range []string{old, recent} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-blob.TempMaxAge - time.Minute)
	if err := os.Chtimes(old, past, past); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s.List(t.Context(), "", func(k string, _ int64) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"chunks/ab/abcd"}) {
		t.Fatalf("List = %v, want only the object", keys)
	}

	if _, err := blob.NewFS(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old leftover still there after NewFS (%v)", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("recent temporary file (maybe another process's write in progress) was removed: %v", err)
	}
}

// An object blocks a "directory" of that name: Put fails clearly and the
// existing object is untouched.
func TestFSFileBlocksDirectory(t *testing.T) {
	s := newFS(t)
	ctx := t.Context()
	if err := s.Put(ctx, "a/b", []byte("file")); err != nil {
		t.Fatal(err)
	}
	err := s.Put(ctx, "a/b/c/d", []byte("x"))
	if err == nil {
		t.Fatal("Put below an object succeeded")
	}
	for _, want := range []string{`"a/b/c/d"`, s.String(), `"a/b" is an object`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	// And the reverse: an object where a directory of objects is.
	err = s.Put(ctx, "a", []byte("x"))
	if err == nil || !strings.Contains(err.Error(), `"a"`) || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("Put over a directory of objects = %v, want a clear error", err)
	}
	if got, err := s.Get(ctx, "a/b"); err != nil || string(got) != "file" {
		t.Fatalf("Get(a/b) = %q, %v", got, err)
	}
}

// Failures while writing or syncing (a full disk, an I/O error) are
// reported with the key and the store, leave no temporary file and keep
// the previous object.
func TestFSWriteAndSyncErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		inject func(*blob.FS)
		want   string
	}{
		{"write", func(s *blob.FS) {
			s.SetWriteHook(func(f *os.File, data []byte) (int, error) {
				n, _ := f.Write(data[:len(data)/2])
				return n, syscall.ENOSPC
			})
		}, "no space left on device"},
		{"short write", func(s *blob.FS) {
			s.SetWriteHook(func(f *os.File, data []byte) (int, error) { return f.Write(data[:1]) })
		}, "short write"},
		{"sync", func(s *blob.FS) {
			s.SetSyncHook(func(*os.File) error { return syscall.EIO })
		}, "input/output error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFS(t)
			ctx := t.Context()
			if err := s.Put(ctx, "dir/key", []byte("old value")); err != nil {
				t.Fatal(err)
			}
			tc.inject(s)
			err := s.Put(ctx, "dir/key", []byte("new value, never complete"))
			if err == nil {
				t.Fatal("Put succeeded despite the injected fault")
			}
			for _, want := range []string{tc.want, `"dir/key"`, s.String()} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
			if got, err := s.Get(ctx, "dir/key"); err != nil || string(got) != "old value" {
				t.Fatalf("Get after the failed Put = %q, %v; want the old value", got, err)
			}
			entries, err := os.ReadDir(filepath.Join(s.Dir(), "dir"))
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != 1 {
				t.Fatalf("directory holds %d entries after the failed Put, want 1 (no temporary file)", len(entries))
			}
		})
	}
}

// A read-only store cannot be written: the error says so. (Tests run as
// root here, where permissions do not apply, so this only runs otherwise.)
func TestFSReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions; TestFSFileBlocksDirectory and TestFSWriteAndSyncErrors cover write failures")
	}
	s := newFS(t)
	if err := os.Chmod(s.Dir(), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(s.Dir(), 0o700) })
	err := s.Put(t.Context(), "k", []byte("x"))
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), `"k"`) {
		t.Fatalf("Put into a read-only store = %v, want a permission error naming the key", err)
	}
}

// Foreign files (symlinks, invalid names) in the directory are not objects.
func TestFSListSkipsForeignFiles(t *testing.T) {
	s := newFS(t)
	if err := s.Put(t.Context(), "ok", []byte("1")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("ok", filepath.Join(s.Dir(), "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.Dir(), `back\slash`), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var keys []string
	if err := s.List(t.Context(), "", func(k string, _ int64) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keys, []string{"ok"}) {
		t.Fatalf("List = %v, want [ok]", keys)
	}
}
