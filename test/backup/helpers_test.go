package backup

import (
	"context"
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
