package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/cobra"
)

// newBackupListCmd is `ebbtide backup list`.
func newBackupListCmd(f *apiFlags) *cobra.Command {
	var table, typ, from, to string
	cmd := &cobra.Command{
		Use:   "list [--table T] [--type USER|SYSTEM|AWS_BACKUP|ALL] [--from TIME] [--to TIME]",
		Short: "List backups",
		Long: `List backups (ListBackups, every page): name, ARN, status, type, creation
time and size, or --output json. --from (inclusive) and --to (exclusive)
bound the creation time; TIME is ` + timeArgHelp + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			in := &dynamodb.ListBackupsInput{}
			if table != "" {
				in.TableName = &table
			}
			if typ != "" {
				t := types.BackupTypeFilter(strings.ToUpper(typ))
				if !slices.Contains(t.Values(), t) {
					return fmt.Errorf("--type must be one of %v, not %q", t.Values(), typ)
				}
				in.BackupType = t
			}
			now := time.Now()
			for _, b := range []struct {
				flag, arg string
				dst       **time.Time
			}{{"--from", from, &in.TimeRangeLowerBound}, {"--to", to, &in.TimeRangeUpperBound}} {
				if b.arg == "" {
					continue
				}
				t, err := parseTimeArg(b.arg, now)
				if err != nil {
					return fmt.Errorf("%s: %w", b.flag, err)
				}
				*b.dst = &t
			}
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			backups, err := listAllBackups(ctx, c, in)
			if err != nil {
				return f.apiErr("ListBackups", err)
			}
			w := cmd.OutOrStdout()
			if f.output == outputJSON {
				return writeJSON(w, struct{ BackupSummaries []types.BackupSummary }{backups})
			}
			if len(backups) == 0 {
				_, err := fmt.Fprintln(w, "no backups")
				return err
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tARN\tSTATUS\tTYPE\tCREATED\tSIZE")
			for _, b := range backups {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", deref(b.BackupName), deref(b.BackupArn),
					b.BackupStatus, b.BackupType, formatTime(b.BackupCreationDateTime), humanBytesPtr(b.BackupSizeBytes))
			}
			return tw.Flush()
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&table, "table", "", "only the backups of this table (name or ARN)")
	fl.StringVar(&typ, "type", "", "USER (the server's default), SYSTEM, AWS_BACKUP or ALL")
	fl.StringVar(&from, "from", "", "only backups created at or after TIME")
	fl.StringVar(&to, "to", "", "only backups created before TIME")
	return cmd
}

// listAllBackups calls ListBackups until the last page (the SDK has no
// paginator for it): each page continues after LastEvaluatedBackupArn.
func listAllBackups(ctx context.Context, c *dynamodb.Client, in *dynamodb.ListBackupsInput) ([]types.BackupSummary, error) {
	var all []types.BackupSummary
	page := *in
	for {
		out, err := c.ListBackups(ctx, &page)
		if err != nil {
			return nil, err
		}
		all = append(all, out.BackupSummaries...)
		next := out.LastEvaluatedBackupArn
		if next == nil || *next == "" {
			return all, nil
		}
		if page.ExclusiveStartBackupArn != nil && *page.ExclusiveStartBackupArn == *next {
			return nil, fmt.Errorf("the server returned the page after %s twice", *next)
		}
		page.ExclusiveStartBackupArn = next
	}
}

// deref returns *p, or "-" for nil.
func deref(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}
