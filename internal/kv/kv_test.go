package kv

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

func openTest(t testing.TB, dir string, fs vfs.FS) *DB {
	t.Helper()
	db, err := Open(Options{Dir: dir, FS: fs, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func put(t testing.TB, db *DB, kvs ...string) {
	t.Helper()
	b := db.NewBatch()
	for i := 0; i < len(kvs); i += 2 {
		if err := b.Set([]byte(kvs[i]), []byte(kvs[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

func keys(t testing.TB, r Reader, lower, upper string) string {
	t.Helper()
	var lo, up []byte
	if lower != "" {
		lo = []byte(lower)
	}
	if upper != "" {
		up = []byte(upper)
	}
	it, err := r.NewIter(lo, up)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(it.Key())+"="+string(v))
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

func TestGetIterSnapshotDeleteRange(t *testing.T) {
	db := openTest(t, "db", vfs.NewMem())
	defer db.Close()
	put(t, db, "a", "1", "b", "2", "c", "3", "d", "4")

	if v, ok, err := db.Get([]byte("b")); err != nil || !ok || string(v) != "2" {
		t.Fatalf("Get(b) = %q %v %v", v, ok, err)
	}
	if _, ok, err := db.Get([]byte("zz")); err != nil || ok {
		t.Fatalf("Get(zz) found=%v err=%v", ok, err)
	}
	if got := keys(t, db, "b", "d"); got != "b=2 c=3" {
		t.Fatalf("bounded iter: %s", got)
	}

	snap := db.NewSnapshot()
	defer snap.Close()
	b := db.NewBatch()
	if err := b.DeleteRange([]byte("b"), []byte("d")); err != nil {
		t.Fatal(err)
	}
	if err := b.Set([]byte("e"), []byte("5")); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := keys(t, db, "", ""); got != "a=1 d=4 e=5" {
		t.Fatalf("after DeleteRange: %s", got)
	}
	if got := keys(t, snap, "", ""); got != "a=1 b=2 c=3 d=4" {
		t.Fatalf("snapshot: %s", got)
	}
	if v, ok, _ := snap.Get([]byte("c")); !ok || string(v) != "3" {
		t.Fatalf("snapshot Get(c) = %q %v", v, ok)
	}

	it, err := db.NewIter([]byte("a"), []byte("e"))
	if err != nil {
		t.Fatal(err)
	}
	if !it.Last() || string(it.Key()) != "d" || !it.Prev() || string(it.Key()) != "a" || it.Prev() {
		t.Fatal("reverse iteration")
	}
	if !it.SeekGE([]byte("b")) || string(it.Key()) != "d" || !it.SeekLT([]byte("d")) || string(it.Key()) != "a" {
		t.Fatal("seek")
	}
	if it.Valid() != true || it.Error() != nil {
		t.Fatal("valid/error")
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}

	empty := db.NewBatch()
	if !empty.Empty() {
		t.Fatal("new batch not empty")
	}
	if err := empty.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCountersMergeAcrossFlushAndReopen(t *testing.T) {
	fs := vfs.NewMem()
	db := openTest(t, "db", fs)
	key := []byte("counter")
	add := func(d ...int64) {
		b := db.NewBatch()
		if err := b.AddCounters(key, d...); err != nil {
			t.Fatal(err)
		}
		if err := b.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	read := func() []int64 {
		v, _, err := db.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		return DecodeCounters(v, 2)
	}
	add(1, 100)
	add(1, 50)
	if err := db.Flush(); err != nil {
		t.Fatal(err)
	}
	add(-1, -100)
	add(5) // shorter delta: second counter unchanged
	if got := read(); got[0] != 6 || got[1] != 50 {
		t.Fatalf("counters = %v", got)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, "db", fs)
	defer db.Close()
	if got := read(); got[0] != 6 || got[1] != 50 {
		t.Fatalf("after reopen counters = %v", got)
	}
	if got := DecodeCounters(nil, 2); got[0] != 0 || got[1] != 0 {
		t.Fatalf("nil decodes to %v", got)
	}
}

// Pebble's messages go to the configured slog logger, never to stderr.
func TestLoggerReceivesPebbleMessages(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	h := slog.NewTextHandler(lockedWriter{&mu, &buf}, &slog.HandlerOptions{Level: slog.LevelDebug})
	db, err := Open(Options{Dir: "db", FS: vfs.NewMem(), Logger: slog.New(h)})
	if err != nil {
		t.Fatal(err)
	}
	put(t, db, "a", "1")
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "component=pebble") {
		t.Fatalf("no pebble messages logged: %q", buf.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestOpenRequiresDir(t *testing.T) {
	if _, err := Open(Options{}); err == nil {
		t.Fatal("Open without Dir succeeded")
	}
}

// Concurrent synced commits share WAL fsyncs (group commit). The count of
// syncs on WAL files must be well below the number of commits.
func TestConcurrentSyncedCommitsShareFsyncs(t *testing.T) {
	fs := &syncCountingFS{FS: vfs.Default}
	db := openTest(t, t.TempDir(), fs)
	defer db.Close()
	const writers, per = 32, 50
	before := fs.walSyncs.Load()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				put(t, db, fmt.Sprintf("k%02d-%03d", w, i), "v")
			}
		}()
	}
	wg.Wait()
	syncs := fs.walSyncs.Load() - before
	t.Logf("%d commits, %d WAL syncs", writers*per, syncs)
	if syncs == 0 || syncs >= writers*per/2 {
		t.Fatalf("%d WAL syncs for %d commits: group commit not effective", syncs, writers*per)
	}
}

// BenchmarkCommitSyncParallel measures synced single-key commits from many
// goroutines and reports how many commits share one WAL fsync.
func BenchmarkCommitSyncParallel(b *testing.B) {
	fs := &syncCountingFS{FS: vfs.Default}
	db := openTest(b, b.TempDir(), fs)
	defer db.Close()
	var n atomic.Int64
	b.SetParallelism(16)
	before := fs.walSyncs.Load()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := n.Add(1)
			bt := db.NewBatch()
			if err := bt.Set(fmt.Appendf(nil, "key-%012d", k), []byte("value")); err != nil {
				b.Error(err)
				return
			}
			if err := bt.Commit(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if syncs := fs.walSyncs.Load() - before; syncs > 0 {
		b.ReportMetric(float64(b.N)/float64(syncs), "commits/fsync")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// BenchmarkCommitSyncSerial is the baseline: one writer, one fsync per commit.
func BenchmarkCommitSyncSerial(b *testing.B) {
	db := openTest(b, b.TempDir(), nil)
	defer db.Close()
	for i := 0; b.Loop(); i++ {
		bt := db.NewBatch()
		if err := bt.Set(fmt.Appendf(nil, "key-%012d", i), []byte("value")); err != nil {
			b.Fatal(err)
		}
		if err := bt.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}
