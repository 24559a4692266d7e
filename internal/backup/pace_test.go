package backup

import (
	"context"
	"errors"
	"testing"
)

// TestPaced: an idle server never slows a stream; a busy one makes it wait
// (here: practically forever at 1 byte/s), and cancelling the context ends
// the wait with the context's error.
func TestPaced(t *testing.T) {
	rec := make([]byte, paceStep)
	var got int
	sink := func(b []byte) error { got += len(b); return nil }

	idle := &Service{cfg: Config{Busy: func() bool { return false }, BusyRate: 1}}
	fn := idle.Paced(bg, sink)
	for range 4 {
		if err := fn(rec); err != nil {
			t.Fatal(err)
		}
	}
	if got != 4*paceStep {
		t.Fatalf("idle: %d bytes passed, want %d", got, 4*paceStep)
	}

	busy := &Service{cfg: Config{Busy: func() bool { return true }, BusyRate: 1}}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- busy.Paced(ctx, sink)(rec) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("busy stream after cancel: %v, want context.Canceled", err)
	}

	unpaced := &Service{cfg: Config{Busy: func() bool { return true }, BusyRate: -1}}
	if err := unpaced.Paced(bg, sink)(rec); err != nil {
		t.Fatal(err)
	}
}
