package main

import (
	"context"
	"time"
)

// pollInterval is how often the client commands poll the server while they
// wait for a backup or a restore (tests shorten it).
var pollInterval = 500 * time.Millisecond

// sleepCtx waits for d, or until ctx is done (returning its error).
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
