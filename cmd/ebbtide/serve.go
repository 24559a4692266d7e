package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ebbtide/ebbtide/internal/server"
)

func newServeCmd() *cobra.Command {
	var cfg server.Config
	var logLevel, logFormat, pprofAddr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (DynamoDB API on one HTTP port)",
		Long: `Run the Ebbtide server. With no flags it listens on :8000 and keeps its data
in ./ebbtide-data. Every flag can also be set with an environment variable
named EBBTIDE_<FLAG> (for example EBBTIDE_ADDR, EBBTIDE_DATA_DIR); flags win.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return applyEnv(cmd.Flags())
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(logLevel, logFormat)
			if err != nil {
				return err
			}
			slog.SetDefault(logger)
			cfg.Logger = logger
			if pprofAddr != "" {
				startPprof(pprofAddr, logger)
			}
			return runServer(cmd.Context(), cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.Addr, "addr", ":8000", "listen address")
	f.StringVar(&cfg.DataDir, "data-dir", "ebbtide-data", "data directory")
	f.StringVar(&cfg.Region, "region", "us-east-1", "default region used in ARNs")
	f.StringVar(&cfg.AccountID, "account-id", "000000000000", "default account id used in ARNs")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&pprofAddr, "pprof-addr", "", "serve Go profiling endpoints (/debug/pprof/) on this address, e.g. 127.0.0.1:6060")
	return cmd
}

// applyEnv sets every flag not given on the command line from EBBTIDE_<NAME>.
func applyEnv(fs *pflag.FlagSet) error {
	var firstErr error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || firstErr != nil {
			return
		}
		env := "EBBTIDE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				firstErr = fmt.Errorf("%s: %w", env, err)
			}
		}
	})
	return firstErr
}

func newLogger(level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", format)
}

// runServer serves until SIGINT/SIGTERM, then shuts down gracefully.
func runServer(ctx context.Context, cfg server.Config) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	if err := srv.Listen(); err != nil {
		_ = srv.Shutdown(context.Background())
		return err
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve() }()
	select {
	case err := <-errc:
		_ = srv.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	cfg.Logger.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return err
	}
	return <-errc
}
