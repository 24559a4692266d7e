package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/cobra"
)

// newPitrRestoreCmd is `ebbtide pitr restore`.
func newPitrRestoreCmd(f *apiFlags) *cobra.Command {
	var table, to, target string
	var noWait bool
	cmd := &cobra.Command{
		Use:   "restore --table TABLE --to TIME --target NEW [--no-wait]",
		Short: "Restore a table as it was at a point in time into a new table; prints the table's ARN",
		Long: `Restore a table as it was at an instant of its recovery window into a new
table (RestoreTableToPointInTime) and print the new table's ARN. TIME is
"latest" (the latest restorable time), RFC 3339 ("2025-06-01T12:00:00Z",
"2025-06-01T12:00:00.250Z"), a time relative to now ("-15m", "-2h30m",
"-1d") or Unix seconds; "ebbtide pitr status" shows the window. --table
takes a name or an ARN.

Unless --no-wait, wait until the new table is ACTIVE with a progress bar on
stderr (items loaded out of the source table's current item count, an
estimate; a spinner when it is empty), then print the instant restored and
the elapsed time. With --no-wait, print the instant restored after the ARN.
If the server drops the target table (the restore failed), say so and exit
with status 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at, latest, err := parseRestoreTimeArg(to, time.Now())
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			in := &dynamodb.RestoreTableToPointInTimeInput{TargetTableName: &target}
			if isTableARN(table) {
				in.SourceTableArn = &table
			} else {
				in.SourceTableName = &table
			}
			if latest {
				in.UseLatestRestorableTime = aws.Bool(true)
			} else {
				in.RestoreDateTime = &at
			}
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			out, err := c.RestoreTableToPointInTime(ctx, in)
			if err != nil {
				return f.apiErr("RestoreTableToPointInTime", err)
			}
			td := out.TableDescription
			if td == nil {
				return errors.New("RestoreTableToPointInTime: the server returned no table description")
			}
			point := restorePoint(td)
			w := cmd.OutOrStdout()
			if noWait {
				if f.output == outputJSON {
					return writeJSON(w, td)
				}
				_, err := fmt.Fprintf(w, "%s\nrestore point: %s\n", deref(td.TableArn), point)
				return err
			}
			if f.output == outputText {
				fmt.Fprintln(w, deref(td.TableArn))
			}
			job := restoreJob{source: table + " at " + point, target: target,
				total: tableItemCount(ctx, c, table), follow: "DescribeTable " + target}
			if latest && point == "-" {
				job.source = table + " at its latest restorable time"
			}
			td, err = waitRestored(ctx, c, f, job, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.output == outputJSON {
				return writeJSON(w, td)
			}
			if point == "-" { // not in the response; perhaps in the table's
				point = restorePoint(td)
			}
			_, err = fmt.Fprintf(w, "restored %s to %s: %d items in %s\n", target, point,
				int64Value(td.ItemCount), formatElapsed(time.Since(start)))
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&table, "table", "", "the table to restore (name or ARN)")
	fl.StringVar(&to, "to", "", "the instant to restore: "+restoreTimeArgHelp)
	fl.StringVar(&target, "target", "", "the new table's name (must not exist)")
	fl.BoolVar(&noWait, "no-wait", false, "return once the restore has started (the table is CREATING)")
	for _, name := range []string{"table", "to", "target"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// isTableARN reports whether a --table value is a table's ARN rather than
// its name (names have no colons).
func isTableARN(s string) bool {
	return strings.HasPrefix(s, "arn:")
}

// restorePoint formats the instant a restored table was restored to, from
// its RestoreSummary ("-" when absent).
func restorePoint(td *types.TableDescription) string {
	if td == nil || td.RestoreSummary == nil || td.RestoreSummary.RestoreDateTime == nil {
		return "-"
	}
	return formatInstant(*td.RestoreSummary.RestoreDateTime)
}

// tableItemCount returns table's current ItemCount (DescribeTable), or 0
// when unknown (the table is empty or the call failed: the count is only
// an estimate for a progress bar).
func tableItemCount(ctx context.Context, c *dynamodb.Client, table string) int64 {
	out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil || out.Table == nil {
		return 0
	}
	return int64Value(out.Table.ItemCount)
}
