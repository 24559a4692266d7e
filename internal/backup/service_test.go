package backup

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/repo"
)

var backupIDRe = regexp.MustCompile(`^\d{14}-[0-9a-f]{8}$`)

func TestCreateDescribeDelete(t *testing.T) {
	e := newEnv(t)
	src := newTable(t, e.eng, "Orders", 1, 200)
	before := captureState(t, e.eng, "Orders")

	// Hold the chunk uploads so the backup is observably CREATING.
	g := newGate()
	e.store.setPutFault(gateChunks(g, 0))
	e.clk.Advance(1234567 * time.Microsecond) // not a whole millisecond
	now := e.clk.Now()
	b, err := e.svc.Create(bg, "Orders", "nightly")
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != StatusCreating {
		t.Errorf("Create returned status %s, want CREATING", b.Status)
	}
	if !backupIDRe.MatchString(b.ID) {
		t.Errorf("backup id %q does not match %s", b.ID, backupIDRe)
	}
	ms, _ := strconv.ParseInt(b.ID[:14], 10, 64)
	if ms != b.CreatedAt.UnixMilli() || !b.CreatedAt.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("id %s, CreatedAt %v (%d ms); request time %v", b.ID, b.CreatedAt, b.CreatedAt.UnixMilli(), now)
	}
	if want := src.ARN + "/backup/" + b.ID; b.ARN != want {
		t.Errorf("ARN %s, want %s", b.ARN, want)
	}
	if b.Name != "nightly" || b.Type != TypeUser || !b.ExpiresAt.IsZero() {
		t.Errorf("backup %+v: want name nightly, type USER, no expiry", b)
	}
	if b.ItemCount != before.stats.ItemCount || b.TableSizeBytes != before.stats.SizeBytes || b.SizeBytes != before.stats.SizeBytes {
		t.Errorf("backup counts %d items %d/%d bytes, table has %+v", b.ItemCount, b.SizeBytes, b.TableSizeBytes, before.stats)
	}
	if b.Table == nil || b.Table.ARN != src.ARN || b.Table.ID != src.ID || len(b.Table.Indexes) != 3 {
		t.Errorf("backup table record %+v, want the source's", b.Table)
	}
	if got := jobRecords(t, e.eng); !slices.Equal(got, []string{jobPrefix + b.ID}) {
		t.Errorf("job records while creating: %q", got)
	}

	waitGate(t, g, 1)
	d, err := e.svc.Describe(bg, b.ARN)
	if err != nil || d.Status != StatusCreating {
		t.Fatalf("Describe while creating: %+v, %v", d, err)
	}
	if e.svc.Idle() {
		t.Error("Idle while a backup is being created")
	}
	if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrBackupInUse) {
		t.Errorf("Delete while creating: %v, want ErrBackupInUse", err)
	}
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); !errors.Is(err, ErrBackupInUse) {
		t.Errorf("Restore while creating: %v, want ErrBackupInUse", err)
	}
	if _, err := e.eng.Table(bg, "R"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("a refused restore created its table: %v", err)
	}
	if l, _ := e.svc.List(bg); len(l) != 1 || l[0].Status != StatusCreating {
		t.Errorf("List while creating: %+v", l)
	}
	g.open()

	avail := waitAvailable(t, e.svc, b.ARN)
	waitIdle(t, e.svc)
	want := *b
	want.Status = StatusAvailable
	if avail.ARN != want.ARN || avail.ID != want.ID || avail.Name != want.Name || !avail.CreatedAt.Equal(want.CreatedAt) ||
		avail.ItemCount != want.ItemCount || avail.SizeBytes != want.SizeBytes || avail.Table.ARN != want.Table.ARN {
		t.Errorf("AVAILABLE backup %+v differs from the created one %+v", avail, want)
	}
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after the backup finished: %q", got)
	}
	if got := writerLocks(t, e.rp); len(got) != 0 {
		t.Errorf("writer locks after the backup finished: %q", got)
	}
	if l := e.logs.lines("INFO", "backup available", b.ARN); len(l) != 1 {
		t.Errorf("want one 'backup available' log line naming the backup; logs:\n%s", e.logs)
	}

	// Describe returns copies.
	avail.Status, avail.Name = "MESSED", "x"
	if d, _ := e.svc.Describe(bg, b.ARN); d.Status != StatusAvailable || d.Name != "nightly" {
		t.Errorf("Describe result aliases the catalog: %+v", d)
	}

	del, err := e.svc.Delete(bg, b.ARN)
	if err != nil {
		t.Fatal(err)
	}
	if del.Status != StatusDeleted || del.ARN != b.ARN || del.Name != "nightly" || del.ItemCount != b.ItemCount {
		t.Errorf("Delete returned %+v", del)
	}
	if _, err := e.svc.Describe(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe after Delete: %v, want ErrBackupNotFound", err)
	}
	if l, _ := e.svc.List(bg); len(l) != 0 {
		t.Errorf("List after Delete: %+v", l)
	}
	if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("second Delete: %v, want ErrBackupNotFound", err)
	}
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Restore after Delete: %v, want ErrBackupNotFound", err)
	}
	if _, err := e.rp.Manifest(bg, repoKind, e.svc.repoID(b.ID)); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("manifest after Delete: %v, want repo.ErrNotFound", err)
	}
	// A new service (restart) does not find it either.
	s2 := e.reopen()
	if _, err := s2.Describe(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe after Delete and restart: %v", err)
	}
}

