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
)

// Every acknowledged write is present after Close and reopen.
func TestAcknowledgedWritesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	e := openAt(t, dir, nil)
	mustCreate(t, e, spec("D", attr.KindS, attr.KindN))
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				put(t, e, "D", withAttrs(key(attr.S(fmt.Sprintf("w%d", w)), num(i)), "v", num(w*i)))
			}
		}()
	}
	wg.Wait()
	del(t, e, "D", key(attr.S("w0"), num(0)))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, nil)
	defer e.Close()
	for w := range 8 {
		for i := range 25 {
			it, err := e.GetItem(bg, "D", key(attr.S(fmt.Sprintf("w%d", w)), num(i)))
			if err != nil {
				t.Fatal(err)
			}
			if w == 0 && i == 0 {
				if it != nil {
					t.Fatal("deleted item came back")
				}
				continue
			}
			if it == nil || it["v"].Str != strconv.Itoa(w*i) {
				t.Fatalf("w%d/%d = %v after reopen", w, i, it)
			}
		}
	}
	checkStats(t, e, "D")
}

const killChildEnv = "EBBTIDE_ENGINE_KILL_CHILD_DIR"

// TestKillChild is the child of TestKillNineKeepsAcknowledgedWrites: it
// writes until killed, printing each acknowledged key.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("helper process for TestKillNineKeepsAcknowledgedWrites")
	}
	e := openAt(t, dir, nil)
	if _, err := e.CreateTable(bg, spec("K", attr.KindN, attr.KindInvalid)); err != nil {
		fmt.Println("error", err)
		return
	}
	fmt.Println("ready")
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				k := w*1_000_000 + i
				_, err := e.Mutate(bg, "K", key(num(k)), func(attr.Item) (attr.Item, error) {
					return withAttrs(key(num(k)), "pad", attr.S(strings.Repeat("x", 100))), nil
				})
				mu.Lock()
				if err != nil {
					fmt.Println("error", err)
				} else {
					fmt.Println("ack", k)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// A process killed with SIGKILL mid-write loses no acknowledged write, and
// its stats still match a recount.
func TestKillNineKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	dir := t.TempDir()
	cmd, out := startChild(t, "TestKillChild", killChildEnv, dir)
	var acked []int
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 400 {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "ack":
			k, _ := strconv.Atoi(f[1])
			acked = append(acked, k)
		case len(f) > 0 && f[0] == "error":
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if len(acked) < 400 {
		t.Fatalf("child acknowledged only %d writes", len(acked))
	}

	e := openAt(t, dir, nil)
	defer e.Close()
	for _, k := range acked {
		it, err := e.GetItem(bg, "K", key(num(k)))
		if err != nil || it == nil {
			t.Fatalf("acknowledged write %d lost after kill -9 (%v)", k, err)
		}
	}
	checkStats(t, e, "K")
	t.Logf("%d acknowledged writes survived; %d items stored", len(acked), len(scanAll(t, e, "K")))
}
