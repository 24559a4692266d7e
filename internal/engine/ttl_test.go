package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// openTTL opens an engine on a fake clock with the background expiry pass
// off (the tests run passes with ExpireNow).
func openTTL(t *testing.T) (*Engine, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(testEpoch)
	e := openWith(t, Options{Dir: t.TempDir(), Clock: fc, TTLInterval: -1})
	t.Cleanup(func() { e.Close() })
	return e, fc
}

// epoch returns the TTL value d from the fake clock's start.
func epoch(d time.Duration) attr.Value {
	return attr.NumberFromInt64(testEpoch.Add(d).Unix())
}

// origins records the origin of every deletion committed.
type origins struct {
	mu   sync.Mutex
	dels map[string]Origin // fmtItem(old) -> origin
}

func recordOrigins(e *Engine) *origins {
	o := &origins{dels: map[string]Origin{}}
	e.captureChange = func(_ *kv.Batch, _ clock.Timestamp, w *pendingWrite) error {
		if w.new == nil {
			o.mu.Lock()
			o.dels[fmtItem(w.old)] = w.origin
			o.mu.Unlock()
		}
		return nil
	}
	return o
}

func expireNow(t *testing.T, e *Engine) int {
	t.Helper()
	n, err := e.ExpireNow(bg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestTTLExpiresItems(t *testing.T) {
	e, fc := openTTL(t)
	org := recordOrigins(e)
	mustCreate(t, e, idxTableSpec("T"))
	rec, err := e.UpdateTTL(bg, "T", TTLSpec{AttributeName: "exp", Enabled: true})
	if err != nil || rec.TTL == nil || !rec.TTL.Enabled || rec.TTL.AttributeName != "exp" {
		t.Fatalf("UpdateTTL = %+v, %v", rec, err)
	}
	if err := e.WaitIndexesActive(bg, "T"); err != nil {
		t.Fatal(err)
	}
	item := func(sk int, kv ...any) attr.Item {
		return withAttrs(key(attr.S("p0"), num(sk)), append([]any{"g1", attr.S("x"), "g1s", num(sk), "g2", num(1), "l", attr.S("m")}, kv...)...)
	}
	past := item(1, "exp", epoch(-10*time.Second))
	future := item(2, "exp", epoch(100*time.Second))
	str := item(3, "exp", attr.S(fmt.Sprint(testEpoch.Add(-time.Hour).Unix())))
	none := item(4)
	ancient := item(5, "exp", epoch(-6*365*24*time.Hour))
	revived := item(6, "exp", epoch(-5*time.Second))
	fraction := item(7, "exp", attr.MustN(fmt.Sprintf("%d.5", testEpoch.Unix()-1)))
	putMany(t, e, "T", []attr.Item{past, future, str, none, ancient, revived, fraction})
	// An expired item updated to a later expiry survives.
	revived = withAttrs(revived, "exp", epoch(time.Hour))
	put(t, e, "T", revived)

	// Expired items still read normally until a pass deletes them.
	if it, _ := e.GetItem(bg, "T", key(attr.S("p0"), num(1))); it == nil {
		t.Fatal("an expired item vanished before any expiry pass")
	}
	if n := expireNow(t, e); n != 2 {
		t.Fatalf("first pass deleted %d items, want 2 (past, fraction)", n)
	}
	left := []attr.Item{future, str, none, ancient, revived}
	checkSame(t, "after the first pass", scanAll(t, e, "T"), sortBySK(left))
	checkIndexes(t, e, "T", left)
	checkCollections(t, e, "T", left)
	checkStats(t, e, "T")

	fc.Advance(101 * time.Second)
	if n := expireNow(t, e); n != 1 {
		t.Fatalf("second pass deleted %d items, want 1 (future)", n)
	}
	fc.Advance(24 * time.Hour)
	if n := expireNow(t, e); n != 1 {
		t.Fatalf("third pass deleted %d items, want 1 (revived)", n)
	}
	left = []attr.Item{str, none, ancient}
	checkSame(t, "at the end", scanAll(t, e, "T"), sortBySK(left))
	checkIndexes(t, e, "T", left)
	if got := e.ExpiredItems(); got != 4 {
		t.Fatalf("ExpiredItems = %d, want 4", got)
	}
	org.mu.Lock()
	defer org.mu.Unlock()
	for _, it := range []attr.Item{past, fraction, future, revived} {
		if o, ok := org.dels[fmtItem(it)]; !ok || o != OriginTTL {
			t.Fatalf("deletion of %s: origin %v (recorded %v), want OriginTTL", fmtItem(it), o, ok)
		}
	}
}

// sortBySK returns the items sorted by sort key.
func sortBySK(items []attr.Item) []attr.Item {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b attr.Item) int { c, _ := attr.Compare(a["sk"], b["sk"]); return c })
	return out
}

