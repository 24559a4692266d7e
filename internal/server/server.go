// Package server is Ebbtide's HTTP front door: one listener that routes each
// request by protocol (DynamoDB's awsJson1_0 today), assigns request ids,
// authenticates, caps body sizes, checksums responses and encodes errors the
// way AWS does. It also answers the health probes.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/dynamodb"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/pitr"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// Config is everything needed to run a server. Zero values get defaults.
type Config struct {
	Addr      string // listen address, default ":8000"
	DataDir   string // default "./ebbtide-data"
	Region    string // default "us-east-1"
	AccountID string // default "000000000000"
	Logger    *slog.Logger
	// Repository is the backup repository's URL (blob.Open): a path,
	// file:///dir or s3://bucket/prefix; default <DataDir>/repository.
	Repository string
	// S3 says how to reach an s3:// repository (endpoint, region,
	// credentials; empty credentials use the AWS SDK's default chain).
	S3 blob.S3Config
	// RootKeyFile holds the server-owned root key that wraps the
	// repository's data key; default <DataDir>/keys/root.key, created on
	// first start.
	RootKeyFile string
	// BackupBusyRate caps how fast backups and PITR base snapshots stream
	// (bytes per second) while requests are being served, so they cost the
	// live tables little; 0 means backup.DefaultBusyRate, negative no cap.
	BackupBusyRate int64
	// Clock drives commit timestamps, TTL, retention and schedules; nil
	// means the real clock (tests inject clock.Fake).
	Clock clock.Clock
}

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = ":8000"
	}
	if c.DataDir == "" {
		c.DataDir = "ebbtide-data"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccountID == "" {
		c.AccountID = "000000000000"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Server owns the storage engine and the HTTP handler.
type Server struct {
	cfg     Config
	eng     *engine.Engine
	repo    *repo.Repo
	backups *backup.Service
	pitr    *pitr.Service
	handler http.Handler
	http    *http.Server
	ln      net.Listener
}

// New opens the data directory and builds the handler; it does not listen yet.
func New(cfg Config) (*Server, error) {
	cfg.defaults()
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	eng, err := engine.Open(engine.Options{
		Dir:       filepath.Join(cfg.DataDir, "db"),
		Region:    cfg.Region,
		AccountID: cfg.AccountID,
		Logger:    cfg.Logger,
		Clock:     cfg.Clock,
	})
	if err != nil {
		return nil, err
	}
	act := &activity{}
	rp, bk, err := openBackups(cfg, eng, act)
	if err != nil {
		eng.Close()
		return nil, err
	}
	ctx := context.Background()
	pt, err := pitr.Open(ctx, pitr.Config{Engine: eng, Repo: rp, Backups: bk, Clock: cfg.Clock,
		Region: cfg.Region, AccountID: cfg.AccountID, Logger: cfg.Logger})
	if err == nil {
		// Restores of every kind are registered now: redo interrupted ones.
		if err = bk.ResumeRestores(ctx); err != nil {
			pt.Close(ctx)
		}
	}
	if err != nil {
		bk.Close(ctx)
		rp.Close()
		eng.Close()
		return nil, err
	}
	api := dynamodb.New(eng, dynamodb.Config{Region: cfg.Region, AccountID: cfg.AccountID, Logger: cfg.Logger,
		Backups: bk, PITR: pt})
	s := &Server{cfg: cfg, eng: eng, repo: rp, backups: bk, pitr: pt}
	s.handler = newRouter(cfg, api, act)
	return s, nil
}

// Handler returns the server's HTTP handler (for tests that run their own listener).
func (s *Server) Handler() http.Handler { return s.handler }

// Listen binds the configured address. Addr reports the bound address after.
func (s *Server) Listen() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	s.ln = ln
	return nil
}

// Addr is the address the server listens on (after Listen).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve serves HTTP on the bound listener until Shutdown.
func (s *Server) Serve() error {
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       5 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	s.cfg.Logger.Info("ebbtide listening", "addr", s.ln.Addr().String(), "data_dir", s.cfg.DataDir, "region", s.cfg.Region)
	err := s.http.Serve(s.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests, waits for in-flight ones (bounded by
// ctx) and closes the store.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	if s.http != nil {
		err = s.http.Shutdown(ctx)
	}
	// Running backups, restores and base snapshots get what is left of
	// ctx to finish.
	perr := s.pitr.Close(ctx)
	berr := s.backups.Close(ctx)
	return errors.Join(err, perr, berr, s.repo.Close(), s.eng.Close())
}

// openBackups opens the root key, the backup repository and the backup
// service.
func openBackups(cfg Config, eng *engine.Engine, act *activity) (*repo.Repo, *backup.Service, error) {
	keyFile := cfg.RootKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(cfg.DataDir, "keys", "root.key")
	}
	rk, _, err := keys.LoadOrCreateRootKey(keyFile, cfg.Logger)
	if err != nil {
		return nil, nil, err
	}
	url := cfg.Repository
	if url == "" {
		url = filepath.Join(cfg.DataDir, "repository")
	}
	ctx := context.Background()
	store, err := blob.Open(ctx, url, cfg.S3)
	if err != nil {
		return nil, nil, fmt.Errorf("repository %s: %w", url, err)
	}
	rp, err := repo.Open(ctx, store, rk, repo.Options{Clock: eng.Now, Logger: cfg.Logger})
	if err != nil {
		return nil, nil, fmt.Errorf("repository %s: %w", url, err)
	}
	cfg.Logger.Info("backup repository open", "repository", url, "repository_id", rp.ID(), "root_key_id", rk.KeyID())
	bk, err := backup.Open(ctx, backup.Config{Engine: eng, Repo: rp, Region: cfg.Region, AccountID: cfg.AccountID,
		Logger: cfg.Logger, Busy: act.busy, BusyRate: cfg.BackupBusyRate})
	if err != nil {
		rp.Close()
		return nil, nil, err
	}
	return rp, bk, nil
}
