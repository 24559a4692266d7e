// Package e2e runs the AWS CLI end-to-end script (awscli.sh) as a Go test.
package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI builds the server, starts it and drives it with the AWS CLI
// through awscli.sh; the script asserts every step and exits non-zero on any
// failure.
func TestAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no `aws` binary on PATH: install the AWS CLI (pip install awscli, or apt-get install awscli) to run the end-to-end test")
	}
	for _, tool := range []string{"bash", "python3", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found on PATH (needed by awscli.sh)", tool)
		}
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "awscli.sh")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	// On timeout, interrupt the script rather than killing it, so its EXIT
	// trap still stops the server it started.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 20 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	t.Log("\n" + out.String())
	if ctx.Err() != nil {
		t.Fatalf("awscli.sh timed out: %v", ctx.Err())
	}
	if err != nil {
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		t.Fatalf("awscli.sh failed (%v); last line: %s", err, lines[len(lines)-1])
	}
}
