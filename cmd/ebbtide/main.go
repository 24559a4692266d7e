// Command ebbtide is the Ebbtide server and its command-line client.
//
//	ebbtide serve                     start the server (":8000", data in ./ebbtide-data)
//
// On-demand backups, through a running server's DynamoDB API
// (--endpoint-url, default http://localhost:8000; --region):
//
//	ebbtide backup create --table T --name N [--wait]
//	ebbtide backup list [--table T] [--type USER|SYSTEM|AWS_BACKUP|ALL] [--from TIME] [--to TIME]
//	ebbtide backup describe ARN
//	ebbtide backup delete ARN
//	ebbtide restore --backup-arn ARN --target NEW [--no-wait]
//
// Point-in-time recovery (continuous backups), through the same API:
//
//	ebbtide pitr enable --table T [--days N]   turn it on (recovery period N days, 1-35)
//	ebbtide pitr disable --table T             turn it off, dropping the history
//	ebbtide pitr status --table T              status and restorable window
//	ebbtide pitr restore --table T --to TIME|latest --target NEW [--no-wait]
//
// The backup repository itself, directly (no server needed; safe while one
// runs): --repository URL, --data-dir, --root-key-file, --s3-*:
//
//	ebbtide repo verify               check every object; exit status 1 on problems
//	ebbtide repo gc [--dry-run]       delete chunks no snapshot references
//	ebbtide repo stats                sizes, snapshots and deduplication ratio
//
// TIME is RFC 3339 ("2025-06-01T12:00:00Z"), a relative time ("-15m", "-2h",
// "-1d"), "now" or Unix seconds; pitr restore also takes "latest". Lists,
// descriptions and the pitr commands take --output text|json. Long
// operations draw progress on stderr; --quiet turns it off.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "ebbtide:", err)
		os.Exit(1)
	}
}

// newRootCmd builds the whole command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ebbtide",
		Short:         "A DynamoDB-compatible database with backup and point-in-time recovery",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newBackupCmd(), newRestoreCmd(), newPitrCmd(), newRepoCmd())
	return root
}
