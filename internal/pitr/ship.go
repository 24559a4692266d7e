package pitr

import (
	"context"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
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
	w, err := s.rp.NewWriter(ctx, repoKind, s.segmentID(st.TableID, st.Shipped, upTo), segmentOptions...)
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

// maybeBase starts a new base snapshot when the log shipped since the last
// one is as large as the table (then replaying it would cost a restore as
// much as reading a new base; BaseLogBytes is the floor), or the last one
// is older than BaseInterval. Bases are full scans, so under a heavy write
// load they must stay rare: tying them to the table's size keeps their
// cost a fixed fraction of the write volume.
func (s *Service) maybeBase(ctx context.Context, st *tableState) {
	if st.LastBase == 0 {
		return // the first base is being written (or retaken at start)
	}
	age := s.clk.Now().Sub(st.LastBase.Time())
	if st.LogBytes < s.cfg.BaseLogBytes && age < s.cfg.BaseInterval {
		return
	}
	if age < s.cfg.BaseInterval {
		t, err := s.eng.Table(ctx, st.Name)
		if err != nil {
			return
		}
		stats, err := s.eng.Stats(ctx, t)
		if err != nil || st.LogBytes < stats.SizeBytes {
			return
		}
	}
	snap, err := s.eng.SnapshotTable(s.bg, st.Name)
	if err != nil {
		s.log.Error("point-in-time recovery: cannot pin a base snapshot", "table", st.Name, "err", err)
		return
	}
	s.startBase(st.TableID, st.From, snap)
}

// baseRun is a base snapshot being written for one enable of a table
// (identified by its capture boundary).
type baseRun struct {
	from   clock.Timestamp
	cancel context.CancelFunc
	done   chan struct{}
}

// startBase writes snap as a base of the table's current enable (from) in
// the background, owning snap. One base per table is written at a time; a
// run left from an earlier enable is cancelled.
func (s *Service) startBase(tableID string, from clock.Timestamp, snap *engine.TableSnapshot) {
	s.mu.Lock()
	if r := s.bases[tableID]; r != nil {
		if r.from == from {
			s.mu.Unlock()
			snap.Close()
			return
		}
		r.cancel()
	}
	ctx, cancel := context.WithCancel(s.bg)
	run := &baseRun{from: from, cancel: cancel, done: make(chan struct{})}
	s.bases[tableID] = run
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(run.done)
		defer cancel()
		defer snap.Close()
		start := time.Now()
		err := s.writeBase(ctx, tableID, from, snap)
		s.mu.Lock()
		if s.bases[tableID] == run {
			delete(s.bases, tableID)
		}
		s.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("point-in-time recovery: base snapshot failed", "table", snap.Table().Name, "err", err)
			}
			return
		}
		s.log.Info("point-in-time recovery: base snapshot written", "table", snap.Table().Name,
			"items", snap.Stats().ItemCount, "duration", time.Since(start).Round(time.Millisecond))
	}()
}

// stopBase cancels the base being written for the enable `from` of a
// table and waits for it to end (forget calls it before deleting the
// history, so a late base cannot outlive it).
func (s *Service) stopBase(tableID string, from clock.Timestamp) {
	s.mu.Lock()
	r := s.bases[tableID]
	s.mu.Unlock()
	if r == nil || r.from != from {
		return
	}
	r.cancel()
	<-r.done
}

// baseMeta is a base snapshot's manifest metadata.
type baseMeta struct {
	Table []byte `json:"table"` // engine.MarshalTable of the record at the snapshot
}

func (s *Service) writeBase(ctx context.Context, tableID string, from clock.Timestamp, snap *engine.TableSnapshot) error {
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
	if st, on := s.state(tableID); !on || st.From != from {
		w.Abort() // disabled (or re-enabled) meanwhile
		return context.Canceled
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
