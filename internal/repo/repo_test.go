package repo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo/repotest"
	"pgregory.net/rapid"
)

func equalRecords(t testing.TB, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs: got %d bytes, want %d", i, len(got[i]), len(want[i]))
		}
	}
}

func TestRoundTripRapid(t *testing.T) {
	e := newEnv(t, smallChunks)
	var n atomic.Int64
	rapid.Check(t, func(rt *rapid.T) {
		recs := rapid.SliceOfN(rapid.OneOf(
			rapid.SliceOfN(rapid.Byte(), 0, 64),
			rapid.SliceOfN(rapid.Byte(), 0, 3000),
			rapid.Custom(func(rt *rapid.T) []byte { // compressible, spans chunks
				b := bytes.Repeat([]byte{rapid.Byte().Draw(rt, "fill")}, rapid.IntRange(0, 100_000).Draw(rt, "n"))
				return b
			}),
		), 0, 80).Draw(rt, "records")
		id := fmt.Sprintf("s%d", n.Add(1))
		m := write(t, e.repo, "backup", id, recs)
		if m.Records != int64(len(recs)) {
			rt.Fatalf("manifest records %d, want %d", m.Records, len(recs))
		}
		got, err := readAll(e.repo, "backup", id)
		if err != nil {
			rt.Fatal(err)
		}
		equalRecords(t, got, recs)
	})
}

func TestEmptyStream(t *testing.T) {
	e := newEnv(t, smallChunks)
	m := write(t, e.repo, "backup", "empty", nil)
	if m.Records != 0 || len(m.Chunks) != 0 || m.StreamSHA256 != fmt.Sprintf("%x", sha256.Sum256(nil)) {
		t.Fatalf("empty manifest: %+v", m)
	}
	got, err := readAll(e.repo, "backup", "empty")
	if err != nil || len(got) != 0 {
		t.Fatalf("read empty: %v %d", err, len(got))
	}
	// One empty record is not an empty stream.
	write(t, e.repo, "backup", "one-empty", [][]byte{{}})
	got, err = readAll(e.repo, "backup", "one-empty")
	if err != nil || len(got) != 1 || len(got[0]) != 0 {
		t.Fatalf("read one empty record: %v %v", err, got)
	}
}

func TestHugeRecordsDefaultChunking(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 40 MiB")
	}
	e := newEnv(t, ChunkParams{})
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 20<<20) // random: incompressible, > 2 max-size chunks
	for i := range big {
		big[i] = byte(rng.Uint32())
	}
	recs := [][]byte{[]byte("head"), big, {}, bytes.Repeat([]byte("z"), 19<<20), []byte("tail")}
	m := write(t, e.repo, "backup", "huge", recs)
	if len(m.Chunks) < 3 {
		t.Errorf("huge stream in %d chunks", len(m.Chunks))
	}
	for i, c := range m.Chunks {
		if c.Length > int64(DefaultChunking.MaxSize) || (i < len(m.Chunks)-1 && c.Length < int64(DefaultChunking.MinSize)) {
			t.Errorf("chunk %d has %d bytes, outside [min, max]", i, c.Length)
		}
	}
	got, err := readAll(e.repo, "backup", "huge")
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, recs)
}

