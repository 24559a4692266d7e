package blobtest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// This file runs a real S3-compatible server for tests: versitygw, built
// into <repo>/.tools by scripts/s3server.sh.

// Credentials of the versitygw root account StartVersityGW sets up.
const (
	GWAccessKey = "ebbtide-test"
	GWSecretKey = "ebbtide-test-secret"
)

// repoRoot returns the module's root directory (holding go.mod).
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the repository root (go.mod)")
		}
		dir = parent
	}
}

var installOnce struct {
	sync.Once
	bin string
	err error
}

// versityGWBinary returns the versitygw binary: $EBBTIDE_VERSITYGW, or
// <repo>/.tools/versitygw, built by scripts/s3server.sh install when
// missing. In -short mode a missing binary skips the test instead; a
// failed build fails it.
func versityGWBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("EBBTIDE_VERSITYGW"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("EBBTIDE_VERSITYGW=%s: %v", bin, err)
		}
		return bin
	}
	root := repoRoot(t)
	bin := filepath.Join(root, ".tools", "versitygw")
	if _, err := os.Stat(bin); err != nil && testing.Short() {
		t.Skipf("%s is not built (scripts/s3server.sh install) and -short is set", bin)
	}
	installOnce.Do(func() {
		// Idempotent and fast when the pinned version is there already.
		start := time.Now()
		cmd := exec.Command("bash", filepath.Join(root, "scripts", "s3server.sh"), "install")
		out, err := cmd.CombinedOutput()
		if err != nil {
			installOnce.err = fmt.Errorf("scripts/s3server.sh install: %v\n%s", err, out)
			return
		}
		t.Logf("scripts/s3server.sh install: %s (%.1fs)", bytes.TrimSpace(out), time.Since(start).Seconds())
		installOnce.bin = bin
	})
	if installOnce.err != nil {
		t.Fatalf("cannot build versitygw for the S3 tests (use -short to skip them): %v", installOnce.err)
	}
	return installOnce.bin
}

// StartVersityGW runs versitygw (posix backend on a temporary directory)
// on a free loopback port until the test ends and returns its endpoint.
func StartVersityGW(t *testing.T) string {
	t.Helper()
	bin := versityGWBinary(t)
	dir := t.TempDir()
	for attempt := 1; ; attempt++ {
		endpoint, err := tryStartVersityGW(t, bin, dir)
		if err == nil {
			return endpoint
		}
		if attempt == 3 {
			t.Fatal(err)
		}
		t.Logf("retrying: %v", err) // the free port may have been taken meanwhile
	}
}

func tryStartVersityGW(t *testing.T, bin, dir string) (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	addr := l.Addr().String()
	l.Close()

	var out bytes.Buffer
	cmd := exec.Command(bin, "--port", addr, "--quiet", "posix", dir)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+GWAccessKey, "ROOT_SECRET_KEY="+GWSecretKey)
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		select {
		case err := <-exited:
			return "", fmt.Errorf("versitygw on %s exited (%v):\n%s", addr, err, out.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Cleanup(stop)
			t.Logf("versitygw listening on %s after %v", addr, time.Since(start).Round(time.Millisecond))
			return "http://" + addr, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	return "", fmt.Errorf("versitygw did not listen on %s within 20s:\n%s", addr, out.String())
}

// AdminClient is an S3 client for test setup (creating buckets).
func AdminClient(endpoint string) *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(GWAccessKey, GWSecretKey, ""),
	})
}

func CreateBucket(t *testing.T, endpoint, bucket string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := AdminClient(endpoint).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket(%s): %v", bucket, err)
	}
}

// FreePortEndpoint is an endpoint where nothing listens.
func FreePortEndpoint(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return "http://127.0.0.1:" + strconv.Itoa(port)
}
