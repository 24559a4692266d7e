// Package blobtest is the conformance suite every blob.Store must pass, so
// the repository behaves the same on the filesystem and on any S3-compatible
// server.
package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// TestStore runs the conformance suite. newStore must return a new, empty
// store each time it is called (for example a fresh directory or a fresh
// prefix in a bucket); the suite calls it once per subtest.
func TestStore(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, blob.Store)
	}{
		{"PutGet", testPutGet},
		{"Overwrite", testOverwrite},
		{"Missing", testMissing},
		{"Delete", testDelete},
		{"ListOrder", testListOrder},
		{"ListPrefixes", testListPrefixes},
		{"ListStop", testListStop},
		{"InvalidKeys", testInvalidKeys},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentDistinctKeys", testConcurrentDistinct},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"Large", testLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if got := listAll(t, s, ""); len(got) != 0 {
				t.Fatalf("new store %s is not empty: %v", s, got)
			}
			tc.fn(t, s)
		})
	}
}

// entry is one listed object.
type entry struct {
	Key  string
	Size int64
}

func listAll(t *testing.T, s blob.Store, prefix string) []entry {
	t.Helper()
	var got []entry
	err := s.List(t.Context(), prefix, func(key string, size int64) error {
		got = append(got, entry{key, size})
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return got
}

func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	for _, e := range listAll(t, s, prefix) {
		keys = append(keys, e.Key)
	}
	return keys
}

func mustPut(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	if err := s.Put(t.Context(), key, data); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
	size, err := s.Size(t.Context(), key)
	if err != nil {
		t.Fatalf("Size(%q): %v", key, err)
	}
	if size != int64(len(want)) {
		t.Fatalf("Size(%q) = %d, want %d", key, size, len(want))
	}
}

func wantNotFound(t *testing.T, s blob.Store, key string) {
	t.Helper()
	if data, err := s.Get(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Get(%q) = %d bytes, %v; want ErrNotFound", key, len(data), err)
	} else if !strings.Contains(err.Error(), key) {
		t.Fatalf("Get(%q) error %q does not name the key", key, err)
	}
	if size, err := s.Size(t.Context(), key); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("Size(%q) = %d, %v; want ErrNotFound", key, size, err)
	}
}

func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func testPutGet(t *testing.T, s blob.Store) {
	mustPut(t, s, "a", []byte("hello"))
	mustGet(t, s, "a", []byte("hello"))
	mustPut(t, s, "dir/sub/obj.bin", randomBytes(1, 1000))
	mustGet(t, s, "dir/sub/obj.bin", randomBytes(1, 1000))
	mustPut(t, s, "empty", nil)
	mustGet(t, s, "empty", []byte{})
	mustPut(t, s, "unicode/é 日本 +=&?#%", []byte("x"))
	mustGet(t, s, "unicode/é 日本 +=&?#%", []byte("x"))
	want := []entry{{"a", 5}, {"dir/sub/obj.bin", 1000}, {"empty", 0}, {"unicode/é 日本 +=&?#%", 1}}
	if got := listAll(t, s, ""); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	mustPut(t, s, "k/v", []byte("first, longer value"))
	mustPut(t, s, "k/v", []byte("second"))
	mustGet(t, s, "k/v", []byte("second"))
	mustPut(t, s, "k/v", nil)
	mustGet(t, s, "k/v", []byte{})
	if got := listAll(t, s, ""); !slices.Equal(got, []entry{{"k/v", 0}}) {
		t.Fatalf("List after overwrites = %v", got)
	}
}

func testMissing(t *testing.T, s blob.Store) {
	wantNotFound(t, s, "nope")
	wantNotFound(t, s, "no/such/dir/obj")
	mustPut(t, s, "file", []byte("x"))
	mustPut(t, s, "dir/obj", []byte("y"))
	wantNotFound(t, s, "file/below") // below an object
	wantNotFound(t, s, "dir")        // only a "directory" of objects
	wantNotFound(t, s, "fil")
	if err := s.Delete(t.Context(), "nope"); err != nil {
		t.Fatalf("Delete(absent) = %v, want nil", err)
	}
	if err := s.Delete(t.Context(), "dir"); err != nil {
		t.Fatalf("Delete(directory of objects) = %v, want nil", err)
	}
	mustGet(t, s, "dir/obj", []byte("y"))
}

