package engine

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// rawRecords counts the table's log records that are references and that
// carry their image (or are deletions).
func rawRecords(t tb, e *Engine, table string) (refs, full int) {
	t.Helper()
	id := tableID(t, e, table)
	it, err := e.db.NewIter(changeBound(id, 0), prefixEnd(changeLogPrefix(id)))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for ok := it.First(); ok; ok = it.Next() {
		v, err := it.Value()
		if err != nil {
			t.Fatal(err)
		}
		var c Change
		ref, err := decodeChangeValue(v, &c)
		if err != nil {
			t.Fatal(err)
		}
		if ref {
			refs++
		} else {
			full++
		}
	}
	return refs, full
}

// TestMain logs every put of the engine's tests as a reference (their
// items are small), so that the tests of every write path, crash and
// concurrency cover reference records; TestCaptureSmallImagesInline
// covers the threshold.
func TestMain(m *testing.M) {
	minRefImage = 1
	os.Exit(m.Run())
}

// Images below minRefImage are logged inline; overwriting a referenced
// item with a small one still rewrites the reference.
func TestCaptureSmallImagesInline(t *testing.T) {
	saved := minRefImage
	minRefImage = 256
	defer func() { minRefImage = saved }()
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	captureOn(t, e, "T")
	k := key(attr.S("k"))
	small, big := withAttrs(k, "v", num(1)), withAttrs(k, "pad", attr.S(strings.Repeat("x", 300)))
	put(t, e, "T", small)
	if refs, full := rawRecords(t, e, "T"); refs != 0 || full != 1 {
		t.Fatalf("small put: %d references and %d full records, want 0 and 1", refs, full)
	}
	put(t, e, "T", big)
	if refs, full := rawRecords(t, e, "T"); refs != 1 || full != 1 {
		t.Fatalf("big put: %d references and %d full records, want 1 and 1", refs, full)
	}
	put(t, e, "T", small)
	if refs, full := rawRecords(t, e, "T"); refs != 0 || full != 3 {
		t.Fatalf("small over big: %d references and %d full records, want 0 and 3", refs, full)
	}
	if n := tableStateOf(t, e, "T").refs.n.Load(); n != 0 {
		t.Fatalf("%d references tracked, want 0", n)
	}
	cs := allChanges(t, e, "T")
	for i, want := range []attr.Item{small, big, small} {
		checkChange(t, ks, cs[i], cs[i].TS, 0, k, want, OriginRequest)
	}
}

// A put is logged as a reference to its item; overwriting or deleting the
// item rewrites that record with the image it replaces, so every version
// is read back, before and after a trim.
func TestCaptureReferenceRecords(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	captureOn(t, e, "T")
	k := key(attr.S("k"))
	var want []attr.Item
	for i := range 3 {
		it := withAttrs(k, "v", num(i))
		put(t, e, "T", it)
		want = append(want, it)
	}
	if refs, full := rawRecords(t, e, "T"); refs != 1 || full != 2 {
		t.Fatalf("%d references and %d full records, want 1 and 2", refs, full)
	}
	cs := allChanges(t, e, "T")
	if len(cs) != 3 {
		t.Fatalf("%d changes", len(cs))
	}
	for i, c := range cs {
		checkChange(t, ks, c, c.TS, 0, k, want[i], OriginRequest)
	}
	del(t, e, "T", k)
	if refs, full := rawRecords(t, e, "T"); refs != 0 || full != 4 {
		t.Fatalf("after the delete: %d references and %d full records", refs, full)
	}
	cs = allChanges(t, e, "T")
	checkChange(t, ks, cs[2], cs[2].TS, 0, k, want[2], OriginRequest)
	checkChange(t, ks, cs[3], cs[3].TS, 0, k, nil, OriginRequest)

	// After a trim the tracker forgets the trimmed reference: the next
	// write does not bring it back.
	put(t, e, "T", want[0])
	if err := e.TrimChanges(bg, "T", e.ResolvedTimestamp()); err != nil {
		t.Fatal(err)
	}
	put(t, e, "T", want[1])
	if refs, full := rawRecords(t, e, "T"); refs != 1 || full != 0 {
		t.Fatalf("after a trim: %d references and %d full records, want 1 and 0", refs, full)
	}
	cs = allChanges(t, e, "T")
	if len(cs) != 1 {
		t.Fatalf("%d changes after the trim", len(cs))
	}
	checkChange(t, ks, cs[0], cs[0].TS, 0, k, want[1], OriginRequest)
}

// Past maxRefs tracked references, puts carry their image; both kinds
// read back and fold to the table.
func TestCaptureReferenceLimit(t *testing.T) {
	saved := maxRefs
	maxRefs = 3
	defer func() { maxRefs = saved }()
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	captureOn(t, e, "T")
	for i := range 10 {
		put(t, e, "T", withAttrs(key(attr.S(fmt.Sprint(i))), "v", num(i)))
	}
	if refs, full := rawRecords(t, e, "T"); refs != 3 || full != 7 {
		t.Fatalf("%d references and %d full records, want 3 and 7", refs, full)
	}
	// Overwriting a referenced item keeps its slot.
	for i := range 10 {
		put(t, e, "T", withAttrs(key(attr.S(fmt.Sprint(i))), "v", num(100+i)))
	}
	if refs, full := rawRecords(t, e, "T"); refs != 3 || full != 17 {
		t.Fatalf("after overwrites: %d references and %d full records, want 3 and 17", refs, full)
	}
	cs := allChanges(t, e, "T")
	if len(cs) != 20 {
		t.Fatalf("%d changes", len(cs))
	}
	for i, c := range cs {
		checkChange(t, ks, c, c.TS, 0, key(attr.S(fmt.Sprint(i%10))), withAttrs(key(attr.S(fmt.Sprint(i%10))), "v", num(i/10*100+i%10)), OriginRequest)
	}
	checkFoldMatchesScan(t, e, "T", ks, cs)
}

