// Command ebbtide is the Ebbtide server and its command-line client.
//
//	ebbtide serve            start the server (":8000", data in ./ebbtide-data)
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ebbtide:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "ebbtide",
		Short:         "A DynamoDB-compatible database with backup and point-in-time recovery",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd())
	return root
}
