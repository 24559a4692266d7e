package blob_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/blob"
)

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	for _, raw := range []string{
		"file://" + dir + "/repo", "file://localhost" + dir + "/repo", dir + "/repo",
	} {
		s, err := blob.Open(t.Context(), raw, blob.S3Config{})
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		if got, want := s.String(), "file://"+dir+"/repo"; got != want {
			t.Errorf("Open(%q).String() = %q, want %q", raw, got, want)
		}
	}
	t.Chdir(dir)
	s, err := blob.Open(t.Context(), "rel/repo", blob.S3Config{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.(*blob.FS).Dir(), filepath.Join(dir, "rel/repo"); got != want {
		t.Errorf("Open(relative).Dir() = %q, want %q", got, want)
	}
}

func TestOpenS3(t *testing.T) {
	endpoint := startFakeS3(t, "bkt")
	cfg := blob.S3Config{Endpoint: endpoint, AccessKeyID: "k", SecretAccessKey: "s", Bucket: "ignored", Prefix: "ignored"}
	for raw, want := range map[string]string{
		"s3://bkt":           "s3://bkt",
		"s3://bkt/":          "s3://bkt",
		"s3://bkt/a/b":       "s3://bkt/a/b",
		"s3://bkt/a/b/":      "s3://bkt/a/b",
		"S3://bkt/%C3%A9/x":  "s3://bkt/é/x",
		"s3://bkt/with%20sp": "s3://bkt/with sp",
	} {
		s, err := blob.Open(t.Context(), raw, cfg)
		if err != nil {
			t.Fatalf("Open(%q): %v", raw, err)
		}
		if got := s.String(); got != want {
			t.Errorf("Open(%q).String() = %q, want %q", raw, got, want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for raw, want := range map[string]string{
		"":                     "empty store URL",
		"file://host/x":        "not host",
		"file://":              "no path",
		"file:relative":        "expected file:///abs/path",
		"s3:bucket":            "expected file:///abs/path",
		"s3://":                "no bucket",
		"s3://bkt/a/../b":      "invalid key",
		"s3://bkt/p?region=x":  "not supported",
		"s3://user@bkt/p":      "not supported",
		"http://example.com/x": `unsupported scheme "http"`,
		"gs://bucket/prefix":   `unsupported scheme "gs"`,
	} {
		s, err := blob.Open(t.Context(), raw, blob.S3Config{Endpoint: "http://127.0.0.1:1", AccessKeyID: "k", SecretAccessKey: "s"})
		if err == nil || s != nil {
			t.Errorf("Open(%q) = %v, %v; want an error", raw, s, err)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open(%q) error %q does not mention %q", raw, err, want)
		}
	}
}

func TestNewS3ConfigErrors(t *testing.T) {
	for _, c := range []struct {
		cfg  blob.S3Config
		want string
	}{
		{blob.S3Config{}, "no bucket"},
		{blob.S3Config{Bucket: "b", AccessKeyID: "k"}, "both an access key id and a secret"},
		{blob.S3Config{Bucket: "b", SecretAccessKey: "s"}, "both an access key id and a secret"},
		{blob.S3Config{Bucket: "b", Prefix: "a//b", AccessKeyID: "k", SecretAccessKey: "s"}, "prefix"},
	} {
		if _, err := blob.NewS3(t.Context(), c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewS3(%+v) = %v, want an error mentioning %q", c.cfg, err, c.want)
		}
	}
}