func testDelete(t *testing.T, s blob.Store) {
	for _, k := range []string{"d/1", "d/2", "d/3", "e"} {
		mustPut(t, s, k, []byte(k))
	}
	if err := s.Delete(t.Context(), "d/2"); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, s, "d/2")
	if err := s.Delete(t.Context(), "d/2"); err != nil {
		t.Fatalf("second Delete = %v, want nil", err)
	}
	mustGet(t, s, "d/1", []byte("d/1"))
	if got, want := listKeys(t, s, ""), []string{"d/1", "d/3", "e"}; !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	for _, k := range []string{"d/1", "d/3", "e"} {
		if err := s.Delete(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
	if got := listAll(t, s, ""); len(got) != 0 {
		t.Fatalf("List after deleting everything = %v", got)
	}
	mustPut(t, s, "d/again", []byte("z")) // the emptied "directory" is usable
	mustGet(t, s, "d/again", []byte("z"))
}

// orderKeys mix characters sorting below '/' ('-', '.', ' ') with
// directories, so a per-directory walk in name order would get them wrong.
// No key is both an object and a "directory" of others (the filesystem
// cannot hold that).
var orderKeys = []string{
	"k/a", "k/a.1", "k/a-/z", "k/a 2", "k/a0", "k/b/c/d", "k/b/c.d", "k/b.c",
	"k/B", "k/~", "k/é", "k/日本", "k-1", "k.1", "k0", "kk", "k~",
	"A", "Z/x", "a-b/c", "a.b", "a/b", "a0", "x/0/1/2/3", "x/0/1/2.3",
}

func sortedCopy(keys []string) []string {
	s := slices.Clone(keys)
	slices.Sort(s)
	return s
}

func putAll(t *testing.T, s blob.Store, keys []string) {
	t.Helper()
	for i, k := range keys {
		mustPut(t, s, k, bytes.Repeat([]byte{'x'}, i))
	}
}

func testListOrder(t *testing.T, s blob.Store) {
	// Insert in a shuffled order so no store can lean on insertion order.
	shuffled := slices.Clone(orderKeys)
	rand.New(rand.NewPCG(7, 7)).Shuffle(len(shuffled), func(i, j int) {
		shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
	})
	putAll(t, s, shuffled)
	got := listAll(t, s, "")
	var keys []string
	for _, e := range got {
		keys = append(keys, e.Key)
		if want := int64(slices.Index(shuffled, e.Key)); e.Size != want {
			t.Errorf("List: %q has size %d, want %d", e.Key, e.Size, want)
		}
	}
	if want := sortedCopy(orderKeys); !slices.Equal(keys, want) {
		t.Fatalf("List order:\n got %q\nwant %q", keys, want)
	}
}

func testListPrefixes(t *testing.T, s blob.Store) {
	putAll(t, s, orderKeys)
	for _, prefix := range []string{
		"", "k", "k/", "k/a", "k/a-", "k/a-/", "k/b", "k/b/", "k/b/c", "k/b/c/",
		"k/é", "a", "a/", "a.", "x/0/1/", "x/0/1/2", "x/0/1/2/3", "nope", "nope/",
		"k/zz", "kk/", "k//", "/", "../", "k/../", "./", "k/./", `k\`, "\x00",
	} {
		var want []string
		for _, k := range sortedCopy(orderKeys) {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		if got := listKeys(t, s, prefix); !slices.Equal(got, want) {
			t.Errorf("List(%q):\n got %q\nwant %q", prefix, got, want)
		}
	}
}

func testListStop(t *testing.T, s blob.Store) {
	putAll(t, s, []string{"s/1", "s/2", "s/3"})
	stop := errors.New("stop here")
	var seen []string
	err := s.List(t.Context(), "s/", func(key string, _ int64) error {
		seen = append(seen, key)
		if key == "s/2" {
			return fmt.Errorf("wrapped: %w", stop)
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("List returned %v, want the callback's error", err)
	}
	if !slices.Equal(seen, []string{"s/1", "s/2"}) {
		t.Fatalf("List called back for %v after the error, want [s/1 s/2]", seen)
	}
}

// InvalidKeys lists keys every store must refuse.
var InvalidKeys = []string{
	"", "/", "/abs", "a/", "a//b", ".", "..", "./a", "../a", "a/.", "a/..",
	"a/./b", "a/../b", `a\b`, `\`, "a\x00b", "a\nb", "\x7f", "\xff\xfe",
	blob.TempPrefix + "x", "a/" + blob.TempPrefix + "123",
	strings.Repeat("x", blob.MaxElementLen+1),
	strings.Repeat("x/", blob.MaxKeyLen/2) + "x",
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	ctx := t.Context()
	for _, key := range InvalidKeys {
		if err := blob.CheckKey(key); err == nil {
			t.Errorf("CheckKey(%.40q) = nil", key)
		}
		check := func(op string, err error) {
			t.Helper()
			if !errors.Is(err, blob.ErrInvalidKey) || errors.Is(err, blob.ErrNotFound) {
				t.Errorf("%s(%.40q) = %v, want ErrInvalidKey", op, key, err)
			}
		}
		check("Put", s.Put(ctx, key, []byte("x")))
		_, err := s.Get(ctx, key)
		check("Get", err)
		_, err = s.Size(ctx, key)
		check("Size", err)
		check("Delete", s.Delete(ctx, key))
	}
	if got := listAll(t, s, ""); len(got) != 0 {
		t.Fatalf("invalid Puts left objects: %v", got)
	}
	for _, key := range []string{"..a", "a..", "a/...", ".hidden", "a.tmp-", "x/.tmp", strings.Repeat("y", blob.MaxElementLen)} {
		mustPut(t, s, key, []byte(key))
		mustGet(t, s, key, []byte(key))
	}
}

func testCanceledContext(t *testing.T, s blob.Store) {
	mustPut(t, s, "c/old", []byte("old"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Put(ctx, "c/new", []byte("new")); err == nil {
		t.Error("Put with a canceled context succeeded")
	}
	if _, err := s.Get(ctx, "c/old"); err == nil {
		t.Error("Get with a canceled context succeeded")
	}
	if err := s.List(ctx, "", func(string, int64) error { return nil }); err == nil {
		t.Error("List with a canceled context succeeded")
	}
	wantNotFound(t, s, "c/new")
	mustGet(t, s, "c/old", []byte("old"))
}

func testConcurrentDistinct(t *testing.T, s blob.Store) {
	const writers, perWriter = 8, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter)
	var want []string
	for w := range writers {
		for i := range perWriter {
			want = append(want, fmt.Sprintf("c/%d/%d", w, i))
		}
		wg.Go(func() {
			for i := range perWriter {
				key := fmt.Sprintf("c/%d/%d", w, i)
				if err := s.Put(t.Context(), key, randomBytes(uint64(w*100+i), 1000+i)); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	slices.Sort(want)
	if got := listKeys(t, s, "c/"); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	for w := range writers {
		for i := range perWriter {
			mustGet(t, s, fmt.Sprintf("c/%d/%d", w, i), randomBytes(uint64(w*100+i), 1000+i))
		}
	}
}

// testConcurrentSameKey checks atomicity: readers racing writers of one key
// see some writer's whole value, never a mix or a partial one.
func testConcurrentSameKey(t *testing.T, s blob.Store) {
	const writers, rounds, size = 6, 4, 256 << 10
	value := func(w int) []byte { return bytes.Repeat([]byte{byte('A' + w)}, size+w) }
	mustPut(t, s, "same", value(0))
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	done := make(chan struct{})
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				if err := s.Put(t.Context(), "same", value(w)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := s.Get(t.Context(), "same")
				if err != nil {
					errs <- fmt.Errorf("get during concurrent puts: %w", err)
					return
				}
				if err := checkWhole(got, size); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got, err := s.Get(t.Context(), "same")
	if err != nil {
		t.Fatal(err)
	}
	if err := checkWhole(got, size); err != nil {
		t.Fatal(err)
	}
	if keys := listKeys(t, s, ""); !slices.Equal(keys, []string{"same"}) {
		t.Fatalf("List = %v, want [same] (no temporary objects)", keys)
	}
}

// checkWhole reports whether got is one writer's whole value.
func checkWhole(got []byte, size int) error {
	if len(got) < size || len(got) >= size+26 {
		return fmt.Errorf("read a %d-byte value: partial or foreign", len(got))
	}
	w := len(got) - size
	if want := byte('A' + w); bytes.IndexFunc(got, func(r rune) bool { return r != rune(want) }) >= 0 {
		return fmt.Errorf("read a mixed value of %d bytes (expected all %q)", len(got), want)
	}
	return nil
}

func testLarge(t *testing.T, s blob.Store) {
	data := randomBytes(42, 4<<20)
	mustPut(t, s, "large/4MiB", data)
	mustGet(t, s, "large/4MiB", data)
	if got := listAll(t, s, "large/"); !slices.Equal(got, []entry{{"large/4MiB", 4 << 20}}) {
		t.Fatalf("List = %v", got)
	}
	data2 := randomBytes(43, 4<<20+1)
	mustPut(t, s, "large/4MiB", data2)
	mustGet(t, s, "large/4MiB", data2)
}
