package server

import (
	"sync/atomic"
	"time"
)

// busyWindow is how long after a request the server counts as busy.
const busyWindow = 100 * time.Millisecond

// activity tracks when the API last served an item request, so background
// work (backups, PITR base snapshots) slows down while tables are in use.
// Control-plane calls (a client polling DescribeBackup, say) do not count.
type activity struct{ last atomic.Int64 }

func (a *activity) touch() { a.last.Store(time.Now().UnixNano()) }

func (a *activity) busy() bool {
	return time.Now().UnixNano()-a.last.Load() < int64(busyWindow)
}

// dataPlane lists the operations that count as using the tables.
var dataPlane = map[string]bool{
	"GetItem": true, "PutItem": true, "UpdateItem": true, "DeleteItem": true,
	"BatchGetItem": true, "BatchWriteItem": true, "Query": true, "Scan": true,
	"TransactGetItems": true, "TransactWriteItems": true,
}
