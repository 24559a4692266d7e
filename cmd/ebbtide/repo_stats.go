package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ebbtide/ebbtide/internal/repo"
)

// statsJSON is `repo stats --output json`.
type statsJSON struct {
	Repository    string         `json:"repository"`
	ID            string         `json:"id"`
	Snapshots     int            `json:"snapshots"`
	ByKind        map[string]int `json:"snapshots_by_kind"`
	Unreadable    int            `json:"unreadable_snapshots"`
	LogicalBytes  int64          `json:"logical_bytes"`
	StoredBytes   int64          `json:"stored_bytes"`
	ChunkBytes    int64          `json:"chunk_bytes"`
	ManifestBytes int64          `json:"manifest_bytes"`
	Chunks        int            `json:"chunks"`
	DedupRatio    float64        `json:"dedup_ratio"`
}

// newRepoStatsCmd is `ebbtide repo stats`.
func newRepoStatsCmd(f *repoFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Show the repository's snapshots, sizes and deduplication ratio",
		Long: `Show the repository's snapshots by kind, their logical size (what restoring
every one would produce) against the bytes stored (chunks and manifests,
compressed and deduplicated), the chunk count and the ratio of the two.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			r, err := f.open(ctx, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			defer r.Close()
			st, err := r.Stats(ctx)
			if err != nil {
				return err
			}
			return writeStats(cmd.OutOrStdout(), f.output, r, st)
		},
	}
}

// writeStats prints repository statistics as text or JSON.
func writeStats(w io.Writer, format string, r *repo.Repo, st repo.Stats) error {
	if format == outputJSON {
		return writeJSON(w, statsJSON{Repository: r.Store().String(), ID: r.ID(),
			Snapshots: st.Snapshots, ByKind: st.ByKind, Unreadable: st.Unreadable,
			LogicalBytes: st.LogicalBytes, StoredBytes: st.StoredBytes, ChunkBytes: st.ChunkBytes,
			ManifestBytes: st.ManifestBytes, Chunks: st.Chunks, DedupRatio: st.DedupRatio})
	}
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(st.ByKind)) {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, st.ByKind[k]))
	}
	snaps := fmt.Sprint(st.Snapshots)
	if len(kinds) > 0 {
		snaps += " (" + strings.Join(kinds, ", ") + ")"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "repository:\t%s (id %s)\n", r.Store(), r.ID())
	fmt.Fprintf(tw, "snapshots:\t%s\n", snaps)
	if st.Unreadable > 0 {
		fmt.Fprintf(tw, "unreadable snapshots:\t%d (run \"ebbtide repo verify\")\n", st.Unreadable)
	}
	fmt.Fprintf(tw, "logical size:\t%s (%d bytes)\n", humanBytes(st.LogicalBytes), st.LogicalBytes)
	fmt.Fprintf(tw, "stored size:\t%s (%d bytes: chunks %s, manifests %s)\n", humanBytes(st.StoredBytes),
		st.StoredBytes, humanBytes(st.ChunkBytes), humanBytes(st.ManifestBytes))
	fmt.Fprintf(tw, "chunks:\t%d\n", st.Chunks)
	ratio := "-"
	if st.StoredBytes > 0 {
		ratio = fmt.Sprintf("%.2fx", st.DedupRatio)
	}
	fmt.Fprintf(tw, "dedup ratio:\t%s (logical / stored, with compression)\n", ratio)
	return tw.Flush()
}