func TestDedup(t *testing.T) {
	e := newEnv(t, ChunkParams{MinSize: 16 << 10, MaxSize: 256 << 10, AverageBits: 14})
	recs := jsonRecords(7, 8192) // ~8 MiB
	m1 := write(t, e.repo, "backup", "b1", recs)
	t.Logf("full: %d records, %d logical bytes, %d chunks, %d stored bytes (%.1fx compression)",
		m1.Records, m1.LogicalBytes, len(m1.Chunks), m1.NewStoredBytes, float64(m1.LogicalBytes)/float64(m1.NewStoredBytes))
	if m1.NewStoredBytes == 0 || m1.NewStoredBytes != m1.StoredBytes {
		t.Fatalf("first snapshot: new %d, total %d", m1.NewStoredBytes, m1.StoredBytes)
	}
	if m1.NewStoredBytes > m1.LogicalBytes/2 {
		t.Errorf("zstd barely compressed JSON: %d of %d", m1.NewStoredBytes, m1.LogicalBytes)
	}

	// Same stream: nothing new.
	m2 := write(t, e.repo, "backup", "b2", recs)
	if m2.NewStoredBytes != 0 || m2.StoredBytes != m1.StoredBytes {
		t.Errorf("identical snapshot stored %d new bytes (total %d)", m2.NewStoredBytes, m2.StoredBytes)
	}

	// 1% of the records changed, in 4 places (updates, an insert, a delete).
	changed := append([][]byte(nil), recs...)
	rng := rand.New(rand.NewPCG(9, 9))
	words := []string{"kilo", "lima", "mike"}
	for _, at := range []int{100, 3000, 5000, 7000} {
		for j := range 20 {
			changed[at+j] = jsonRecord(rng, words, at+j)
		}
	}
	changed = append(changed[:6000], changed[6001:]...)
	changed = append(changed[:4000], append([][]byte{jsonRecord(rng, words, -1)}, changed[4000:]...)...)
	m3 := write(t, e.repo, "backup", "b3", changed)
	var newChunks int
	old := map[ChunkID]bool{}
	for _, c := range m1.Chunks {
		old[c.ID] = true
	}
	for _, c := range m3.Chunks {
		if !old[c.ID] {
			newChunks++
		}
	}
	t.Logf("1%% changed: %d of %d chunks new, %d new stored bytes (%.1f%% of full)",
		newChunks, len(m3.Chunks), m3.NewStoredBytes, 100*float64(m3.NewStoredBytes)/float64(m1.NewStoredBytes))
	if m3.NewStoredBytes > m1.NewStoredBytes/8 || newChunks > 16 {
		t.Errorf("1%%-changed stream stored %d new bytes in %d chunks (full: %d)", m3.NewStoredBytes, newChunks, m1.NewStoredBytes)
	}
	got, err := readAll(e.repo, "backup", "b3")
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, changed)

	st, err := e.repo.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stats: %+v", st)
	if st.Snapshots != 3 || st.DedupRatio < 3*float64(m1.LogicalBytes)/float64(m1.NewStoredBytes)*0.8 {
		t.Errorf("stats: %+v", st)
	}
}

func TestFreshServerRecovers(t *testing.T) {
	e := newEnv(t, smallChunks)
	recs := jsonRecords(1, 500)
	write(t, e.repo, "backup", "b1", recs)
	write(t, e.repo, "pitr-segment", "0001", recs[:10])
	// A new server: same store, root key loaded from its file.
	path := t.TempDir() + "/root.key"
	if err := writeKeyFile(path, e.key); err != nil {
		t.Fatal(err)
	}
	k2, err := keys.LoadRootKey(path)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := Open(context.Background(), e.store, k2, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if r2.ID() != e.repo.ID() {
		t.Fatal("reopened a different repository")
	}
	infos, err := r2.List(context.Background(), "")
	if err != nil || len(infos) != 2 {
		t.Fatalf("list: %v %d", err, len(infos))
	}
	if infos[0].Kind != "backup" || string(infos[0].Manifest.Meta) != `{"table":"t1"}` {
		t.Errorf("list[0] = %+v", infos[0])
	}
	got, err := readAll(r2, "backup", "b1")
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, recs)
}

func writeKeyFile(path string, k *keys.RootKey) error {
	return osWriteFile(path, keys.MarshalRootKey(k))
}

func TestWrongRootKey(t *testing.T) {
	e := newEnv(t, smallChunks)
	other, _ := keys.GenerateRootKey()
	_, err := Open(context.Background(), e.store, other, Options{Logger: quiet()})
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("got %v, want ErrWrongKey", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, e.key.KeyID()) || !strings.Contains(msg, other.KeyID()) {
		t.Errorf("error does not name both key ids: %s", msg)
	}
}

// firstChunkKey returns the key of the manifest's first chunk.
func firstChunkKey(m *Manifest, i int) string { return chunkKey(m.Chunks[i].ID) }