// Enabling TTL on a populated table builds the TTL index in the
// background; disabling stops expiry and drops the index.
func TestTTLEnableDisable(t *testing.T) {
	e, fc := openTTL(t)
	ts := mustCreate(t, e, spec("E", attr.KindN, attr.KindInvalid))
	var items []attr.Item
	for i := range 400 {
		d := time.Duration(i%4-2) * time.Minute // half expired
		items = append(items, withAttrs(key(num(i)), "ttl", epoch(d)))
	}
	putMany(t, e, "E", items)
	if n := expireNow(t, e); n != 0 {
		t.Fatalf("a pass without TTL deleted %d items", n)
	}
	rec, err := e.UpdateTTL(bg, "E", TTLSpec{AttributeName: "ttl", Enabled: true})
	if err != nil || !rec.TTLBackfilling {
		t.Fatalf("UpdateTTL = %+v, %v; want a backfilling TTL", rec, err)
	}
	if err := e.WaitIndexesActive(bg, "E"); err != nil {
		t.Fatal(err)
	}
	if rec, _ := e.Table(bg, "E"); rec.TTLBackfilling {
		t.Fatal("TTLBackfilling still set after the wait")
	}
	if again, err := e.UpdateTTL(bg, "E", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil || again.TTLBackfilling {
		t.Fatalf("enabling again: %+v, %v; want no change", again, err)
	}
	if n := expireNow(t, e); n != 200 {
		t.Fatalf("pass deleted %d items, want 200", n)
	}

	rec, err = e.UpdateTTL(bg, "E", TTLSpec{Enabled: false})
	if err != nil || rec.TTL.Enabled || rec.TTL.AttributeName != "ttl" {
		t.Fatalf("disable: %+v, %v", rec.TTL, err)
	}
	if n := rawKeys(t, e, tablePrefix(prefixTTL, ts.ts(t, e).id)); n != 0 {
		t.Fatalf("%d TTL entries survive disabling", n)
	}
	fc.Advance(time.Hour)
	put(t, e, "E", withAttrs(key(num(1000)), "ttl", epoch(0)))
	if n := expireNow(t, e); n != 0 {
		t.Fatalf("a pass with TTL disabled deleted %d items", n)
	}
	if got := len(scanAll(t, e, "E")); got != 201 {
		t.Fatalf("%d items, want 201", got)
	}
	if _, err := e.UpdateTTL(bg, "E", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIndexesActive(bg, "E"); err != nil {
		t.Fatal(err)
	}
	if n := expireNow(t, e); n != 201 {
		t.Fatalf("pass after re-enabling deleted %d items, want 201", n)
	}
	if _, err := e.UpdateTTL(bg, "nope", TTLSpec{AttributeName: "ttl", Enabled: true}); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("UpdateTTL of a missing table: %v", err)
	}
	if _, err := e.UpdateTTL(bg, "E", TTLSpec{Enabled: true}); err == nil {
		t.Fatal("enabling TTL without an attribute name succeeded")
	}
}

// A pass deletes at most TTLMaxPerPass items; the next pass goes on.
func TestTTLMaxPerPass(t *testing.T) {
	fc := clock.NewFake(testEpoch)
	e := openWith(t, Options{Dir: t.TempDir(), Clock: fc, TTLInterval: -1, TTLMaxPerPass: 70})
	defer e.Close()
	mustCreate(t, e, spec("M", attr.KindN, attr.KindInvalid))
	if _, err := e.UpdateTTL(bg, "M", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	var items []attr.Item
	for i := range 100 {
		items = append(items, withAttrs(key(num(i)), "ttl", epoch(-time.Second)))
	}
	putMany(t, e, "M", items)
	for i, want := range []int{70, 30, 0} {
		if n := expireNow(t, e); n != want {
			t.Fatalf("pass %d deleted %d items, want %d", i, n, want)
		}
	}
}

// The background expirer runs a pass every TTLInterval of the engine's
// clock.
func TestTTLBackgroundExpirer(t *testing.T) {
	fc := clock.NewFake(testEpoch)
	e := openWith(t, Options{Dir: t.TempDir(), Clock: fc, TTLInterval: time.Minute})
	defer e.Close()
	deleted := make(chan Origin, 1)
	e.captureChange = func(_ *kv.Batch, _ clock.Timestamp, w *pendingWrite) error {
		if w.new == nil {
			deleted <- w.origin
		}
		return nil
	}
	mustCreate(t, e, spec("X", attr.KindS, attr.KindInvalid))
	if _, err := e.UpdateTTL(bg, "X", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIndexesActive(bg, "X"); err != nil {
		t.Fatal(err)
	}
	put(t, e, "X", withAttrs(key(attr.S("a")), "ttl", epoch(30*time.Second)))
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	if err := fc.BlockUntilWaiters(ctx, 1); err != nil { // the expirer's ticker
		t.Fatal(err)
	}
	fc.Advance(time.Minute)
	select {
	case o := <-deleted:
		if o != OriginTTL {
			t.Fatalf("origin %v, want OriginTTL", o)
		}
	case <-ctx.Done():
		t.Fatal("the background expirer deleted nothing")
	}
	// The hook runs while the deletion's batch is built: wait for its commit.
	for {
		it, _ := e.GetItem(bg, "X", key(attr.S("a")))
		if it == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("expired item still there: %v", it)
		}
		time.Sleep(time.Millisecond)
	}
}

// An item whose expiry moved to the future between the expirer's walk of
// the TTL index and its locked re-check is left alone, and the rest of the
// batch is still deleted. (The stale entry is planted by hand: writes keep
// the index exact, so only that race leaves one.)
func TestTTLRecheckUnderLock(t *testing.T) {
	e, _ := openTTL(t)
	mustCreate(t, e, spec("R", attr.KindS, attr.KindInvalid))
	if _, err := e.UpdateTTL(bg, "R", TTLSpec{AttributeName: "ttl", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	live := withAttrs(key(attr.S("live")), "ttl", epoch(time.Hour))
	dead := withAttrs(key(attr.S("dead")), "ttl", epoch(-time.Hour))
	putMany(t, e, "R", []attr.Item{live, dead})
	ts, _ := e.lookup("R")
	skey, _ := ts.itemKey(key(attr.S("live")))
	b := e.db.NewBatch()
	if err := b.Set(ts.ttlKey(testEpoch.Add(-time.Minute).Unix(), skey), nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if n := expireNow(t, e); n != 1 {
		t.Fatalf("pass deleted %d items, want 1", n)
	}
	checkSame(t, "after the pass", scanAll(t, e, "R"), []attr.Item{live})
}
