package repo

import (
	"context"
	"fmt"
)

// BreakWriterLocks removes the writer locks of snapshot kind/id, whatever
// their age, and returns how many it removed. Only a caller that knows the
// writer is dead may use it — the server that owned the writer, restarting
// after a crash — so a GC need not wait LockStale for the abandoned lock.
func (r *Repo) BreakWriterLocks(ctx context.Context, kind, id string) (int, error) {
	locks, err := r.Locks(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for key, li := range locks {
		if li.Type != "writer" || li.For != kind+"/"+id {
			continue
		}
		if err := r.store.Delete(ctx, locksPrefix+key); err != nil {
			return n, fmt.Errorf("repo: removing lock %s: %w", locksPrefix+key, err)
		}
		n++
	}
	return n, nil
}
