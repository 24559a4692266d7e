package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// allTime is the largest timestamp: ReadChanges(0, allTime) reads the
// whole log.
const allTime = clock.Timestamp(math.MaxUint64)

// changes returns the table's captured changes with after < TS <= upTo.
func changes(t tb, e *Engine, table string, after, upTo clock.Timestamp) []Change {
	t.Helper()
	var out []Change
	if err := e.ReadChanges(bg, table, after, upTo, func(c Change) error {
		out = append(out, cloneChange(c))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// cloneChange copies c's slices (ReadChanges reuses them).
func cloneChange(c Change) Change {
	c.Key = bytes.Clone(c.Key)
	c.Item = bytes.Clone(c.Item)
	return c
}

// allChanges returns the table's whole log.
func allChanges(t tb, e *Engine, table string) []Change {
	t.Helper()
	return changes(t, e, table, 0, allTime)
}

// captureOn turns capture on and returns the boundary.
func captureOn(t tb, e *Engine, table string) clock.Timestamp {
	t.Helper()
	rec, from, err := e.SetChangeCapture(bg, table, true)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.ChangeCapture || rec.ChangeCaptureFrom != from || from == 0 {
		t.Fatalf("SetChangeCapture(on) = %+v, %v", rec, from)
	}
	return from
}

// changeItem decodes a change's image (nil for a delete).
func changeItem(t tb, c Change) attr.Item {
	t.Helper()
	if c.Item == nil {
		return nil
	}
	it, err := attr.DecodeItem(c.Item)
	if err != nil {
		t.Fatalf("change %v/%d: %v", c.TS, c.Seq, err)
	}
	return it
}

// pk returns PrimaryKey of an item of a spec(...) table.
func pk(t tb, ks KeySchema, it attr.Item) []byte {
	t.Helper()
	k, err := PrimaryKey(ks, it)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// checkChange checks that c records item (nil: a delete of k) at ts/seq
// with origin o.
func checkChange(t tb, ks KeySchema, c Change, ts clock.Timestamp, seq uint32, k, item attr.Item, o Origin) {
	t.Helper()
	if c.TS != ts || c.Seq != seq || c.Origin != o {
		t.Fatalf("change at %v/%d origin %d, want %v/%d origin %d", c.TS, c.Seq, c.Origin, ts, seq, o)
	}
	if !bytes.Equal(c.Key, pk(t, ks, k)) {
		t.Fatalf("change %v/%d key %x, want %x", c.TS, c.Seq, c.Key, pk(t, ks, k))
	}
	if got := changeItem(t, c); (got == nil) != (item == nil) || !itemsEqual(got, item) {
		t.Fatalf("change %v/%d image %s, want %s", c.TS, c.Seq, fmtItem(got), fmtItem(item))
	}
	if item == nil && c.Item != nil {
		t.Fatalf("delete with a non-nil image %x", c.Item)
	}
}

// fold replays changes over an empty table: the items by PrimaryKey.
func fold(t tb, cs []Change) map[string]attr.Item {
	t.Helper()
	m := map[string]attr.Item{}
	for i, c := range cs {
		if i > 0 && (c.TS < cs[i-1].TS || c.TS == cs[i-1].TS && c.Seq <= cs[i-1].Seq) {
			t.Fatalf("changes out of order: %v/%d after %v/%d", c.TS, c.Seq, cs[i-1].TS, cs[i-1].Seq)
		}
		if c.Item == nil {
			delete(m, string(c.Key))
		} else {
			m[string(c.Key)] = changeItem(t, c)
		}
	}
	return m
}

// checkFoldMatchesScan checks that replaying the log from empty gives
// exactly the table's items.
func checkFoldMatchesScan(t tb, e *Engine, table string, ks KeySchema, cs []Change) {
	t.Helper()
	m := fold(t, cs)
	items := scanAll(t, e, table)
	if len(items) != len(m) {
		t.Fatalf("log folds to %d items, table has %d", len(m), len(items))
	}
	for _, it := range items {
		got, ok := m[string(pk(t, ks, it))]
		if !ok || !itemsEqual(got, it) {
			t.Fatalf("log folds to %s for %s", fmtItem(got), fmtItem(it))
		}
	}
}

func logKeys(t tb, e *Engine, table string) int {
	t.Helper()
	return rawKeys(t, e, changeLogPrefix(tableID(t, e, table)))
}

// Without capture, no write path logs anything.
func TestCaptureOffWritesNoLog(t *testing.T) {
	e, fc := openTTL(t)
	mustCreate(t, e, idxTableSpec("T"))
	if _, err := e.UpdateTTL(bg, "T", TTLSpec{AttributeName: "exp", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	put(t, e, "T", withAttrs(key(attr.S("a"), num(1)), "exp", epoch(time.Second)))
	putMany(t, e, "T", []attr.Item{key(attr.S("b"), num(1)), key(attr.S("c"), num(1))})
	del(t, e, "T", key(attr.S("b"), num(1)))
	fc.Advance(time.Minute)
	if n := expireNow(t, e); n != 1 {
		t.Fatalf("expired %d", n)
	}
	if n := logKeys(t, e, "T"); n != 0 {
		t.Fatalf("%d log keys with capture off", n)
	}
	if cs := allChanges(t, e, "T"); len(cs) != 0 {
		t.Fatalf("ReadChanges: %d", len(cs))
	}
	if has, err := e.HasChanges(bg, "T", 0); err != nil || has {
		t.Fatalf("HasChanges = %v, %v", has, err)
	}
}

// Every write path logs exactly its changes, at the commit's timestamp,
// with seqs in mutation order; no-ops and failed conditions log nothing;
// backfills do not log.
func TestCaptureWritePaths(t *testing.T) {
	e, fc := openTTL(t)
	mustCreate(t, e, idxTableSpec("T"))
	mustCreate(t, e, spec("U", attr.KindN, attr.KindInvalid))
	mustCreate(t, e, spec("Off", attr.KindS, attr.KindInvalid))
	ks := idxTableSpec("T").KeySchema
	ksU := spec("U", attr.KindN, attr.KindInvalid).KeySchema
	captureOn(t, e, "T")
	captureOn(t, e, "U")
	seen := 0
	next := func(n int) []Change { // the n changes logged since the last call
		t.Helper()
		cs := allChanges(t, e, "T")
		if len(cs) != seen+n {
			t.Fatalf("%d new changes, want %d", len(cs)-seen, n)
		}
		out := cs[seen:]
		seen = len(cs)
		return out
	}
	set := func(it attr.Item) MutateFunc { return func(attr.Item) (attr.Item, error) { return it, nil } }

	// Put, overwrite, delete.
	k1 := key(attr.S("p"), num(1))
	v1 := withAttrs(k1, "g1", attr.S("x"), "g1s", num(1), "l", attr.S("m"), "a", attr.S("A"))
	res, err := e.Mutate(bg, "T", k1, set(v1))
	if err != nil {
		t.Fatal(err)
	}
	c := next(1)
	checkChange(t, ks, c[0], res.CommitTS, 0, k1, v1, OriginRequest)
	last := res.CommitTS
	v2 := withAttrs(v1, "a", attr.S("B"))
	res, err = e.Mutate(bg, "T", k1, set(v2))
	if err != nil || res.CommitTS <= last {
		t.Fatalf("overwrite: %v, ts %v after %v", err, res.CommitTS, last)
	}
	checkChange(t, ks, next(1)[0], res.CommitTS, 0, k1, v2, OriginRequest)
	last = res.CommitTS
	res, err = e.Mutate(bg, "T", k1, set(nil))
	if err != nil || res.CommitTS <= last {
		t.Fatalf("delete: %v", err)
	}
	checkChange(t, ks, next(1)[0], res.CommitTS, 0, k1, nil, OriginRequest)
	last = res.CommitTS

	// No-ops: a failed condition, returning old, deleting an absent item,
	// a MutateMany of no-ops, a meta record alone.
	if _, err := e.Mutate(bg, "T", k1, func(attr.Item) (attr.Item, error) { return nil, errors.New("condition failed") }); err == nil {
		t.Fatal("failing fn succeeded")
	}
	res, err = e.Mutate(bg, "T", k1, set(v1))
	if err != nil {
		t.Fatal(err)
	}
	checkChange(t, ks, next(1)[0], res.CommitTS, 0, k1, v1, OriginRequest)
	if _, err := e.Mutate(bg, "T", k1, func(old attr.Item) (attr.Item, error) { return old, nil }); err != nil {
		t.Fatal(err)
	}
	del(t, e, "T", key(attr.S("absent"), num(0)))
	if _, _, err := e.MutateManyWith(bg, []Mutation{
		{Table: "T", Key: k1, Fn: func(old attr.Item) (attr.Item, error) { return old, nil }},
	}, MutateOptions{Meta: []MetaRecord{{Key: "tok", Value: []byte("v"), ExpiresAt: testEpoch.Add(time.Hour)}}}); err != nil {
		t.Fatal(err)
	}
	next(0)

	// A canceled transaction logs nothing, even for its good mutations.
	k2, k3 := key(attr.S("p"), num(2)), key(attr.S("q"), num(3))
	_, errs, err := e.MutateMany(bg, []Mutation{
		{Table: "T", Key: k2, Fn: set(k2)},
		{Table: "T", Key: k3, Fn: func(attr.Item) (attr.Item, error) { return nil, errors.New("no") }},
	})
	if !errors.Is(err, ErrTransactionCanceled) || errs[1] == nil {
		t.Fatalf("canceled transaction: %v", err)
	}
	next(0)

	// BatchWriteItem-like MutateMany: one timestamp, seqs in mutation
	// order; a condition check (returning old) in a transaction is not
	// logged and takes no seq.
	k4 := key(attr.S("r"), num(4))
	v4 := withAttrs(k4, "a", attr.S("four"))
	_, _, err = e.MutateMany(bg, []Mutation{
		{Table: "T", Key: k3, Fn: set(k3)},
		{Table: "T", Key: k1, Fn: func(old attr.Item) (attr.Item, error) { return old, nil }},
		{Table: "T", Key: k4, Fn: set(v4)},
		{Table: "T", Key: k1, Fn: set(nil)},
	})
	if !errors.Is(err, ErrDuplicateItem) {
		t.Fatalf("duplicate item: %v", err)
	}
	results, _, err := e.MutateMany(bg, []Mutation{
		{Table: "T", Key: k3, Fn: set(k3)},
		{Table: "T", Key: k1, Fn: func(old attr.Item) (attr.Item, error) { return old, nil }},
		{Table: "T", Key: k4, Fn: set(v4)},
		{Table: "T", Key: k2, Fn: set(k2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := results[0].CommitTS
	if ts <= last {
		t.Fatalf("transaction ts %v after %v", ts, last)
	}
	c = next(3)
	checkChange(t, ks, c[0], ts, 0, k3, k3, OriginRequest)
	checkChange(t, ks, c[1], ts, 1, k4, v4, OriginRequest)
	checkChange(t, ks, c[2], ts, 2, k2, k2, OriginRequest)
	last = ts

	// A transaction across tables: seqs count per table; a table without
	// capture logs nothing.
	u1, u2 := key(num(1)), key(num(2))
	results, _, err = e.MutateMany(bg, []Mutation{
		{Table: "U", Key: u1, Fn: set(withAttrs(u1, "v", num(1)))},
		{Table: "T", Key: k4, Fn: set(nil)},
		{Table: "Off", Key: key(attr.S("o")), Fn: set(key(attr.S("o")))},
		{Table: "U", Key: u2, Fn: set(u2)},
		{Table: "T", Key: k3, Fn: set(withAttrs(k3, "a", attr.S("three")))},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts = results[0].CommitTS
	c = next(2)
	checkChange(t, ks, c[0], ts, 0, k4, nil, OriginRequest)
	checkChange(t, ks, c[1], ts, 1, k3, withAttrs(k3, "a", attr.S("three")), OriginRequest)
	cu := allChanges(t, e, "U")
	if len(cu) != 2 {
		t.Fatalf("U logged %d changes", len(cu))
	}
	checkChange(t, ksU, cu[0], ts, 0, u1, withAttrs(u1, "v", num(1)), OriginRequest)
	checkChange(t, ksU, cu[1], ts, 1, u2, u2, OriginRequest)
	if n := logKeys(t, e, "Off"); n != 0 {
		t.Fatalf("table without capture logged %d", n)
	}

	// Backfills (a new GSI, the TTL index) log nothing; TTL deletions log
	// OriginTTL deletes.
	for i := range 20 {
		put(t, e, "T", withAttrs(key(attr.S("b"), num(i)), "h", num(i), "exp", epoch(time.Duration(i)*time.Second)))
	}
	next(20)
	if _, err := e.AddIndex(bg, "T", IndexSpec{Name: "H", KeySchema: KeySchema{Hash: KeyAttr{"h", attr.KindN}}, Projection: Projection{Type: ProjectionAll}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.UpdateTTL(bg, "T", TTLSpec{AttributeName: "exp", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIndexesActive(bg, "T"); err != nil {
		t.Fatal(err)
	}
	waitTTLBackfill(t, e, "T")
	next(0)
	before := e.ResolvedTimestamp()
	fc.Advance(10*time.Second + time.Millisecond) // expiries 0..9 s are past
	if n := expireNow(t, e); n != 10 {
		t.Fatalf("expired %d, want 10", n)
	}
	c = next(10)
	for i, ch := range c {
		if ch.TS <= before || ch.Item != nil || ch.Origin != OriginTTL {
			t.Fatalf("TTL change %d: %+v", i, ch)
		}
	}
	checkFoldMatchesScan(t, e, "T", ks, allChanges(t, e, "T"))
}

// waitTTLBackfill waits until the table's TTL index is built.
func waitTTLBackfill(t tb, e *Engine, table string) {
	t.Helper()
	for range 1000 {
		rec, err := e.Table(bg, table)
		if err != nil {
			t.Fatal(err)
		}
		if !rec.TTLBackfilling {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("TTL backfill did not finish")
}

// Timestamps are strictly increasing in commit order and equal to what
// the writes report.
func TestCaptureTimestampsFollowCommits(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindN))
	captureOn(t, e, "T")
	var want []clock.Timestamp
	for i := range 50 {
		k := key(attr.S(fmt.Sprint(i%7)), num(i%5))
		res, err := e.Mutate(bg, "T", k, func(old attr.Item) (attr.Item, error) {
			if old != nil && i%3 == 0 {
				return nil, nil
			}
			return withAttrs(k, "i", num(i)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, res.CommitTS)
	}
	cs := allChanges(t, e, "T")
	if len(cs) != len(want) {
		t.Fatalf("%d changes, want %d", len(cs), len(want))
	}
	for i, c := range cs {
		if c.TS != want[i] || c.Seq != 0 || (i > 0 && c.TS <= cs[i-1].TS) {
			t.Fatalf("change %d at %v/%d, write committed at %v", i, c.TS, c.Seq, want[i])
		}
	}
}

// ReadChanges returns exactly the changes in (after, upTo], in order;
// HasChanges and TrimChanges agree with it.
func TestReadTrimHasChanges(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	from := captureOn(t, e, "T")
	var tss []clock.Timestamp
	for i := range 10 {
		var items []attr.Item
		for j := range i%3 + 1 {
			items = append(items, withAttrs(key(attr.S(fmt.Sprintf("k%d-%d", i, j))), "v", num(i)))
		}
		muts := make([]Mutation, len(items))
		for j, it := range items {
			muts[j] = Mutation{Table: "T", Key: keyOf(it), Fn: func(attr.Item) (attr.Item, error) { return it, nil }}
		}
		res, _, err := e.MutateMany(bg, muts)
		if err != nil {
			t.Fatal(err)
		}
		tss = append(tss, res[0].CommitTS)
	}
	all := allChanges(t, e, "T")
	if len(all) != 1+2+3+1+2+3+1+2+3+1 || all[0].TS <= from {
		t.Fatalf("%d changes from %v", len(all), all[0].TS)
	}
	count := func(after, upTo clock.Timestamp) int {
		n := 0
		for _, c := range all {
			if c.TS > after && c.TS <= upTo {
				n++
			}
		}
		return n
	}
	bounds := []clock.Timestamp{0, from, tss[0] - 1, tss[0], tss[3], tss[4] - 1, tss[9], tss[9] + 1, allTime}
	for _, a := range bounds {
		for _, u := range bounds {
			got := changes(t, e, "T", a, u)
			if len(got) != count(a, u) {
				t.Fatalf("ReadChanges(%v, %v): %d changes, want %d", a, u, len(got), count(a, u))
			}
			for i, c := range got {
				if c.TS <= a || c.TS > u || (i > 0 && (c.TS < got[i-1].TS || c.TS == got[i-1].TS && c.Seq != got[i-1].Seq+1)) {
					t.Fatalf("ReadChanges(%v, %v): change %d at %v/%d", a, u, i, c.TS, c.Seq)
				}
			}
			if u == allTime {
				has, err := e.HasChanges(bg, "T", a)
				if err != nil || has != (count(a, u) > 0) {
					t.Fatalf("HasChanges(%v) = %v, %v", a, has, err)
				}
			}
		}
	}
	// fn's error stops the read.
	stop := errors.New("stop")
	n := 0
	if err := e.ReadChanges(bg, "T", 0, allTime, func(Change) error { n++; return stop }); err != stop || n != 1 {
		t.Fatalf("ReadChanges stopping: %v after %d", err, n)
	}
	// Trim: what is left is what is after.
	if err := e.TrimChanges(bg, "T", tss[4]); err != nil {
		t.Fatal(err)
	}
	left := allChanges(t, e, "T")
	if len(left) != count(tss[4], allTime) || left[0].TS != tss[5] {
		t.Fatalf("after trim: %d changes", len(left))
	}
	if has, _ := e.HasChanges(bg, "T", tss[4]-5); !has {
		t.Fatal("HasChanges after trim")
	}
	if has, _ := e.HasChanges(bg, "T", tss[9]); has {
		t.Fatal("HasChanges past the last change")
	}
	if err := e.TrimChanges(bg, "T", tss[2]); err != nil { // below the mark: nothing
		t.Fatal(err)
	}
	if got := allChanges(t, e, "T"); len(got) != len(left) {
		t.Fatalf("trim below the mark removed %d", len(left)-len(got))
	}
	if err := e.TrimChanges(bg, "T", allTime); err != nil {
		t.Fatal(err)
	}
	if has, _ := e.HasChanges(bg, "T", 0); has || len(allChanges(t, e, "T")) != 0 {
		t.Fatal("log not empty after trimming everything")
	}
	if n := logKeys(t, e, "T"); n != 1 { // the trim mark
		t.Fatalf("%d log keys after trimming everything, want the mark", n)
	}
	// The table's items are untouched.
	if n := len(scanAll(t, e, "T")); n != len(all) {
		t.Fatalf("%d items after trims", n)
	}
	for _, err := range []error{
		e.ReadChanges(bg, "nope", 0, allTime, func(Change) error { return nil }),
		e.TrimChanges(bg, "nope", 1),
		func() error { _, err := e.HasChanges(bg, "nope", 0); return err }(),
	} {
		if !errors.Is(err, ErrTableNotFound) {
			t.Fatalf("unknown table: %v", err)
		}
	}
}

// SetChangeCapture: the boundary separates captured from uncaptured
// commits; turning on twice keeps the boundary; turning off drops the
// log; the errors.
func TestSetChangeCapture(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	set := func(it attr.Item) MutateFunc { return func(attr.Item) (attr.Item, error) { return it, nil } }
	before, err := e.Mutate(bg, "T", key(attr.S("a")), set(key(attr.S("a"))))
	if err != nil {
		t.Fatal(err)
	}
	from := captureOn(t, e, "T")
	if before.CommitTS >= from {
		t.Fatalf("write before the boundary at %v, boundary %v", before.CommitTS, from)
	}
	after, err := e.Mutate(bg, "T", key(attr.S("b")), set(key(attr.S("b"))))
	if err != nil || after.CommitTS <= from {
		t.Fatalf("write after: %v at %v, boundary %v", err, after.CommitTS, from)
	}
	if cs := allChanges(t, e, "T"); len(cs) != 1 || cs[0].TS != after.CommitTS {
		t.Fatalf("log %+v", cs)
	}
	rec, again, err := e.SetChangeCapture(bg, "T", true)
	if err != nil || again != from || !rec.ChangeCapture || rec.ChangeCaptureFrom != from {
		t.Fatalf("on again: %+v, %v, %v", rec, again, err)
	}
	if r, err := e.Table(bg, "T"); err != nil || !r.ChangeCapture || r.ChangeCaptureFrom != from {
		t.Fatalf("Table = %+v, %v", r, err)
	}
	if _, err := e.UpdateTable(bg, "T", func(t *Table) error { t.ChangeCapture = false; return nil }); err == nil {
		t.Fatal("UpdateTable changed ChangeCapture")
	}
	if err := e.TrimChanges(bg, "T", from); err != nil { // leaves a mark
		t.Fatal(err)
	}

	rec, off, err := e.SetChangeCapture(bg, "T", false)
	if err != nil || rec.ChangeCapture || rec.ChangeCaptureFrom != 0 || off <= after.CommitTS {
		t.Fatalf("off: %+v, %v, %v", rec, off, err)
	}
	if n := logKeys(t, e, "T"); n != 0 {
		t.Fatalf("%d log keys after turning capture off", n)
	}
	put(t, e, "T", key(attr.S("c")))
	if err := e.TrimChanges(bg, "T", allTime); err != nil {
		t.Fatal(err)
	}
	if n := logKeys(t, e, "T"); n != 0 {
		t.Fatalf("%d log keys with capture off", n)
	}
	if _, _, err := e.SetChangeCapture(bg, "T", false); err != nil {
		t.Fatal(err)
	}
	from2 := captureOn(t, e, "T")
	if from2 <= off {
		t.Fatalf("new boundary %v not after %v", from2, off)
	}
	if len(allChanges(t, e, "T")) != 0 {
		t.Fatal("turning on again brought changes back")
	}

	if _, _, err := e.SetChangeCapture(bg, "nope", true); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("unknown table: %v", err)
	}
	mustCreate(t, e, restoreSpec(spec("R", attr.KindS, attr.KindInvalid)))
	if _, _, err := e.SetChangeCapture(bg, "R", true); !errors.Is(err, ErrTableNotReady) {
		t.Fatalf("restore target: %v", err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, _, err := e.SetChangeCapture(ctx, "T", true); err == nil {
		t.Fatal("canceled context")
	}
}

// PrimaryKey is the storage key without the table prefix: equal for an
// item and its updated versions, in two tables with one key schema;
// distinct for distinct keys; ordered like the table.
func TestPrimaryKey(t *testing.T) {
	e, _ := openTest(t)
	s := spec("A", attr.KindS, attr.KindN)
	mustCreate(t, e, s)
	s.Name = "B"
	mustCreate(t, e, s)
	ks := s.KeySchema
	seen := map[string]string{}
	var items []attr.Item
	for _, p := range []string{"", "a", "a\x00", "b", "long partition key"} {
		for _, n := range []int{-3, 0, 1, 100} {
			k := key(attr.S(p), num(n))
			v1, v2 := withAttrs(k, "x", num(1)), withAttrs(k, "x", attr.S("other"), "y", attr.Bool(true))
			a, b, c := pk(t, ks, k), pk(t, ks, v1), pk(t, ks, v2)
			if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
				t.Fatalf("PrimaryKey differs across versions of %s", fmtItem(k))
			}
			if o, dup := seen[string(a)]; dup {
				t.Fatalf("PrimaryKey of %s equals that of %s", fmtItem(k), o)
			}
			seen[string(a)] = fmtItem(k)
			put(t, e, "A", v1)
			put(t, e, "B", v2)
			items = append(items, v1)
		}
	}
	for _, table := range []string{"A", "B"} {
		ts, _ := e.lookup(table)
		for _, it := range items {
			sk, err := ts.itemKey(keyOf(it))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(sk[len(ts.prefix):], pk(t, ks, it)) {
				t.Fatalf("PrimaryKey is not the storage key suffix in %s", table)
			}
		}
	}
	scanned := scanAll(t, e, "A")
	for i := 1; i < len(scanned); i++ {
		if bytes.Compare(pk(t, ks, scanned[i-1]), pk(t, ks, scanned[i])) >= 0 {
			t.Fatal("PrimaryKey order differs from Scan order")
		}
	}
	hashOnly := spec("H", attr.KindB, attr.KindInvalid).KeySchema
	if a, b := pk(t, hashOnly, key(attr.B([]byte{1}))), pk(t, hashOnly, key(attr.B([]byte{1, 0}))); bytes.Equal(a, b) {
		t.Fatal("distinct binary keys share a PrimaryKey")
	}
	for _, bad := range []attr.Item{
		{"pk": attr.S("a")},
		{"pk": num(1), "sk": num(1)},
		{"sk": num(1)},
	} {
		if _, err := PrimaryKey(ks, bad); !errors.Is(err, ErrInvalidKey) {
			t.Fatalf("PrimaryKey(%s) = %v", fmtItem(bad), err)
		}
	}
}

// The capture state, its boundary and the log survive a reopen; commits
// after the reopen get timestamps above every logged or trimmed change,
// even when the clock went back.
func TestCaptureSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	fc := clock.NewFake(testEpoch)
	e := openAt(t, dir, fc)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	mustCreate(t, e, spec("Trimmed", attr.KindS, attr.KindInvalid))
	ks := spec("T", attr.KindS, attr.KindInvalid).KeySchema
	from := captureOn(t, e, "T")
	captureOn(t, e, "Trimmed")
	for i := range 20 {
		fc.Advance(time.Second)
		put(t, e, "T", withAttrs(key(attr.S(fmt.Sprint(i%6))), "i", num(i)))
		put(t, e, "Trimmed", key(attr.S(fmt.Sprint(i))))
	}
	del(t, e, "T", key(attr.S("0")))
	want := allChanges(t, e, "T")
	fc.Advance(time.Hour)
	shipped := e.ResolvedTimestamp() // an hour past the last commit
	if err := e.TrimChanges(bg, "Trimmed", shipped); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	// The clock went back a day.
	e = openAt(t, dir, clock.NewFake(testEpoch.Add(-24*time.Hour)))
	defer e.Close()
	for _, table := range []string{"T", "Trimmed"} {
		rec, err := e.Table(bg, table)
		if err != nil || !rec.ChangeCapture {
			t.Fatalf("after reopen %s: %+v, %v", table, rec, err)
		}
	}
	if rec, _ := e.Table(bg, "T"); rec.ChangeCaptureFrom != from {
		t.Fatalf("boundary %v after reopen, want %v", rec.ChangeCaptureFrom, from)
	}
	got := allChanges(t, e, "T")
	if len(got) != len(want) {
		t.Fatalf("%d changes after reopen, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].TS != want[i].TS || got[i].Seq != want[i].Seq || !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Item, want[i].Item) || got[i].Origin != want[i].Origin {
			t.Fatalf("change %d differs after reopen", i)
		}
	}
	checkFoldMatchesScan(t, e, "T", ks, got)
	res, err := e.Mutate(bg, "T", key(attr.S("new")), func(attr.Item) (attr.Item, error) { return key(attr.S("new")), nil })
	if err != nil || res.CommitTS <= want[len(want)-1].TS || res.CommitTS <= shipped {
		t.Fatalf("commit after reopen at %v (%v); last logged %v, shipped %v", res.CommitTS, err, want[len(want)-1].TS, shipped)
	}
	if r := e.ResolvedTimestamp(); r < shipped {
		t.Fatalf("resolved %v went below the shipped %v", r, shipped)
	}
	if cs := allChanges(t, e, "T"); len(cs) != len(want)+1 || cs[len(cs)-1].TS != res.CommitTS {
		t.Fatal("write after reopen not captured")
	}
}

// A shipper that shipped up to a resolved timestamp and crashed before
// trimming trims at startup: from then on commits land above what it
// shipped, even though the clock went back and the log's newest change is
// older. A trim of "everything" does not move the clock.
func TestTrimChangesRatchetsClock(t *testing.T) {
	dir := t.TempDir()
	fc := clock.NewFake(testEpoch)
	e := openAt(t, dir, fc)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	captureOn(t, e, "T")
	put(t, e, "T", key(attr.S("a")))
	fc.Advance(time.Minute)
	shipped := e.ResolvedTimestamp()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, clock.NewFake(testEpoch.Add(-10*time.Minute)))
	defer e.Close()
	if err := e.TrimChanges(bg, "T", shipped); err != nil {
		t.Fatal(err)
	}
	res, err := e.Mutate(bg, "T", key(attr.S("b")), func(attr.Item) (attr.Item, error) { return key(attr.S("b")), nil })
	if err != nil || res.CommitTS <= shipped {
		t.Fatalf("commit at %v after trimming up to %v (%v)", res.CommitTS, shipped, err)
	}
	before := e.hlc.Last()
	if err := e.TrimChanges(bg, "T", allTime); err != nil {
		t.Fatal(err)
	}
	if e.hlc.Last() != before || len(allChanges(t, e, "T")) != 0 {
		t.Fatalf("trimming everything moved the clock from %v to %v", before, e.hlc.Last())
	}
}

// Catalog records written before change capture existed decode with
// capture off; the new fields are omitted while off.
func TestChangeCaptureRecordCompatible(t *testing.T) {
	old := `{"name":"T","id":"0b1f6f7e-5d7c-4a39-8f4e-9d1e2c3b4a59","arn":"a","status":"ACTIVE","createdAt":"2026-01-01T00:00:00Z","hashKey":{"name":"pk","type":"S"}}`
	rec, _, err := decodeTable([]byte(old))
	if err != nil || rec.ChangeCapture || rec.ChangeCaptureFrom != 0 {
		t.Fatalf("old record: %+v, %v", rec, err)
	}
	b, err := encodeTable(rec, 1)
	if err != nil || bytes.Contains(b, []byte("changeCapture")) {
		t.Fatalf("record with capture off: %s, %v", b, err)
	}
	rec.ChangeCapture, rec.ChangeCaptureFrom = true, 42
	b, _ = encodeTable(rec, 1)
	if back, _, err := decodeTable(b); err != nil || !back.ChangeCapture || back.ChangeCaptureFrom != 42 {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
