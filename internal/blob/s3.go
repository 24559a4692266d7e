package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3Config locates an S3-compatible bucket and says how to reach it.
type S3Config struct {
	// Endpoint is the service URL of an S3-compatible server, such as
	// "http://127.0.0.1:7070"; empty means AWS S3 (the endpoint follows from
	// Region). A custom endpoint implies path-style addressing.
	Endpoint string
	// Region is the signing region; empty means the region of the default
	// AWS configuration when credentials come from it, else "us-east-1".
	Region string
	// Bucket must exist already.
	Bucket string
	// Prefix is prepended (with a "/") to every key, so several stores can
	// share a bucket; empty means the whole bucket.
	Prefix string
	// AccessKeyID and SecretAccessKey are static credentials. When both are
	// empty, credentials come from the AWS SDK's default chain
	// (environment, shared config and credentials files, web identity,
	// container and EC2 instance roles).
	AccessKeyID     string
	SecretAccessKey string
	// UsePathStyle addresses the bucket as endpoint/bucket/key instead of
	// bucket.endpoint/key. Always on when Endpoint is set.
	UsePathStyle bool
}

// S3 is a Store on an S3-compatible bucket: the object with key k is the S3
// object Prefix/k. A single PutObject writes each object, which S3 makes
// visible atomically, whole or not at all. Requests are retried by the
// SDK's standard retryer (3 attempts, exponential backoff).
//
// HeadObject answers a missing bucket and a missing key alike (404 without
// a body), so NewS3 checks the bucket once; if the bucket is deleted
// afterwards, Size reports ErrNotFound while the other methods fail with
// NoSuchBucket.
type S3 struct {
	client *s3.Client
	bucket string
	prefix string // "" or ends with "/"
}

// NewS3 connects to an S3-compatible bucket and checks that it exists and
// that the credentials may use it (HeadBucket), so a misconfiguration
// fails here with a clear error rather than at the first backup.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	s, err := newS3(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.checkBucket(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// newS3 builds the store without contacting the server.
func newS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("blob: S3 store: no bucket given")
	}
	prefix := strings.Trim(cfg.Prefix, "/")
	if prefix != "" {
		if err := CheckKey(prefix); err != nil {
			return nil, fmt.Errorf("blob: S3 store s3://%s: prefix: %w", cfg.Bucket, err)
		}
		prefix += "/"
	}
	client, err := newS3Client(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("blob: S3 store s3://%s/%s: %w", cfg.Bucket, prefix, err)
	}
	return &S3{client: client, bucket: cfg.Bucket, prefix: prefix}, nil
}

// String returns the store's URL, "s3://bucket/prefix" or "s3://bucket".
func (s *S3) String() string {
	if s.prefix == "" {
		return "s3://" + s.bucket
	}
	return "s3://" + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

// Put writes an object with one PutObject.
func (s *S3) Put(ctx context.Context, key string, data []byte) error {
	if err := s.check("put", key); err != nil {
		return err
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(s.prefix + key),
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String("application/octet-stream"),
	})
	if err != nil {
		return s.opError("put", key, err)
	}
	return nil
}

// Get reads a whole object with GetObject.
func (s *S3) Get(ctx context.Context, key string) ([]byte, error) {
	if err := s.check("get", key); err != nil {
		return nil, err
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if err != nil {
		return nil, s.opError("get", key, err)
	}
	defer out.Body.Close()
	var buf bytes.Buffer
	if n := aws.ToInt64(out.ContentLength); n > 0 {
		buf.Grow(int(n))
	}
	if _, err := buf.ReadFrom(out.Body); err != nil {
		return nil, fmt.Errorf("blob: get %q from %s: reading the body: %w", key, s, err)
	}
	if n := out.ContentLength; n != nil && *n != int64(buf.Len()) {
		return nil, fmt.Errorf("blob: get %q from %s: read %d bytes, expected %d", key, s, buf.Len(), *n)
	}
	return buf.Bytes(), nil
}

// Size returns an object's size with HeadObject.
func (s *S3) Size(ctx context.Context, key string) (int64, error) {
	if err := s.check("size of", key); err != nil {
		return 0, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if err != nil {
		return 0, s.opError("size of", key, err)
	}
	return aws.ToInt64(out.ContentLength), nil
}

// Delete removes an object with DeleteObject; S3 treats an absent object
// as deleted.
func (s *S3) Delete(ctx context.Context, key string) error {
	if err := s.check("delete", key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(s.prefix + key),
	})
	if err != nil && !isNoSuchKey(err) {
		return s.opError("delete", key, err)
	}
	return nil
}

// List pages through ListObjectsV2, which returns keys in lexical (UTF-8
// byte) order. Keys that are not valid keys (written by other tools) are
// skipped; keys out of order are reported as an error rather than passed
// on, as callers rely on the order.
func (s *S3) List(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	if !prefixCanMatch(prefix) {
		return nil
	}
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket: aws.String(s.bucket),
		Prefix: aws.String(s.prefix + prefix),
	})
	last := ""
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("blob: list %q in %s: %w", prefix, s, err)
		}
		for _, obj := range page.Contents {
			full := aws.ToString(obj.Key)
			if full <= last && last != "" {
				return fmt.Errorf("blob: list %q in %s: the server listed %q after %q (not in lexical order)", prefix, s, full, last)
			}
			last = full
			key, ok := strings.CutPrefix(full, s.prefix)
			if !ok || CheckKey(key) != nil {
				continue
			}
			if err := fn(key, aws.ToInt64(obj.Size)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *S3) check(op, key string) error {
	if err := CheckKey(key); err != nil {
		return fmt.Errorf("blob: %s in %s: %w", op, s, err)
	}
	return nil
}
