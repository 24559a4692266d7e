package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// LoadFunc fills a restore target: it streams the source's items into l
// (without calling Finish) and returns how many it added. data is the
// kind-specific part of the job, as given to StartRestore.
type LoadFunc func(ctx context.Context, data json.RawMessage, l *engine.Loader) (int64, error)

// restoreJob is what a restore target's catalog record keeps
// (RestoreState.Job) so the restore can be redone after a crash.
type restoreJob struct {
	// Kind selects the LoadFunc ("backup", "pitr").
	Kind string `json:"kind"`
	// Source is what the restore reads (a backup ARN, a table ARN): one
	// restore per source at a time.
	Source string `json:"source"`
	// Data is the kind's own description of the job.
	Data json.RawMessage `json:"data"`
}

// backupJob is the data of a restore from a backup.
type backupJob struct {
	RepoID string `json:"repo_id"`
}

const jobKindBackup = "backup"

// RegisterRestoreKind makes restores of a kind possible (and resumable):
// register every kind before ResumeRestores.
func (s *Service) RegisterRestoreKind(kind string, load LoadFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loaders[kind] = load
}

// Restore creates the table spec describes as a restore target of the
// backup — CREATING, with a RestoreSummary — and loads the backup into it
// in the background; the table becomes ACTIVE when every item and index
// entry is in. Errors: ErrBackupNotFound; ErrBackupInUse if the backup is
// still being created or another restore reads it; ErrRestoreLimit;
// engine.ErrTableExists.
func (s *Service) Restore(ctx context.Context, arn string, spec engine.TableSpec) (*engine.Table, error) {
	s.mu.Lock()
	b, err := s.lookup(arn)
	if err == nil && b.Status == StatusCreating {
		err = fmt.Errorf("%w: %s is being created", ErrBackupInUse, arn)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	data, _ := json.Marshal(backupJob{RepoID: s.repoID(b.ID)})
	rs := engine.RestoreState{SourceBackupARN: arn, SourceTableARN: b.Table.ARN, RestoreDateTime: b.CreatedAt}
	return s.StartRestore(ctx, spec, rs, jobKindBackup, arn, data)
}

// StartRestore creates the restore target spec describes (CREATING, with
// rs as its RestoreSummary) and runs the kind's LoadFunc on it in the
// background, then makes it ACTIVE. source names what the restore reads:
// one restore per source at a time (ErrBackupInUse), at most
// MaxConcurrentRestores in all (ErrRestoreLimit). engine.ErrTableExists if
// the name is taken.
func (s *Service) StartRestore(ctx context.Context, spec engine.TableSpec, rs engine.RestoreState, kind, source string, data json.RawMessage) (*engine.Table, error) {
	if err := s.admit(source, spec.Name); err != nil {
		return nil, err
	}
	job := restoreJob{Kind: kind, Source: source, Data: data}
	jb, err := json.Marshal(job)
	if err != nil {
		s.releaseRestore(source)
		return nil, err
	}
	rs.InProgress, rs.Job = true, jb
	spec.Restore = &rs
	t, err := s.eng.CreateTable(ctx, spec)
	if err != nil {
		s.releaseRestore(source)
		return nil, err
	}
	if err := s.startJob(func(ctx context.Context) { s.runRestore(ctx, t.Name, job, false) }); err != nil {
		// Shutting down: the caller gets an error, so the table must not
		// stay behind to be redone at the next start.
		s.releaseRestore(source)
		if derr := s.eng.DropRestore(context.WithoutCancel(ctx), t.Name); derr != nil {
			s.log.Error("could not remove a restore target whose job could not start", "table", t.Name, "err", derr)
		}
		return nil, err
	}
	s.log.Info("restore started", "table", t.Name, "kind", kind, "source", source)
	return t, nil
}

// admit reserves a restore slot for source.
func (s *Service) admit(source, target string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.restoring[source] != "":
		return s.inUse(source)
	case s.restores >= MaxConcurrentRestores:
		return ErrRestoreLimit
	}
	s.restoring[source] = target
	s.restores++
	return nil
}

