package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// server is the Ebbtide process under test: built from the source tree
// (or given with --bin), started on a free loopback port with a fresh data
// directory, stopped at the end.
type server struct {
	bin       string
	dataDir   string
	logPath   string
	endpoint  string
	pprofAddr string // "" without --profile
	cmd       *exec.Cmd
	exited    chan struct{}
	waitErr   error
}

// buildServer runs `go build -o DIR/ebbtide ./cmd/ebbtide` in src.
func buildServer(ctx context.Context, src, dir string) (string, error) {
	bin := filepath.Join(dir, "ebbtide")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/ebbtide")
	cmd.Dir = src
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build ./cmd/ebbtide in %s: %w\n%s", src, err, out)
	}
	return bin, nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts bin serve on a free port with dataDir, logging to
// logPath, and waits until /healthz answers.
func startServer(ctx context.Context, bin, dataDir, logPath string, pprof bool) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, dataDir: dataDir, logPath: logPath,
		endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), exited: make(chan struct{})}
	args := []string{"serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data-dir", dataDir, "--log-level", "info"}
	if pprof {
		pp, err := freePort()
		if err != nil {
			return nil, err
		}
		s.pprofAddr = fmt.Sprintf("127.0.0.1:%d", pp)
		args = append(args, "--pprof-addr", s.pprofAddr)
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Its own process group: a Ctrl-C at the terminal reaches this tool,
	// which stops the server in order (and removes its data).
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Nothing but the flags configures it: drop EBBTIDE_* settings (another
	// repository, root key, ...) from the environment.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "EBBTIDE_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	if err := s.cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("server exited at start (%v); its log:\n%s", s.waitErr, tail(logPath, 20))
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		default:
		}
		if healthy(s.endpoint) {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("server not healthy after 60 s; its log:\n%s", tail(logPath, 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func healthy(endpoint string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(endpoint + "/healthz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// pid returns the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM and waits up to a minute (a running backup or restore
// gets that long to finish), then kills the process.
func (s *server) stop() error {
	select {
	case <-s.exited:
		return s.waitErr
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("server did not stop within a minute of SIGTERM; killed")
	}
	var ee *exec.ExitError
	if errors.As(s.waitErr, &ee) {
		return fmt.Errorf("server exited with %v", s.waitErr)
	}
	return s.waitErr
}

// cpuProfile takes a CPU profile of the server for d and writes it to
// path; run it in a goroutine alongside the phase it profiles.
func (s *server) cpuProfile(ctx context.Context, d time.Duration, path string) error {
	if s.pprofAddr == "" {
		return nil
	}
	url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.pprofAddr, max(int(d.Seconds()), 1))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("pprof: %s", resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dirSize returns the total size of the regular files under dir.
func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			n += fi.Size()
		}
		return nil
	})
	return n
}
