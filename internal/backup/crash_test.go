package backup

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/google/go-cmp/cmp"
)

// TestCloseDuringRestoreRedoneAtOpen: a restore cancelled by Close stays
// CREATING with its restore in progress; the next service redoes it from
// scratch (whatever the interrupted attempt had loaded) and the table ends
// ACTIVE with exactly the backup's content.
func TestCloseDuringRestoreRedoneAtOpen(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Src", 60, 400)
	want := captureState(t, e.eng, "Src")
	b := backupNow(t, e.svc, "Src", "b")

	g := newGate()
	e.store.setGetFault(gateChunks(g, 2))
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); err != nil {
		t.Fatal(err)
	}
	waitGate(t, g, 1)
	if err := closeNow(e.svc); err != nil {
		t.Fatal(err)
	}
	e.store.setGetFault(nil)

	tb, err := e.eng.Table(bg, "R")
	if err != nil {
		t.Fatal(err)
	}
	if tb.Status != engine.StatusCreating || tb.Restore == nil || !tb.Restore.InProgress {
		t.Fatalf("target after an interrupted restore: status %s, restore %+v", tb.Status, tb.Restore)
	}
	if pend, err := e.eng.PendingRestores(bg); err != nil || len(pend) != 1 || pend[0].Name != "R" {
		t.Fatalf("PendingRestores: %v, %v", pend, err)
	}
	if l := e.logs.lines("INFO", "restore interrupted by shutdown", "table=R"); len(l) != 1 {
		t.Errorf("want the interruption logged; logs:\n%s", e.logs)
	}
	if l := e.logs.lines("ERROR", "table=R"); len(l) != 0 {
		t.Errorf("an interrupted restore was logged as failed: %q", l)
	}

	// Whatever the interrupted attempt loaded must go: leave a stray item
	// and a changed copy of a backup item in the target.
	l, err := e.eng.NewLoader(bg, "R")
	if err != nil {
		t.Fatal(err)
	}
	stray := genItems(61, 9000, 1)[0]
	changed := genItems(62, 10, 1)[0]
	for _, it := range []attr.Item{stray, changed} {
		if err := l.Add(it); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Finish(); err != nil {
		t.Fatal(err)
	}

	s := e.open()
	e.svc = s
	waitIdle(t, s)
	tb = waitTableActive(t, e.eng, "R")
	if tb.Restore == nil || tb.Restore.InProgress || tb.Restore.SourceBackupARN != b.ARN {
		t.Errorf("restore state after the redo: %+v", tb.Restore)
	}
	checkState(t, e.eng, "R", want)
	if l := e.logs.lines("INFO", "redoing an interrupted restore", "table=R", b.ARN); len(l) != 1 {
		t.Errorf("want the redo logged; logs:\n%s", e.logs)
	}
	if s.restores != 0 || len(s.restoring) != 0 {
		t.Errorf("restore bookkeeping after the redo: %d, %v", s.restores, s.restoring)
	}
	// The backup is free again.
	if _, err := s.Delete(bg, b.ARN); err != nil {
		t.Errorf("Delete after the redo: %v", err)
	}
}

// TestRestoreAfterClose: a Restore racing with Close fails, leaves the
// service's restore bookkeeping balanced, and the table it created is
// redone at the next start.
func TestRestoreAfterClose(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Src", 63, 100)
	want := captureState(t, e.eng, "Src")
	b := backupNow(t, e.svc, "Src", "b")
	if err := e.svc.Close(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); err == nil {
		t.Fatal("Restore on a closed service succeeded")
	}
	if e.svc.restores != 0 || len(e.svc.restoring) != 0 {
		t.Errorf("restore bookkeeping after a refused restore: restores=%d restoring=%v", e.svc.restores, e.svc.restoring)
	}
	if _, err := e.svc.Create(bg, "Src", "late"); err == nil {
		t.Error("Create on a closed service succeeded")
	}
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after a refused Create: %q", got)
	}
	if l, _ := e.svc.List(bg); len(l) != 1 {
		t.Errorf("List after a refused Create: %+v", l)
	}
	// The caller got an error, so no table may stay behind.
	if _, err := e.eng.Table(bg, "R"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Fatalf("target of a refused restore: %v, want ErrTableNotFound", err)
	}
	s := e.open()
	e.svc = s
	waitIdle(t, s)
	if _, err := s.Restore(bg, b.ARN, restoreSpec(b, "R")); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, s)
	waitTableActive(t, e.eng, "R")
	checkState(t, e.eng, "R", want)
}

