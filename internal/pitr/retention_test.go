package pitr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
	"github.com/ebbtide/ebbtide/internal/repo/repotest"
)

var bg = context.Background()

// compactSegments is the compaction run length of the tests' services:
// small, so compaction happens within a test.
const compactSegments = 5

// env is an engine, repository, backup and PITR service on a fake clock.
type env struct {
	clk   *clock.Fake
	eng   *engine.Engine
	store *repotest.MemStore
	bk    *backup.Service
	svc   *Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	rk, err := keys.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, newFakeClock(), newStore(), rk)
}

func newFakeClock() *clock.Fake    { return clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) }
func newStore() *repotest.MemStore { return repotest.NewMemStore() }

// newEnvOn opens a fresh engine (empty data directory) on an existing
// repository store.
func newEnvOn(t *testing.T, clk *clock.Fake, store *repotest.MemStore, rk *keys.RootKey) *env {
	t.Helper()
	e := &env{clk: clk, store: store}
	log := slog.New(slog.DiscardHandler)
	var err error
	e.eng, err = engine.Open(engine.Options{Dir: t.TempDir(), Region: "us-east-1", AccountID: "000000000000",
		Clock: e.clk, Logger: log, TTLInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	rp, err := repo.Open(bg, e.store, rk, repo.Options{Clock: e.clk.Now, Logger: log,
		Chunking: repo.ChunkParams{MinSize: 4 << 10, MaxSize: 32 << 10, AverageBits: 12}})
	if err != nil {
		t.Fatal(err)
	}
	e.bk, err = backup.Open(bg, backup.Config{Engine: e.eng, Repo: rp, Region: "us-east-1", AccountID: "000000000000", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	// A ship interval the test never reaches: it drives passes with RunOnce.
	e.svc, err = Open(bg, Config{Engine: e.eng, Repo: rp, Backups: e.bk, Clock: e.clk, Region: "us-east-1",
		AccountID: "000000000000", Logger: log, ShipInterval: 1000 * day, CompactSegments: compactSegments})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		e.svc.Close(bg)
		e.bk.Close(bg)
		rp.Close()
		e.eng.Close()
	})
	return e
}

func (e *env) createTable(t *testing.T, name string) {
	t.Helper()
	_, err := e.eng.CreateTable(bg, engine.TableSpec{Name: name, BillingMode: "PAY_PER_REQUEST",
		KeySchema:            engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}},
		AttributeDefinitions: []engine.AttributeDefinition{{Name: "pk", Type: attr.KindS}}})
	if err != nil {
		t.Fatal(err)
	}
}

