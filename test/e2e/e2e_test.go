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
	clis := awsCLIs()
	if len(clis) == 0 {
		t.Skip("no AWS CLI found: scripts/test.sh installs Debian's awscli; or pip install awscli")
	}
	for _, tool := range []string{"bash", "python3", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s not found on PATH (needed by awscli.sh)", tool)
		}
	}
	for name, cli := range clis {
		t.Run(name, func(t *testing.T) { runScript(t, cli) })
	}
}

// awsCLIs returns the distinct AWS CLIs on this machine: Debian's package
// (/usr/bin/aws, CLI v2) and the first `aws` on PATH when that is another one
// (for example the pip CLI v1).
func awsCLIs() map[string]string {
	clis := map[string]string{}
	debian, _ := filepath.EvalSymlinks("/usr/bin/aws")
	if debian != "" {
		clis["debian"] = "/usr/bin/aws"
	}
	if p, err := exec.LookPath("aws"); err == nil {
		if r, _ := filepath.EvalSymlinks(p); r != debian {
			clis["path"] = p
		}
	}
	return clis
}

func runScript(t *testing.T, cli string) {
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "awscli.sh")

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script)
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir(), "AWS_CLI="+cli)
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