// TestCloseDuringBackup: a backup cancelled by Close is removed with its
// job record and lock; the next service does not list it.
func TestCloseDuringBackup(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 64, 50)
	earlier := backupNow(t, e.svc, "A", "earlier")
	newTable(t, e.eng, "B", 65, 300)
	g := newGate()
	e.store.setPutFault(gateChunks(g, 1))
	b, err := e.svc.Create(bg, "B", "cut")
	if err != nil {
		t.Fatal(err)
	}
	waitGate(t, g, 1)
	if err := closeNow(e.svc); err != nil {
		t.Fatal(err)
	}
	e.store.setPutFault(nil)
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after the cancelled backup: %q", got)
	}
	if got := writerLocks(t, e.rp); len(got) != 0 {
		t.Errorf("writer locks after the cancelled backup: %q", got)
	}
	if l := e.logs.lines("ERROR", "backup failed", b.ARN); len(l) != 1 {
		t.Errorf("want the cancelled backup logged; logs:\n%s", e.logs)
	}
	s := e.open()
	e.svc = s
	if _, err := s.Describe(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe of the cancelled backup after restart: %v", err)
	}
	if l, _ := s.List(bg); len(l) != 1 || l[0].ARN != earlier.ARN {
		t.Errorf("List after restart: %+v", l)
	}
	checkIntact(t, s, earlier)
}

// TestOpenCleansInterruptedBackup: a job record whose manifest was never
// written is removed at Open, with the writer lock the crashed writer
// left; other writers' locks stay.
func TestOpenCleansInterruptedBackup(t *testing.T) {
	e := newEnv(t)
	src := newTable(t, e.eng, "A", 70, 100)
	want := captureState(t, e.eng, "A")
	earlier := backupNow(t, e.svc, "A", "earlier")
	if err := e.svc.Close(bg); err != nil {
		t.Fatal(err)
	}

	// A backup that crashed while uploading: its job record, some chunks
	// and its writer lock, but no manifest.
	id := newBackupID(e.clk.Now())
	rid := e.svc.repoID(id)
	if err := e.eng.PutMeta(bg, engine.MetaRecord{Key: jobPrefix + id, Value: []byte(rid), ExpiresAt: e.clk.Now().Add(jobRecordTTL)}); err != nil {
		t.Fatal(err)
	}
	crashedLock := leaveWriterLock(t, e, rid, genItems(71, 0, 200))
	// Another writer (say another server's backup) is running.
	otherLock := leaveWriterLock(t, e, "111111111111:eu-west-1:01772366400000-00000001", genItems(72, 0, 1))
	if got := writerLocks(t, e.rp); len(got) != 2 {
		t.Fatalf("writer locks before Open: %q", got)
	}

	s := e.open()
	e.svc = s
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after Open: %q", got)
	}
	locks, err := e.rp.Locks(bg)
	if err != nil {
		t.Fatal(err)
	}
	for name, li := range locks {
		if li.For == repoKind+"/"+rid {
			t.Errorf("the crashed writer's lock %s is still there", name)
		}
	}
	if _, ok := locks[strings.TrimPrefix(crashedLock, "locks/")]; ok {
		t.Errorf("lock %s not broken", crashedLock)
	}
	if _, ok := locks[strings.TrimPrefix(otherLock, "locks/")]; !ok {
		t.Errorf("another writer's lock %s was broken; locks: %v", otherLock, locks)
	}
	if l := e.logs.lines("WARN", "interrupted backup removed", "backup_id="+id, "locks_removed=1"); len(l) != 1 {
		t.Errorf("want the removal logged; logs:\n%s", e.logs)
	}
	if _, err := s.Describe(bg, src.ARN+"/backup/"+id); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe of the interrupted backup: %v", err)
	}
	if l, _ := s.List(bg); len(l) != 1 || l[0].ARN != earlier.ARN {
		t.Errorf("List: %+v", l)
	}
	restoreExact(t, s, e.eng, earlier, "A2", want)
	// A second start finds nothing more to clean.
	e.reopen()
	if l := e.logs.lines("WARN", "interrupted backup removed"); len(l) != 1 {
		t.Errorf("interrupted backup removed more than once: %q", l)
	}
}

