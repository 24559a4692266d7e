package procstat

import (
	"sync"
	"sync/atomic"
	"time"
)

// RSSSampler samples a process's resident set size from /proc/PID/status
// (VmRSS) every 100 ms once started, and keeps the peak since the start or
// the last Mark, and the kernel's lifetime peak (VmHWM). With pid <= 0 it
// does nothing and reports zeros.
type RSSSampler struct {
	pid   int
	last  atomic.Uint64
	peak  atomic.Uint64 // since the start or the last Mark
	hwm   atomic.Uint64
	stopC chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
}

// NewRSSSampler returns a sampler of pid; Start starts it.
func NewRSSSampler(pid int) *RSSSampler {
	return &RSSSampler{pid: pid, stopC: make(chan struct{})}
}

// PID returns the process sampled.
func (s *RSSSampler) PID() int { return s.pid }

// Start takes a first sample and then one every 100 ms until Stop.
func (s *RSSSampler) Start() {
	if s.pid <= 0 {
		return
	}
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.stopC:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
}

// Stop stops the sampling and waits for it to end; it may be called more
// than once.
func (s *RSSSampler) Stop() {
	s.once.Do(func() { close(s.stopC) })
	s.wg.Wait()
}

func (s *RSSSampler) sample() {
	rss, hwm, err := readStatus(s.pid)
	if err != nil {
		return
	}
	s.last.Store(rss)
	for {
		p := s.peak.Load()
		if rss <= p || s.peak.CompareAndSwap(p, rss) {
			break
		}
	}
	if hwm > 0 {
		s.hwm.Store(hwm)
	}
}

// Current returns the last RSS sampled, in bytes.
func (s *RSSSampler) Current() uint64 { return s.last.Load() }

// Mark starts a new peak window at the last RSS sampled.
func (s *RSSSampler) Mark() { s.peak.Store(s.last.Load()) }

// Peak samples once more and returns the peak RSS since the start or the
// last Mark, in bytes.
func (s *RSSSampler) Peak() uint64 { s.sample(); return s.peak.Load() }

// HWM returns the process's lifetime peak RSS (VmHWM) as last sampled, in
// bytes. The kernel updates it lazily: it may trail the sampled peak.
func (s *RSSSampler) HWM() uint64 { return s.hwm.Load() }
