package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// repoFlags locate a backup repository and its root key; the repo
// subcommands share them.
type repoFlags struct {
	url, dataDir, rootKeyFile string
	s3                        blob.S3Config
	output                    string
	quiet                     bool
}

// repoEnvFlags are the repo flags that EBBTIDE_<FLAG> variables set, as
// for serve, so both find the same repository.
var repoEnvFlags = append([]string{"repository", "data-dir", "root-key-file"}, s3FlagNames...)

// register defines the repo flags on f.
func (r *repoFlags) register(f *pflag.FlagSet) {
	f.StringVar(&r.url, "repository", "", "repository URL: a directory, file:///abs/dir or s3://bucket/prefix (default <data-dir>/repository)")
	f.StringVar(&r.dataDir, "data-dir", "ebbtide-data", "the server's data directory, for the default repository and root key")
	f.StringVar(&r.rootKeyFile, "root-key-file", "", "the server's root key file; must exist (default <data-dir>/keys/root.key)")
	addS3Flags(f, &r.s3)
	addOutputFlag(f, &r.output)
	f.BoolVarP(&r.quiet, "quiet", "q", false, "draw no progress on stderr")
}

// resolve completes the flags parsed into f from EBBTIDE_<FLAG> and checks them.
func (r *repoFlags) resolve(f *pflag.FlagSet) error {
	if err := applyEnvFor(f, repoEnvFlags...); err != nil {
		return err
	}
	if err := checkS3Flags(r.s3); err != nil {
		return err
	}
	return checkOutput(r.output)
}

// location is the repository URL: --repository, else <data-dir>/repository.
func (r *repoFlags) location() string {
	if r.url != "" {
		return r.url
	}
	return filepath.Join(r.dataDir, "repository")
}

// keyFile is the root key path: --root-key-file, else <data-dir>/keys/root.key.
func (r *repoFlags) keyFile() string {
	if r.rootKeyFile != "" {
		return r.rootKeyFile
	}
	return filepath.Join(r.dataDir, "keys", "root.key")
}

// open opens the existing repository with the existing root key. Unlike
// the server it never creates either: a wrong path is an error, not a new
// empty repository. Warnings of the repository go to logw.
func (r *repoFlags) open(ctx context.Context, logw io.Writer) (*repo.Repo, error) {
	loc := r.location()
	if dir, ok := localDir(loc); ok {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("no repository at %s: not a directory (see --repository, --data-dir)", loc)
		}
	}
	key, err := keys.LoadRootKey(r.keyFile())
	if err != nil {
		return nil, fmt.Errorf("%w (see --root-key-file, --data-dir)", err)
	}
	store, err := blob.Open(ctx, loc, r.s3)
	if err != nil {
		return nil, err
	}
	if _, err := store.Size(ctx, "config"); errors.Is(err, blob.ErrNotFound) {
		return nil, fmt.Errorf("no repository at %s: it has no config object (see --repository, --data-dir)", store)
	} else if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(logw, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return repo.Open(ctx, store, key, repo.Options{Logger: log})
}

// localDir returns the directory a filesystem repository URL names
// (a path or file://…); ok is false for other schemes.
func localDir(loc string) (dir string, ok bool) {
	scheme, _, has := strings.Cut(loc, "://")
	if !has {
		return loc, true
	}
	if !strings.EqualFold(scheme, "file") {
		return "", false
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "", false // blob.Open reports it
	}
	return u.Path, true
}

// newRepoCmd is `ebbtide repo`, the parent of the repository commands.
func newRepoCmd() *cobra.Command {
	var f repoFlags
	cmd := &cobra.Command{
		Use:   "repo",
		Short: "Check, clean up and measure the backup repository (no server needed)",
		Long: `Work on the backup repository directly, without a server. It is safe while
a server uses the same repository: the repository's locks keep a garbage
collection from running alongside a backup.

The repository and root key default to the server's defaults under
--data-dir; the root key file must exist (these commands never create one).
Every flag among --repository, --data-dir, --root-key-file and --s3-* can
also be set with EBBTIDE_<FLAG>, as for serve.`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.resolve(cmd.Flags())
		},
	}
	f.register(cmd.PersistentFlags())
	cmd.AddCommand(newRepoVerifyCmd(&f), newRepoGCCmd(&f), newRepoStatsCmd(&f))
	return cmd
}