// leaveWriterLock writes records as snapshot backup/rid with a real
// writer, then abandons it the way a crash does: its chunks and its lock
// object stay, no manifest. It returns the lock's object key.
func leaveWriterLock(t *testing.T, e *env, rid string, items []attr.Item) string {
	t.Helper()
	before := map[string]bool{}
	for _, k := range e.store.Keys("locks/") {
		before[k] = true
	}
	w, err := e.rp.NewWriter(bg, repoKind, rid)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if err := w.Add(attr.AppendItem(nil, it)); err != nil {
			t.Fatal(err)
		}
	}
	var key string
	var data []byte
	for _, k := range e.store.Keys("locks/") {
		if !before[k] {
			key = k
			raw, _ := e.store.Raw(k)
			data = append([]byte(nil), raw...)
		}
	}
	if key == "" {
		t.Fatal("the writer wrote no lock")
	}
	w.Abort() // stops its goroutines and removes the lock …
	e.store.Set(key, data)
	return key // … which the crash left behind
}

// TestOpenKeepsBackupWithManifest: a job record whose manifest was
// written (a crash just before the record was cleared) leaves the backup
// AVAILABLE; the record is removed.
func TestOpenKeepsBackupWithManifest(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 73, 100)
	want := captureState(t, e.eng, "A")
	b := backupNow(t, e.svc, "A", "done")
	if err := e.svc.Close(bg); err != nil {
		t.Fatal(err)
	}
	if err := e.eng.PutMeta(bg, engine.MetaRecord{Key: jobPrefix + b.ID, Value: []byte(e.svc.repoID(b.ID)), ExpiresAt: e.clk.Now().Add(jobRecordTTL)}); err != nil {
		t.Fatal(err)
	}
	s := e.open()
	e.svc = s
	d, err := s.Describe(bg, b.ARN)
	if err != nil || d.Status != StatusAvailable {
		t.Fatalf("Describe: %+v, %v", d, err)
	}
	if diff := cmp.Diff(b, d); diff != "" {
		t.Errorf("backup after restart differs (-before +after):\n%s", diff)
	}
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after Open: %q", got)
	}
	if l := e.logs.lines("INFO", "interrupted after its manifest was written", "backup_id="+b.ID); len(l) != 1 {
		t.Errorf("want it logged; logs:\n%s", e.logs)
	}
	restoreExact(t, s, e.eng, b, "A2", want)
}

// TestResumeRestoreOfDeletedBackup: an interrupted restore whose backup
// is gone at the next start cannot be redone: its table is removed.
func TestResumeRestoreOfDeletedBackup(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 74, 100)
	b := backupNow(t, e.svc, "A", "b")
	g := newGate()
	e.store.setGetFault(gateChunks(g, 0))
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); err != nil {
		t.Fatal(err)
	}
	waitGate(t, g, 1)
	if err := closeNow(e.svc); err != nil {
		t.Fatal(err)
	}
	e.store.setGetFault(nil)
	// Deleted meanwhile (say by a server sharing the repository).
	if err := e.rp.Delete(bg, repoKind, e.svc.repoID(b.ID)); err != nil {
		t.Fatal(err)
	}
	s := e.open()
	e.svc = s
	if _, err := e.eng.Table(bg, "R"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("target of a restore whose backup is gone: %v", err)
	}
	if l := e.logs.lines("ERROR", "table=R", b.ARN); len(l) != 1 {
		t.Errorf("want it logged; logs:\n%s", e.logs)
	}
	if !s.Idle() || s.restores != 0 {
		t.Errorf("service busy after Open: restores=%d", s.restores)
	}
}

