package clock

import (
	"context"
	"sync"
	"testing"
	"time"
)

var epoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestFakeTimerFiresOnlyWhenDue(t *testing.T) {
	f := NewFake(epoch)
	tm := f.NewTimer(10 * time.Second)
	f.Advance(9 * time.Second)
	select {
	case <-tm.C():
		t.Fatal("timer fired early")
	default:
	}
	f.Advance(time.Second)
	select {
	case got := <-tm.C():
		if !got.Equal(epoch.Add(10 * time.Second)) {
			t.Fatalf("fired with %v", got)
		}
	default:
		t.Fatal("timer did not fire")
	}
	if tm.Stop() {
		t.Fatal("Stop of a fired timer reported pending")
	}
	if f.Waiters() != 0 {
		t.Fatalf("waiters = %d", f.Waiters())
	}
}

func TestFakeStopAndReset(t *testing.T) {
	f := NewFake(epoch)
	tm := f.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of pending timer reported not pending")
	}
	f.Advance(time.Hour)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if tm.Reset(time.Minute) {
		t.Fatal("Reset of stopped timer reported pending")
	}
	f.Advance(time.Minute)
	select {
	case <-tm.C():
	default:
		t.Fatal("reset timer did not fire")
	}
}

func TestFakeFiresInDeadlineOrderAndReportsDeadline(t *testing.T) {
	f := NewFake(epoch)
	var order []int
	var seen []time.Time
	for i, d := range []time.Duration{3, 1, 2, 1} {
		f.AfterFunc(d*time.Second, func() {
			order = append(order, i)
			seen = append(seen, f.Now())
		})
	}
	f.Advance(5 * time.Second)
	want := []int{1, 3, 2, 0}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order = %v, want %v", order, want)
		}
	}
	if !seen[0].Equal(epoch.Add(time.Second)) || !seen[3].Equal(epoch.Add(3*time.Second)) {
		t.Fatalf("Now inside callbacks = %v", seen)
	}
	if !f.Now().Equal(epoch.Add(5 * time.Second)) {
		t.Fatalf("Now = %v", f.Now())
	}
}

func TestFakeTickerFiresEachPeriodAndDropsMissedTicks(t *testing.T) {
	f := NewFake(epoch)
	tk := f.NewTicker(time.Second)
	defer tk.Stop()
	for i := 1; i <= 3; i++ {
		f.Advance(time.Second)
		got := <-tk.C()
		if !got.Equal(epoch.Add(time.Duration(i) * time.Second)) {
			t.Fatalf("tick %d at %v", i, got)
		}
	}
	f.Advance(10 * time.Second) // ten ticks due, the channel holds one
	<-tk.C()
	select {
	case <-tk.C():
		t.Fatal("missed ticks were queued")
	default:
	}
	tk.Reset(time.Minute)
	f.Advance(59 * time.Second)
	select {
	case <-tk.C():
		t.Fatal("reset ticker fired early")
	default:
	}
	f.Advance(time.Second)
	<-tk.C()
}

// A background loop driven by a fake ticker: the test waits for the loop to
// arm its ticker instead of sleeping, then moves time.
func TestFakeDrivesBackgroundLoop(t *testing.T) {
	f := NewFake(epoch)
	ticks := make(chan time.Time)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk := f.NewTicker(time.Minute)
		defer tk.Stop()
		for {
			select {
			case now := <-tk.C():
				ticks <- now
			case <-ctx.Done():
				return
			}
		}
	}()
	waitCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	if err := f.BlockUntilWaiters(waitCtx, 1); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		f.Advance(time.Minute)
		if got := <-ticks; !got.Equal(epoch.Add(time.Duration(i) * time.Minute)) {
			t.Fatalf("tick %d at %v", i, got)
		}
	}
	cancel()
	wg.Wait()
}

func TestBlockUntilWaitersHonoursContext(t *testing.T) {
	f := NewFake(epoch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.BlockUntilWaiters(ctx, 1); err == nil {
		t.Fatal("expected context error")
	}
}

func TestRealClock(t *testing.T) {
	c := OrReal(nil)
	start := c.Now()
	<-c.After(time.Millisecond)
	if c.Since(start) < time.Millisecond {
		t.Fatal("After returned early")
	}
	done := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
	tk := c.NewTicker(time.Millisecond)
	<-tk.C()
	tk.Stop()
	tm := c.NewTimer(time.Hour)
	if !tm.Stop() {
		t.Fatal("Stop of a pending real timer reported not pending")
	}
}
