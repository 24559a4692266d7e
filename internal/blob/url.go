package blob

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Open opens the store a URL names:
//
//   - "file:///abs/dir" (or "file://localhost/abs/dir") → NewFS("/abs/dir");
//   - a plain path, absolute or relative ("./ebbtide-data/repository") → NewFS;
//   - "s3://bucket" or "s3://bucket/prefix" → NewS3, with the bucket and
//     prefix from the URL and the endpoint, region, credentials and
//     addressing style from s3 (whose Bucket and Prefix are ignored).
//
// Query strings and fragments are refused rather than ignored.
func Open(ctx context.Context, rawURL string, s3 S3Config) (Store, error) {
	if rawURL == "" {
		return nil, fmt.Errorf("blob: empty store URL")
	}
	scheme, _, hasScheme := strings.Cut(rawURL, "://")
	if !hasScheme {
		if strings.HasPrefix(rawURL, "file:") || strings.HasPrefix(rawURL, "s3:") {
			return nil, fmt.Errorf("blob: store URL %q: expected file:///abs/path or s3://bucket/prefix", rawURL)
		}
		return openFS(rawURL)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("blob: store URL %q: %w", rawURL, err)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("blob: store URL %q: user info, query and fragment are not supported", rawURL)
	}
	switch strings.ToLower(scheme) {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("blob: store URL %q: a file URL names a local absolute path (file:///abs/path), not host %q", rawURL, u.Host)
		}
		if u.Path == "" {
			return nil, fmt.Errorf("blob: store URL %q: no path", rawURL)
		}
		return openFS(u.Path)
	case "s3":
		if u.Host == "" {
			return nil, fmt.Errorf("blob: store URL %q: no bucket (expected s3://bucket/prefix)", rawURL)
		}
		s3.Bucket = u.Host
		s3.Prefix = strings.Trim(u.Path, "/")
		st, err := NewS3(ctx, s3)
		if err != nil {
			return nil, err // not a nil *S3 in a non-nil Store
		}
		return st, nil
	}
	return nil, fmt.Errorf("blob: store URL %q: unsupported scheme %q (use file:// or s3://)", rawURL, scheme)
}

func openFS(dir string) (Store, error) {
	st, err := NewFS(dir)
	if err != nil {
		return nil, err // not a nil *FS in a non-nil Store
	}
	return st, nil
}
