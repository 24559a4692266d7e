package repo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo/repotest"
)

// smallChunks keeps test streams small while still spanning many chunks.
var smallChunks = ChunkParams{MinSize: 4 << 10, MaxSize: 32 << 10, AverageBits: 12}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type env struct {
	t     testing.TB
	store *repotest.MemStore
	key   *keys.RootKey
	clock *fakeClock
	repo  *Repo
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newEnv(t testing.TB, params ChunkParams) *env {
	t.Helper()
	k, err := keys.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: repotest.NewMemStore(), key: k, clock: newFakeClock()}
	e.repo = e.open(k, params)
	return e
}

func (e *env) opts(params ChunkParams) Options {
	return Options{Clock: e.clock.Now, Logger: quiet(), Chunking: params, LockPoll: 5 * time.Millisecond}
}

func (e *env) open(k keys.KeyWrapper, params ChunkParams) *Repo {
	e.t.Helper()
	r, err := Open(context.Background(), e.store, k, e.opts(params))
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { r.Close() })
	return r
}

// write stores records as kind/id and returns the manifest.
func write(t testing.TB, r *Repo, kind, id string, records [][]byte, opts ...WriterOption) *Manifest {
	t.Helper()
	w, err := r.NewWriter(context.Background(), kind, id, opts...)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, rec := range records {
		if err := w.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	m, err := w.Commit([]byte(`{"table":"t1"}`))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// readAll reads kind/id back.
func readAll(r *Repo, kind, id string) ([][]byte, error) {
	var out [][]byte
	err := r.Read(context.Background(), kind, id, func(rec []byte) error {
		out = append(out, append([]byte{}, rec...))
		return nil
	})
	return out, err
}

// jsonRecords returns n realistic ~1 KB JSON-ish items, deterministic in seed.
func jsonRecords(seed uint64, n int) [][]byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
	out := make([][]byte, n)
	for i := range out {
		out[i] = jsonRecord(rng, words, i)
	}
	return out
}

func jsonRecord(rng *rand.Rand, words []string, i int) []byte {
	b := fmt.Appendf(nil, `{"pk":{"S":"user#%08d"},"sk":{"S":"order#%016x"},"amount":{"N":"%d.%02d"},"status":{"S":"%s"},"tags":{"SS":[`,
		i, rng.Uint64(), rng.IntN(100000), rng.IntN(100), words[rng.IntN(len(words))])
	for j := range 8 {
		if j > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `"%s-%d"`, words[rng.IntN(len(words))], rng.IntN(1000))
	}
	b = append(b, `]},"note":{"S":"`...)
	for len(b) < 950 {
		b = append(b, words[rng.IntN(len(words))]...)
		b = append(b, ' ')
		if rng.IntN(4) == 0 {
			b = fmt.Appendf(b, "%x ", rng.Uint32())
		}
	}
	return append(b, `"}}`...)
}
