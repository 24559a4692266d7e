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
	if s.read(st.TableID) {
		// Restores accepted before the deletion still need the changes
		// that were not shipped yet: ship them from the last state.
		if err := s.shipFinal(ctx, st, snap); err != nil {
			s.log.Error("deleting a table with point-in-time recovery: its last changes could not be shipped for the restores in progress", "table", table, "err", err)
		}
	}
	if b, err := s.bk.CreateSystemBackup(ctx, snap); err != nil {
		s.log.Error("deleting a table with point-in-time recovery: the system backup could not be started", "table", table, "err", err)
	} else {
		s.log.Info("system backup of a deleted table started", "table", table, "backup", b.ARN)
	}
	s.forget(ctx, st)
	return out, nil
}

// shipFinal writes the changes a deleted table's log held at its last
// state (snap, from DeleteTableWithSnapshot) as a last segment.
func (s *Service) shipFinal(ctx context.Context, st tableState, snap *engine.TableSnapshot) error {
	_, hi := snap.Bounds()
	if hi <= st.Shipped {
		return nil
	}
	w, err := s.rp.NewWriter(ctx, repoKind, s.segmentID(st.TableID, st.Shipped, hi), segmentOptions...)
	if err != nil {
		return err
	}
	var buf []byte
	n := 0
	err = snap.ReadChanges(ctx, st.Shipped, hi, func(c engine.Change) error {
		buf = encodeChange(buf[:0], c)
		n++
		return w.Add(buf)
	})
	if err != nil || n == 0 {
		w.Abort()
		return err
	}
	_, err = w.Commit(nil)
	return err
}
