package pitr

import (
	"context"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// ship seals the table's captured changes up to the resolved timestamp
// into one segment, then trims them from the local log. Nothing is written
// when there is nothing to ship.
func (s *Service) ship(ctx context.Context, st *tableState) error {
	upTo := s.eng.ResolvedTimestamp()
	if upTo <= st.Shipped {
		return nil
	}
	has, err := s.eng.HasChanges(ctx, st.Name, st.Shipped)
	if err != nil || !has {
		return err
	}
	w, err := s.rp.NewWriter(ctx, repoKind, s.segmentID(st.TableID, st.Shipped, upTo))
	if err != nil {
		return err
	}
	var n, size int64
	var buf []byte
	err = s.eng.ReadChanges(ctx, st.Name, st.Shipped, upTo, func(c engine.Change) error {
		buf = encodeChange(buf[:0], c)
		n++
		size += int64(len(buf))
		return w.Add(buf)
	})
	if err != nil || n == 0 {
		w.Abort()
		return err
	}
	if _, err := w.Commit(nil); err != nil {
		return fmt.Errorf("pitr: shipping %s: %w", st.Name, err)
	}
	// The segment is durable: advance the mark, then trim. A crash in
	// between is repaired at start (reconcile reads the marks from the
	// repository).
	st.Shipped = upTo
	st.LogBytes += size
	if err := s.update(ctx, st.TableID, func(cur *tableState) {
		cur.Shipped = upTo
		cur.LogBytes += size
	}); err != nil {
		return err
	}
	return s.eng.TrimChanges(ctx, st.Name, upTo)
}

// maybeBase starts a new base snapshot when enough log has been shipped
// since the last one, or it is old.
func (s *Service) maybeBase(st *tableState) {
	if st.LastBase == 0 {
		return // the first base is being written (or retaken at start)
	}
	age := s.clk.Now().Sub(st.LastBase.Time())
	if st.LogBytes < s.cfg.BaseLogBytes && age < s.cfg.BaseInterval {
		return
	}
	snap, err := s.eng.SnapshotTable(s.bg, st.Name)
	if err != nil {
		s.log.Error("point-in-time recovery: cannot pin a base snapshot", "table", st.Name, "err", err)
		return
	}
	s.startBase(st.TableID, snap)
}

// startBase writes snap as a base in the background (owning it). Only one
// base per table is written at a time.
func (s *Service) startBase(tableID string, snap *engine.TableSnapshot) {
	s.mu.Lock()
	if s.bases[tableID] {
		s.mu.Unlock()
		snap.Close()
		return
	}
	s.bases[tableID] = true
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer snap.Close()
		start := time.Now()
		err := s.writeBase(s.bg, tableID, snap)
		s.mu.Lock()
		delete(s.bases, tableID)
		s.mu.Unlock()
		if err != nil {
			if s.bg.Err() == nil {
				s.log.Error("point-in-time recovery: base snapshot failed", "table", snap.Table().Name, "err", err)
			}
			return
		}
		s.log.Info("point-in-time recovery: base snapshot written", "table", snap.Table().Name,
			"items", snap.Stats().ItemCount, "duration", time.Since(start).Round(time.Millisecond))
	}()
}

// baseMeta is a base snapshot's manifest metadata.
type baseMeta struct {
	Table []byte `json:"table"` // engine.MarshalTable of the record at the snapshot
}

func (s *Service) writeBase(ctx context.Context, tableID string, snap *engine.TableSnapshot) error {
	lo, hi := snap.Bounds()
	tb, err := engine.MarshalTable(snap.Table())
	if err != nil {
		return err
	}
	meta, err := jsonMarshal(baseMeta{Table: tb})
	if err != nil {
		return err
	}
	w, err := s.rp.NewWriter(ctx, repoKind, s.baseID(tableID, lo, hi))
	if err != nil {
		return err
	}
	if err := snap.Items(ctx, s.bk.Paced(ctx, w.Add)); err != nil {
		w.Abort()
		return err
	}
	if _, err := w.Commit(meta); err != nil {
		return err
	}
	return s.update(context.WithoutCancel(ctx), tableID, func(st *tableState) {
		st.LastBase, st.LogBytes = hi, 0
		if st.FirstBase == 0 {
			st.FirstBase = hi
		}
	})
}
