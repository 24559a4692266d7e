package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Fake is a manually driven Clock for tests. Time stands still until Set or
// Advance moves it; timers and tickers that fall due are then fired in
// deadline order (ties in creation order), with Now reporting each one's
// deadline while it fires. AfterFunc callbacks run synchronously inside
// Advance/Set, after the clock's lock is released, so they may use the clock.
//
// A background goroutine that waits on a timer must have created that timer
// before the test advances past its deadline; BlockUntilWaiters lets a test
// wait for that without sleeping.
type Fake struct {
	mu      sync.Mutex
	cond    *sync.Cond // broadcast when the set of waiters changes
	now     time.Time
	seq     uint64
	waiters []*fakeWaiter
}

var _ Clock = (*Fake)(nil)

// fakeWaiter is one pending timer, ticker or AfterFunc.
type fakeWaiter struct {
	clock    *Fake
	deadline time.Time
	seq      uint64        // creation order, to break deadline ties
	period   time.Duration // > 0 for tickers
	ch       chan time.Time
	fn       func()
	active   bool
}

// NewFake returns a fake clock reading start.
func NewFake(start time.Time) *Fake {
	f := &Fake{now: start}
	f.cond = sync.NewCond(&f.mu)
	return f
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Since returns Now().Sub(t).
func (f *Fake) Since(t time.Time) time.Duration { return f.Now().Sub(t) }

// After returns the channel of a new timer.
func (f *Fake) After(d time.Duration) <-chan time.Time { return f.NewTimer(d).C() }

// NewTimer returns a timer firing once the fake time reaches Now()+d.
func (f *Fake) NewTimer(d time.Duration) Timer {
	w := &fakeWaiter{clock: f, ch: make(chan time.Time, 1)}
	f.schedule(w, d)
	return (*fakeTimer)(w)
}

// NewTicker returns a ticker firing every d of fake time.
func (f *Fake) NewTicker(d time.Duration) Ticker {
	if d <= 0 {
		panic("clock: non-positive interval for NewTicker")
	}
	w := &fakeWaiter{clock: f, ch: make(chan time.Time, 1), period: d}
	f.schedule(w, d)
	return (*fakeTicker)(w)
}

// AfterFunc calls f synchronously from the Advance or Set that reaches Now()+d.
func (f *Fake) AfterFunc(d time.Duration, fn func()) Timer {
	w := &fakeWaiter{clock: f, fn: fn}
	f.schedule(w, d)
	return (*fakeTimer)(w)
}

// Advance moves the clock forward by d, firing everything that falls due.
func (f *Fake) Advance(d time.Duration) {
	f.Set(f.Now().Add(d))
}

// Set moves the clock to t, firing everything due at or before t. Moving
// backwards is allowed and fires nothing.
func (f *Fake) Set(t time.Time) {
	for {
		f.mu.Lock()
		w := f.nextDue(t)
		if w == nil {
			f.now = t
			f.mu.Unlock()
			return
		}
		if w.deadline.After(f.now) {
			f.now = w.deadline
		}
		fireAt := f.now
		if w.period > 0 {
			w.deadline = w.deadline.Add(w.period)
			f.seq++
			w.seq = f.seq
		} else {
			f.remove(w)
		}
		f.mu.Unlock()
		w.fire(fireAt)
	}
}

// Waiters returns how many timers, tickers and AfterFuncs are pending.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}

// BlockUntilWaiters waits until at least n timers, tickers or AfterFuncs are
// pending, or ctx is done (returning its error).
func (f *Fake) BlockUntilWaiters(ctx context.Context, n int) error {
	stop := context.AfterFunc(ctx, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.cond.Broadcast()
	})
	defer stop()
	f.mu.Lock()
	defer f.mu.Unlock()
	for len(f.waiters) < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		f.cond.Wait()
	}
	return nil
}

// schedule arms w to fire after d (relative to now).
func (f *Fake) schedule(w *fakeWaiter, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.arm(w, d)
}

// arm (re)inserts w with deadline now+d. Callers hold f.mu.
func (f *Fake) arm(w *fakeWaiter, d time.Duration) {
	w.deadline = f.now.Add(d)
	f.seq++
	w.seq = f.seq
	if !w.active {
		w.active = true
		f.waiters = append(f.waiters, w)
		f.cond.Broadcast()
	}
}

// remove disarms w, reporting whether it was pending. Callers hold f.mu.
func (f *Fake) remove(w *fakeWaiter) bool {
	if !w.active {
		return false
	}
	w.active = false
	for i, x := range f.waiters {
		if x == w {
			f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
			break
		}
	}
	f.cond.Broadcast()
	return true
}

// nextDue returns the earliest waiter due at or before t. Callers hold f.mu.
func (f *Fake) nextDue(t time.Time) *fakeWaiter {
	sort.Slice(f.waiters, func(i, j int) bool {
		a, b := f.waiters[i], f.waiters[j]
		if !a.deadline.Equal(b.deadline) {
			return a.deadline.Before(b.deadline)
		}
		return a.seq < b.seq
	})
	if len(f.waiters) == 0 || f.waiters[0].deadline.After(t) {
		return nil
	}
	return f.waiters[0]
}

// fire delivers one expiry: a callback runs inline; a channel send is
// dropped if the previous tick has not been received (like time.Ticker).
func (w *fakeWaiter) fire(t time.Time) {
	if w.fn != nil {
		w.fn()
		return
	}
	select {
	case w.ch <- t:
	default:
	}
}

// fakeTimer is the Timer view of a waiter.
type fakeTimer fakeWaiter

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.remove((*fakeWaiter)(t))
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	was := t.active
	f.arm((*fakeWaiter)(t), d)
	return was
}

// fakeTicker is the Ticker view of a waiter.
type fakeTicker fakeWaiter

func (t *fakeTicker) C() <-chan time.Time { return t.ch }

func (t *fakeTicker) Stop() {
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	f.remove((*fakeWaiter)(t))
}

func (t *fakeTicker) Reset(d time.Duration) {
	if d <= 0 {
		panic("clock: non-positive interval for Ticker.Reset")
	}
	f := t.clock
	f.mu.Lock()
	defer f.mu.Unlock()
	t.period = d
	f.arm((*fakeWaiter)(t), d)
}
