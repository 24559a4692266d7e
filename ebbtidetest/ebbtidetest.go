// Package ebbtidetest starts an in-process Ebbtide server for tests:
//
//	srv := ebbtidetest.Start(t)
//	client := dynamodb.New(dynamodb.Options{BaseEndpoint: aws.String(srv.Endpoint), ...})
//
// The server listens on a random loopback port, keeps its data in a temporary
// directory and is shut down when the test ends.
package ebbtidetest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/server"
)

// Server is a running in-process server.
type Server struct {
	// Endpoint is the base URL to give SDK clients, e.g. "http://127.0.0.1:41234".
	Endpoint string
	// Region and AccountID are the values used in ARNs.
	Region    string
	AccountID string
	// DataDir is the server's data directory.
	DataDir string

	stop func()
}

// Stop shuts the server down gracefully now (running backups and restores
// get a few seconds to finish; interrupted ones are resumed or removed by
// the next server on the same data directory). Stopping twice is harmless;
// the test's cleanup calls it too.
func (s *Server) Stop() { s.stop() }

// Options adjust the server; the zero value is fine.
type Options struct {
	DataDir string       // default: t.TempDir()
	Logger  *slog.Logger // default: discard
	// Repository is the backup repository URL (a path, file:///dir or
	// s3://bucket/prefix); default: <DataDir>/repository.
	Repository string
	// RootKeyFile is the root key's path; default <DataDir>/keys/root.key.
	RootKeyFile string
}

// Start starts a server and registers its shutdown with t.Cleanup.
func Start(t testing.TB) *Server { return StartWith(t, Options{}) }

// StartWith starts a server with options.
func StartWith(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.DataDir == "" {
		opts.DataDir = t.TempDir()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg := server.Config{Addr: "127.0.0.1:0", DataDir: opts.DataDir, Logger: opts.Logger,
		Region: "us-east-1", AccountID: "000000000000",
		Repository: opts.Repository, RootKeyFile: opts.RootKeyFile}
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("ebbtidetest: start: %v", err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatalf("ebbtidetest: listen: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("ebbtidetest: shutdown: %v", err)
			}
			<-done
		})
	}
	t.Cleanup(stop)
	return &Server{Endpoint: "http://" + srv.Addr().String(), Region: cfg.Region,
		AccountID: cfg.AccountID, DataDir: opts.DataDir, stop: stop}
}
