package backup

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// errDiskFull is what a full disk looks like to a store.
var errDiskFull = errors.New("write chunks/xx: no space left on device")

// TestBackupPutFails: a backup whose upload fails (disk full) disappears
// with its job record and writer lock, the failure is logged, and earlier
// backups are untouched.
func TestBackupPutFails(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string // objects whose Put fails
		after  int64  // successful Puts of such objects first
	}{
		{"chunk", "chunks/", 2},
		{"first chunk", "chunks/", 0},
		{"manifest", "manifests/", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			newTable(t, e.eng, "A", 20, 300)
			wantA := captureState(t, e.eng, "A")
			earlier := backupNow(t, e.svc, "A", "earlier")
			newTable(t, e.eng, "B", 21, 300) // no chunk in common with A

			var puts, failed atomic.Int64
			e.store.setPutFault(func(_ context.Context, key string) error {
				if strings.HasPrefix(key, tc.prefix) && puts.Add(1) > tc.after {
					failed.Add(1)
					return errDiskFull
				}
				return nil
			})
			b, err := e.svc.Create(bg, "B", "doomed")
			if err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e.svc)
			e.store.setPutFault(nil)
			if failed.Load() == 0 {
				t.Fatal("no Put failed")
			}

			if _, err := e.svc.Describe(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
				t.Errorf("Describe of the failed backup: %v, want ErrBackupNotFound", err)
			}
			if l, _ := e.svc.List(bg); len(l) != 1 || l[0].ARN != earlier.ARN {
				t.Errorf("List after the failure: %+v", l)
			}
			if got := jobRecords(t, e.eng); len(got) != 0 {
				t.Errorf("job records after the failure: %q", got)
			}
			if got := writerLocks(t, e.rp); len(got) != 0 {
				t.Errorf("writer locks after the failure: %q", got)
			}
			if _, err := e.rp.Manifest(bg, repoKind, e.svc.repoID(b.ID)); err == nil {
				t.Error("the failed backup has a manifest")
			}
			if l := e.logs.lines("ERROR", "backup failed", b.ARN, "no space left on device"); len(l) != 1 {
				t.Errorf("want one ERROR line naming the backup and the cause; logs:\n%s", e.logs)
			}
			if _, err := e.svc.Delete(bg, b.ARN); !errors.Is(err, ErrBackupNotFound) {
				t.Errorf("Delete of the failed backup: %v", err)
			}

			// The earlier backup is intact, here and after a restart.
			rep, err := e.rp.Verify(bg, nil)
			if err != nil || !rep.OK() || rep.Manifests != 1 {
				t.Errorf("Verify: %v, %v", rep, err)
			}
			checkIntact(t, e.svc, earlier)
			restoreExact(t, e.svc, e.eng, earlier, "A2", wantA)
			s := e.reopen()
			if l, _ := s.List(bg); len(l) != 1 || l[0].ARN != earlier.ARN {
				t.Errorf("List after restart: %+v", l)
			}
			// With space again, B backs up and restores.
			wantB := captureState(t, e.eng, "B")
			b2 := backupNow(t, s, "B", "retry")
			restoreExact(t, s, e.eng, b2, "B2", wantB)
		})
	}
}

// TestRestoreDamagedChunk: a restore from a backup with a corrupted or
// missing chunk starts, fails, removes its target and logs the damaged
// object; the backup stays listed and other backups are untouched.
func TestRestoreDamagedChunk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(s *faultStore, key string)
		logged func(key string) string // what the log must name
	}{
		{"flipped bit", func(s *faultStore, key string) {
			raw, _ := s.Raw(key)
			s.FlipBit(key, len(raw)/2, 5)
		}, func(key string) string {
			// Chunk errors name the chunk by its short id and the manifest.
			return "chunk " + key[len("chunks/xx/"):][:8]
		}},
		{"deleted", func(s *faultStore, key string) {
			s.Delete(bg, key)
		}, func(key string) string { return key }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			newTable(t, e.eng, "A", 30, 300)
			wantA := captureState(t, e.eng, "A")
			earlier := backupNow(t, e.svc, "A", "earlier")
			newTable(t, e.eng, "B", 31, 300)
			victim := backupNow(t, e.svc, "B", "victim")

			aChunks := map[string]bool{}
			for _, k := range chunkKeys(t, e.svc, earlier) {
				aChunks[k] = true
			}
			var key string
			bChunks := chunkKeys(t, e.svc, victim)
			if len(bChunks) < 3 {
				t.Fatalf("backup has %d chunks; the test wants several", len(bChunks))
			}
			for _, k := range bChunks[len(bChunks)/2:] {
				if !aChunks[k] {
					key = k
					break
				}
			}
			if key == "" {
				t.Fatal("no chunk of the victim is its own")
			}
			tc.damage(e.store, key)

			if _, err := e.svc.Restore(bg, victim.ARN, restoreSpec(victim, "R")); err != nil {
				t.Fatalf("Restore: %v (it should start, then fail)", err)
			}
			waitIdle(t, e.svc)
			waitTableGone(t, e.eng, "R")
			if pend, _ := e.eng.PendingRestores(bg); len(pend) != 0 {
				t.Errorf("pending restores after the failure: %v", pend)
			}
			if l := e.logs.lines("ERROR", "restore failed", "table=R", victim.ARN, tc.logged(key)); len(l) != 1 {
				t.Errorf("want one ERROR line naming the table, the backup and %q; logs:\n%s", tc.logged(key), e.logs)
			}
			if !strings.Contains(e.logs.String(), manifestObject(e.svc, victim)) {
				t.Errorf("the log does not name the manifest %s", manifestObject(e.svc, victim))
			}
			if d, err := e.svc.Describe(bg, victim.ARN); err != nil || d.Status != StatusAvailable {
				t.Errorf("the damaged backup: %+v, %v; want it still listed", d, err)
			}
			if e.svc.restores != 0 || len(e.svc.restoring) != 0 {
				t.Errorf("restore bookkeeping after the failure: %d, %v", e.svc.restores, e.svc.restoring)
			}

			// Verify names exactly the damaged chunk.
			rep, err := e.rp.Verify(bg, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != 1 || problemObject(rep.Problems[0]) != key {
				t.Errorf("Verify problems %v, want one on %s", rep.Problems, key)
			}
			checkIntact(t, e.svc, earlier)
			restoreExact(t, e.svc, e.eng, earlier, "A2", wantA)

			// The damaged backup keeps failing the same way, and can be
			// deleted.
			if _, err := e.svc.Restore(bg, victim.ARN, restoreSpec(victim, "R")); err != nil {
				t.Fatal(err)
			}
			waitIdle(t, e.svc)
			waitTableGone(t, e.eng, "R")
			if _, err := e.svc.Delete(bg, victim.ARN); err != nil {
				t.Errorf("Delete of the damaged backup: %v", err)
			}
		})
	}
}

