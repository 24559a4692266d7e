package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// restoreJob is what a restore target's catalog record keeps
// (RestoreState.Job) so the restore can be redone after a crash.
type restoreJob struct {
	Kind      string `json:"kind"` // "backup"
	BackupARN string `json:"backup_arn"`
	RepoID    string `json:"repo_id"`
}

const jobKindBackup = "backup"

// Restore creates the table spec describes as a restore target of the
// backup — CREATING, with a RestoreSummary — and loads the backup into it
// in the background; the table becomes ACTIVE when every item and index
// entry is in. Errors: ErrBackupNotFound; ErrBackupInUse if the backup is
// still being created or another restore reads it; ErrRestoreLimit;
// engine.ErrTableExists.
func (s *Service) Restore(ctx context.Context, arn string, spec engine.TableSpec) (*engine.Table, error) {
	s.mu.Lock()
	b, err := s.lookup(arn)
	switch {
	case err != nil:
	case b.Status == StatusCreating:
		err = fmt.Errorf("%w: %s is being created", ErrBackupInUse, arn)
	case s.restoring[arn] != "":
		err = fmt.Errorf("%w: %s is being restored to table %s", ErrBackupInUse, arn, s.restoring[arn])
	case s.restores >= MaxConcurrentRestores:
		err = ErrRestoreLimit
	default:
		s.restoring[arn] = spec.Name
		s.restores++
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	job := restoreJob{Kind: jobKindBackup, BackupARN: arn, RepoID: s.repoID(b.ID)}
	jb, _ := json.Marshal(job)
	spec.Restore = &engine.RestoreState{
		SourceBackupARN: arn, SourceTableARN: b.Table.ARN,
		RestoreDateTime: b.CreatedAt, InProgress: true, Job: jb,
	}
	t, err := s.eng.CreateTable(ctx, spec)
	if err == nil {
		err = s.startJob(func(ctx context.Context) { s.runRestore(ctx, t.Name, job, false) })
		if err != nil {
			// Shutting down: the CREATING table is redone at the next start.
			s.releaseRestore(arn)
			return nil, err
		}
	}
	if err != nil {
		s.releaseRestore(arn)
		return nil, err
	}
	s.log.Info("restore started", "table", t.Name, "backup", arn, "items", b.ItemCount, "bytes", b.SizeBytes)
	return t, nil
}

func (s *Service) releaseRestore(arn string) {
	s.mu.Lock()
	delete(s.restoring, arn)
	s.restores--
	s.mu.Unlock()
}

// runRestore loads the backup into the CREATING table and makes it ACTIVE.
// redo first empties the table (an interrupted earlier attempt). A failed
// restore removes the table; a cancelled one (shutdown) stays CREATING
// and is redone at the next start.
func (s *Service) runRestore(ctx context.Context, table string, job restoreJob, redo bool) {
	defer s.releaseRestore(job.BackupARN)
	start := time.Now()
	n, err := s.load(ctx, table, job, redo)
	if ctx.Err() != nil {
		s.log.Info("restore interrupted by shutdown; it will be redone at the next start", "table", table)
		return
	}
	bg := context.WithoutCancel(ctx)
	if err == nil {
		_, err = s.eng.FinishRestore(bg, table)
	}
	if err != nil {
		s.log.Error("restore failed; the target table is removed", "table", table, "backup", job.BackupARN, "err", err)
		if derr := s.eng.DropRestore(bg, table); derr != nil && !errors.Is(derr, engine.ErrTableNotFound) {
			s.log.Error("could not remove a failed restore's table", "table", table, "err", derr)
		}
		return
	}
	s.log.Info("restore finished", "table", table, "backup", job.BackupARN, "items", n,
		"duration", time.Since(start).Round(time.Millisecond))
}

// load streams the backup's items into the table.
func (s *Service) load(ctx context.Context, table string, job restoreJob, redo bool) (int64, error) {
	if redo {
		if err := s.eng.ResetRestore(ctx, table); err != nil {
			return 0, err
		}
	}
	l, err := s.eng.NewLoader(ctx, table)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	var n int64
	err = s.rp.Read(ctx, repoKind, job.RepoID, func(rec []byte) error {
		it, err := attr.DecodeItem(rec)
		if err != nil {
			return fmt.Errorf("backup: undecodable item in backup %s: %w", job.BackupARN, err)
		}
		n++
		return l.Add(it)
	})
	if err != nil {
		return n, err
	}
	return n, l.Finish()
}

// resumeRestores redoes the restores a crash or shutdown interrupted.
func (s *Service) resumeRestores(ctx context.Context) error {
	pending, err := s.eng.PendingRestores(ctx)
	if err != nil {
		return err
	}
	for _, t := range pending {
		var job restoreJob
		if err := json.Unmarshal(t.Restore.Job, &job); err != nil || job.Kind != jobKindBackup {
			continue // another kind of restore (point in time): not ours
		}
		s.mu.Lock()
		_, known := s.backups[job.BackupARN]
		if known {
			s.restoring[job.BackupARN] = t.Name
			s.restores++
		}
		s.mu.Unlock()
		if !known {
			s.log.Error("interrupted restore's backup is gone; the target table is removed", "table", t.Name, "backup", job.BackupARN)
			if err := s.eng.DropRestore(ctx, t.Name); err != nil {
				return err
			}
			continue
		}
		s.log.Info("redoing an interrupted restore", "table", t.Name, "backup", job.BackupARN)
		if err := s.startJob(func(ctx context.Context) { s.runRestore(ctx, t.Name, job, true) }); err != nil {
			s.releaseRestore(job.BackupARN)
			return err
		}
	}
	return nil
}
