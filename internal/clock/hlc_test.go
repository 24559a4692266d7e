package clock

import (
	"sync"
	"testing"
	"time"
)

func TestHLCFollowsWallClock(t *testing.T) {
	f := NewFake(epoch)
	h := NewHLC(f)
	ts := h.Now()
	if !ts.Time().Equal(epoch) || ts.Logical() != 0 {
		t.Fatalf("first timestamp %v", ts)
	}
	if next := h.Now(); next != ts+1 || next.Logical() != 1 {
		t.Fatalf("same µs: %v after %v", next, ts)
	}
	f.Advance(time.Millisecond)
	if got := h.Now(); !got.Time().Equal(epoch.Add(time.Millisecond)) || got.Logical() != 0 {
		t.Fatalf("after advance: %v", got)
	}
}

func TestHLCMonotonicWhenWallClockStepsBack(t *testing.T) {
	f := NewFake(epoch)
	h := NewHLC(f)
	a := h.Now()
	f.Set(epoch.Add(-time.Hour))
	b := h.Now()
	if b <= a {
		t.Fatalf("went backwards: %v then %v", a, b)
	}
	// Logical overflow borrows from the next microsecond; order still holds.
	prev := b
	for range 5000 {
		next := h.Now()
		if next <= prev {
			t.Fatalf("not increasing: %v then %v", prev, next)
		}
		prev = next
	}
}

func TestHLCObserve(t *testing.T) {
	f := NewFake(epoch)
	h := NewHLC(f)
	future := TimestampAt(epoch.Add(time.Hour)) + 7
	h.Observe(future)
	h.Observe(future - 100) // lower: ignored
	if h.Last() != future {
		t.Fatalf("Last = %v", h.Last())
	}
	if got := h.Now(); got != future+1 {
		t.Fatalf("Now after Observe = %v, want %v", got, future+1)
	}
}

func TestHLCConcurrentUnique(t *testing.T) {
	h := NewHLC(nil)
	const workers, per = 8, 2000
	out := make([][]Timestamp, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				out[w] = append(out[w], h.Now())
			}
		}()
	}
	wg.Wait()
	seen := make(map[Timestamp]bool, workers*per)
	for _, s := range out {
		for i, ts := range s {
			if i > 0 && ts <= s[i-1] {
				t.Fatal("per-goroutine order violated")
			}
			if seen[ts] {
				t.Fatalf("duplicate timestamp %v", ts)
			}
			seen[ts] = true
		}
	}
}

func TestTimestampString(t *testing.T) {
	ts := TimestampAt(epoch) + 3
	if got, want := ts.String(), "2026-01-02T03:04:05.000000Z+3"; got != want {
		t.Fatalf("String = %q, want %q", got, want)
	}
}
