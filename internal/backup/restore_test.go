package backup

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// TestRestore: the target is CREATING with a restore in progress until
// the whole backup is in, then ACTIVE with exactly the backup's items,
// index entries and statistics; meanwhile the backup can be neither
// restored again nor deleted.
func TestRestore(t *testing.T) {
	e := newEnv(t)
	src := newTable(t, e.eng, "Src", 7, 400)
	want := captureState(t, e.eng, "Src")
	b := backupNow(t, e.svc, "Src", "b")
	if want.stats.ItemCount != 400 || len(want.indexes["byG"]) == 0 || len(want.indexes["byH"]) == 0 || len(want.indexes["byL"]) == 0 {
		t.Fatalf("source state: %+v items, %d/%d/%d index entries", want.stats, len(want.indexes["byG"]), len(want.indexes["byH"]), len(want.indexes["byL"]))
	}

	g := newGate()
	e.store.setGetFault(gateChunks(g, 1))
	rt, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R"))
	if err != nil {
		t.Fatal(err)
	}
	if rt.Name != "R" || rt.Status != engine.StatusCreating || rt.Restore == nil || !rt.Restore.InProgress ||
		rt.Restore.SourceBackupARN != b.ARN || rt.Restore.SourceTableARN != src.ARN || !rt.Restore.RestoreDateTime.Equal(b.CreatedAt) {
		t.Errorf("Restore returned %+v (restore %+v)", rt, rt.Restore)
	}
	waitGate(t, g, 1)

	// While loading.
	tb, err := e.eng.Table(bg, "R")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Status != engine.StatusCreating || tb.Restore == nil || !tb.Restore.InProgress {
		t.Errorf("target while loading: status %s, restore %+v", tb.Status, tb.Restore)
	}
	for _, ix := range tb.Indexes {
		if ix.Status != engine.IndexCreating {
			t.Errorf("index %s of the target while loading: %s", ix.Name, ix.Status)
		}
	}
	if _, err := e.eng.GetItem(bg, "R", attr.Item{"pk": attr.S("p00"), "sk": attr.NumberFromInt64(0)}); !errors.Is(err, engine.ErrTableNotReady) {
		t.Errorf("GetItem on the target while loading: %v, want ErrTableNotReady", err)
	}
	if pend, err := e.eng.PendingRestores(bg); err != nil || len(pend) != 1 || pend[0].Name != "R" {
		t.Errorf("PendingRestores: %v, %v", pend, err)
	}
	if e.svc.Idle() {
		t.Error("Idle during a restore")
	}
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R2")); !errors.Is(err, ErrBackupInUse) {
		t.Errorf("second Restore of the backup: %v, want ErrBackupInUse", err)
	}
	if _, err := e.eng.Table(bg, "R2"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("a refused restore created its table: %v", err)
	}
	if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrBackupInUse) {
		t.Errorf("Delete during a restore: %v, want ErrBackupInUse", err)
	}
	if _, err := e.svc.Create(bg, "R", "of a restoring table"); !errors.Is(err, engine.ErrTableNotReady) {
		t.Errorf("Create of a table being restored: %v, want engine.ErrTableNotReady", err)
	}
	if d, err := e.svc.Describe(bg, b.ARN); err != nil || d.Status != StatusAvailable {
		t.Errorf("Describe during a restore: %+v, %v", d, err)
	}

	g.open()
	waitIdle(t, e.svc)
	tb = waitTableActive(t, e.eng, "R")
	if tb.Restore == nil || tb.Restore.InProgress || tb.Restore.SourceBackupARN != b.ARN {
		t.Errorf("restore state after the restore: %+v", tb.Restore)
	}
	for _, ix := range tb.Indexes {
		if ix.Status != engine.IndexActive {
			t.Errorf("index %s after the restore: %s", ix.Name, ix.Status)
		}
	}
	if !slices.EqualFunc(tb.Indexes, src.Indexes, func(a, b engine.Index) bool {
		return a.Name == b.Name && a.Local == b.Local && a.KeySchema.Hash == b.KeySchema.Hash && a.Projection.Type == b.Projection.Type
	}) {
		t.Errorf("target indexes %+v, source %+v", tb.Indexes, src.Indexes)
	}
	checkState(t, e.eng, "R", want)
	for i := range 7 {
		h := attr.S(fmt.Sprintf("g%d", i))
		if got, w := queryJSON(t, e.eng, "R", "byG", h), queryJSON(t, e.eng, "Src", "byG", h); !slices.Equal(got, w) || len(w) == 0 {
			t.Errorf("Query byG %s: %d entries, source %d", h.Str, len(got), len(w))
		}
	}
	if got, w := queryJSON(t, e.eng, "R", "byL", attr.S("p03")), queryJSON(t, e.eng, "Src", "byL", attr.S("p03")); !slices.Equal(got, w) || len(w) == 0 {
		t.Errorf("Query byL: %d entries, source %d", len(got), len(w))
	}
	if l := e.logs.lines("INFO", "table=R", b.ARN, "items=400"); len(l) != 1 {
		t.Errorf("want one line for the finished restore; logs:\n%s", e.logs)
	}

	// The target is an ordinary table now, and the backup is free again.
	putItems(t, e.eng, "R", genItems(8, 5000, 1))
	restoreExact(t, e.svc, e.eng, b, "R2", want)
	if _, err := e.svc.Delete(bg, b.ARN); err != nil {
		t.Errorf("Delete after the restores: %v", err)
	}
	if e.svc.restores != 0 || len(e.svc.restoring) != 0 {
		t.Errorf("restore bookkeeping after the restores: %d, %v", e.svc.restores, e.svc.restoring)
	}
}

