package engine

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

const (
	testRegion  = "us-east-1"
	testAccount = "000000000000"
)

var (
	bg        = context.Background()
	testEpoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
)

func openAt(t testing.TB, dir string, c clock.Clock) *Engine {
	t.Helper()
	return openWith(t, Options{Dir: dir, Clock: c})
}

// openWith opens an engine with o, filling in the test namespace, a
// discarding logger and a small cache.
func openWith(t testing.TB, o Options) *Engine {
	t.Helper()
	o.Region, o.AccountID = testRegion, testAccount
	o.Logger = slog.New(slog.DiscardHandler)
	o.CacheSize = 8 << 20
	e, err := Open(o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// tb is what the helpers need from *testing.T and *rapid.T alike.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// openTest opens an engine in a fresh directory with a fake clock and
// closes it at the end of the test.
func openTest(t testing.TB) (*Engine, string) {
	t.Helper()
	dir := t.TempDir()
	e := openAt(t, dir, clock.NewFake(testEpoch))
	t.Cleanup(func() { e.Close() })
	return e, dir
}

// spec returns a table spec with the given key types (range KindInvalid:
// hash-only).
func spec(name string, hash, rng attr.Kind) TableSpec {
	s := TableSpec{
		Name:        name,
		KeySchema:   KeySchema{Hash: KeyAttr{"pk", hash}},
		BillingMode: "PAY_PER_REQUEST",
	}
	s.AttributeDefinitions = []AttributeDefinition{{"pk", hash}}
	if rng != attr.KindInvalid {
		s.KeySchema.Range = &KeyAttr{"sk", rng}
		s.AttributeDefinitions = append(s.AttributeDefinitions, AttributeDefinition{"sk", rng})
	}
	return s
}

func mustCreate(t tb, e *Engine, s TableSpec) *Table {
	t.Helper()
	tb, err := e.CreateTable(bg, s)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// key builds a primary key item.
func key(pk attr.Value, sk ...attr.Value) attr.Item {
	k := attr.Item{"pk": pk}
	if len(sk) > 0 {
		k["sk"] = sk[0]
	}
	return k
}

// withAttrs returns a copy of k with extra attributes.
func withAttrs(k attr.Item, kv ...any) attr.Item {
	out := attr.Item{}
	for n, v := range k {
		out[n] = v
	}
	for i := 0; i < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1].(attr.Value)
	}
	return out
}

// put stores item (whose key attributes are pk[, sk]) unconditionally.
func put(t tb, e *Engine, table string, item attr.Item) {
	t.Helper()
	k := attr.Item{"pk": item["pk"]}
	if v, ok := item["sk"]; ok {
		k["sk"] = v
	}
	if _, err := e.Mutate(bg, table, k, func(attr.Item) (attr.Item, error) { return item, nil }); err != nil {
		t.Fatal(err)
	}
}

// putMany stores items in one commit.
func putMany(t tb, e *Engine, table string, items []attr.Item) {
	t.Helper()
	muts := make([]Mutation, len(items))
	for i, it := range items {
		k := attr.Item{"pk": it["pk"]}
		if v, ok := it["sk"]; ok {
			k["sk"] = v
		}
		muts[i] = Mutation{Table: table, Key: k, Fn: func(attr.Item) (attr.Item, error) { return it, nil }}
	}
	if _, _, err := e.MutateMany(bg, muts); err != nil {
		t.Fatal(err)
	}
}

func del(t tb, e *Engine, table string, k attr.Item) {
	t.Helper()
	if _, err := e.Mutate(bg, table, k, func(attr.Item) (attr.Item, error) { return nil, nil }); err != nil {
		t.Fatal(err)
	}
}

// collect returns every item a Query or Scan visits.
func collect(t tb, run func(VisitFunc) error) []attr.Item {
	t.Helper()
	var out []attr.Item
	err := run(func(it attr.Item) (bool, error) {
		out = append(out, it)
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func scanAll(t tb, e *Engine, table string) []attr.Item {
	t.Helper()
	return collect(t, func(v VisitFunc) error { return e.Scan(bg, table, ScanSpec{}, v) })
}

// fmtItem renders an item deterministically for failure messages.
func fmtItem(it attr.Item) string {
	if it == nil {
		return "<nil>"
	}
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	sb.WriteString("{")
	for i, n := range names {
		if i > 0 {
			sb.WriteString(" ")
		}
		fmt.Fprintf(&sb, "%s:%s", n, attr.AppendJSON(nil, it[n]))
	}
	sb.WriteString("}")
	return sb.String()
}

func num(i int) attr.Value { return attr.NumberFromInt64(int64(i)) }

// startChild runs the test named test of this binary as a child process
// with env=dir in its environment (the child writes into dir and reports
// on stdout), for tests that kill it with SIGKILL.
func startChild(t *testing.T, test, env, dir string) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, out
}
