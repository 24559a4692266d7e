package main

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/server"
)

// parseServe parses serve's flags from args and the environment, as the
// serve command does before starting the server.
func parseServe(t *testing.T, args ...string) (*serveFlags, error) {
	t.Helper()
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	var s serveFlags
	s.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &s, s.resolve(fs)
}

// clearServeEnv unsets every EBBTIDE_ variable of a serve flag for the test.
func clearServeEnv(t *testing.T) {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	new(serveFlags).register(fs)
	fs.VisitAll(func(f *pflag.Flag) { unsetenv(t, envName(f.Name)) })
}

// unsetenv removes an environment variable for the duration of the test.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "") // restores the old value at the end of the test
	os.Unsetenv(name)
}

func TestServeFlagsDefaults(t *testing.T) {
	clearServeEnv(t)
	s, err := parseServe(t)
	if err != nil {
		t.Fatal(err)
	}
	want := server.Config{Addr: ":8000", DataDir: "ebbtide-data", Region: "us-east-1", AccountID: "000000000000",
		BackupBusyRate: backup.DefaultBusyRate}
	if diff := cmp.Diff(want, s.cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if s.logLevel != "info" || s.logFormat != "text" || s.pprofAddr != "" {
		t.Errorf("log/pprof = %q %q %q", s.logLevel, s.logFormat, s.pprofAddr)
	}
}

func TestServeFlagsBindConfig(t *testing.T) {
	clearServeEnv(t)
	s, err := parseServe(t,
		"--addr", "127.0.0.1:9000", "--data-dir", "/var/lib/ebbtide",
		"--repository", "s3://backups/ebbtide", "--root-key-file", "/etc/ebbtide/root.key",
		"--s3-endpoint", "http://127.0.0.1:7070", "--s3-region", "eu-west-1",
		"--s3-access-key-id", "AK", "--s3-secret-access-key", "SK", "--s3-path-style")
	if err != nil {
		t.Fatal(err)
	}
	want := server.Config{
		Addr: "127.0.0.1:9000", DataDir: "/var/lib/ebbtide", Region: "us-east-1", AccountID: "000000000000",
		Repository: "s3://backups/ebbtide", RootKeyFile: "/etc/ebbtide/root.key", BackupBusyRate: backup.DefaultBusyRate,
		S3: blob.S3Config{Endpoint: "http://127.0.0.1:7070", Region: "eu-west-1",
			AccessKeyID: "AK", SecretAccessKey: "SK", UsePathStyle: true},
	}
	if diff := cmp.Diff(want, s.cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestServeFlagsFromEnv(t *testing.T) {
	clearServeEnv(t)
	t.Setenv("EBBTIDE_REPOSITORY", "file:///srv/repo")
	t.Setenv("EBBTIDE_ROOT_KEY_FILE", "/run/secrets/root.key")
	t.Setenv("EBBTIDE_S3_ENDPOINT", "http://minio:9000")
	t.Setenv("EBBTIDE_S3_REGION", "us-west-2")
	t.Setenv("EBBTIDE_S3_ACCESS_KEY_ID", "envAK")
	t.Setenv("EBBTIDE_S3_SECRET_ACCESS_KEY", "envSK")
	t.Setenv("EBBTIDE_S3_PATH_STYLE", "true")
	t.Setenv("EBBTIDE_DATA_DIR", "/data")
	// A flag wins over its variable.
	s, err := parseServe(t, "--s3-region", "ap-south-1")
	if err != nil {
		t.Fatal(err)
	}
	want := server.Config{
		Addr: ":8000", DataDir: "/data", Region: "us-east-1", AccountID: "000000000000",
		Repository: "file:///srv/repo", RootKeyFile: "/run/secrets/root.key", BackupBusyRate: backup.DefaultBusyRate,
		S3: blob.S3Config{Endpoint: "http://minio:9000", Region: "ap-south-1",
			AccessKeyID: "envAK", SecretAccessKey: "envSK", UsePathStyle: true},
	}
	if diff := cmp.Diff(want, s.cfg); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestServeFlagsErrors(t *testing.T) {
	clearServeEnv(t)
	if _, err := parseServe(t, "--s3-access-key-id", "AK"); err == nil ||
		!strings.Contains(err.Error(), "--s3-secret-access-key") {
		t.Errorf("access key without secret: err = %v", err)
	}
	t.Setenv("EBBTIDE_S3_PATH_STYLE", "maybe")
	if _, err := parseServe(t); err == nil || !strings.Contains(err.Error(), "EBBTIDE_S3_PATH_STYLE") {
		t.Errorf("bad bool in env: err = %v", err)
	}
}

// TestServeCommandFlags checks that the serve command itself registers the
// flags and resolves the environment before running.
func TestServeCommandFlags(t *testing.T) {
	cmd := newServeCmd()
	for _, name := range []string{"repository", "root-key-file", "s3-endpoint", "s3-region",
		"s3-access-key-id", "s3-secret-access-key", "s3-path-style", "data-dir", "addr"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("serve has no --%s", name)
		}
	}
}
