package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/cobra"
)

// newRestoreCmd is `ebbtide restore`.
func newRestoreCmd() *cobra.Command {
	var f apiFlags
	var arn, target string
	var noWait bool
	cmd := &cobra.Command{
		Use:   "restore --backup-arn ARN --target TABLE [--no-wait]",
		Short: "Restore a backup into a new table; prints the table's ARN",
		Long: `Restore a backup into a new table (RestoreTableFromBackup) and print the
table's ARN. Unless --no-wait, wait until the table is ACTIVE with a
progress bar on stderr (items loaded out of the backup's item count), then
print the elapsed time and the number of items. If the server drops the
target table (the restore failed), say so and exit with status 1.

The server is at --endpoint-url (default http://localhost:8000, env
EBBTIDE_ENDPOINT_URL); credentials as for "ebbtide backup".`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.resolve(cmd.Flags())
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			out, err := c.RestoreTableFromBackup(ctx, &dynamodb.RestoreTableFromBackupInput{
				BackupArn: &arn, TargetTableName: &target})
			if err != nil {
				return f.apiErr("RestoreTableFromBackup", err)
			}
			w := cmd.OutOrStdout()
			td := out.TableDescription
			if td == nil {
				return errors.New("RestoreTableFromBackup: the server returned no table description")
			}
			if noWait {
				if f.output == outputJSON {
					return writeJSON(w, td)
				}
				_, err := fmt.Fprintln(w, deref(td.TableArn))
				return err
			}
			if f.output == outputText {
				fmt.Fprintln(w, deref(td.TableArn))
			}
			td, err = waitRestore(ctx, c, &f, arn, target, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.output == outputJSON {
				return writeJSON(w, td)
			}
			_, err = fmt.Fprintf(w, "restored %s: %d items in %s\n", target, int64Value(td.ItemCount),
				formatElapsed(time.Since(start)))
			return err
		},
	}
	f.register(cmd.Flags())
	fl := cmd.Flags()
	fl.StringVar(&arn, "backup-arn", "", "the backup to restore")
	fl.StringVar(&target, "target", "", "the new table's name (must not exist)")
	fl.BoolVar(&noWait, "no-wait", false, "return once the restore has started (the table is CREATING)")
	_ = cmd.MarkFlagRequired("backup-arn")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

// waitRestore waits for the restore of backup arn into table target (see
// waitRestored), counting the items loaded against the backup's.
func waitRestore(ctx context.Context, c *dynamodb.Client, f *apiFlags, arn, target string, errOut io.Writer) (*types.TableDescription, error) {
	var total int64
	if b, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: &arn}); err == nil &&
		b.BackupDescription != nil && b.BackupDescription.SourceTableDetails != nil {
		total = int64Value(b.BackupDescription.SourceTableDetails.ItemCount)
	}
	return waitRestored(ctx, c, f, restoreJob{source: arn, target: target, total: total,
		follow: "ebbtide backup list, or DescribeTable " + target}, errOut)
}
