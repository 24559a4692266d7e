package engine

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// ackedWrite is one item write a writer saw succeed.
type ackedWrite struct {
	ts   clock.Timestamp
	seq  uint32 // its mutation's seq among the commit's changes
	key  attr.Item
	item attr.Item // nil for a delete
}

// writeLoad runs writers on table until stop is closed or the table is
// gone. Each writer mixes single puts, deletes of its own items and
// two-item MutateMany commits, and records what succeeded.
type writeLoad struct {
	mu    sync.Mutex
	acked []ackedWrite
	wg    sync.WaitGroup
	count atomic.Int64 // commits acknowledged
}

func startWriters(t *testing.T, e *Engine, table string, writers int, stop <-chan struct{}) *writeLoad {
	l := &writeLoad{}
	for w := range writers {
		l.wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := key(attr.S(fmt.Sprintf("w%d-%d", w, i%40)))
				it := withAttrs(k, "w", num(w), "i", num(i))
				var muts []Mutation
				var items []attr.Item
				switch i % 4 {
				case 0, 1:
					muts = []Mutation{{Table: table, Key: k, Fn: func(attr.Item) (attr.Item, error) { return it, nil }}}
					items = []attr.Item{it}
				case 2:
					muts = []Mutation{{Table: table, Key: k, Fn: func(attr.Item) (attr.Item, error) { return nil, nil }}}
					items = []attr.Item{nil}
				case 3:
					k2 := key(attr.S(fmt.Sprintf("w%d-pair", w)))
					it2 := withAttrs(k2, "i", num(i))
					muts = []Mutation{
						{Table: table, Key: k, Fn: func(attr.Item) (attr.Item, error) { return it, nil }},
						{Table: table, Key: k2, Fn: func(attr.Item) (attr.Item, error) { return it2, nil }},
					}
					items = []attr.Item{it, it2}
				}
				res, _, err := e.MutateMany(bg, muts)
				if errors.Is(err, ErrTableNotFound) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				l.count.Add(1)
				l.mu.Lock()
				seq := uint32(0)
				for j, m := range muts {
					if res[j].Old == nil && items[j] == nil {
						continue // deleting an absent item: a no-op
					}
					l.acked = append(l.acked, ackedWrite{ts: res[j].CommitTS, seq: seq, key: m.Key, item: items[j]})
					seq++
				}
				l.mu.Unlock()
			}
		})
	}
	return l
}

// waitCommits waits until the load has acknowledged n more commits.
func (l *writeLoad) waitCommits(t *testing.T, n int64) {
	t.Helper()
	target := l.count.Load() + n
	deadline := time.Now().Add(30 * time.Second)
	for l.count.Load() < target {
		if time.Now().After(deadline) {
			t.Fatal("writers stalled")
		}
		time.Sleep(time.Millisecond)
	}
}

// sorted returns the acknowledged writes in commit order.
func (l *writeLoad) sorted() []ackedWrite {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.acked)
	slices.SortFunc(out, func(a, b ackedWrite) int {
		return cmp.Or(cmp.Compare(a.ts, b.ts), cmp.Compare(a.seq, b.seq))
	})
	return out
}

// checkChangesAre checks that cs are exactly the writes ws, in order.
func checkChangesAre(t *testing.T, ks KeySchema, cs []Change, ws []ackedWrite) {
	t.Helper()
	if len(cs) != len(ws) {
		t.Fatalf("%d changes, want %d", len(cs), len(ws))
	}
	for i, w := range ws {
		checkChange(t, ks, cs[i], w.ts, w.seq, w.key, w.item, OriginRequest)
	}
}

// foldWrites returns the final items of a sequence of writes.
func foldWrites(ws []ackedWrite) []attr.Item {
	m := map[string]attr.Item{}
	for _, w := range ws {
		if w.item == nil {
			delete(m, fmtItem(w.key))
		} else {
			m[fmtItem(w.key)] = w.item
		}
	}
	var out []attr.Item
	for _, it := range m {
		out = append(out, it)
	}
	return out
}

