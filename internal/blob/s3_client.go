package blob

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

const defaultS3Region = "us-east-1"

// newS3Client builds an S3 client: static credentials when given, else the
// SDK's default chain; checksums only where S3 requires them (S3 clones
// reject or mishandle the SDK's default CRC32 trailers); path-style for
// custom endpoints; the SDK's standard retryer.
func newS3Client(ctx context.Context, cfg S3Config) (*s3.Client, error) {
	if (cfg.AccessKeyID == "") != (cfg.SecretAccessKey == "") {
		return nil, errors.New("give both an access key id and a secret access key, or neither (to use the AWS default credential chain)")
	}
	var awsCfg aws.Config
	if cfg.AccessKeyID != "" {
		awsCfg = aws.Config{
			Region: cfg.Region,
			Credentials: aws.NewCredentialsCache(
				credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, "")),
		}
	} else {
		var opts []func(*config.LoadOptions) error
		if cfg.Region != "" {
			opts = append(opts, config.WithRegion(cfg.Region))
		}
		var err error
		if awsCfg, err = config.LoadDefaultConfig(ctx, opts...); err != nil {
			return nil, fmt.Errorf("loading the default AWS configuration: %w", err)
		}
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defaultS3Region
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.UsePathStyle || cfg.Endpoint != ""
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// checkBucket fails unless the bucket exists and the credentials may list
// it. It lists (at most one key) rather than HeadBucket: a HEAD error has
// no body, so a missing bucket, a wrong key or a server quirk (versitygw
// answers an unknown access key with 404) would all read "404".
func (s *S3) checkBucket(ctx context.Context) error {
	_, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:  aws.String(s.bucket),
		Prefix:  aws.String(s.prefix),
		MaxKeys: aws.Int32(1),
	})
	switch {
	case err == nil:
		return nil
	case errorCode(err) == "NoSuchBucket":
		return fmt.Errorf("blob: %s: bucket %q does not exist: %w", s, s.bucket, err)
	case isAuthError(err):
		return fmt.Errorf("blob: %s: access to bucket %q denied (check the credentials and their permissions): %w", s, s.bucket, err)
	}
	return fmt.Errorf("blob: %s: cannot reach bucket %q: %w", s, s.bucket, err)
}

// isAuthError reports an error about credentials or permissions.
func isAuthError(err error) bool {
	switch errorCode(err) {
	case "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken",
		"ExpiredToken", "XAdminUserNotFound":
		return true
	}
	st := httpStatus(err)
	return st == http.StatusForbidden || st == http.StatusUnauthorized
}

// opError wraps an S3 error with the operation, key and store; a missing
// object becomes ErrNotFound.
func (s *S3) opError(op, key string, err error) error {
	if isNoSuchKey(err) {
		return fmt.Errorf("blob: %s %q in %s: %w", op, key, s, ErrNotFound)
	}
	return fmt.Errorf("blob: %s %q in %s: %w", op, key, s, err)
}

// isNoSuchKey reports an S3 error meaning "no such object": NoSuchKey, or
// the body-less 404 of HeadObject (code NotFound). Other 404s, such as
// NoSuchBucket or versitygw's unknown-access-key error, are real errors:
// taking them for a missing object could make a caller think data is gone.
func isNoSuchKey(err error) bool {
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nf) {
		return true
	}
	switch errorCode(err) {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

// errorCode returns the S3 error code ("NoSuchKey", ...) of an error, or "".
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// httpStatus returns the HTTP status of an S3 error, or 0.
func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
