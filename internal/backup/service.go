package backup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// repoKind is the repository kind of on-demand (and SYSTEM) backups.
const repoKind = "backup"

// Config is what the service needs.
type Config struct {
	Engine    *engine.Engine
	Repo      *repo.Repo
	Region    string
	AccountID string
	Logger    *slog.Logger
	// Busy reports whether the server is serving requests now; backups
	// then stream at BusyRate bytes per second (DefaultBusyRate if 0; a
	// negative rate never slows them). nil: always full speed.
	Busy     func() bool
	BusyRate int64
}

// Service runs backups and restores for one (account, region) namespace.
// It is safe for concurrent use.
type Service struct {
	eng *engine.Engine
	rp  *repo.Repo
	cfg Config
	log *slog.Logger

	// jobCtx is the parent of every background job; Close cancels it.
	jobCtx    context.Context
	cancelJob context.CancelFunc
	jobs      sync.WaitGroup

	mu      sync.Mutex
	backups map[string]*Backup // by ARN: CREATING and AVAILABLE backups
	// restoring maps a backup ARN to the table a running restore fills.
	restoring map[string]string
	// restores counts running restores (any source), for MaxConcurrentRestores.
	restores int
	// loaders fill restore targets, by job kind.
	loaders map[string]LoadFunc
	// running counts background jobs (backups and restores) not yet
	// returned, for Idle.
	running int
	closed  bool
}

// Open builds the service: it loads the backup catalog from the
// repository's manifests and removes backups a crash interrupted. Call
// ResumeRestores next (after registering other restore kinds) to redo
// interrupted restores.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Engine == nil || cfg.Repo == nil {
		return nil, errors.New("backup: Open needs an engine and a repository")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.BusyRate == 0 {
		cfg.BusyRate = DefaultBusyRate
	}
	s := &Service{
		eng: cfg.Engine, rp: cfg.Repo, cfg: cfg, log: cfg.Logger,
		backups:   map[string]*Backup{},
		restoring: map[string]string{},
		loaders:   map[string]LoadFunc{},
	}
	s.loaders[jobKindBackup] = s.loadBackup
	s.jobCtx, s.cancelJob = context.WithCancel(context.Background())
	if err := s.loadCatalog(ctx); err != nil {
		return nil, err
	}
	if err := s.cleanInterrupted(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the service: running backups and restores get until ctx is
// done to finish, then are cancelled. A cancelled backup is removed at the
// next Open; a cancelled restore is redone.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.jobs.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		s.cancelJob()
		<-done
	}
	s.cancelJob()
	return nil
}

// startJob runs fn in the background unless the service is closing.
func (s *Service) startJob(fn func(ctx context.Context)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("backup: service is shutting down")
	}
	s.jobs.Add(1)
	s.running++
	go func() {
		defer s.jobs.Done()
		defer func() {
			s.mu.Lock()
			s.running--
			s.mu.Unlock()
		}()
		fn(s.jobCtx)
	}()
	return nil
}

// Idle reports whether no backup or restore is running (for tests and
// graceful tools).
func (s *Service) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running > 0 || s.restores > 0 {
		return false
	}
	for _, b := range s.backups {
		if b.Status == StatusCreating {
			return false
		}
	}
	return true
}
