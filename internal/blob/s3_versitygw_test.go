package blob_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/blob/blobtest"
)

// TestS3VersityGW runs the conformance suite and the fault tests against a
// real S3-compatible server (versitygw, which checks SigV4 signatures),
// started here and stopped at the end.
func TestS3VersityGW(t *testing.T) {
	endpoint := blobtest.StartVersityGW(t)
	blobtest.CreateBucket(t, endpoint, "ebbtide")
	cfg := blob.S3Config{
		Endpoint: endpoint, Bucket: "ebbtide",
		AccessKeyID: blobtest.GWAccessKey, SecretAccessKey: blobtest.GWSecretKey,
	}

	t.Run("Conformance", func(t *testing.T) {
		var n atomic.Int64
		blobtest.TestStore(t, func(t *testing.T) blob.Store {
			c := cfg
			c.Prefix = fmt.Sprintf("repo/%d", n.Add(1))
			s, err := blob.NewS3(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})

	t.Run("ConformanceWholeBucket", func(t *testing.T) {
		var n atomic.Int64
		blobtest.TestStore(t, func(t *testing.T) blob.Store {
			c := cfg
			c.Bucket = fmt.Sprintf("whole-%d", n.Add(1))
			blobtest.CreateBucket(t, endpoint, c.Bucket)
			s, err := blob.NewS3(t.Context(), c)
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})

	t.Run("Open", func(t *testing.T) {
		s, err := blob.Open(t.Context(), "s3://ebbtide/via/open", cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.String(); got != "s3://ebbtide/via/open" {
			t.Fatalf("String() = %q", got)
		}
		if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
		direct, err := blob.NewS3(t.Context(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := direct.Get(t.Context(), "via/open/k"); err != nil || string(got) != "v" {
			t.Fatalf("the object is not at prefix/key: %q, %v", got, err)
		}
	})

	// Without static credentials the SDK's default chain is used; here it
	// finds them in the environment.
	t.Run("DefaultCredentialChain", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", blobtest.GWAccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", blobtest.GWSecretKey)
		t.Setenv("AWS_SESSION_TOKEN", "")
		t.Setenv("AWS_PROFILE", "")
		t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
		t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
		c := cfg
		c.AccessKeyID, c.SecretAccessKey, c.Prefix = "", "", "env"
		s, err := blob.NewS3(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(t.Context(), "k", []byte("v")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("MissingBucket", func(t *testing.T) {
		c := cfg
		c.Bucket = "no-such-bucket"
		_, err := blob.NewS3(t.Context(), c)
		wantErr(t, err, "NewS3", `bucket "no-such-bucket" does not exist`, "s3://no-such-bucket")

		// Should the bucket vanish later, operations fail clearly, and a
		// missing bucket is never mistaken for a missing object.
		s, err := blob.NewS3Unchecked(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, s.Put(t.Context(), "k/1", []byte("x")), "Put", `"k/1"`, "s3://no-such-bucket", "NoSuchBucket")
		_, err = s.Get(t.Context(), "k/2")
		wantErr(t, err, "Get", `"k/2"`, "s3://no-such-bucket", "NoSuchBucket")
		if errors.Is(err, blob.ErrNotFound) {
			t.Errorf("Get in a missing bucket = %v, want an error other than ErrNotFound", err)
		}
		wantErr(t, s.List(t.Context(), "", func(string, int64) error { return nil }), "List", "s3://no-such-bucket", "NoSuchBucket")
	})

	t.Run("WrongCredentials", func(t *testing.T) {
		for _, c := range []struct{ name, key, secret, code string }{
			{"secret", blobtest.GWAccessKey, "wrong-secret", "SignatureDoesNotMatch"},
			{"key", "no-such-key-id", blobtest.GWSecretKey, "XAdminUserNotFound"}, // versitygw's word (with a 404) for AWS's InvalidAccessKeyId
		} {
			t.Run(c.name, func(t *testing.T) {
				bad := cfg
				bad.Prefix = "p"
				bad.AccessKeyID, bad.SecretAccessKey = c.key, c.secret
				_, err := blob.NewS3(t.Context(), bad)
				wantErr(t, err, "NewS3", "s3://ebbtide/p", "access to bucket \"ebbtide\" denied", "check the credentials")

				s, err := blob.NewS3Unchecked(t.Context(), bad)
				if err != nil {
					t.Fatal(err)
				}
				wantErr(t, s.Put(t.Context(), "obj", []byte("x")), "Put", `"obj"`, "s3://ebbtide/p", c.code)
				_, err = s.Get(t.Context(), "obj")
				wantErr(t, err, "Get", `"obj"`, "s3://ebbtide/p", c.code)
				if errors.Is(err, blob.ErrNotFound) {
					t.Errorf("Get with wrong credentials = %v, want an error other than ErrNotFound", err)
				}
				wantErr(t, s.List(t.Context(), "", func(string, int64) error { return nil }), "List", "s3://ebbtide/p", c.code)
				wantErr(t, s.Delete(t.Context(), "obj"), "Delete", `"obj"`, "s3://ebbtide/p", c.code)
			})
		}
	})
}

// An unreachable endpoint fails NewS3 with the store and the cause.
func TestS3Unreachable(t *testing.T) {
	start := time.Now()
	_, err := blob.NewS3(t.Context(), blob.S3Config{
		Endpoint: blobtest.FreePortEndpoint(t), Bucket: "b", Prefix: "x",
		AccessKeyID: "k", SecretAccessKey: "s",
	})
	wantErr(t, err, "NewS3", "s3://b/x", `cannot reach bucket "b"`, "connection refused")
	t.Logf("failed after %v (the SDK retries)", time.Since(start).Round(time.Millisecond))
}

func wantErr(t *testing.T, err error, op string, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s succeeded, want an error", op)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s error %q does not mention %s", op, err, w)
		}
	}
}