func TestCreateErrors(t *testing.T) {
	e := newEnv(t)
	if _, err := e.svc.Create(bg, "Missing", "x"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("Create on a missing table: %v, want engine.ErrTableNotFound", err)
	}
	if _, err := e.svc.Describe(bg, "arn:aws:dynamodb:us-east-1:000000000000:table/T/backup/01234567890123-0badf00d"); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe of an unknown backup: %v", err)
	}
	if _, err := e.svc.Delete(bg, "arn:nothing"); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Delete of an unknown backup: %v", err)
	}
	if l, err := e.svc.List(bg); err != nil || len(l) != 0 {
		t.Errorf("List: %v, %v", l, err)
	}
	if got := jobRecords(t, e.eng); len(got) != 0 {
		t.Errorf("job records after a refused Create: %q", got)
	}
	if !e.svc.Idle() {
		t.Error("not Idle after a refused Create")
	}
	// An empty table backs up and restores (to an empty table).
	createTable(t, e.eng, "Empty")
	b := backupNow(t, e.svc, "Empty", "empty")
	if b.ItemCount != 0 || b.SizeBytes != 0 {
		t.Errorf("backup of an empty table: %+v", b)
	}
	restoreExact(t, e.svc, e.eng, b, "Empty2", captureState(t, e.eng, "Empty"))
}