// TestCorruptManifest: a service opening on a repository with a corrupted
// manifest logs it, skips it and lists the others.
func TestCorruptManifest(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 40, 100)
	wantA := captureState(t, e.eng, "A")
	a := backupNow(t, e.svc, "A", "a")
	newTable(t, e.eng, "B", 41, 100)
	bad := backupNow(t, e.svc, "B", "bad")
	newTable(t, e.eng, "C", 42, 100)
	wantC := captureState(t, e.eng, "C")
	c := backupNow(t, e.svc, "C", "c")

	key := manifestObject(e.svc, bad)
	raw, ok := e.store.Raw(key)
	if !ok {
		t.Fatalf("no manifest object %s", key)
	}
	e.store.FlipBit(key, len(raw)-3, 0)

	s := e.reopen()
	l, err := s.List(bg)
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 2 || l[0].ARN != a.ARN || l[1].ARN != c.ARN {
		t.Errorf("List with a corrupted manifest: %+v, want a and c", l)
	}
	if _, err := s.Describe(bg, bad.ARN); !errors.Is(err, ErrBackupNotFound) {
		t.Errorf("Describe of the backup with the corrupted manifest: %v", err)
	}
	if l := e.logs.lines("ERROR", "unreadable backup manifest", key); len(l) != 1 {
		t.Errorf("want one ERROR line naming %s; logs:\n%s", key, e.logs)
	}
	if l := e.logs.lines("INFO", "backup catalog loaded", "backups=2"); len(l) != 1 {
		t.Errorf("want the catalog loaded with 2 backups; logs:\n%s", e.logs)
	}
	rep, err := e.rp.Verify(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || problemObject(rep.Problems[0]) != key {
		t.Errorf("Verify problems %v, want one on %s", rep.Problems, key)
	}
	checkIntact(t, s, a)
	checkIntact(t, s, c)
	restoreExact(t, s, e.eng, a, "A2", wantA)
	restoreExact(t, s, e.eng, c, "C2", wantC)
}

// TestRestoreTransientGetFailure: a store read that fails once fails the
// restore cleanly (target removed); retrying the restore succeeds.
func TestRestoreTransientGetFailure(t *testing.T) {
	e := newEnv(t)
	newTable(t, e.eng, "A", 50, 300)
	want := captureState(t, e.eng, "A")
	b := backupNow(t, e.svc, "A", "b")

	var calls atomic.Int64
	e.store.setGetFault(func(_ context.Context, key string) error {
		if strings.HasPrefix(key, "chunks/") && calls.Add(1) == 3 {
			return errors.New("read tcp 10.0.0.1:443: connection reset by peer")
		}
		return nil
	})
	if _, err := e.svc.Restore(bg, b.ARN, restoreSpec(b, "R")); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e.svc)
	waitTableGone(t, e.eng, "R")
	if calls.Load() < 3 {
		t.Fatalf("only %d chunk reads", calls.Load())
	}
	if l := e.logs.lines("ERROR", "restore failed", "table=R", "connection reset by peer"); len(l) != 1 {
		t.Errorf("want one ERROR line for the failed restore; logs:\n%s", e.logs)
	}
	if _, err := e.eng.Table(bg, "R"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("target after the failure: %v", err)
	}
	// The fault is spent: the retry succeeds.
	restoreExact(t, e.svc, e.eng, b, "R", want)
	checkIntact(t, e.svc, b)
}
