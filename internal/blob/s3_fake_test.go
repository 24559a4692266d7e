package blob_test

import (
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/blob/blobtest"
)

// startFakeS3 serves an in-process S3 (gofakes3, in memory) holding the
// given buckets and returns its endpoint. It does not check signatures.
func startFakeS3(t *testing.T, buckets ...string) string {
	t.Helper()
	backend := s3mem.New()
	for _, b := range buckets {
		if err := backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestS3FakeConformance(t *testing.T) {
	endpoint := startFakeS3(t, "bucket")
	var n atomic.Int64
	blobtest.TestStore(t, func(t *testing.T) blob.Store {
		s, err := blob.NewS3(t.Context(), blob.S3Config{
			Endpoint: endpoint, Bucket: "bucket", Prefix: fmt.Sprintf("store%d/", n.Add(1)),
			AccessKeyID: "key", SecretAccessKey: "secret",
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// A store on a whole bucket (no prefix) behaves the same.
func TestS3FakeConformanceNoPrefix(t *testing.T) {
	var n atomic.Int64
	blobtest.TestStore(t, func(t *testing.T) blob.Store {
		bucket := fmt.Sprintf("bucket%d", n.Add(1))
		s, err := blob.NewS3(t.Context(), blob.S3Config{
			Endpoint: startFakeS3(t, bucket), Bucket: bucket,
			AccessKeyID: "key", SecretAccessKey: "secret",
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := s.String(), "s3://"+bucket; got != want {
			t.Fatalf("String() = %q, want %q", got, want)
		}
		return s
	})
}
