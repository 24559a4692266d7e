package pitr

import (
	"context"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// DeleteTable deletes a table. With PITR on, the table's last state —
// pinned in the same critical section as the deletion, so no write falls
// between — becomes the SYSTEM backup "<table>$DeletedTableBackup"
// (kept 35 days), and the table's PITR history is dropped.
func (s *Service) DeleteTable(ctx context.Context, table string) (*engine.Table, error) {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	t, err := s.eng.Table(ctx, table)
	if err != nil {
		return nil, err
	}
	st, on := s.state(t.ID)
	if !on {
		return s.eng.DeleteTable(ctx, table)
	}
	out, snap, err := s.eng.DeleteTableWithSnapshot(ctx, table)
	if err != nil {
		return nil, err
	}
	if b, err := s.bk.CreateSystemBackup(ctx, snap); err != nil {
		s.log.Error("deleting a table with point-in-time recovery: the system backup could not be started", "table", table, "err", err)
	} else {
		s.log.Info("system backup of a deleted table started", "table", table, "backup", b.ARN)
	}
	s.forget(ctx, st)
	return out, nil
}