// TestRestoreOntoExistingTable: ErrTableExists, and the refused restore
// holds neither the backup nor a restore slot.
func TestRestoreOntoExistingTable(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Src", 9, 50)
	want := captureState(t, e.eng, "Src")
	b := backupNow(t, e.svc, "Src", "b")
	waitIdle(t, e.svc) // the backup job ends just after AVAILABLE
	newTable(t, e.eng, "Other", 10, 5)
	other := captureState(t, e.eng, "Other")
	for _, name := range []string{"Src", "Other"} {
		if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, name)); !errors.Is(err, engine.ErrTableExists) {
			t.Errorf("Restore onto existing table %s: %v, want engine.ErrTableExists", name, err)
		}
	}
	if e.svc.restores != 0 || len(e.svc.restoring) != 0 || !e.svc.Idle() {
		t.Errorf("restore bookkeeping after refused restores: %d, %v", e.svc.restores, e.svc.restoring)
	}
	checkState(t, e.eng, "Src", want)
	checkState(t, e.eng, "Other", other)
	restoreExact(t, e.svc, e.eng, b, "New", want)
}

// TestRestoreLimit: with MaxConcurrentRestores restores running, one more
// fails with ErrRestoreLimit; once they are done they all hold the data
// and new restores start again.
func TestRestoreLimit(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Src", 11, 20)
	want := captureState(t, e.eng, "Src")
	var bs []*Backup
	for i := range MaxConcurrentRestores + 1 {
		b, err := e.svc.Create(bg, "Src", fmt.Sprintf("b%d", i))
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	waitIdle(t, e.svc)

	g := newGate()
	e.store.setGetFault(gateChunks(g, 0))
	for i, b := range bs[:MaxConcurrentRestores] {
		if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, fmt.Sprintf("R%02d", i))); err != nil {
			t.Fatalf("restore #%d: %v", i, err)
		}
	}
	last := bs[MaxConcurrentRestores]
	if _, err := e.svc.Restore(bg, last.ARN, restoreSpec(last, "Last")); !errors.Is(err, ErrRestoreLimit) {
		t.Fatalf("restore #%d: %v, want ErrRestoreLimit", MaxConcurrentRestores+1, err)
	}
	if _, err := e.eng.Table(bg, "Last"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("a restore refused by the limit created its table: %v", err)
	}
	if pend, _ := e.eng.PendingRestores(bg); len(pend) != MaxConcurrentRestores {
		t.Errorf("%d pending restores, want %d", len(pend), MaxConcurrentRestores)
	}

	g.open()
	waitIdle(t, e.svc)
	for i := range MaxConcurrentRestores {
		name := fmt.Sprintf("R%02d", i)
		waitTableActive(t, e.eng, name)
		checkState(t, e.eng, name, want)
	}
	restoreExact(t, e.svc, e.eng, last, "Last", want)
	if e.svc.restores != 0 {
		t.Errorf("restores counter %d after all restores", e.svc.restores)
	}
}
