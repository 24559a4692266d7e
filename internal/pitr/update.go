package pitr

import (
	"context"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// table returns a live, ACTIVE (or UPDATING) table's record.
func (s *Service) table(ctx context.Context, name string) (*engine.Table, error) {
	t, err := s.eng.Table(ctx, name)
	if err != nil {
		return nil, err
	}
	if t.Status == engine.StatusCreating {
		return nil, fmt.Errorf("%w: %s", engine.ErrTableNotReady, name)
	}
	return t, nil
}

// Update enables or disables PITR on a table. periodDays nil keeps the
// current period of an enabled table, or takes the default. Enabling pins
// the first base snapshot at once (it is written in the background) and
// captures every later write; the window starts at that base. Disabling
// drops the local log and, in the background, the history in the
// repository.
func (s *Service) Update(ctx context.Context, table string, enabled bool, periodDays *int) (*Status, error) {
	s.opMu.Lock()
	defer s.opMu.Unlock()
	t, err := s.table(ctx, table)
	if err != nil {
		return nil, err
	}
	st, on := s.state(t.ID)
	switch {
	case enabled && on:
		if periodDays != nil && *periodDays != st.PeriodDays {
			if err := s.update(ctx, t.ID, func(cur *tableState) { cur.PeriodDays = *periodDays }); err != nil {
				return nil, err
			}
		}
	case enabled:
		if err := s.enable(ctx, t, periodDays); err != nil {
			return nil, err
		}
	case on:
		if err := s.disable(ctx, st); err != nil {
			return nil, err
		}
	}
	return s.Describe(ctx, table)
}

func (s *Service) enable(ctx context.Context, t *engine.Table, periodDays *int) error {
	_, from, err := s.eng.SetChangeCapture(ctx, t.Name, true)
	if err != nil {
		return err
	}
	snap, err := s.eng.SnapshotTable(ctx, t.Name)
	if err != nil {
		return err
	}
	_, hi := snap.Bounds()
	st := &tableState{TableID: t.ID, Name: t.Name, ARN: t.ARN, PeriodDays: DefaultRecoveryPeriodDays,
		From: from, Shipped: from, FirstBase: hi, LastBase: hi}
	if periodDays != nil {
		st.PeriodDays = *periodDays
	}
	if err := s.saveState(ctx, st); err != nil {
		snap.Close()
		return err
	}
	s.mu.Lock()
	s.tables[t.ID] = st
	s.mu.Unlock()
	s.log.Info("point-in-time recovery enabled", "table", t.Name, "recovery_period_days", st.PeriodDays)
	s.startBase(t.ID, from, snap)
	return nil
}

func (s *Service) disable(ctx context.Context, st tableState) error {
	if _, _, err := s.eng.SetChangeCapture(ctx, st.Name, false); err != nil {
		return err
	}
	s.forget(ctx, st)
	s.log.Info("point-in-time recovery disabled; its history is being deleted", "table", st.Name)
	return nil
}

// forget drops a table's PITR state and, in the background, its history.
func (s *Service) forget(ctx context.Context, st tableState) {
	s.mu.Lock()
	delete(s.tables, st.TableID)
	s.mu.Unlock()
	if err := s.eng.DeleteMeta(ctx, statePrefix+st.TableID); err != nil {
		s.log.Error("point-in-time recovery: cannot delete a table's state", "table", st.Name, "err", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		// A base still being written for this enable must not commit after
		// the listing below; restores accepted before now still read the
		// history.
		s.stopBase(st.TableID, st.From)
		for s.read(st.TableID) {
			select {
			case <-s.bg.Done():
				return // left for the next disable, or as orphans
			case <-time.After(50 * time.Millisecond):
			}
		}
		bases, segs, err := s.objects(s.bg, st.TableID)
		if err == nil {
			err = s.deleteObjects(s.bg, append(bases, segs...))
		}
		if err != nil && s.bg.Err() == nil {
			s.log.Error("point-in-time recovery: deleting a table's history failed (retried at the next disable or by repo gc of orphans)", "table", st.Name, "err", err)
		}
	}()
}

// Describe returns the table's PITR state and window.
func (s *Service) Describe(ctx context.Context, table string) (*Status, error) {
	t, err := s.table(ctx, table)
	if err != nil {
		return nil, err
	}
	st, on := s.state(t.ID)
	if !on {
		return &Status{}, nil
	}
	earliest, latest, err := s.window(ctx, st)
	if err != nil {
		return nil, err
	}
	return &Status{Enabled: true, RecoveryPeriodDays: st.PeriodDays, Earliest: earliest, Latest: latest}, nil
}

// window returns the restorable window [earliest, latest] at millisecond
// precision: earliest is the later of the oldest base and now minus the
// period; latest is the shipped mark, or the resolved timestamp when
// nothing captured is waiting to be shipped (then the table has not
// changed since the mark).
func (s *Service) window(ctx context.Context, st tableState) (earliest, latest time.Time, err error) {
	now := s.clk.Now()
	mark := st.Shipped
	if r := s.eng.ResolvedTimestamp(); r > mark {
		pending, err := s.eng.HasChanges(ctx, st.Name, st.Shipped)
		if err != nil {
			return time.Time{}, time.Time{}, err
		}
		if !pending {
			mark = r
		}
	}
	// The last instant whose whole microsecond is at or below the mark:
	// a restore to t includes every commit of t's microsecond (upTo).
	complete := (mark + 1).Time().Add(-time.Microsecond)
	latest = minTime(complete, now).Truncate(time.Millisecond)
	earliest = ceilMilli(maxTime(st.FirstBase.Time(), now.Add(-time.Duration(st.PeriodDays)*day)))
	if latest.Before(earliest) {
		latest = earliest // right after enabling, within the same millisecond
	}
	return earliest, latest, nil
}

// upTo is the last commit timestamp a restore to t includes: every commit
// in or before t's microsecond.
func upTo(t time.Time) clock.Timestamp {
	return clock.TimestampAt(t.Truncate(time.Microsecond)) | 0xfff
}

func ceilMilli(t time.Time) time.Time {
	if r := t.Truncate(time.Millisecond); !r.Equal(t) {
		return r.Add(time.Millisecond)
	}
	return t
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
