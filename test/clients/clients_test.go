// Package clients_test drives an in-process Ebbtide server with the other
// official SDKs users run against DynamoDB: boto3 and the AWS SDK for
// JavaScript v3. The Go SDK is exercised throughout the rest of the suite.
package clients_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("%s %v:\n%s", name, args, out)
	if err != nil {
		t.Fatalf("%s failed: %v", name, err)
	}
}

func TestBoto3(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	if exec.Command(py, "-c", "import boto3").Run() != nil {
		t.Skip("boto3 is not installed for " + py)
	}
	srv := ebbtidetest.Start(t)
	run(t, ".", py, "boto3_smoke.py", srv.Endpoint)
}

func TestJavaScriptSDKv3(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	dir, err := filepath.Abs("js")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-dynamodb")); err != nil {
		run(t, dir, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	}
	srv := ebbtidetest.Start(t)
	run(t, dir, "node", "smoke.mjs", srv.Endpoint)
}