// Turning capture on (and off and on again) under concurrent writers:
// exactly the commits after the last boundary are logged, each whole.
func TestSetChangeCaptureConcurrentWriters(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	stop := make(chan struct{})
	l := startWriters(t, e, "T", 6, stop)
	l.waitCommits(t, 50)
	from1 := captureOn(t, e, "T")
	l.waitCommits(t, 50)
	if _, _, err := e.SetChangeCapture(bg, "T", false); err != nil {
		t.Fatal(err)
	}
	l.waitCommits(t, 50)
	from2 := captureOn(t, e, "T")
	l.waitCommits(t, 100)
	close(stop)
	l.wg.Wait()

	all := l.sorted()
	var want []ackedWrite
	for _, w := range all {
		if w.ts > from2 {
			want = append(want, w)
		}
	}
	if len(want) == 0 || len(want) == len(all) || from1 >= from2 {
		t.Fatalf("%d of %d writes after the boundary", len(want), len(all))
	}
	checkChangesAre(t, ks, allChanges(t, e, "T"), want)
}

// A shipper reading up to the resolved timestamp and trimming behind it
// while writers commit concurrently ships every change exactly once: no
// commit ever appears at or below a resolved timestamp already read.
func TestResolvedTimestampShipping(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	from := captureOn(t, e, "T")
	stop := make(chan struct{})
	l := startWriters(t, e, "T", 8, stop)
	var shipped []Change
	last := from
	ship := func() {
		r := e.ResolvedTimestamp()
		if r < last {
			t.Fatalf("resolved timestamp went back: %v after %v", r, last)
		}
		shipped = append(shipped, changes(t, e, "T", last, r)...)
		if err := e.TrimChanges(bg, "T", r); err != nil {
			t.Fatal(err)
		}
		last = r
	}
	for range 200 {
		ship()
		if l.count.Load() > 600 {
			break
		}
		time.Sleep(200 * time.Microsecond)
	}
	close(stop)
	l.wg.Wait()
	ship()
	checkChangesAre(t, ks, shipped, l.sorted())
	if has, err := e.HasChanges(bg, "T", 0); err != nil || has {
		t.Fatalf("changes left in the log after shipping everything: %v, %v", has, err)
	}
}

// The resolved timestamp follows the clock while idle, and commits after
// it get later timestamps.
func TestResolvedTimestampAdvancesWhenIdle(t *testing.T) {
	fc := clock.NewFake(testEpoch)
	e := openAt(t, t.TempDir(), fc)
	defer e.Close()
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	r1 := e.ResolvedTimestamp()
	fc.Advance(time.Second)
	r2 := e.ResolvedTimestamp()
	if r2 < clock.TimestampAt(testEpoch.Add(time.Second))-1 || r2 <= r1 {
		t.Fatalf("resolved %v after a second idle (was %v)", r2, r1)
	}
	res, err := e.Mutate(bg, "T", key(attr.S("a")), func(attr.Item) (attr.Item, error) { return key(attr.S("a")), nil })
	if err != nil || res.CommitTS <= r2 {
		t.Fatalf("commit at %v after resolved %v (%v)", res.CommitTS, r2, err)
	}
	if r3 := e.ResolvedTimestamp(); r3 < res.CommitTS {
		t.Fatalf("resolved %v below the finished commit %v", r3, res.CommitTS)
	}
}

