package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/cobra"
)

// Bounds of RecoveryPeriodInDays (pitr enable --days).
const (
	minRecoveryPeriodDays = 1
	maxRecoveryPeriodDays = 35
)

// newPitrCmd is `ebbtide pitr`, the parent of the point-in-time recovery
// client commands.
func newPitrCmd() *cobra.Command {
	var f apiFlags
	cmd := &cobra.Command{
		Use:   "pitr",
		Short: "Enable, disable and inspect point-in-time recovery; restore a table to a point in time (through a running server)",
		Long: `Manage point-in-time recovery (continuous backups) through a running
server's DynamoDB API (UpdateContinuousBackups, DescribeContinuousBackups,
RestoreTableToPointInTime).

While point-in-time recovery is on, a table can be restored into a new table
as it was at any instant of its recovery window, from the earliest
restorable time (when it was enabled, or the recovery period ago) to the
latest (about now).

The server is at --endpoint-url (default http://localhost:8000, env
EBBTIDE_ENDPOINT_URL); credentials as for "ebbtide backup".`,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return f.resolve(cmd.Flags())
		},
	}
	f.register(cmd.PersistentFlags())
	cmd.AddCommand(newPitrEnableCmd(&f), newPitrDisableCmd(&f), newPitrStatusCmd(&f), newPitrRestoreCmd(&f))
	return cmd
}

// newPitrEnableCmd is `ebbtide pitr enable`.
func newPitrEnableCmd(f *apiFlags) *cobra.Command {
	var table string
	var days int
	cmd := &cobra.Command{
		Use:   "enable --table TABLE [--days N]",
		Short: "Turn point-in-time recovery on; prints the status and the restorable window",
		Long: fmt.Sprintf(`Turn point-in-time recovery on for a table (UpdateContinuousBackups) and
print its status and restorable window. --days sets the recovery period
(%d to %d days; the server's default, 35, when omitted for a table without
point-in-time recovery; unchanged for a table that has it). Enabling an
enabled table keeps its window.`, minRecoveryPeriodDays, maxRecoveryPeriodDays),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec := &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}
			if cmd.Flags().Changed("days") {
				if days < minRecoveryPeriodDays || days > maxRecoveryPeriodDays {
					return fmt.Errorf("--days must be %d to %d, not %d", minRecoveryPeriodDays, maxRecoveryPeriodDays, days)
				}
				spec.RecoveryPeriodInDays = aws.Int32(int32(days))
			}
			return updateContinuousBackups(cmd, f, table, spec)
		},
	}
	cmd.Flags().StringVar(&table, "table", "", "the table (name or ARN)")
	cmd.Flags().IntVar(&days, "days", 0, fmt.Sprintf("the recovery period in days, %d to %d", minRecoveryPeriodDays, maxRecoveryPeriodDays))
	_ = cmd.MarkFlagRequired("table")
	return cmd
}

// newPitrDisableCmd is `ebbtide pitr disable`.
func newPitrDisableCmd(f *apiFlags) *cobra.Command {
	var table string
	cmd := &cobra.Command{
		Use:   "disable --table TABLE",
		Short: "Turn point-in-time recovery off",
		Long: `Turn point-in-time recovery off for a table (UpdateContinuousBackups). The
table's recovery history is dropped: enabling it again starts a new window.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return updateContinuousBackups(cmd, f, table,
				&types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)})
		},
	}
	cmd.Flags().StringVar(&table, "table", "", "the table (name or ARN)")
	_ = cmd.MarkFlagRequired("table")
	return cmd
}

// newPitrStatusCmd is `ebbtide pitr status`.
func newPitrStatusCmd(f *apiFlags) *cobra.Command {
	var table string
	cmd := &cobra.Command{
		Use:   "status --table TABLE",
		Short: "Show whether point-in-time recovery is on, and the restorable window",
		Long: `Show a table's point-in-time recovery (DescribeContinuousBackups): its
status, recovery period and restorable window, the earliest and latest
restorable times (RFC 3339 in UTC, with milliseconds, and how long ago
they are), or --output json.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			out, err := c.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: &table})
			if err != nil {
				return f.apiErr("DescribeContinuousBackups", err)
			}
			return writeContinuousBackups(cmd, f, "DescribeContinuousBackups", table, out.ContinuousBackupsDescription)
		},
	}
	cmd.Flags().StringVar(&table, "table", "", "the table (name or ARN)")
	_ = cmd.MarkFlagRequired("table")
	return cmd
}

// updateContinuousBackups calls UpdateContinuousBackups for table with
// spec and prints the resulting description.
func updateContinuousBackups(cmd *cobra.Command, f *apiFlags, table string, spec *types.PointInTimeRecoverySpecification) error {
	ctx := cmd.Context()
	c, err := f.connect(ctx)
	if err != nil {
		return err
	}
	out, err := c.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
		TableName: &table, PointInTimeRecoverySpecification: spec})
	if err != nil {
		return f.apiErr("UpdateContinuousBackups", err)
	}
	return writeContinuousBackups(cmd, f, "UpdateContinuousBackups", table, out.ContinuousBackupsDescription)
}

// writeContinuousBackups prints d, which operation op returned for table,
// as --output asks.
func writeContinuousBackups(cmd *cobra.Command, f *apiFlags, op, table string, d *types.ContinuousBackupsDescription) error {
	if d == nil {
		return errors.New(op + ": the server returned no continuous backups description")
	}
	if f.output == outputJSON {
		return writeJSON(cmd.OutOrStdout(), d)
	}
	return writePITRStatus(cmd.OutOrStdout(), table, d, time.Now())
}
