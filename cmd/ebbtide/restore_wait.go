package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// restoreJob is a restore into a new table that a client command waits
// for (ebbtide restore, ebbtide pitr restore).
type restoreJob struct {
	source string // what is restored, for messages: a backup ARN, "T at TIME"
	target string // the new table's name
	total  int64  // the item count expected, or 0 when unknown (a spinner)
	follow string // how to follow the restore once the command stops waiting
}

// waitRestored polls DescribeTable until the restored table is ACTIVE,
// drawing on errOut the table's ItemCount (which the server updates as the
// restore loads) against job.total (a spinner when that is unknown). A
// target table that disappears, or turns DELETING or worse, failed.
func waitRestored(ctx context.Context, c *dynamodb.Client, f *apiFlags, job restoreJob, errOut io.Writer) (*types.TableDescription, error) {
	desc := "restoring " + job.target
	bar := newProgress(errOut, f.quiet, job.total, desc)
	defer bar.stop()
	failed := func(why string) error {
		return fmt.Errorf("restore of %s into %s failed: %s (see the server's log)", job.source, job.target, why)
	}
	for {
		out, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &job.target})
		if errorCode(err) == "ResourceNotFoundException" {
			return nil, failed("the target table no longer exists; the server drops it when a restore fails")
		}
		if err != nil {
			return nil, f.apiErr("DescribeTable", err)
		}
		td := out.Table
		if td == nil {
			return nil, errors.New("DescribeTable: the server returned no table description")
		}
		items := int64Value(td.ItemCount)
		bar.set(items, fmt.Sprintf("%s: %d items", desc, items))
		switch td.TableStatus {
		case types.TableStatusActive:
			return td, nil
		case types.TableStatusDeleting, types.TableStatusArchived, types.TableStatusInaccessibleEncryptionCredentials:
			return nil, failed("the target table is " + string(td.TableStatus))
		}
		if err := sleepCtx(ctx, pollInterval); err != nil {
			return nil, fmt.Errorf("stopped waiting; the restore continues on the server (%s): %w", job.follow, err)
		}
	}
}