func TestListOrder(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Zeta", 2, 20)
	newTable(t, e.eng, "Alpha", 3, 20)

	b1 := backupNow(t, e.svc, "Zeta", "one")
	e.clk.Advance(5 * time.Millisecond)
	// Same instant: ordered by ARN, so Alpha's before Zeta's.
	b2 := backupNow(t, e.svc, "Zeta", "two")
	b3 := backupNow(t, e.svc, "Alpha", "three")
	b4 := backupNow(t, e.svc, "Zeta", "four")
	e.clk.Advance(time.Millisecond)
	b5 := backupNow(t, e.svc, "Alpha", "five")

	same := []*Backup{b2, b4}
	slices.SortFunc(same, func(a, b *Backup) int {
		if a.ARN < b.ARN {
			return -1
		}
		return 1
	})
	want := []string{b1.ARN, b3.ARN, same[0].ARN, same[1].ARN, b5.ARN}
	for _, s := range []*Service{e.svc, e.reopen()} {
		l, err := s.List(bg)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range l {
			got = append(got, b.ARN)
			if b.Status != StatusAvailable {
				t.Errorf("listed %s with status %s", b.ARN, b.Status)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("List order:\n got %q\nwant %q", got, want)
		}
	}
	if !b2.CreatedAt.Equal(b3.CreatedAt) || !b1.CreatedAt.Before(b2.CreatedAt) {
		t.Errorf("unexpected instants %v %v %v", b1.CreatedAt, b2.CreatedAt, b3.CreatedAt)
	}
}

// TestSnapshotIsTableAtCreate: writes after Create returns are not in the
// backup, even while its items are still being uploaded.
func TestSnapshotIsTableAtCreate(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 4, 300)
	before := captureState(t, e.eng, "T")

	g := newGate()
	e.store.setPutFault(gateChunks(g, 1))
	b, err := e.svc.Create(bg, "T", "pinned")
	if err != nil {
		t.Fatal(err)
	}
	// Change the table while the backup's uploads are held.
	putItems(t, e.eng, "T", genItems(99, 0, 50))    // overwrite items 0..49
	putItems(t, e.eng, "T", genItems(4, 1000, 100)) // new items
	for i := 100; i < 150; i++ {
		deleteItem(t, e.eng, "T", attr.Item{"pk": attr.S("p" + twoDigits(i%23)), "sk": attr.NumberFromInt64(int64(i))})
	}
	after := captureState(t, e.eng, "T")
	if after.stats == before.stats || slices.Equal(after.items, before.items) {
		t.Fatal("the table did not change")
	}
	g.open()
	b = waitAvailable(t, e.svc, b.ARN)
	if b.ItemCount != before.stats.ItemCount || b.TableSizeBytes != before.stats.SizeBytes || b.SizeBytes != before.stats.SizeBytes {
		t.Errorf("backup stats %d items, %d bytes; table at Create %+v", b.ItemCount, b.TableSizeBytes, before.stats)
	}
	restoreExact(t, e.svc, e.eng, b, "R", before)
	// The source kept its new content.
	checkState(t, e.eng, "T", after)
}

func twoDigits(i int) string {
	s := strconv.Itoa(i)
	if len(s) < 2 {
		s = "0" + s
	}
	return s
}

// TestSystemBackupExpiry: a SYSTEM backup past its expiry is neither
// listed nor describable, here and after a restart.
func TestSystemBackupExpiry(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 5, 30)
	user := backupNow(t, e.svc, "T", "user")

	now := e.clk.Now().Truncate(time.Millisecond)
	sys := createSystem(t, e.svc, "T", "sys", now.Add(time.Hour))
	if sys.Type != TypeSystem || !sys.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("system backup %+v", sys)
	}
	if l, _ := e.svc.List(bg); len(l) != 2 {
		t.Errorf("List before expiry: %d backups, want 2", len(l))
	}
	if _, err := e.svc.Delete(bg, sys.ARN); !errors.Is(err, ErrSystemBackup) {
		t.Errorf("Delete of a SYSTEM backup: %v, want ErrSystemBackup", err)
	}
	// A restart reads the expiry back from the manifest.
	s := e.reopen()
	if d, err := s.Describe(bg, sys.ARN); err != nil || !d.ExpiresAt.Equal(sys.ExpiresAt) || d.Type != TypeSystem {
		t.Errorf("Describe after restart: %+v, %v", d, err)
	}

	e.clk.Advance(time.Hour - time.Millisecond)
	if _, err := s.Describe(bg, sys.ARN); err != nil {
		t.Errorf("Describe just before expiry: %v", err)
	}
	e.clk.Advance(time.Millisecond)
	for _, s := range []*Service{s, e.reopen()} {
		if _, err := s.Describe(bg, sys.ARN); !errors.Is(err, ErrBackupNotFound) {
			t.Errorf("Describe of an expired backup: %v, want ErrBackupNotFound", err)
		}
		l, err := s.List(bg)
		if err != nil || len(l) != 1 || l[0].ARN != user.ARN {
			t.Errorf("List after expiry: %+v, %v; want only the USER backup", l, err)
		}
		if _, err := s.Delete(bg, sys.ARN); !errors.Is(err, ErrBackupNotFound) {
			t.Errorf("Delete of an expired backup: %v, want ErrBackupNotFound", err)
		}
		if _, err := s.Restore(bg, sys.ARN, restoreSpec(sys, "R")); !errors.Is(err, ErrBackupNotFound) {
			t.Errorf("Restore of an expired backup: %v, want ErrBackupNotFound", err)
		}
	}

	// SweepExpired deletes it (and only it) from the repository.
	s = e.svc
	if n, err := s.SweepExpired(bg); n != 1 || err != nil {
		t.Errorf("SweepExpired: %d, %v; want 1", n, err)
	}
	if _, err := e.rp.Manifest(bg, repoKind, s.repoID(sys.ID)); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("manifest of the swept backup: %v", err)
	}
	if n, err := s.SweepExpired(bg); n != 0 || err != nil {
		t.Errorf("second SweepExpired: %d, %v; want 0", n, err)
	}
	if l, _ := e.reopen().List(bg); len(l) != 1 || l[0].ARN != user.ARN {
		t.Errorf("List after the sweep: %+v", l)
	}
}

