package backup

import (
	"context"
	"time"
)

// DefaultBusyRate is how fast a backup streams while the server is serving
// requests (bytes of items per second): low enough that a backup costs the
// live table little CPU (compression dominates a backup's cost, ~165 MB/s
// per core), high enough that a 1 GB table is backed up in about two
// minutes under load. An idle server backs up at full speed.
const DefaultBusyRate = 8 << 20

// paceStep is how many bytes pass between two checks of the server's load.
const paceStep = 256 << 10

// Paced wraps fn, the consumer of a background stream of records (a backup
// or a PITR base snapshot), so that while the server is busy with requests
// the stream runs at no more than the busy rate, and at full speed when it
// is idle. It is a no-op without a Busy signal.
func (s *Service) Paced(ctx context.Context, fn func([]byte) error) func([]byte) error {
	busy, rate := s.cfg.Busy, s.cfg.BusyRate
	if busy == nil || rate <= 0 {
		return fn
	}
	acc := 0
	return func(rec []byte) error {
		if err := fn(rec); err != nil {
			return err
		}
		acc += len(rec)
		if acc < paceStep {
			return nil
		}
		d := time.Duration(float64(acc) / float64(rate) * float64(time.Second))
		acc = 0
		if !busy() {
			return nil
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
}
