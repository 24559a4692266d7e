package backup

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// jobPrefix keys the engine meta records of backups in progress: a
// record exists from CreateBackup until the backup is AVAILABLE or
// removed, so a restart after a crash knows which backups it interrupted.
const jobPrefix = "backupjob/"

// jobRecordTTL bounds how long a backup-in-progress record lives; far
// beyond any backup's duration.
const jobRecordTTL = 365 * 24 * time.Hour

// newBackupID returns DynamoDB's backup id for a request at t: 14-digit
// zero-padded epoch milliseconds, "-", 8 lower-case hex digits.
func newBackupID(t time.Time) string {
	var r [4]byte
	rand.Read(r[:])
	return fmt.Sprintf("%014d-%08x", t.UnixMilli(), binary.BigEndian.Uint32(r[:]))
}

// Create starts a USER backup of the table as of now. The table is pinned
// at once (the backup holds exactly what was committed before the call);
// its items stream into the repository in the background, then the backup
// becomes AVAILABLE. Errors: engine.ErrTableNotFound, engine.ErrTableNotReady.
func (s *Service) Create(ctx context.Context, table, name string) (*Backup, error) {
	now := s.eng.Now().Truncate(time.Millisecond)
	snap, err := s.eng.SnapshotTable(ctx, table)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, snap, name, TypeUser, newBackupID(now), now, time.Time{})
}

// SystemBackupRetention is how long a SYSTEM backup (left by deleting a
// table with point-in-time recovery on) is kept.
const SystemBackupRetention = 35 * 24 * time.Hour

// CreateSystemBackup backs up snap — a table's last state, pinned by
// DeleteTable — as the SYSTEM backup "<table>$DeletedTableBackup", which
// expires after SystemBackupRetention and cannot be deleted by users. The
// service takes ownership of snap.
func (s *Service) CreateSystemBackup(ctx context.Context, snap *engine.TableSnapshot) (*Backup, error) {
	now := s.eng.Now().Truncate(time.Millisecond)
	return s.create(ctx, snap, snap.Table().Name+"$DeletedTableBackup", TypeSystem, newBackupID(now), now, now.Add(SystemBackupRetention))
}

// create records the backup of the pinned snapshot and streams it into the
// repository in the background. It owns snap.
func (s *Service) create(ctx context.Context, snap *engine.TableSnapshot, name, typ, id string, now, expires time.Time) (*Backup, error) {
	t, stats := snap.Table(), snap.Stats()
	b := &Backup{
		ARN: t.ARN + "/backup/" + id, ID: id, Name: name, Type: typ, Status: StatusCreating,
		CreatedAt: now, ExpiresAt: expires, SizeBytes: stats.SizeBytes,
		Table: t, ItemCount: stats.ItemCount, TableSizeBytes: stats.SizeBytes,
	}
	job := engine.MetaRecord{Key: jobPrefix + id, Value: []byte(s.repoID(id)), ExpiresAt: now.Add(jobRecordTTL)}
	if err := s.eng.PutMeta(ctx, job); err != nil {
		snap.Close()
		return nil, err
	}
	// out and job are copies taken before the job starts: once it runs,
	// it sets b.Status under s.mu, so b must not be read here unlocked.
	out, jb := b.clone(), b.clone()
	s.mu.Lock()
	s.backups[b.ARN] = b
	s.mu.Unlock()
	err := s.startJob(func(ctx context.Context) {
		defer snap.Close()
		s.runBackup(ctx, jb, snap)
	})
	if err != nil {
		snap.Close()
		s.dropBackup(context.WithoutCancel(ctx), out, err)
		return nil, err
	}
	s.log.Info("backup started", "backup", out.ARN, "table", t.Name, "items", stats.ItemCount, "bytes", stats.SizeBytes)
	return out, nil
}

// runBackup streams the snapshot into the repository and commits the
// manifest; on failure the backup is removed.
func (s *Service) runBackup(ctx context.Context, b *Backup, snap *engine.TableSnapshot) {
	start := time.Now()
	err := s.writeSnapshot(ctx, b, snap)
	if err != nil {
		s.dropBackup(context.WithoutCancel(ctx), b, err)
		return
	}
	s.mu.Lock()
	if cur, ok := s.backups[b.ARN]; ok {
		cur.Status = StatusAvailable
	}
	s.mu.Unlock()
	if err := s.eng.DeleteMeta(context.WithoutCancel(ctx), jobPrefix+b.ID); err != nil {
		s.log.Warn("could not clear a finished backup's job record", "backup", b.ARN, "err", err)
	}
	s.log.Info("backup available", "backup", b.ARN, "items", b.ItemCount, "bytes", b.SizeBytes,
		"duration", time.Since(start).Round(time.Millisecond))
}

func (s *Service) writeSnapshot(ctx context.Context, b *Backup, snap *engine.TableSnapshot) error {
	w, err := s.rp.NewWriter(ctx, repoKind, s.repoID(b.ID))
	if err != nil {
		return err
	}
	if err := snap.Items(ctx, s.Paced(ctx, w.Add)); err != nil {
		w.Abort()
		return err
	}
	done := b.clone()
	done.Status = StatusAvailable
	meta, err := s.encodeMeta(done)
	if err != nil {
		w.Abort()
		return err
	}
	_, err = w.Commit(json.RawMessage(meta))
	return err
}

// dropBackup forgets a backup that could not be completed.
func (s *Service) dropBackup(ctx context.Context, b *Backup, cause error) {
	s.mu.Lock()
	delete(s.backups, b.ARN)
	s.mu.Unlock()
	if err := s.eng.DeleteMeta(ctx, jobPrefix+b.ID); err != nil {
		s.log.Warn("could not clear a failed backup's job record", "backup", b.ARN, "err", err)
	}
	s.log.Error("backup failed and was removed", "backup", b.ARN, "err", cause)
}

// cleanInterrupted removes the backups a crash (or a shutdown that could
// not wait) interrupted: their snapshot pin is gone, so they cannot be
// finished as of their instant. A backup whose manifest was written before
// the interruption is complete and stays.
func (s *Service) cleanInterrupted(ctx context.Context) error {
	jobs, err := s.eng.ListMeta(ctx, jobPrefix)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		id := j.Key[len(jobPrefix):]
		rid := string(j.Value)
		if _, err := s.rp.Manifest(ctx, repoKind, rid); err == nil {
			s.log.Info("backup interrupted after its manifest was written; it is complete", "backup_id", id)
		} else {
			n, err := s.rp.BreakWriterLocks(ctx, repoKind, rid)
			if err != nil {
				return err
			}
			s.log.Warn("interrupted backup removed (its chunks go at the next repository gc)", "backup_id", id, "locks_removed", n)
		}
		if err := s.eng.DeleteMeta(ctx, j.Key); err != nil {
			return err
		}
	}
	return nil
}
