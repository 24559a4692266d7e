package pitr

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// Config is what the service needs. Zero durations take the defaults.
type Config struct {
	Engine  *engine.Engine
	Repo    *repo.Repo
	Backups *backup.Service
	// Clock must be the engine's clock (commit timestamps, retention).
	Clock     clock.Clock
	Region    string
	AccountID string
	Logger    *slog.Logger
	// ShipInterval is how often captured changes are shipped (1 s).
	ShipInterval time.Duration
	// BaseLogBytes is how much shipped log triggers a new base snapshot
	// (64 MiB); BaseInterval the longest time between bases (24 h).
	BaseLogBytes int64
	BaseInterval time.Duration
	// CompactSegments is how many small segments are merged into one (300).
	CompactSegments int
}

func (c *Config) defaults() {
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Clock = clock.OrReal(c.Clock)
	if c.ShipInterval == 0 {
		c.ShipInterval = time.Second
	}
	if c.BaseLogBytes == 0 {
		c.BaseLogBytes = 64 << 20
	}
	if c.BaseInterval == 0 {
		c.BaseInterval = 24 * time.Hour
	}
	if c.CompactSegments == 0 {
		c.CompactSegments = 300
	}
}

// Service runs point-in-time recovery for one (account, region) namespace.
type Service struct {
	cfg Config
	eng *engine.Engine
	rp  *repo.Repo
	bk  *backup.Service
	clk clock.Clock
	log *slog.Logger

	// opMu serializes what changes a table's PITR state: the shipper's
	// passes, Update, DeleteTable.
	opMu sync.Mutex

	mu     sync.Mutex
	tables map[string]*tableState // by TableId; guarded by mu
	// bases holds the base snapshot being written per TableId.
	bases map[string]*baseRun
	// readers maps the hold of each running point-in-time restore to the
	// TableId whose history it reads (forget waits for them).
	readers map[string]string
	holds   int

	stop      chan struct{}
	closeOnce sync.Once
	done      chan struct{}
	wg        sync.WaitGroup // base snapshot writers
	bg        context.Context
	halt      context.CancelFunc
}

// Open loads the PITR state of every table, registers point-in-time
// restores with the backup service, and starts the shipper.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Engine == nil || cfg.Repo == nil || cfg.Backups == nil {
		return nil, errors.New("pitr: Open needs an engine, a repository and the backup service")
	}
	cfg.defaults()
	s := &Service{
		cfg: cfg, eng: cfg.Engine, rp: cfg.Repo, bk: cfg.Backups, clk: cfg.Clock, log: cfg.Logger,
		tables: map[string]*tableState{}, bases: map[string]*baseRun{}, readers: map[string]string{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	s.bg, s.halt = context.WithCancel(context.Background())
	if err := s.loadStates(ctx); err != nil {
		return nil, err
	}
	if err := s.reconcile(ctx); err != nil {
		return nil, err
	}
	s.bk.RegisterRestoreKind(jobKindPITR, s.loadPITR)
	go s.loop()
	return s, nil
}

// Close stops the shipper and waits for base snapshots in progress (they
// are cancelled when ctx is done; an unfinished base is retaken at start).
func (s *Service) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.stop) })
	<-s.done
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	s.halt()
	<-done
	return nil
}

// loop runs a pass every ShipInterval on the service's clock.
func (s *Service) loop() {
	defer close(s.done)
	t := s.clk.NewTicker(s.cfg.ShipInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C():
			s.RunOnce(s.bg)
		}
	}
}

// RunOnce runs one pass of the shipper for every table with PITR on:
// ship the captured log, start a base snapshot when due, compact small
// segments, apply retention; then expire SYSTEM backups. The background
// loop calls it every ShipInterval; tests call it after moving the clock.
func (s *Service) RunOnce(ctx context.Context) {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	for _, st := range s.snapshotStates() {
		if err := s.pass(ctx, st); err != nil && ctx.Err() == nil {
			if errors.Is(err, engine.ErrTableNotFound) {
				continue // deleted meanwhile; DeleteTable cleans up
			}
			s.log.Error("point-in-time recovery pass failed", "table", st.Name, "err", err)
		}
	}
	if _, err := s.bk.SweepExpired(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("sweeping expired system backups failed", "err", err)
	}
}

// pass ships, bases, compacts and trims one table.
func (s *Service) pass(ctx context.Context, st tableState) error {
	if err := s.ship(ctx, &st); err != nil {
		return err
	}
	s.maybeBase(ctx, &st)
	if err := s.compact(ctx, &st); err != nil {
		return err
	}
	return s.retain(ctx, &st)
}

// snapshotStates copies the states (under mu) for a pass.
func (s *Service) snapshotStates() []tableState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tableState, 0, len(s.tables))
	for _, st := range s.tables {
		out = append(out, *st)
	}
	return out
}

// state returns a copy of a table's state, if PITR is on for it.
func (s *Service) state(tableID string) (tableState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.tables[tableID]
	if !ok {
		return tableState{}, false
	}
	return *st, true
}

// update applies fn to a table's state and persists it.
func (s *Service) update(ctx context.Context, tableID string, fn func(st *tableState)) error {
	s.mu.Lock()
	st, ok := s.tables[tableID]
	if !ok {
		s.mu.Unlock()
		return nil // disabled meanwhile
	}
	fn(st)
	cp := *st
	s.mu.Unlock()
	return s.saveState(ctx, &cp)
}
