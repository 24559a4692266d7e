package server

import (
	"sync/atomic"
	"time"
)

// busyWindow is how long after a request the server counts as busy.
const busyWindow = 100 * time.Millisecond

// activity tracks when the API last served a request, so background work
// (backups, PITR base snapshots) slows down while the table is in use.
type activity struct{ last atomic.Int64 }

func (a *activity) touch() { a.last.Store(time.Now().UnixNano()) }

func (a *activity) busy() bool {
	return time.Now().UnixNano()-a.last.Load() < int64(busyWindow)
}
