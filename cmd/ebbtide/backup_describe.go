package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/spf13/cobra"
)

// newBackupDescribeCmd is `ebbtide backup describe`.
func newBackupDescribeCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "describe ARN",
		Short: "Describe a backup",
		Long:  `Describe a backup (DescribeBackup): its details and its source table's, or --output json.`,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := f.connect(ctx)
			if err != nil {
				return err
			}
			out, err := c.DescribeBackup(ctx, &dynamodb.DescribeBackupInput{BackupArn: &args[0]})
			if err != nil {
				return f.apiErr("DescribeBackup", err)
			}
			if out.BackupDescription == nil {
				return fmt.Errorf("DescribeBackup: the server returned no description")
			}
			if f.output == outputJSON {
				return writeJSON(cmd.OutOrStdout(), out.BackupDescription)
			}
			return writeBackupDescription(cmd.OutOrStdout(), out.BackupDescription)
		},
	}
}

// writeBackupDescription prints a backup description for people.
func writeBackupDescription(w io.Writer, d *types.BackupDescription) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	if b := d.BackupDetails; b != nil {
		line("Name", deref(b.BackupName))
		line("ARN", deref(b.BackupArn))
		line("Status", string(b.BackupStatus))
		line("Type", string(b.BackupType))
		line("Created", formatTime(b.BackupCreationDateTime))
		if b.BackupExpiryDateTime != nil {
			line("Expires", formatTime(b.BackupExpiryDateTime))
		}
		line("Size", sizeWithBytes(b.BackupSizeBytes))
	}
	if s := d.SourceTableDetails; s != nil {
		line("Table", deref(s.TableName))
		line("  ARN", deref(s.TableArn))
		line("  ID", deref(s.TableId))
		line("  Created", formatTime(s.TableCreationDateTime))
		line("  Items", fmt.Sprint(int64Value(s.ItemCount)))
		line("  Size", sizeWithBytes(s.TableSizeBytes))
		line("  Key schema", keySchemaString(s.KeySchema))
		mode := string(s.BillingMode)
		if p := s.ProvisionedThroughput; p != nil && s.BillingMode != types.BillingModePayPerRequest {
			mode = fmt.Sprintf("%s (%d RCU, %d WCU)", mode, int64Value(p.ReadCapacityUnits), int64Value(p.WriteCapacityUnits))
		}
		if mode != "" {
			line("  Billing mode", mode)
		}
	}
	if x := d.SourceTableFeatureDetails; x != nil {
		var idx []string
		for _, g := range x.GlobalSecondaryIndexes {
			idx = append(idx, deref(g.IndexName)+" (global: "+keySchemaString(g.KeySchema)+")")
		}
		for _, l := range x.LocalSecondaryIndexes {
			idx = append(idx, deref(l.IndexName)+" (local: "+keySchemaString(l.KeySchema)+")")
		}
		if len(idx) > 0 {
			line("  Indexes", strings.Join(idx, ", "))
		}
		if t := x.TimeToLiveDescription; t != nil && t.TimeToLiveStatus != "" {
			line("  Time to live", fmt.Sprintf("%s (%s)", t.TimeToLiveStatus, deref(t.AttributeName)))
		}
		if s := x.StreamDescription; s != nil && s.StreamEnabled != nil && *s.StreamEnabled {
			line("  Stream", string(s.StreamViewType))
		}
		if s := x.SSEDescription; s != nil && s.Status != "" {
			line("  Encryption", strings.TrimSpace(string(s.Status)+" "+string(s.SSEType)))
		}
	}
	return tw.Flush()
}

// keySchemaString formats a key schema: "Artist HASH, Song RANGE".
func keySchemaString(ks []types.KeySchemaElement) string {
	parts := make([]string, 0, len(ks))
	for _, k := range ks {
		parts = append(parts, deref(k.AttributeName)+" "+string(k.KeyType))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

// sizeWithBytes formats an optional size as "1.5 KiB (1536 bytes)".
func sizeWithBytes(n *int64) string {
	if n == nil {
		return "-"
	}
	return fmt.Sprintf("%s (%d bytes)", humanBytes(*n), *n)
}