// References survive a restart: the tracker is rebuilt from the log, so an
// overwrite after reopening still keeps the version it replaces.
func TestCaptureReferencesAfterReopen(t *testing.T) {
	dir := t.TempDir()
	e := openAt(t, dir, clock.Real{})
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	captureOn(t, e, "T")
	k := key(attr.S("k"))
	v1, v2 := withAttrs(k, "v", num(1)), withAttrs(k, "v", num(2))
	put(t, e, "T", v1)
	put(t, e, "T", withAttrs(key(attr.S("other")), "v", num(0)))
	del(t, e, "T", key(attr.S("other")))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, clock.Real{})
	defer e.Close()
	if refs := tableStateOf(t, e, "T").refs.n.Load(); refs != 1 {
		t.Fatalf("%d references tracked after reopen, want 1", refs)
	}
	put(t, e, "T", v2)
	cs := allChanges(t, e, "T")
	if len(cs) != 4 {
		t.Fatalf("%d changes", len(cs))
	}
	checkChange(t, ks, cs[0], cs[0].TS, 0, k, v1, OriginRequest)
	checkChange(t, ks, cs[3], cs[3].TS, 0, k, v2, OriginRequest)
}

// tableStateOf returns the engine's live state of a table.
func tableStateOf(t tb, e *Engine, table string) *tableState {
	t.Helper()
	ts, err := e.lookup(table)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// Writers contending for a few hot items (single puts, deletes and
// two-item commits) while a shipper reads up to the resolved timestamp and
// trims behind it: the shipped changes are exactly the acknowledged
// writes, each with its own image, although most are overwritten moments
// later, some between the shipper's read and its trim.
func TestCaptureReferencesHotKeysShipping(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	from := captureOn(t, e, "T")
	const hot = 5
	var (
		mu    sync.Mutex
		acked []ackedWrite
		count atomic.Int64
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := key(attr.S(fmt.Sprint((w + i) % hot)))
				it := withAttrs(k, "w", num(w), "i", num(i))
				muts := []Mutation{{Table: "T", Key: k, Fn: func(attr.Item) (attr.Item, error) { return it, nil }}}
				items := []attr.Item{it}
				switch i % 5 {
				case 3:
					muts[0].Fn = func(attr.Item) (attr.Item, error) { return nil, nil }
					items[0] = nil
				case 4:
					k2 := key(attr.S(fmt.Sprint((w + i + 1) % hot)))
					it2 := withAttrs(k2, "w", num(w), "j", num(i))
					muts = append(muts, Mutation{Table: "T", Key: k2, Fn: func(attr.Item) (attr.Item, error) { return it2, nil }})
					items = append(items, it2)
				}
				res, _, err := e.MutateMany(bg, muts)
				if err != nil {
					t.Error(err)
					return
				}
				count.Add(1)
				mu.Lock()
				seq := uint32(0)
				for j, m := range muts {
					if res[j].Old == nil && items[j] == nil {
						continue
					}
					acked = append(acked, ackedWrite{ts: res[j].CommitTS, seq: seq, key: m.Key, item: items[j]})
					seq++
				}
				mu.Unlock()
			}
		})
	}
	var shipped []Change
	last := from
	ship := func() {
		r := e.ResolvedTimestamp()
		shipped = append(shipped, changes(t, e, "T", last, r)...)
		if err := e.TrimChanges(bg, "T", r); err != nil {
			t.Fatal(err)
		}
		last = r
	}
	deadline := time.Now().Add(30 * time.Second)
	for count.Load() < 1500 && time.Now().Before(deadline) {
		ship()
		time.Sleep(3 * time.Millisecond) // several writes of an item between ships
	}
	close(stop)
	wg.Wait()
	ship()
	l := &writeLoad{acked: acked}
	checkChangesAre(t, ks, shipped, l.sorted())
	checkFoldMatchesScan(t, e, "T", ks, shipped)
}

// A reference whose item is missing is reported, not read as a deletion.
func TestCaptureDanglingReference(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	captureOn(t, e, "T")
	k := key(attr.S("k"))
	put(t, e, "T", k)
	ts := tableStateOf(t, e, "T")
	b := e.db.NewBatch()
	if err := b.Delete(append(append([]byte(nil), ts.prefix...), pk(t, ts.schema, k)...)); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	err := e.ReadChanges(bg, "T", 0, allTime, func(Change) error { return nil })
	if !errors.Is(err, errDanglingRef) {
		t.Fatalf("ReadChanges = %v, want errDanglingRef", err)
	}
}