func (s *Service) releaseRestore(source string) {
	s.mu.Lock()
	delete(s.restoring, source)
	s.restores--
	s.mu.Unlock()
}

// runRestore loads the source into the CREATING table and makes it ACTIVE.
// redo first empties the table (an interrupted earlier attempt). A failed
// restore removes the table; a cancelled one (shutdown) stays CREATING
// and is redone at the next start.
func (s *Service) runRestore(ctx context.Context, table string, job restoreJob, redo bool) {
	defer s.releaseRestore(job.Source)
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
		s.log.Error("restore failed; the target table is removed", "table", table, "source", job.Source, "err", err)
		if derr := s.eng.DropRestore(bg, table); derr != nil && !errors.Is(derr, engine.ErrTableNotFound) {
			s.log.Error("could not remove a failed restore's table", "table", table, "err", derr)
		}
		return
	}
	s.log.Info("restore complete", "table", table, "source", job.Source, "items", n,
		"duration", time.Since(start).Round(time.Millisecond))
}

// load runs the job's LoadFunc into the table.
func (s *Service) load(ctx context.Context, table string, job restoreJob, redo bool) (int64, error) {
	s.mu.Lock()
	fn := s.loaders[job.Kind]
	s.mu.Unlock()
	if fn == nil {
		return 0, fmt.Errorf("backup: no loader for restore kind %q", job.Kind)
	}
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
	n, err := fn(ctx, job.Data, l)
	if err != nil {
		return n, err
	}
	return n, l.Finish()
}

// loadBackup is the LoadFunc of restores from backups.
func (s *Service) loadBackup(ctx context.Context, data json.RawMessage, l *engine.Loader) (int64, error) {
	var bj backupJob
	if err := json.Unmarshal(data, &bj); err != nil {
		return 0, fmt.Errorf("backup: bad restore job: %w", err)
	}
	var n int64
	err := DecodeParallel(ctx, runtime.GOMAXPROCS(0),
		func(ctx context.Context, emit func([]byte) error) error {
			return s.rp.Read(ctx, repoKind, bj.RepoID, emit)
		},
		func(rec []byte) (attr.Item, error) {
			it, err := attr.DecodeItem(rec)
			if err != nil {
				return nil, fmt.Errorf("backup: undecodable item in backup %s: %w", bj.RepoID, err)
			}
			return it, nil
		},
		func(it attr.Item, rec []byte) error {
			n++
			return l.AddEncoded(it, rec)
		})
	return n, err
}

// ResumeRestores redoes the restores a crash or shutdown interrupted. Call
// it once, after every restore kind is registered.
func (s *Service) ResumeRestores(ctx context.Context) error {
	pending, err := s.eng.PendingRestores(ctx)
	if err != nil {
		return err
	}
	for _, t := range pending {
		var job restoreJob
		err := json.Unmarshal(t.Restore.Job, &job)
		s.mu.Lock()
		known := err == nil && s.loaders[job.Kind] != nil
		s.mu.Unlock()
		if known && job.Kind == jobKindBackup {
			_, err := s.Describe(ctx, job.Source)
			known = err == nil
		}
		if !known {
			s.log.Error("an interrupted restore cannot be redone (unknown job or its backup is gone); the target table is removed",
				"table", t.Name, "job", string(t.Restore.Job))
			if err := s.eng.DropRestore(ctx, t.Name); err != nil {
				return err
			}
			continue
		}
		if err := s.admit(job.Source, t.Name); err != nil {
			// Only restores started while the service was shutting down
			// (StartRestore failed, the table stayed) can exceed what
			// admit allows; failing here would fail every start.
			s.log.Error("an interrupted restore cannot be redone; the target table is removed",
				"table", t.Name, "source", job.Source, "err", err)
			if err := s.eng.DropRestore(ctx, t.Name); err != nil {
				return err
			}
			continue
		}
		s.log.Info("redoing an interrupted restore", "table", t.Name, "kind", job.Kind, "source", job.Source)
		if err := s.startJob(func(ctx context.Context) { s.runRestore(ctx, t.Name, job, true) }); err != nil {
			s.releaseRestore(job.Source)
			return err
		}
	}
	return nil
}
