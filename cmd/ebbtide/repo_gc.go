package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ebbtide/ebbtide/internal/repo"
)

// gcJSON is `repo gc --output json`.
type gcJSON struct {
	Repository        string `json:"repository"`
	DryRun            bool   `json:"dry_run"`
	Snapshots         int    `json:"snapshots"`
	ChunksReferenced  int    `json:"chunks_referenced"`
	ChunksTotal       int    `json:"chunks_total"`
	ChunksDeleted     int    `json:"chunks_deleted"`
	BytesFreed        int64  `json:"bytes_freed"`
	StaleLocksRemoved int    `json:"stale_locks_removed"`
}

// newRepoGCCmd is `ebbtide repo gc`.
func newRepoGCCmd(f *repoFlags) *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "gc [--dry-run]",
		Short: "Delete the chunks no snapshot references",
		Long: `Garbage-collect the repository: delete the chunks no snapshot (manifest)
references, such as those of deleted backups. It refuses to run while a
backup is being written (retry later) and deletes nothing if a manifest
cannot be read (run "repo verify"). --dry-run only reports what it would
delete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			r, err := f.open(ctx, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer r.Close()
			spin := newProgress(cmd.ErrOrStderr(), f.quiet, 0, "collecting garbage")
			st, err := r.GC(ctx, repo.GCOptions{DryRun: dryRun})
			spin.stop()
			if err != nil {
				return err
			}
			return writeGCStats(cmd.OutOrStdout(), f.output, r.Store().String(), dryRun, st)
		},
	}
	cmd.Flags().BoolVarP(&dryRun, "dry-run", "n", false, "delete nothing; report what would be deleted")
	return cmd
}

// writeGCStats prints the outcome of a garbage collection as text or JSON.
func writeGCStats(w io.Writer, format, store string, dryRun bool, st repo.GCStats) error {
	if format == outputJSON {
		return writeJSON(w, gcJSON{Repository: store, DryRun: dryRun, Snapshots: st.Manifests,
			ChunksReferenced: st.ChunksReferenced, ChunksTotal: st.ChunksTotal, ChunksDeleted: st.ChunksDeleted,
			BytesFreed: st.BytesFreed, StaleLocksRemoved: st.StaleLocksRemoved})
	}
	deleted, freed := "chunks deleted", "space freed"
	if dryRun {
		fmt.Fprintln(w, "dry run: nothing was deleted")
		deleted, freed = "chunks to delete", "space to free"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "repository:\t%s\n", store)
	fmt.Fprintf(tw, "snapshots:\t%d\n", st.Manifests)
	fmt.Fprintf(tw, "chunks:\t%d (%d referenced)\n", st.ChunksTotal, st.ChunksReferenced)
	fmt.Fprintf(tw, "%s:\t%d\n", deleted, st.ChunksDeleted)
	fmt.Fprintf(tw, "%s:\t%s (%d bytes)\n", freed, humanBytes(st.BytesFreed), st.BytesFreed)
	if st.StaleLocksRemoved > 0 {
		fmt.Fprintf(tw, "stale locks removed:\t%d\n", st.StaleLocksRemoved)
	}
	return tw.Flush()
}
