package pitr

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

// TestPITRRestoreOutlivesItsSource: a point-in-time restore that was
// accepted (its target CREATING) completes with the state it was asked
// for even when, right after the request, the source table is deleted or
// its PITR is disabled — both of which drop the source's history.
func TestPITRRestoreOutlivesItsSource(t *testing.T) {
	for _, how := range []string{"DeleteTable", "disable PITR"} {
		t.Run(strings.ReplaceAll(how, " ", "-"), func(t *testing.T) {
			srv := ebbtidetest.Start(t)
			c := newClient(srv.Endpoint)
			ctx := context.Background()
			const source, target = "race-source", "race-target"
			oracle.CreateTable(t, c, source)
			arn := aws.ToString(oracle.DescribeTable(t, c, source).TableArn)
			setPITR(t, c, source, true, nil)
			// ~30 MB of history, so the restore is still reading it when
			// the source goes.
			big := strings.Repeat("x", 300<<10)
			want := map[string]string{}
			for i := range 100 {
				pk := fmt.Sprintf("k%02d", i)
				it := oracle.Item{"pk": oracle.Str(pk), "sk": oracle.Num(0), "big": oracle.Str(pk + big)}
				if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(source), Item: it}); err != nil {
					t.Fatal(err)
				}
				want[pk] = oracle.Canonical(it)
			}
			_, latest := waitRestorable(t, c, source, wallNow())
			restoreTo(t, c, source, arn, target, latest)
			if how == "DeleteTable" {
				deleteTable(t, c, source)
			} else {
				setPITR(t, c, source, false, nil)
			}
			waitRestored(t, c, target)
			oracle.CompareMaps(t, target, want, oracle.ScanAll(t, c, target, nil))
		})
	}
}