func TestTamperChunk(t *testing.T) {
	e := newEnv(t, smallChunks)
	m := write(t, e.repo, "backup", "X", jsonRecords(3, 300))
	key := firstChunkKey(m, 1)
	raw, _ := e.store.Raw(key)
	e.store.FlipBit(key, len(raw)/2, 3)
	var delivered int
	err := e.repo.Read(context.Background(), "backup", "X", func([]byte) error { delivered++; return nil })
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("read tampered chunk: %v", err)
	}
	want := fmt.Sprintf("repo: chunk %s… (#1) of manifests/backup/X: authentication failed (corrupted or tampered)", m.Chunks[1].ID.Short())
	if err.Error() != want {
		t.Errorf("error\n got %q\nwant %q", err, want)
	}
	// Records of the intact first chunk may have been delivered; nothing after it.
	rep, err := e.repo.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Object, key) {
		t.Fatalf("verify: %s", rep)
	}
}

func TestTamperChunkSwap(t *testing.T) {
	// Replacing one valid chunk object by another fails authentication:
	// the chunk id is the additional data.
	e := newEnv(t, smallChunks)
	m := write(t, e.repo, "backup", "X", jsonRecords(3, 300))
	a, _ := e.store.Raw(firstChunkKey(m, 0))
	e.store.Set(firstChunkKey(m, 2), a)
	if _, err := readAll(e.repo, "backup", "X"); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "authentication failed") {
		t.Fatalf("swapped chunk: %v", err)
	}
}

func TestTamperManifest(t *testing.T) {
	e := newEnv(t, smallChunks)
	write(t, e.repo, "backup", "X", jsonRecords(3, 100))
	write(t, e.repo, "backup", "Y", jsonRecords(4, 100))
	e.store.FlipBit("manifests/backup/X", 20, 0)
	_, err := readAll(e.repo, "backup", "X")
	if !errors.Is(err, ErrCorrupt) || err.Error() != "repo: manifests/backup/X: authentication failed (corrupted or tampered)" {
		t.Fatalf("read tampered manifest: %v", err)
	}
	// A manifest copied under another id is refused too (AAD = kind/id).
	y, _ := e.store.Raw("manifests/backup/Y")
	e.store.Set("manifests/backup/Z", y)
	if _, err := e.repo.Manifest(context.Background(), "backup", "Z"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("renamed manifest: %v", err)
	}
	infos, err := e.repo.List(context.Background(), "backup")
	if err != nil || len(infos) != 3 || infos[0].Err == nil || infos[1].Err != nil || infos[2].Err == nil {
		t.Fatalf("list: %v %+v", err, infos)
	}
	if _, err := e.repo.GC(context.Background(), GCOptions{}); err == nil || !strings.Contains(err.Error(), "nothing deleted") {
		t.Fatalf("gc with a corrupt manifest: %v", err)
	}
}

func TestTamperConfig(t *testing.T) {
	e := newEnv(t, smallChunks)
	write(t, e.repo, "backup", "X", jsonRecords(3, 10))
	orig, _ := e.store.Raw("config")
	orig = append([]byte(nil), orig...)
	for _, field := range []string{`"wrapped_key": "`, `"sealed": "`, `"id": "`} {
		i := bytes.Index(orig, []byte(field)) + len(field) + 5
		bad := append([]byte(nil), orig...)
		if bad[i] == 'A' {
			bad[i] = 'B'
		} else {
			bad[i] = 'A'
		}
		e.store.Set("config", bad)
		_, err := Open(context.Background(), e.store, e.key, Options{Logger: quiet()})
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "config") {
			t.Errorf("tampered %s: %v", field, err)
		}
		rep, err := e.repo.Verify(context.Background(), nil)
		if err != nil || rep.OK() || rep.Problems[0].Object != "config" {
			t.Errorf("verify tampered %s: %v %v", field, err, rep)
		}
	}
	e.store.Set("config", []byte("garbage"))
	if _, err := Open(context.Background(), e.store, e.key, Options{Logger: quiet()}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("garbage config: %v", err)
	}
	// Missing config over existing data: refuse to initialize a new repository.
	e.store.Delete(context.Background(), "config")
	if _, err := Open(context.Background(), e.store, e.key, Options{Logger: quiet()}); !errors.Is(err, ErrMissing) {
		t.Errorf("missing config: %v", err)
	}
}