// TestCreateSystemBackup: the SYSTEM backup of a deleted table is named
// after it, expires after SystemBackupRetention, cannot be deleted by
// users and restores the table as it was.
func TestCreateSystemBackup(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "Gone", 14, 120)
	want := captureState(t, e.eng, "Gone")
	snap, err := e.eng.SnapshotTable(bg, "Gone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.DeleteTable(bg, "Gone"); err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.CreateSystemBackup(bg, snap)
	if err != nil {
		t.Fatal(err)
	}
	b = waitAvailable(t, e.svc, b.ARN)
	if b.Name != "Gone$DeletedTableBackup" || b.Type != TypeSystem || !backupIDRe.MatchString(b.ID) ||
		!b.ExpiresAt.Equal(b.CreatedAt.Add(SystemBackupRetention)) || b.ItemCount != 120 {
		t.Errorf("system backup %+v", b)
	}
	if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrSystemBackup) {
		t.Errorf("Delete: %v, want ErrSystemBackup", err)
	}
	if n, err := e.svc.SweepExpired(bg); n != 0 || err != nil {
		t.Errorf("SweepExpired before expiry: %d, %v", n, err)
	}
	restoreExact(t, e.svc, e.eng, b, "Gone", want)
	e.clk.Advance(SystemBackupRetention)
	if n, err := e.svc.SweepExpired(bg); n != 1 || err != nil {
		t.Errorf("SweepExpired after expiry: %d, %v", n, err)
	}
	if l, _ := e.svc.List(bg); len(l) != 0 {
		t.Errorf("List after expiry: %+v", l)
	}
}

// hookHandler calls hook before handing each record to next.
type hookHandler struct {
	next slog.Handler
	hook func(r slog.Record)
}

func (h *hookHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *hookHandler) Handle(ctx context.Context, r slog.Record) error {
	h.hook(r)
	return h.next.Handle(ctx, r)
}

func (h *hookHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &hookHandler{h.next.WithAttrs(as), h.hook}
}

func (h *hookHandler) WithGroup(n string) slog.Handler {
	return &hookHandler{h.next.WithGroup(n), h.hook}
}

// TestCreateReturnsCreatingCopy: Create's result is the backup as it was
// created (CREATING), a copy that the background job does not touch, even
// when the job finishes before Create returns. (Create used to clone the
// live catalog entry after starting the job: a data race with the job's
// status update, and an AVAILABLE result when the job was quick.)
func TestCreateReturnsCreatingCopy(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 6, 10)
	avail := make(chan struct{})
	var once sync.Once
	cfg := e.config()
	cfg.Logger = slog.New(&hookHandler{next: slog.NewTextHandler(e.logs, nil), hook: func(r slog.Record) {
		switch r.Message {
		case "backup available":
			once.Do(func() { close(avail) })
		case "backup started":
			// Let the background job finish before Create returns.
			select {
			case <-avail:
			case <-time.After(waitTimeout):
			}
		}
	}})
	s, err := Open(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeNow(s) })
	b, err := s.Create(bg, "T", "quick")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-avail:
	default:
		t.Fatal("the backup did not finish before Create returned")
	}
	if b.Status != StatusCreating {
		t.Errorf("Create returned status %s, want CREATING", b.Status)
	}
	if d := waitAvailable(t, s, b.ARN); d.ItemCount != 10 {
		t.Errorf("backup %+v", d)
	}
}