// put writes pk = v (v "" deletes) and records it in model.
func (e *env) put(t *testing.T, table, pk, v string, model map[string]string) {
	t.Helper()
	key := attr.Item{"pk": attr.S(pk)}
	_, err := e.eng.Mutate(bg, table, key, func(attr.Item) (attr.Item, error) {
		if v == "" {
			return nil, nil
		}
		return attr.Item{"pk": attr.S(pk), "v": attr.S(v)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v == "" {
		delete(model, pk)
	} else {
		model[pk] = v
	}
}

// settle runs a pass and waits for base snapshots in progress.
func (e *env) settle(t *testing.T) {
	t.Helper()
	e.svc.RunOnce(bg)
	deadline := time.Now().Add(time.Minute)
	for {
		e.svc.mu.Lock()
		n := len(e.svc.bases)
		e.svc.mu.Unlock()
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("base snapshot still running after a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// restore restores table at `at` into target and returns its items.
func (e *env) restore(t *testing.T, table string, at time.Time, target string) map[string]string {
	t.Helper()
	src, err := e.svc.Source(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	spec := engine.TableSpec{Name: target, KeySchema: src.KeySchema, AttributeDefinitions: src.AttributeDefinitions, BillingMode: src.BillingMode}
	if _, err := e.svc.Restore(bg, table, at, false, spec); err != nil {
		t.Fatalf("Restore(%s at %s): %v", table, at, err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		tb, err := e.eng.Table(bg, target)
		if err != nil {
			t.Fatalf("restore target %s: %v", target, err)
		}
		if tb.Status == engine.StatusActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("restore of %s not ACTIVE after a minute", target)
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := map[string]string{}
	err = e.eng.Scan(bg, target, engine.ScanSpec{}, func(it attr.Item) (bool, error) {
		got[it["pk"].Str] = it["v"].Str
		return true, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRetentionAcross40Days moves the clock across 40 days of daily
// writes with PITR on (35-day window): the window follows the clock, the
// history outside it is deleted (storage stays bounded), and restores to
// the earliest instant, to instants inside the window and to the latest
// give the exact state of the moment.
func TestRetentionAcross40Days(t *testing.T) {
	e := newEnv(t)
	e.createTable(t, "events")
	model := map[string]string{}
	e.put(t, "events", "seed", "0", model)
	enabledAt := e.clk.Now()
	st, err := e.svc.Update(bg, "events", true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Enabled || st.RecoveryPeriodDays != 35 || st.Earliest.Before(enabledAt.Truncate(time.Millisecond)) || st.Latest.Before(st.Earliest) {
		t.Fatalf("status after enabling: %+v", st)
	}
	e.settle(t)

	type point struct {
		at    time.Time
		state map[string]string
	}
	var history []point
	const days = 40
	for d := 1; d <= days; d++ {
		// Each day: 12 writes two hours apart (some overwrite, some delete).
		for h := range 12 {
			e.clk.Advance(2 * time.Hour)
			pk := fmt.Sprintf("k%02d", (d*7+h)%30)
			v := fmt.Sprintf("d%d-h%d", d, h)
			if h%5 == 4 {
				v = ""
			}
			e.put(t, "events", pk, v, model)
			history = append(history, point{at: e.clk.Now(), state: maps.Clone(model)})
			e.clk.Advance(time.Millisecond)
			e.settle(t)
		}
		st, err := e.svc.Describe(bg, "events")
		if err != nil {
			t.Fatal(err)
		}
		now := e.clk.Now()
		wantEarliest := ceilMilli(maxTime(enabledAt, now.Add(-35*day)))
		if st.Earliest.Before(wantEarliest) || st.Earliest.After(wantEarliest.Add(time.Second)) {
			t.Fatalf("day %d: EarliestRestorable %s, want ≈ %s", d, st.Earliest, wantEarliest)
		}
		if now.Sub(st.Latest) > time.Second {
			t.Fatalf("day %d: LatestRestorable %s lags now %s", d, st.Latest, now)
		}
	}

	// Storage: nothing older than the base the window's start needs.
	bases, segs, err := e.svc.objects(bg, e.svc.mustState(t, "events").TableID)
	if err != nil {
		t.Fatal(err)
	}
	start := clock.TimestampAt(e.clk.Now().Add(-35 * day))
	if len(bases) == 0 || bases[0].hi > start {
		t.Fatalf("oldest base %v must be at or before the window's start %v", bases[0].hi.Time(), start.Time())
	}
	if len(bases) > 1 && bases[1].hi <= start {
		t.Fatalf("two bases before the window's start: %v, %v", bases[0].hi.Time(), bases[1].hi.Time())
	}
	for _, s := range segs {
		if s.hi <= bases[0].lo {
			t.Fatalf("segment %s ends before the oldest base kept", s.id)
		}
	}
	if len(bases) > 38 {
		t.Fatalf("%d bases kept for a 35-day window of daily bases", len(bases))
	}
	t.Logf("after %d days: %d bases, %d segments, %d objects in the store", days, len(bases), len(segs), len(e.store.Keys("")))

	st, _ = e.svc.Describe(bg, "events")
	n := 0
	check := func(at time.Time, want map[string]string) {
		t.Helper()
		n++
		got := e.restore(t, "events", at, fmt.Sprintf("r%03d", n))
		if !maps.Equal(got, want) {
			t.Fatalf("restore to %s: %d items %v, want %d items %v", at, len(got), got, len(want), want)
		}
	}
	stateAt := func(at time.Time) map[string]string {
		var s map[string]string
		for _, p := range history {
			if !p.at.After(at) {
				s = p.state
			}
		}
		return s
	}
	check(st.Earliest, stateAt(st.Earliest))
	for _, back := range []time.Duration{30 * day, 10*day + 3*time.Hour, 36 * time.Hour, 2 * time.Hour} {
		at := e.clk.Now().Add(-back).Truncate(time.Millisecond)
		check(at, stateAt(at))
	}
	check(st.Latest, model)

	// Outside the window.
	_, err = e.svc.Restore(bg, "events", st.Earliest.Add(-time.Millisecond), false, engine.TableSpec{Name: "too-early"})
	var ite *InvalidTimeError
	if !errors.As(err, &ite) || !ite.Earliest.Equal(st.Earliest) {
		t.Fatalf("restore before the window: %v", err)
	}

	// Disable drops the history; re-enable starts a new window.
	if _, err := e.svc.Update(bg, "events", false, nil); err != nil {
		t.Fatal(err)
	}
	e.svc.Close(bg) // waits for the background deletion
	if keys := e.store.Keys("manifests/pitr/"); len(keys) != 0 {
		t.Fatalf("%d PITR objects left after disabling", len(keys))
	}
}

func (s *Service) mustState(t testing.TB, table string) tableState {
	t.Helper()
	tb, err := s.eng.Table(bg, table)
	if err != nil {
		t.Fatal(err)
	}
	st, ok := s.state(tb.ID)
	if !ok {
		t.Fatalf("no PITR state for %s", table)
	}
	return st
}
