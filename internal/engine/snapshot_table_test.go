package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// snapItems returns a snapshot's items, decoded, checking that they come
// in strictly increasing storage key order.
func snapItems(t tb, e *Engine, s *TableSnapshot) []attr.Item {
	t.Helper()
	ts, err := newTableState(s.Table())
	if err != nil {
		t.Fatal(err)
	}
	var out []attr.Item
	var last []byte
	err = s.Items(bg, func(enc []byte) error {
		it, err := attr.DecodeItem(enc)
		if err != nil {
			return err
		}
		k, err := ts.itemKeyOf(it)
		if err != nil {
			return err
		}
		if last != nil && string(k) <= string(last) {
			return fmt.Errorf("items out of key order: %x after %x", k, last)
		}
		last = k
		out = append(out, it)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// statsOf returns the count and total size of items.
func statsOf(items []attr.Item) TableStats {
	st := TableStats{ItemCount: int64(len(items))}
	for _, it := range items {
		st.SizeBytes += int64(attr.ItemSize(it))
	}
	return st
}

// A snapshot holds the table exactly as of SnapshotTable, in key order
// with exact stats and the record of that instant, whatever is written,
// deleted or changed afterwards, even DeleteTable and re-creating the
// name.
func TestSnapshotTableIsolation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spec  TableSpec
		rng   attr.Kind
		after func(t *testing.T, e *Engine, items []attr.Item)
	}{
		{"writes and deletes", indexedSpec("T"), attr.KindN, func(t *testing.T, e *Engine, items []attr.Item) {
			for _, it := range items[:20] {
				del(t, e, "T", keyOf(it))
			}
			for _, it := range items[20:40] {
				put(t, e, "T", withAttrs(it, "changed", attr.Bool(true)))
			}
			putMany(t, e, "T", restoreItems(99, 30, attr.KindN)[:30])
			if _, err := e.UpdateTable(bg, "T", func(t *Table) error { t.TableClass = "STANDARD_INFREQUENT_ACCESS"; return nil }); err != nil {
				t.Fatal(err)
			}
		}},
		{"DeleteTable", spec("T", attr.KindS, attr.KindInvalid), attr.KindInvalid, func(t *testing.T, e *Engine, items []attr.Item) {
			if _, err := e.DeleteTable(bg, "T"); err != nil {
				t.Fatal(err)
			}
		}},
		{"DeleteTable and re-create", spec("T", attr.KindS, attr.KindInvalid), attr.KindInvalid, func(t *testing.T, e *Engine, items []attr.Item) {
			if _, err := e.DeleteTable(bg, "T"); err != nil {
				t.Fatal(err)
			}
			mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
			putMany(t, e, "T", items[:10])
			if err := e.db.Flush(); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, _ := openTest(t)
			mustCreate(t, e, tc.spec)
			items := restoreItems(42, 200, tc.rng)
			for i := 0; i < len(items); i += 50 {
				putMany(t, e, "T", items[i:i+50])
			}
			before := scanAll(t, e, "T")
			rec, _ := e.Table(bg, "T")
			st, _ := e.Stats(bg, rec)

			s, err := e.SnapshotTable(bg, "T")
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			tc.after(t, e, items)

			got := snapItems(t, e, s)
			checkSame(t, "snapshot items", got, before) // Scan is storage order too
			checkSame(t, "sorted model", got, sortedByKey(t, s.Table(), items))
			if s.Stats() != st || s.Stats() != statsOf(items) {
				t.Fatalf("snapshot stats %+v, want %+v", s.Stats(), st)
			}
			if g := s.Table(); g.ID != rec.ID || g.TableClass != rec.TableClass || len(g.Indexes) != len(rec.Indexes) {
				t.Fatalf("snapshot record %+v, want %+v", g, rec)
			}
			if again := snapItems(t, e, s); len(again) != len(got) {
				t.Fatal("a second Items pass differs")
			}
		})
	}
}

// Every write acknowledged before SnapshotTable is in the snapshot and
// none committed after it, with writers running throughout; Bounds bracket
// the commit timestamps accordingly, and Stats match the items.
func TestSnapshotTableConcurrentWriters(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindN))
	var (
		mu      sync.Mutex
		commits = map[string]clock.Timestamp{} // fmtItem(key) -> CommitTS
		acked   atomic.Int64                   // writes acknowledged
		stop    atomic.Bool
		wg      sync.WaitGroup
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				k := key(attr.S(fmt.Sprintf("w%d", w)), num(i))
				res, err := e.Mutate(bg, "T", k, func(attr.Item) (attr.Item, error) { return withAttrs(k, "v", num(i)), nil })
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				commits[fmtItem(k)] = res.CommitTS
				mu.Unlock()
				acked.Add(1)
			}
		}()
	}
	for acked.Load() < 200 {
		runtime.Gosched()
	}
	mu.Lock()
	ackedBefore := map[string]bool{}
	for k := range commits {
		ackedBefore[k] = true
	}
	mu.Unlock()
	s, err := e.SnapshotTable(bg, "T")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for n := acked.Load(); acked.Load() < n+200; {
		runtime.Gosched()
	}
	stop.Store(true)
	wg.Wait()

	lo, hi := s.Bounds()
	if lo >= hi {
		t.Fatalf("Bounds lo %v >= hi %v", lo, hi)
	}
	in := map[string]bool{}
	items := snapItems(t, e, s)
	for _, it := range items {
		in[fmtItem(keyOf(it))] = true
	}
	if s.Stats() != statsOf(items) {
		t.Fatalf("snapshot stats %+v, items %+v", s.Stats(), statsOf(items))
	}
	after := 0
	for k, ts := range commits {
		switch {
		case ackedBefore[k] && !in[k]:
			t.Fatalf("%s, acknowledged before the snapshot, is missing", k)
		case ts <= lo && !in[k]:
			t.Fatalf("%s committed at %v <= lo %v but is missing", k, ts, lo)
		case in[k] && ts >= hi:
			t.Fatalf("%s committed at %v >= hi %v but is in the snapshot", k, ts, hi)
		case !in[k]:
			after++
		}
	}
	if after < 200 {
		t.Fatalf("only %d writes landed after the snapshot", after)
	}
	t.Logf("%d items in the snapshot, %d written after", len(items), after)
}

// SnapshotTable's errors; Items stops at fn's error or a done context;
// Close is idempotent and Items fails after it.
func TestSnapshotTableErrors(t *testing.T) {
	e, _ := openTest(t)
	if _, err := e.SnapshotTable(bg, "Nope"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("SnapshotTable(missing) = %v", err)
	}
	mustCreate(t, e, restoreSpec(spec("R", attr.KindS, attr.KindInvalid)))
	if _, err := e.SnapshotTable(bg, "R"); !errors.Is(err, ErrTableNotReady) {
		t.Fatalf("SnapshotTable(CREATING) = %v", err)
	}
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	putMany(t, e, "T", restoreItems(1, 1000, attr.KindInvalid))
	s, err := e.SnapshotTable(bg, "T")
	if err != nil {
		t.Fatal(err)
	}
	stopErr := errors.New("stop")
	n := 0
	if err := s.Items(bg, func([]byte) error { n++; return stopErr }); err != stopErr || n != 1 {
		t.Fatalf("Items with a failing fn: %v after %d items", err, n)
	}
	ctx, cancel := context.WithCancel(bg)
	n = 0
	err = s.Items(ctx, func([]byte) error {
		if n++; n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 1000 {
		t.Fatalf("Items with a canceled context: %v after %d items", err, n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Items(bg, func([]byte) error { return nil }); err == nil {
		t.Fatal("Items after Close succeeded")
	}
}
