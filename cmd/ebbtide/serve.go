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

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/server"
)

// newServeCmd is `ebbtide serve`.
func newServeCmd() *cobra.Command {
	var s serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server (DynamoDB API on one HTTP port)",
		Long: `Run the Ebbtide server. With no flags it listens on :8000 and keeps its data
in ./ebbtide-data, its backup repository in ./ebbtide-data/repository and
its root key in ./ebbtide-data/keys/root.key (created on first start: keep
a copy apart from the data, backups cannot be read without it).

The repository may be a directory (a path or file:///abs/dir) or an
S3-compatible bucket (s3://bucket/prefix, with the --s3-* flags; without
--s3-access-key-id the AWS SDK's default credential chain is used, e.g.
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).

Every flag can also be set with an environment variable named
EBBTIDE_<FLAG> (for example EBBTIDE_ADDR, EBBTIDE_DATA_DIR,
EBBTIDE_S3_SECRET_ACCESS_KEY); flags win.`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return s.resolve(cmd.Flags())
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			logger, err := newLogger(s.logLevel, s.logFormat)
			if err != nil {
				return err
			}
			slog.SetDefault(logger)
			cfg := s.cfg
			cfg.Logger = logger
			if s.pprofAddr != "" {
				startPprof(s.pprofAddr, logger)
			}
			return runServer(cmd.Context(), cfg)
		},
	}
	s.register(cmd.Flags())
	return cmd
}

// serveFlags holds what the serve flags set: the server's Config and the
// settings of the process around it.
type serveFlags struct {
	cfg                            server.Config
	logLevel, logFormat, pprofAddr string
	busyRateMB                     float64
}

// register defines the serve flags on fs, bound to s.
func (s *serveFlags) register(f *pflag.FlagSet) {
	f.StringVar(&s.cfg.Addr, "addr", ":8000", "listen address")
	f.StringVar(&s.cfg.DataDir, "data-dir", "ebbtide-data", "data directory")
	f.StringVar(&s.cfg.Region, "region", "us-east-1", "default region used in ARNs")
	f.StringVar(&s.cfg.AccountID, "account-id", "000000000000", "default account id used in ARNs")
	f.StringVar(&s.cfg.Repository, "repository", "", "backup repository URL: a directory, file:///abs/dir or s3://bucket/prefix (default <data-dir>/repository)")
	f.StringVar(&s.cfg.RootKeyFile, "root-key-file", "", "root key file, created on first start (default <data-dir>/keys/root.key)")
	addS3Flags(f, &s.cfg.S3)
	f.Float64Var(&s.busyRateMB, "backup-busy-rate", float64(backup.DefaultBusyRate)/(1<<20),
		"MiB/s at which backups and PITR base snapshots stream while requests are being served (full speed when idle; 0: no cap)")
	f.StringVar(&s.logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&s.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&s.pprofAddr, "pprof-addr", "", "serve Go profiling endpoints (/debug/pprof/) on this address, e.g. 127.0.0.1:6060")
}

// resolve completes the flags parsed into fs (registered by register) from
// the EBBTIDE_<FLAG> environment variables and checks them.
func (s *serveFlags) resolve(fs *pflag.FlagSet) error {
	if err := applyEnv(fs); err != nil {
		return err
	}
	switch {
	case s.busyRateMB < 0:
		return fmt.Errorf("--backup-busy-rate must not be negative")
	case s.busyRateMB == 0:
		s.cfg.BackupBusyRate = -1
	default:
		s.cfg.BackupBusyRate = int64(s.busyRateMB * (1 << 20))
	}
	return checkS3Flags(s.cfg.S3)
}

// applyEnv sets every flag not given on the command line from EBBTIDE_<NAME>.
func applyEnv(fs *pflag.FlagSet) error {
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return applyEnvFor(fs, names...)
}

// applyEnvFor sets the named flags that were not given on the command line
// from their environment variables EBBTIDE_<NAME> (upper case, dashes
// replaced by underscores). Names not defined in fs are skipped.
func applyEnvFor(fs *pflag.FlagSet, names ...string) error {
	for _, name := range names {
		f := fs.Lookup(name)
		if f == nil || f.Changed {
			continue
		}
		env := envName(name)
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(name, v); err != nil {
				return fmt.Errorf("%s: %w", env, err)
			}
		}
	}
	return nil
}

// envName is the environment variable for a flag: EBBTIDE_<NAME>.
func envName(flag string) string {
	return "EBBTIDE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// newLogger builds the server's logger on stderr from --log-level and --log-format.
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
