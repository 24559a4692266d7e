package backup

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/internal/server"
	"github.com/ebbtide/ebbtide/test/sdkclient"
)

func newClient(endpoint string) *dynamodb.Client { return sdkclient.New(endpoint, 8, 60*time.Second) }

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
func num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func keyAV(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"pk": str(pk), "sk": num(0)}
}

func asErr[T error](err error, target *T) bool { return err != nil && errors.As(err, target) }

// canonical renders an item as a string that is equal for equal items.
func canonical(it map[string]types.AttributeValue) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%s=%s;", n, canonicalValue(it[n]))
	}
	return sb.String()
}

func canonicalValue(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("B:%x", v.Value)
	case *types.AttributeValueMemberSS:
		s := slices.Clone(v.Value)
		slices.Sort(s)
		return fmt.Sprintf("SS:%q", s)
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL:%v", v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	}
	return fmt.Sprintf("%T", v)
}

// scanAll reads a table (or one of its indexes) keyed by "pk".
func scanAll(t *testing.T, c *dynamodb.Client, table string, index *string) map[string]map[string]types.AttributeValue {
	t.Helper()
	out := map[string]map[string]types.AttributeValue{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: index})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}
		for _, it := range page.Items {
			pk := it["pk"].(*types.AttributeValueMemberS).Value
			if _, dup := out[pk]; dup {
				t.Fatalf("Scan %s: key %s twice", table, pk)
			}
			out[pk] = it
		}
	}
	return out
}

func describeTable(t *testing.T, c *dynamodb.Client, table string) *types.TableDescription {
	t.Helper()
	out, err := c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTable %s: %v", table, err)
	}
	return out.Table
}

// waitTableActive polls DescribeTable until the table is ACTIVE.
func waitTableActive(t *testing.T, c *dynamodb.Client, table string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if describeTable(t, c, table).TableStatus == types.TableStatusActive {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("table %s not ACTIVE after 2 minutes", table)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitBackupAvailable polls DescribeBackup until the backup is AVAILABLE.
func waitBackupAvailable(t *testing.T, c *dynamodb.Client, arn string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := c.DescribeBackup(context.Background(), &dynamodb.DescribeBackupInput{BackupArn: aws.String(arn)})
		if err != nil {
			t.Fatalf("DescribeBackup %s: %v", arn, err)
		}
		if out.BackupDescription.BackupDetails.BackupStatus == types.BackupStatusAvailable {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backup %s not AVAILABLE after 2 minutes", arn)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// running is a server started by startServer.
type running struct {
	Endpoint string
	Stop     func()
}

// startServer runs a server with a full server.Config (ebbtidetest does not
// expose every setting, such as an S3 repository) until Stop or the end of
// the test.
func startServer(t *testing.T, cfg server.Config) *running {
	t.Helper()
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := srv.Shutdown(ctx); err != nil {
				t.Errorf("shutdown: %v", err)
			}
			<-done
		})
	}
	t.Cleanup(stop)
	return &running{Endpoint: "http://" + srv.Addr().String(), Stop: stop}
}