// TestIdleUntilJobsReturn: Idle is false until the background job has
// returned, not merely until the catalog entry changed: a caller waiting
// for Idle sees the job's last effects (job record removed, log written).
func TestIdleUntilJobsReturn(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 12, 10)
	hold := newGate()
	reached := make(chan struct{})
	var once sync.Once
	cfg := e.config()
	cfg.Logger = slog.New(&hookHandler{next: slog.NewTextHandler(e.logs, nil), hook: func(r slog.Record) {
		if r.Message == "backup available" {
			once.Do(func() { close(reached) })
			hold.wait(bg)
		}
	}})
	s, err := Open(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hold.open(); closeNow(s) })
	b, err := s.Create(bg, "T", "b")
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-reached:
	case <-time.After(waitTimeout):
		t.Fatal("the backup did not finish")
	}
	// The job is in its last step.
	if d, err := s.Describe(bg, b.ARN); err != nil || d.Status != StatusAvailable {
		t.Fatalf("Describe: %+v, %v", d, err)
	}
	if s.Idle() {
		t.Error("Idle while a backup job is still running")
	}
	hold.open()
	waitIdle(t, s)
	if l := e.logs.lines("INFO", "backup available", b.ARN); len(l) != 1 {
		t.Errorf("after Idle, want the job's last log line; logs:\n%s", e.logs)
	}
}

// TestDeleteInProgress: while a Delete removes the manifest, the backup
// can be neither restored nor deleted again; a Delete that fails leaves
// the backup listed and usable.
func TestDeleteInProgress(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "T", 13, 50)
	want := captureState(t, e.eng, "T")
	b := backupNow(t, e.svc, "T", "b")
	manifest := manifestObject(e.svc, b)

	// A failing Delete.
	e.store.setDeleteFault(func(_ context.Context, key string) error {
		if key == manifest {
			return errors.New("permission denied")
		}
		return nil
	})
	if _, err := e.svc.Delete(bg, b.ARN); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("Delete with a failing store: %v", err)
	}
	if d, err := e.svc.Describe(bg, b.ARN); err != nil || d.Status != StatusAvailable {
		t.Errorf("after a failed Delete: %+v, %v", d, err)
	}
	restoreExact(t, e.svc, e.eng, b, "R1", want)

	// A slow Delete.
	g := newGate()
	e.store.setDeleteFault(func(ctx context.Context, key string) error {
		if key == manifest {
			return g.wait(ctx)
		}
		return nil
	})
	type result struct {
		b   *Backup
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := e.svc.Delete(bg, b.ARN)
		done <- result{d, err}
	}()
	waitGate(t, g, 1)
	_, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R2"))
	if !errors.Is(err, ErrBackupInUse) || !strings.Contains(err.Error(), "being deleted") || strings.Contains(err.Error(), "\x00") {
		t.Errorf("Restore during Delete: %q, want ErrBackupInUse saying it is being deleted", err)
	}
	if _, err := e.eng.Table(bg, "R2"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("a refused restore created its table: %v", err)
	}
	if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrBackupInUse) {
		t.Errorf("Delete during Delete: %v, want ErrBackupInUse", err)
	}
	g.open()
	r := <-done
	if r.err != nil || r.b.Status != StatusDeleted {
		t.Fatalf("Delete: %+v, %v", r.b, r.err)
	}
	if _, err := e.svc.Describe(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe after Delete: %v", err)
	}
	if e.svc.restores != 0 || len(e.svc.restoring) != 0 {
		t.Errorf("restore bookkeeping after Delete: %d, %v", e.svc.restores, e.svc.restoring)
	}
}
