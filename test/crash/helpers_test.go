package crash

// Shared helpers of the crash tests: the server binary (built once by
// TestMain), starting it on a data directory, kill -9, graceful stop, and
// SDK clients.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/test/sdkclient"
)

var (
	seedFlag   = flag.Uint64("crash.seed", 0, "random seed for the crash test (0: time-based; the seed is logged)")
	roundsFlag = flag.Int("crash.rounds", 4, "number of kill -9 rounds")
)

// serverBin is the ebbtide binary built once by TestMain.
var serverBin string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "ebbtide-crash-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "ebbtide")
	build := exec.Command("go", "build", "-o", serverBin, "github.com/ebbtide/ebbtide/cmd/ebbtide")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cmd/ebbtide: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// ------------------------------------------------------------------ server

type server struct {
	t        testing.TB
	cmd      *exec.Cmd
	endpoint string
	logPath  string
	done     chan struct{} // closed when the process has exited
	waitErr  error
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer starts `ebbtide serve` on a free loopback port and waits for
// /healthz to answer 200.
func startServer(t testing.TB, dataDir, logPath string) *server {
	t.Helper()
	for attempt := 1; ; attempt++ {
		s, err := tryStartServer(t, dataDir, logPath)
		if err == nil {
			return s
		}
		// The free port may have been taken between our probe and the
		// server's bind: try another one.
		if attempt < 3 && strings.Contains(s.logTail(), "address already in use") {
			continue
		}
		t.Fatalf("%v; log:\n%s", err, s.logTail())
	}
}

func tryStartServer(t testing.TB, dataDir, logPath string) (*server, error) {
	port := freePort(t)
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(logf, "\n===== start on port %d at %s =====\n", port, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(serverBin, "serve", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--data-dir", dataDir)
	cmd.Stdout = logf
	cmd.Stderr = logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("starting server: %v", err)
	}
	s := &server{t: t, cmd: cmd, endpoint: fmt.Sprintf("http://127.0.0.1:%d", port), logPath: logPath, done: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = cmd.Process.Kill()
			<-s.done
		}
	})

	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			return s, fmt.Errorf("server exited before becoming ready (%v)", s.waitErr)
		default:
		}
		resp, err := hc.Get(s.endpoint + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			return s, errors.New("server not ready after 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) kill9() {
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatalf("kill -9: %v", err)
	}
	<-s.done
}

// stop shuts the server down with SIGTERM and returns its exit error.
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.waitErr
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("server did not exit within 30s of SIGTERM")
	}
}

func (s *server) logTail() string {
	b, _ := os.ReadFile(s.logPath)
	lines := strings.Split(string(b), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	return strings.Join(lines, "\n")
}

// testSeed returns the -crash.seed flag, or a time-based seed, and logs it.
func testSeed(t *testing.T) uint64 {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -run '^%s$' -crash.seed=%d)", seed, t.Name(), seed)
	return seed
}

// logServerOnFailure registers a cleanup that prints the tail of the
// server's log when the test failed.
func logServerOnFailure(t *testing.T, logPath string) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		b, _ := os.ReadFile(logPath)
		lines := strings.Split(string(b), "\n")
		if len(lines) > 80 {
			lines = lines[len(lines)-80:]
		}
		t.Logf("server log (tail):\n%s", strings.Join(lines, "\n"))
	})
}

// waitTableActive polls DescribeTable until the table is ACTIVE and returns
// the description.
func waitTableActive(ctx context.Context, t *testing.T, db *dynamodb.Client, table string) *types.TableDescription {
	t.Helper()
	for {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
		if err != nil {
			t.Fatalf("DescribeTable %s: %v", table, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return out.Table
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newClient(endpoint string, conns int) *dynamodb.Client {
	return sdkclient.New(endpoint, conns, 15*time.Second)
}
