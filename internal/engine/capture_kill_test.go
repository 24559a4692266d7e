package engine

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

const captureKillChildEnv = "EBBTIDE_ENGINE_CAPTURE_KILL_CHILD_DIR"

// TestCaptureKillChild is the child of TestCaptureKillNine: it writes to
// a captured table until killed, printing each acknowledged write with
// its commit timestamp.
func TestCaptureKillChild(t *testing.T) {
	dir := os.Getenv(captureKillChildEnv)
	if dir == "" {
		t.Skip("helper process for TestCaptureKillNine")
	}
	e := openAt(t, dir, nil)
	if _, err := e.CreateTable(bg, spec("K", attr.KindN, attr.KindInvalid)); err != nil {
		fmt.Println("error", err)
		return
	}
	if _, _, err := e.SetChangeCapture(bg, "K", true); err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				k := w*1_000_000 + i%50
				var fn MutateFunc = func(attr.Item) (attr.Item, error) {
					return withAttrs(key(num(k)), "i", num(i), "pad", attr.S(strings.Repeat("x", 100))), nil
				}
				if i%5 == 4 {
					fn = func(attr.Item) (attr.Item, error) { return nil, nil }
				}
				res, err := e.Mutate(bg, "K", key(num(k)), fn)
				mu.Lock()
				if err != nil {
					fmt.Println("error", err)
				} else if res.CommitTS != 0 {
					fmt.Println("ack", k, i, uint64(res.CommitTS))
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
}

// A process killed with SIGKILL mid-write keeps capture on and every
// acknowledged write's change record; the log and the items are in step
// (replaying the log from empty gives exactly the stored items, written
// but unacknowledged commits included), and the stats match.
func TestCaptureKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	dir := t.TempDir()
	cmd, out := startChild(t, "TestCaptureKillChild", captureKillChildEnv, dir)
	type ack struct {
		k, i int
		ts   clock.Timestamp
	}
	var acked []ack
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 600 {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 4 && f[0] == "ack":
			k, _ := strconv.Atoi(f[1])
			i, _ := strconv.Atoi(f[2])
			ts, _ := strconv.ParseUint(f[3], 10, 64)
			acked = append(acked, ack{k, i, clock.Timestamp(ts)})
		case len(f) > 0 && f[0] == "error":
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 600 {
		t.Fatalf("child acknowledged only %d writes", len(acked))
	}

	e := openAt(t, dir, nil)
	defer e.Close()
	rec, err := e.Table(bg, "K")
	if err != nil || !rec.ChangeCapture {
		t.Fatalf("after kill -9: %+v, %v", rec, err)
	}
	ks := spec("K", attr.KindN, attr.KindInvalid).KeySchema
	cs := allChanges(t, e, "K")
	byTS := map[clock.Timestamp]Change{}
	for _, c := range cs {
		byTS[c.TS] = c
	}
	for _, a := range acked {
		c, ok := byTS[a.ts]
		if !ok {
			t.Fatalf("acknowledged write %d/%d at %v has no change record after kill -9", a.k, a.i, a.ts)
		}
		var want attr.Item
		if a.i%5 != 4 {
			want = withAttrs(key(num(a.k)), "i", num(a.i), "pad", attr.S(strings.Repeat("x", 100)))
		}
		checkChange(t, ks, c, a.ts, 0, key(num(a.k)), want, OriginRequest)
	}
	checkFoldMatchesScan(t, e, "K", ks, cs)
	checkStats(t, e, "K")
	res, err := e.Mutate(bg, "K", key(num(-1)), func(attr.Item) (attr.Item, error) { return key(num(-1)), nil })
	if err != nil || res.CommitTS <= cs[len(cs)-1].TS {
		t.Fatalf("commit after restart at %v, last logged %v (%v)", res.CommitTS, cs[len(cs)-1].TS, err)
	}
	t.Logf("%d acknowledged writes survived; %d changes logged", len(acked), len(cs))
}