// DeleteTableWithSnapshot under concurrent writers: the snapshot holds
// exactly every acknowledged write (writes fail after the delete), its
// log too; the table's keys and log are gone.
func TestDeleteTableWithSnapshot(t *testing.T) {
	e, _ := openTest(t)
	s := spec("T", attr.KindS, attr.KindInvalid)
	s.Indexes = []IndexSpec{
		{Name: "G", KeySchema: KeySchema{Hash: KeyAttr{"w", attr.KindN}, Range: &KeyAttr{"i", attr.KindN}}, Projection: Projection{Type: ProjectionAll}},
		{Name: "K", KeySchema: KeySchema{Hash: KeyAttr{"i", attr.KindN}}, Projection: Projection{Type: ProjectionKeysOnly}},
	}
	mustCreate(t, e, s)
	ks := s.KeySchema
	captureOn(t, e, "T")
	id := tableID(t, e, "T")
	stop := make(chan struct{})
	defer close(stop)
	l := startWriters(t, e, "T", 6, stop)
	l.waitCommits(t, 200)
	rec, snap, err := e.DeleteTableWithSnapshot(bg, "T")
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	l.wg.Wait() // every writer stops on ErrTableNotFound
	if rec.Status != StatusDeleting || snap.Table().Status != StatusActive || !snap.Table().ChangeCapture {
		t.Fatalf("records: %s, snapshot %+v", rec.Status, snap.Table())
	}
	writes := l.sorted()
	want := foldWrites(writes)
	var got []attr.Item
	if err := snap.Items(bg, func(enc []byte) error {
		it, err := attr.DecodeItem(enc)
		got = append(got, it)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	checkSameSet(t, "snapshot items", got, want)
	st := snap.Stats()
	var size int64
	for _, it := range want {
		size += int64(attr.ItemSize(it))
	}
	if st.ItemCount != int64(len(want)) || st.SizeBytes != size {
		t.Fatalf("snapshot stats %+v, want %d items, %d bytes", st, len(want), size)
	}
	lo, hi := snap.Bounds()
	if lo != hi-1 || writes[len(writes)-1].ts >= hi {
		t.Fatalf("bounds (%v, %v), last write at %v", lo, hi, writes[len(writes)-1].ts)
	}
	var logged []Change
	if err := snap.ReadChanges(bg, 0, allTime, func(c Change) error {
		logged = append(logged, cloneChange(c))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	checkChangesAre(t, ks, logged, writes) // capture was on from the start

	for _, p := range allPrefixes {
		if keys := storedKeys(t, e, p, id); len(keys) != 0 {
			t.Fatalf("%d %c keys survived the delete", len(keys), p)
		}
	}
	if _, err := e.Table(bg, "T"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("Table after delete: %v", err)
	}
	if err := e.ReadChanges(bg, "T", 0, allTime, func(Change) error { return nil }); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("ReadChanges after delete: %v", err)
	}

	// Errors are DeleteTable's.
	if _, _, err := e.DeleteTableWithSnapshot(bg, "T"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("again: %v", err)
	}
	s = spec("P", attr.KindS, attr.KindInvalid)
	s.DeletionProtection = true
	mustCreate(t, e, s)
	if _, snap, err := e.DeleteTableWithSnapshot(bg, "P"); !errors.Is(err, ErrDeletionProtected) || snap != nil {
		t.Fatalf("protected: %v", err)
	}
	mustCreate(t, e, restoreSpec(spec("R", attr.KindS, attr.KindInvalid)))
	if _, snap, err := e.DeleteTableWithSnapshot(bg, "R"); !errors.Is(err, ErrTableNotReady) || snap != nil {
		t.Fatalf("restore target: %v", err)
	}
}

// A table deleted without capture leaves no log either, and a snapshot
// of a table never written is empty.
func TestDeleteTableWithSnapshotEmpty(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	_, snap, err := e.DeleteTableWithSnapshot(bg, "T")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := snap.Items(bg, func([]byte) error { n++; return nil }); err != nil || n != 0 || snap.Stats() != (TableStats{}) {
		t.Fatalf("empty snapshot: %d items, %+v, %v", n, snap.Stats(), err)
	}
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	if err := snap.ReadChanges(bg, 0, allTime, func(Change) error { return nil }); err == nil {
		t.Fatal("ReadChanges on a closed snapshot")
	}
}
