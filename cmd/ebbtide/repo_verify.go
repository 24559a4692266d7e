package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ebbtide/ebbtide/internal/repo"
)

// verifyJSON is `repo verify --output json`.
type verifyJSON struct {
	Repository   string        `json:"repository"`
	ID           string        `json:"id"`
	OK           bool          `json:"ok"`
	Manifests    int           `json:"manifests"`
	Chunks       int           `json:"chunks"`
	BytesChecked int64         `json:"bytes_checked"`
	Problems     []problemJSON `json:"problems"`
	Unreferenced []string      `json:"unreferenced"`
}

// problemJSON is one problem in verifyJSON.
type problemJSON struct {
	Object string `json:"object"`
	Error  string `json:"error"`
}

// newRepoVerifyCmd is `ebbtide repo verify`.
func newRepoVerifyCmd(f *repoFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check every object of the repository; exit status 1 on problems",
		Long: `Re-read and check every object of the repository: the config, every
manifest and every chunk a manifest references (authentication,
decompression, sizes, ids). Reports every problem found, and the chunks
no snapshot references (garbage for "repo gc", not a problem). Exits with
status 1 if there are problems.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			r, err := f.open(ctx, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer r.Close()
			spin := newProgress(cmd.ErrOrStderr(), f.quiet, 0, "reading manifests")
			var bar *progress
			rep, err := r.Verify(ctx, func(done, total int) {
				if bar == nil {
					spin.stop()
					bar = newProgress(cmd.ErrOrStderr(), f.quiet, int64(total), "verifying")
				}
				bar.set(int64(done), "")
			})
			spin.stop()
			bar.stop()
			if err != nil {
				return err
			}
			if err := writeVerifyReport(cmd.OutOrStdout(), f.output, r, rep); err != nil {
				return err
			}
			if !rep.OK() {
				return fmt.Errorf("verify: %d problem(s) in %s", len(rep.Problems), r.Store())
			}
			return nil
		},
	}
}

// writeVerifyReport prints a verify report as text or JSON.
func writeVerifyReport(w io.Writer, format string, r *repo.Repo, rep *repo.VerifyReport) error {
	if format == outputJSON {
		out := verifyJSON{Repository: r.Store().String(), ID: r.ID(), OK: rep.OK(),
			Manifests: rep.Manifests, Chunks: rep.Chunks, BytesChecked: rep.BytesChecked,
			Problems: []problemJSON{}, Unreferenced: rep.Unreferenced}
		for _, p := range rep.Problems {
			out.Problems = append(out.Problems, problemJSON{p.Object, p.Err.Error()})
		}
		if out.Unreferenced == nil {
			out.Unreferenced = []string{}
		}
		return writeJSON(w, out)
	}
	fmt.Fprintf(w, "repository %s (id %s)\n", r.Store(), r.ID())
	fmt.Fprintf(w, "checked %d manifests and %d chunks (%s)\n", rep.Manifests, rep.Chunks, humanBytes(rep.BytesChecked))
	if n := len(rep.Unreferenced); n > 0 {
		fmt.Fprintf(w, "%d unreferenced chunks (garbage, not a problem: \"ebbtide repo gc\" removes them)\n", n)
	}
	if rep.OK() {
		_, err := fmt.Fprintln(w, "no problems found")
		return err
	}
	fmt.Fprintf(w, "%d problem(s) found:\n", len(rep.Problems))
	for _, p := range rep.Problems {
		fmt.Fprintf(w, "  %s\n", p)
	}
	return nil
}
