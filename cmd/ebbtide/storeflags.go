package main

import (
	"errors"

	"github.com/spf13/pflag"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// s3FlagNames are the flags addS3Flags defines.
var s3FlagNames = []string{"s3-endpoint", "s3-region", "s3-access-key-id", "s3-secret-access-key", "s3-path-style"}

// addS3Flags defines the flags that say how to reach an s3:// repository,
// bound to c (whose Bucket and Prefix come from the repository URL).
func addS3Flags(f *pflag.FlagSet, c *blob.S3Config) {
	f.StringVar(&c.Endpoint, "s3-endpoint", "", "endpoint URL of an S3-compatible server for an s3:// repository (default AWS S3)")
	f.StringVar(&c.Region, "s3-region", "", "S3 signing region (default from the AWS configuration, else us-east-1)")
	f.StringVar(&c.AccessKeyID, "s3-access-key-id", "", "S3 access key id (default the AWS SDK credential chain, e.g. AWS_ACCESS_KEY_ID)")
	f.StringVar(&c.SecretAccessKey, "s3-secret-access-key", "", "S3 secret access key (prefer the environment: EBBTIDE_S3_SECRET_ACCESS_KEY)")
	f.BoolVar(&c.UsePathStyle, "s3-path-style", false, "address the bucket path-style (endpoint/bucket/key); implied by --s3-endpoint")
}

// checkS3Flags refuses half-given static S3 credentials.
func checkS3Flags(c blob.S3Config) error {
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("give both --s3-access-key-id and --s3-secret-access-key, or neither (to use the AWS default credential chain)")
	}
	return nil
}
