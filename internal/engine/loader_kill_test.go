package engine

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

const loaderKillChildEnv = "EBBTIDE_ENGINE_LOADER_KILL_CHILD_DIR"

// killItem is item i of the load the kill test interrupts: the same in
// both processes.
func killItem(i int) attr.Item {
	it := attr.Item{
		"pk":   attr.S(fmt.Sprintf("p%d", i%37)),
		"sk":   num(i),
		"n":    num(i % 11),
		"blob": attr.B([]byte(strings.Repeat(strconv.Itoa(i), 10))),
	}
	if i%3 > 0 {
		it["g"] = attr.S(fmt.Sprintf("g%d", i%5))
	}
	if i%4 > 0 {
		it["h"] = num(i % 7)
	}
	if i%2 > 0 {
		it["l"] = attr.S(fmt.Sprintf("l%d", i%13))
		it["a"] = attr.S("include me")
	}
	return it
}

// TestLoaderKillChild is the child of TestLoaderKillNine: it loads items
// into a restore target until killed, reporting its progress.
func TestLoaderKillChild(t *testing.T) {
	dir := os.Getenv(loaderKillChildEnv)
	if dir == "" {
		t.Skip("helper process for TestLoaderKillNine")
	}
	e := openAt(t, dir, nil)
	if _, err := e.CreateTable(bg, restoreSpec(indexedSpec("K"))); err != nil {
		fmt.Println("error", err)
		return
	}
	l, err := e.NewLoader(bg, "K")
	if err != nil {
		fmt.Println("error", err)
		return
	}
	l.batchSize = 16 << 10
	fmt.Println("ready")
	for i := 0; ; i++ {
		if err := l.Add(killItem(i)); err != nil {
			fmt.Println("error", err)
			return
		}
		if i%500 == 0 {
			fmt.Println("added", i)
		}
	}
}

// A process killed with SIGKILL in the middle of a load leaves the table
// CREATING with Restore.InProgress; what its committed batches stored is
// a prefix of the load (batches are atomic and in order) with matching
// stats; ResetRestore and a new load give exact contents and stats.
func TestLoaderKillNine(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	dir := t.TempDir()
	cmd, out := startChild(t, "TestLoaderKillChild", loaderKillChildEnv, dir)
	added := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() && added < 20_000 {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "added":
			added, _ = strconv.Atoi(f[1])
		case len(f) > 0 && f[0] == "error":
			cmd.Process.Kill()
			t.Fatalf("child: %s", sc.Text())
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if added < 20_000 {
		t.Fatalf("child added only %d items", added)
	}

	e := openAt(t, dir, nil)
	defer e.Close()
	rec, err := e.Table(bg, "K")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusCreating || rec.Restore == nil || !rec.Restore.InProgress {
		t.Fatalf("after kill -9: status %s, restore %+v", rec.Status, rec.Restore)
	}
	st := checkLiveMatchesStore(t, e, "K")
	n := int(st.ItemCount)
	var stored []attr.Item
	ts, _ := e.lookup("K")
	if err := visitRange(bg, e.db, ts.prefix, prefixEnd(ts.prefix), false, func(it attr.Item) (bool, error) {
		stored = append(stored, it)
		return true, nil
	}); err != nil {
		t.Fatal(err)
	}
	var want []attr.Item
	for i := range n {
		want = append(want, killItem(i))
	}
	checkSameSet(t, "stored items", stored, want)
	t.Logf("child added %d items; %d were stored when it was killed", added, n)

	if err := e.ResetRestore(bg, "K"); err != nil {
		t.Fatal(err)
	}
	want = want[:0]
	for i := range 3000 {
		want = append(want, killItem(i))
	}
	load(t, e, "K", want, 0)
	if _, err := e.FinishRestore(bg, "K"); err != nil {
		t.Fatal(err)
	}
	checkStats(t, e, "K")
	checkIndexes(t, e, "K", want)
	checkCollectionSizes(t, e, "K", want)
}