// TestDisasterRecovery: a server with an empty database pointed at an
// existing repository lists every backup in full and restores them.
func TestDisasterRecovery(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 80, 300)
	wantA := captureState(t, e.eng, "A")
	bA := backupNow(t, e.svc, "A", "a-backup")
	e.clk.Advance(time.Second)
	newTable(t, e.eng, "B", 81, 150)
	if _, err := e.eng.UpdateTTL(bg, "B", engine.TTLSpec{AttributeName: "exp", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	wantB := captureState(t, e.eng, "B")
	bB := backupNow(t, e.svc, "B", "b-backup")
	createSystem(t, e.svc, "A", "sys", e.clk.Now().Add(24*time.Hour))
	before, err := e.svc.List(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 3 {
		t.Fatalf("%d backups", len(before))
	}

	// A new server: fresh database, same repository and root key.
	eng2 := openEngine(t, t.TempDir(), e.clk)
	rp2 := openRepo(t, e.store, e.key, e.clk)
	cfg := e.config()
	cfg.Engine, cfg.Repo = eng2, rp2
	s2, err := Open(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeNow(s2) })
	if err := s2.ResumeRestores(bg); err != nil {
		t.Fatal(err)
	}
	after, err := s2.List(bg)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("backups listed by the new server differ (-old +new):\n%s", diff)
	}
	for _, b := range after {
		if b.Table == nil || b.Table.Name == "" || len(b.Table.Indexes) != 3 || b.Table.KeySchema.Range == nil {
			t.Errorf("backup %s: table record %+v", b.ARN, b.Table)
		}
	}
	if d, _ := s2.Describe(bg, bB.ARN); d == nil || d.Table.TTL == nil || d.Table.TTL.AttributeName != "exp" || d.ItemCount != 150 || d.Name != "b-backup" || d.Type != TypeUser {
		t.Errorf("backup B on the new server: %+v", d)
	}
	if names, _ := eng2.ListTables(bg); len(names) != 0 {
		t.Fatalf("new engine has tables %q", names)
	}
	// Restore under the original names.
	restoreExact(t, s2, eng2, bA, "A", wantA)
	restoreExact(t, s2, eng2, bB, "B", wantB)
	tb, _ := eng2.Table(bg, "B")
	if tb.Restore == nil || tb.Restore.SourceTableARN != bB.Table.ARN || !tb.Restore.RestoreDateTime.Equal(bB.CreatedAt) {
		t.Errorf("restored B: restore %+v", tb.Restore)
	}
	// The new server can back up and delete in the shared repository, and
	// the old one sees the result after a restart.
	if _, err := s2.Delete(bg, bA.ARN); err != nil {
		t.Fatal(err)
	}
	s1 := e.reopen()
	if _, err := s1.Describe(bg, bA.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("old server after the new one deleted a backup: %v", err)
	}
	if rep, err := rp2.Verify(bg, nil); err != nil || !rep.OK() {
		t.Errorf("Verify: %v, %v", rep, err)
	}
}

// TestRefusedRestoreLeavesOnlyTheInterruptedOne: a restore interrupted by
// Close, then a second restore of the same backup refused because the
// service is shutting down: the refused one leaves no table (its caller got
// an error), and the next start redoes the interrupted one.
func TestRefusedRestoreLeavesOnlyTheInterruptedOne(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Src", 90, 100)
	want := captureState(t, e.eng, "Src")
	b := backupNow(t, e.svc, "Src", "b")
	g := newGate()
	e.store.setGetFault(gateChunks(g, 0))
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R1")); err != nil {
		t.Fatal(err)
	}
	waitGate(t, g, 1)
	if err := closeNow(e.svc); err != nil {
		t.Fatal(err)
	}
	e.store.setGetFault(nil)
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R2")); err == nil {
		t.Fatal("Restore on a closed service succeeded")
	}
	if pend, _ := e.eng.PendingRestores(bg); len(pend) != 1 || pend[0].Name != "R1" {
		t.Fatalf("pending restores %v, want R1 only", pend)
	}
	s := e.open() // fails the test if ResumeRestores fails
	e.svc = s
	waitIdle(t, s)
	waitTableActive(t, e.eng, "R1")
	checkState(t, e.eng, "R1", want)
	if _, err := e.eng.Table(bg, "R2"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("R2: %v, want ErrTableNotFound", err)
	}
}

// TestNamespaces: services of other accounts or regions sharing the
// repository neither list nor clean up each other's backups.
func TestNamespaces(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 95, 50)
	want := captureState(t, e.eng, "T")
	mine := backupNow(t, e.svc, "T", "mine")

	eng2, err := engine.Open(engine.Options{
		Dir: t.TempDir(), Region: "eu-west-1", AccountID: "111111111111", Clock: e.clk,
		Logger: quiet(), CacheSize: 8 << 20, TTLInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng2.Close() })
	cfg := e.config()
	cfg.Engine, cfg.Region, cfg.AccountID = eng2, "eu-west-1", "111111111111"
	other, err := Open(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeNow(other) })
	if l, _ := other.List(bg); len(l) != 0 {
		t.Errorf("another namespace lists %+v", l)
	}
	if _, err := other.Describe(bg, mine.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("another namespace describes our backup: %v", err)
	}
	newTable(t, eng2, "T", 96, 30)
	theirs := backupNow(t, other, "T", "theirs")
	if !strings.Contains(theirs.ARN, ":eu-west-1:111111111111:table/T/backup/") {
		t.Errorf("their ARN %s", theirs.ARN)
	}
	s := e.reopen()
	if l, _ := s.List(bg); len(l) != 1 || l[0].ARN != mine.ARN {
		t.Errorf("our namespace lists %+v", l)
	}
	if l := e.logs.lines("INFO", "backup catalog loaded", "backups=1"); len(l) != 1 {
		t.Errorf("want our catalog reloaded with 1 backup; logs:\n%s", e.logs)
	}
	restoreExact(t, s, e.eng, mine, "R", want)
}
