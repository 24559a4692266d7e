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
	"github.com/spf13/pflag"
)

// apiFlags are the flags the client commands (backup …, restore, pitr …) share:
// where the server is, the output format and whether to draw progress.
type apiFlags struct {
	client clientFlags
	output string
	quiet  bool
}

// register defines the shared client flags on f.
func (a *apiFlags) register(f *pflag.FlagSet) {
	a.client.register(f)
	addOutputFlag(f, &a.output)
	f.BoolVarP(&a.quiet, "quiet", "q", false, "draw no progress on stderr")
}

// resolve completes and checks the flags parsed into f.
func (a *apiFlags) resolve(f *pflag.FlagSet) error {
	if err := a.client.resolve(f); err != nil {
		return err
	}
	return checkOutput(a.output)
}

// connect builds the DynamoDB client for the server.
func (a *apiFlags) connect(ctx context.Context) (*dynamodb.Client, error) {
	return a.client.newClient(ctx)
}

// apiErr words a failed call of operation op concisely (nil stays nil).
func (a *apiFlags) apiErr(op string, err error) error {
	return newAPIError(op, a.client.endpoint, err)
}

// newBackupCmd is `ebbtide backup`, the parent of the backup client commands.
func newBackupCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Create, list, describe and delete on-demand backups (through a running server)",
		Long: `Manage on-demand backups through a running server's DynamoDB API
(CreateBackup, ListBackups, DescribeBackup, DeleteBackup).

The server is at --endpoint-url (default http://localhost:8000, env
EBBTIDE_ENDPOINT_URL). Credentials come from the AWS environment
(AWS_ACCESS_KEY_ID, AWS_PROFILE, …); without any, the client signs with
"local"/"local", which a server in its default open mode accepts.`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.resolve(cmd.Flags())
		},
	}
	f.register(cmd.PersistentFlags())
	cmd.AddCommand(newBackupCreateCmd(&f), newBackupListCmd(&f), newBackupDescribeCmd(&f), newBackupDeleteCmd(&f))
	return cmd
}

// newBackupCreateCmd is `ebbtide backup create`.
func newBackupCreateCmd(f *apiFlags) *cobra.Command {
	var table, name string
	var wait bool
	cmd := &cobra.Command{
		Use:   "create --table TABLE --name NAME [--wait]",
		Short: "Back up a table; prints the backup's ARN",
		Long: `Back up a table as of now (CreateBackup) and print the new backup's ARN.
The backup is written in the background; with --wait the command polls
until it is AVAILABLE (a spinner on stderr), then prints its size and item
count.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			start := time.Now()
			out, err := c.CreateBackup(ctx, &dynamodb.CreateBackupInput{TableName: &table, BackupName: &name})
			if err != nil {
				return f.apiErr("CreateBackup", err)
			}
			d := out.BackupDetails
			if d == nil || d.BackupArn == nil {
				return errors.New("CreateBackup: the server returned no backup ARN")
			}
			w := cmd.OutOrStdout()
			if !wait {
				if f.output == outputJSON {
					return writeJSON(w, d)
				}
				_, err := fmt.Fprintln(w, *d.BackupArn)
				return err
			}
			if f.output == outputText {
				fmt.Fprintln(w, *d.BackupArn)
			}
			desc, err := waitBackup(ctx, c, f, *d.BackupArn, table, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.output == outputJSON {
				return writeJSON(w, desc)
			}
			var items int64
			if desc.SourceTableDetails != nil {
				items = int64Value(desc.SourceTableDetails.ItemCount)
			}
			size := int64Value(desc.BackupDetails.BackupSizeBytes)
			_, err = fmt.Fprintf(w, "%s: %d items, %s (%d bytes), in %s\n", desc.BackupDetails.BackupStatus,
				items, humanBytes(size), size, formatElapsed(time.Since(start)))
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&table, "table", "", "the table to back up (name or ARN)")
	fl.StringVar(&name, "name", "", "the backup's name")
	fl.BoolVar(&wait, "wait", false, "wait until the backup is AVAILABLE, then print its size and item count")
	_ = cmd.MarkFlagRequired("table")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// waitBackup polls DescribeBackup until the backup is AVAILABLE, with a
// spinner on errOut. A backup that disappears or turns DELETED failed.
func waitBackup(ctx context.Context, c *dynamodb.Client, f *apiFlags, arn, table string, errOut io.Writer) (*types.BackupDescription, error) {
	bar := newProgress(errOut, f.quiet, 0, "backing up "+table)
	defer bar.stop()
	for {
		out, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: &arn})
		if errorCode(err) == "BackupNotFoundException" {
			return nil, fmt.Errorf("backup %s failed: it no longer exists (the server removes a backup that fails; see its log)", arn)
		}
		if err != nil {
			return nil, f.apiErr("DescribeBackup", err)
		}
		d := out.BackupDescription
		if d == nil || d.BackupDetails == nil {
			return nil, errors.New("DescribeBackup: the server returned no backup details")
		}
		switch d.BackupDetails.BackupStatus {
		case types.BackupStatusAvailable:
			return d, nil
		case types.BackupStatusDeleted:
			return nil, fmt.Errorf("backup %s failed: its status is DELETED", arn)
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			return nil, fmt.Errorf("stopped waiting; the backup continues on the server (ebbtide backup describe %s): %w", arn, err)
		}
	}
}

// newBackupDeleteCmd is `ebbtide backup delete`.
func newBackupDeleteCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ARN",
		Short: "Delete a backup",
		Long: `Delete a backup (DeleteBackup). Its data leaves the repository at the
next garbage collection (ebbtide repo gc) unless other backups share it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			out, err := c.DeleteBackup(ctx, &dynamodb.DeleteBackupInput{BackupArn: &args[0]})
			if err != nil {
				return f.apiErr("DeleteBackup", err)
			}
			w := cmd.OutOrStdout()
			if f.output == outputJSON {
				return writeJSON(w, out.BackupDescription)
			}
			name := ""
			if d := out.BackupDescription; d != nil && d.BackupDetails != nil && d.BackupDetails.BackupName != nil {
				name = " " + *d.BackupDetails.BackupName
			}
			_, err = fmt.Fprintf(w, "deleted backup%s (%s)\n", name, args[0])
			return err
		},
	}
}