func TestMissingChunk(t *testing.T) {
	e := newEnv(t, smallChunks)
	m := write(t, e.repo, "backup", "X", jsonRecords(3, 300))
	e.store.Delete(context.Background(), firstChunkKey(m, 2))
	_, err := readAll(e.repo, "backup", "X")
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "manifests/backup/X") ||
		!strings.Contains(err.Error(), firstChunkKey(m, 2)) {
		t.Fatalf("missing chunk: %v", err)
	}
	if _, err := readAll(e.repo, "backup", "nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing snapshot: %v", err)
	}
}

func TestVerifyListsEveryProblem(t *testing.T) {
	e := newEnv(t, smallChunks)
	m := write(t, e.repo, "backup", "A", jsonRecords(1, 400))
	write(t, e.repo, "backup", "B", jsonRecords(2, 100))
	write(t, e.repo, "backup", "C", jsonRecords(3, 100))
	// An unreferenced chunk (a deleted snapshot's).
	mD := write(t, e.repo, "backup", "D", [][]byte{bytes.Repeat([]byte("only in D"), 900)})
	e.repo.Delete(context.Background(), "backup", "D")

	var progressCalls, lastDone, lastTotal int
	rep, err := e.repo.Verify(context.Background(), func(d, tot int) { progressCalls++; lastDone, lastTotal = d, tot })
	if err != nil || !rep.OK() || len(rep.Unreferenced) != len(mD.Chunks) {
		t.Fatalf("clean verify: %v %s", err, rep)
	}
	if progressCalls == 0 || lastDone != lastTotal {
		t.Errorf("progress: %d calls, last %d/%d", progressCalls, lastDone, lastTotal)
	}

	raw, _ := e.store.Raw(firstChunkKey(m, 0))
	e.store.FlipBit(firstChunkKey(m, 0), len(raw)-1, 7) // GCM tag
	e.store.FlipBit(firstChunkKey(m, 3), 1, 0)          // nonce
	e.store.Delete(context.Background(), firstChunkKey(m, 5))
	e.store.FlipBit("manifests/backup/B", 30, 1)
	rep, err = e.repo.Verify(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if len(rep.Problems) != 4 {
		t.Fatalf("want 4 problems, got:\n%s", rep)
	}
	s := rep.String()
	for _, want := range []string{firstChunkKey(m, 0), firstChunkKey(m, 3), firstChunkKey(m, 5), "manifests/backup/B", "missing", "authentication failed"} {
		if !strings.Contains(s, want) {
			t.Errorf("report lacks %q:\n%s", want, s)
		}
	}
}

func TestGCRemovesOnlyUnreferenced(t *testing.T) {
	e := newEnv(t, smallChunks)
	ctx := context.Background()
	shared := jsonRecords(1, 300)
	mA := write(t, e.repo, "backup", "A", append(append([][]byte{}, shared...), jsonRecords(2, 200)...))
	mB := write(t, e.repo, "backup", "B", append(append([][]byte{}, shared...), jsonRecords(3, 200)...))
	before := len(e.store.Keys("chunks/"))
	if err := e.repo.Delete(ctx, "backup", "A"); err != nil {
		t.Fatal(err)
	}
	inB := map[ChunkID]bool{}
	for _, c := range mB.Chunks {
		inB[c.ID] = true
	}
	var onlyA int
	var onlyABytes int64
	for _, c := range mA.Chunks {
		if !inB[c.ID] {
			onlyA++
			onlyABytes += c.Stored
			inB[c.ID] = true // count once
		}
	}
	dry, err := e.repo.GC(ctx, GCOptions{DryRun: true})
	if err != nil || dry.ChunksDeleted != onlyA || len(e.store.Keys("chunks/")) != before {
		t.Fatalf("dry run: %v %+v", err, dry)
	}
	st, err := e.repo.GC(ctx, GCOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gc: %+v", st)
	if st.ChunksDeleted != onlyA || st.BytesFreed != onlyABytes || st.Manifests != 1 || onlyA == 0 {
		t.Fatalf("gc deleted %d chunks / %d bytes, want %d / %d", st.ChunksDeleted, st.BytesFreed, onlyA, onlyABytes)
	}
	if got := len(e.store.Keys("chunks/")); got != before-onlyA {
		t.Fatalf("%d chunks left, want %d", got, before-onlyA)
	}
	if _, err := readAll(e.repo, "backup", "B"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.repo.Verify(ctx, nil)
	if err != nil || !rep.OK() || len(rep.Unreferenced) != 0 {
		t.Fatalf("verify after gc: %v %s", err, rep)
	}
	// After a GC, new writers relist: re-writing A's data uploads the chunks again.
	mA2 := write(t, e.repo, "backup", "A2", append(append([][]byte{}, shared...), jsonRecords(2, 200)...))
	if mA2.NewStoredBytes != onlyABytes {
		t.Errorf("rewrite after gc stored %d new bytes, want %d", mA2.NewStoredBytes, onlyABytes)
	}
	if _, err := readAll(e.repo, "backup", "A2"); err != nil {
		t.Fatal(err)
	}
}

func TestGCNeverDeletesChunksOfARunningWriter(t *testing.T) {
	e := newEnv(t, smallChunks)
	ctx := context.Background()
	recs := jsonRecords(5, 600)
	write(t, e.repo, "backup", "old", recs)
	e.repo.Delete(ctx, "backup", "old") // its chunks are now garbage…

	// …which a new writer of the same data dedups against.
	w, err := e.repo.NewWriter(ctx, "backup", "new")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, r := range recs {
		if err := w.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	chunksBefore := len(e.store.Keys("chunks/"))
	_, err = e.repo.GC(ctx, GCOptions{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "backup/new") {
		t.Fatalf("gc during a write: %v", err)
	}
	if got := len(e.store.Keys("chunks/")); got != chunksBefore {
		t.Fatalf("gc deleted %d chunks during a write", chunksBefore-got)
	}
	m, err := w.Commit(nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.NewStoredBytes != 0 {
		t.Errorf("writer re-uploaded %d bytes it could dedup", m.NewStoredBytes)
	}
	got, err := readAll(e.repo, "backup", "new")
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, recs)
	// With the writer done, GC runs and keeps everything "new" needs.
	st, err := e.repo.GC(ctx, GCOptions{})
	if err != nil || st.ChunksDeleted != 0 {
		t.Fatalf("gc after commit: %v %+v", err, st)
	}
	if locks, _ := e.repo.Locks(ctx); len(locks) != 1 || locks["gc"].Running {
		t.Errorf("locks left: %+v", locks)
	}
}

func TestStaleWriterLock(t *testing.T) {
	e := newEnv(t, smallChunks)
	ctx := context.Background()
	w, err := e.repo.NewWriter(ctx, "backup", "slow")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	w.Add([]byte("x"))
	e.clock.Advance(31 * time.Minute) // writer "hung" past LockStale
	st, err := e.repo.GC(ctx, GCOptions{})
	if err != nil || st.StaleLocksRemoved != 1 {
		t.Fatalf("gc over a stale lock: %v %+v", err, st)
	}
	if _, err := w.Commit(nil); !errors.Is(err, ErrLockLost) {
		t.Fatalf("commit after losing the lock: %v", err)
	}
	if _, err := e.repo.Manifest(ctx, "backup", "slow"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("manifest written without a lock: %v", err)
	}
}

func TestWriterWaitsForGC(t *testing.T) {
	e := newEnv(t, smallChunks)
	ctx := context.Background()
	marker := e.repo.newLockInfo("gc", "")
	marker.Running = true
	marker.Generation = "g1"
	e.repo.putLock(ctx, gcLockKey, marker)

	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := e.repo.NewWriter(tctx, "backup", "w"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("writer during gc: %v", err)
	}
	if ks := e.store.Keys("locks/"); len(ks) != 1 {
		t.Fatalf("waiting writer left its lock: %v", ks)
	}
	if _, err := e.repo.GC(ctx, GCOptions{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second gc: %v", err)
	}
	// A crashed GC's marker goes stale; writers then proceed.
	e.clock.Advance(31 * time.Minute)
	write(t, e.repo, "backup", "w", [][]byte{[]byte("ok")})
}

func TestConcurrentWritersSameData(t *testing.T) {
	e := newEnv(t, smallChunks)
	recs := jsonRecords(11, 500)
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			defer func() { errs <- nil }()
			write(t, e.repo, "backup", fmt.Sprintf("c%d", i), recs)
		}()
	}
	for range 4 {
		<-errs
	}
	var newTotal int64
	for i := range 4 {
		m, err := e.repo.Manifest(context.Background(), "backup", fmt.Sprintf("c%d", i))
		if err != nil {
			t.Fatal(err)
		}
		newTotal += m.NewStoredBytes
		got, err := readAll(e.repo, "backup", m.ID)
		if err != nil {
			t.Fatal(err)
		}
		equalRecords(t, got, recs)
	}
	if newTotal != e.store.TotalBytes("chunks/") {
		t.Errorf("new bytes %d, chunks hold %d: a chunk was uploaded twice", newTotal, e.store.TotalBytes("chunks/"))
	}
}

func TestWriterErrors(t *testing.T) {
	e := newEnv(t, smallChunks)
	ctx := context.Background()
	for _, bad := range [][2]string{{"", "x"}, {"a/b", "x"}, {"k", ".."}, {"k", "a b"}} {
		if _, err := e.repo.NewWriter(ctx, bad[0], bad[1]); !errors.Is(err, ErrInvalidName) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	write(t, e.repo, "backup", "dup", nil)
	if _, err := e.repo.NewWriter(ctx, "backup", "dup"); !errors.Is(err, ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
	// Abort leaves no manifest and no lock.
	w, _ := e.repo.NewWriter(ctx, "backup", "aborted")
	w.Add(bytes.Repeat([]byte("a"), 100000))
	w.Abort()
	w.Abort()
	if err := w.Add([]byte("x")); err == nil {
		t.Error("Add after Abort succeeded")
	}
	if ks := e.store.Keys("locks/w-"); len(ks) != 0 {
		t.Errorf("locks left: %v", ks)
	}
	if _, err := e.repo.Manifest(ctx, "backup", "aborted"); !errors.Is(err, ErrNotFound) {
		t.Errorf("aborted manifest: %v", err)
	}
	// A callback error stops the read and is returned unchanged.
	write(t, e.repo, "backup", "cb", jsonRecords(1, 50))
	stop := errors.New("stop")
	n := 0
	err := e.repo.Read(ctx, "backup", "cb", func([]byte) error { n++; return stop })
	if err != stop || n != 1 {
		t.Errorf("callback error: %v after %d", err, n)
	}
	// A store failing mid-write fails the writer cleanly.
	fs := &failingStore{MemStore: repotest.NewMemStore()}
	r, err := Open(ctx, fs, e.key, e.opts(smallChunks))
	if err != nil {
		t.Fatal(err)
	}
	w, err = r.NewWriter(ctx, "backup", "f")
	if err != nil {
		t.Fatal(err)
	}
	fs.fail.Store(true)
	var addErr error
	for _, rec := range jsonRecords(2, 3000) {
		if addErr = w.Add(rec); addErr != nil {
			break
		}
	}
	_, cerr := w.Commit(nil)
	if cerr == nil || !strings.Contains(cerr.Error(), "injected") {
		t.Errorf("commit on a failing store: add %v, commit %v", addErr, cerr)
	}
}

type failingStore struct {
	*repotest.MemStore
	fail atomic.Bool
}

func (f *failingStore) Put(ctx context.Context, key string, data []byte) error {
	if f.fail.Load() && strings.HasPrefix(key, "chunks/") {
		return errors.New("injected put failure")
	}
	return f.MemStore.Put(ctx, key, data)
}

func TestOnFilesystemStore(t *testing.T) {
	dir := t.TempDir()
	s, err := blob.NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := keys.GenerateRootKey()
	r, err := Open(context.Background(), s, k, Options{Logger: quiet(), Chunking: smallChunks})
	if err != nil {
		t.Fatal(err)
	}
	recs := jsonRecords(21, 400)
	write(t, r, "backup", "fs1", recs)
	r.Close()
	// A fresh server on the same directory.
	s2, _ := blob.NewFS(dir)
	r2, err := Open(context.Background(), s2, k, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	got, err := readAll(r2, "backup", "fs1")
	if err != nil {
		t.Fatal(err)
	}
	equalRecords(t, got, recs)
	rep, err := r2.Verify(context.Background(), nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %v", err, rep)
	}
}
