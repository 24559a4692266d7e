package pitr

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/repo"
)

func jsonMarshal(v any) (json.RawMessage, error) { return json.Marshal(v) }

const day = 24 * time.Hour

// smallSegment is the longest span a segment may have to be merged by
// compaction (shipped segments span about ShipInterval; merged ones more).
const smallSegment = time.Minute

// compact merges the oldest run of CompactSegments small segments into one,
// so a day of history is a few hundred objects, not 86,400. Overlapping
// segments (a crash between writing the merged one and deleting the
// originals) are harmless to restores and removed by reconcile.
func (s *Service) compact(ctx context.Context, st *tableState) error {
	_, segs, err := s.objects(ctx, st.TableID)
	if err != nil {
		return err
	}
	var run []object
	for _, o := range segs {
		if o.hi.Time().Sub(o.lo.Time()) > smallSegment {
			if len(run) >= s.cfg.CompactSegments {
				break
			}
			run = run[:0]
			continue
		}
		run = append(run, o)
		if len(run) == s.cfg.CompactSegments {
			break
		}
	}
	if len(run) < s.cfg.CompactSegments {
		return nil
	}
	if err := s.merge(ctx, s.segmentID(st.TableID, run[0].lo, run[len(run)-1].hi), run); err != nil {
		return err
	}
	return s.deleteObjects(ctx, run)
}

// merge writes the segments of run as one segment id. Segments whose
// chunks are mostly full (a busy table ships several 1 MiB chunks a
// second) are merged by reference: repo.Concat reads and writes no chunk,
// where rewriting would cost every change a second trip through the
// repository. Runs of small segments (a quiet table's, a few KB each) are
// rewritten, which packs their small chunks into full ones (what keeps the
// object count of a day low), with zstd's default level: at under 512 KB
// of log a second its CPU is a fraction of a percent of a core, and the
// log the table keeps for 35 days is about a quarter smaller than in S2.
func (s *Service) merge(ctx context.Context, id string, run []object) error {
	ids := make([]string, len(run))
	var stream int64
	var chunks int
	for i, o := range run {
		m, err := s.rp.Manifest(ctx, repoKind, o.id)
		if err != nil {
			return err
		}
		ids[i] = o.id
		stream += m.StreamBytes
		chunks += len(m.Chunks)
	}
	if chunks > 0 && stream/int64(chunks) >= int64(s.rp.Chunking().Mean()/2) {
		_, err := s.rp.Concat(ctx, repoKind, id, ids, nil)
		return err
	}
	w, err := s.rp.NewWriter(ctx, repoKind, id, repo.WithFixedChunks())
	if err != nil {
		return err
	}
	for _, o := range run {
		if err := s.rp.Read(ctx, repoKind, o.id, w.Add); err != nil {
			w.Abort()
			return err
		}
	}
	_, err = w.Commit(nil)
	return err
}

// retain drops the history the window no longer needs: bases older than
// the newest base at or before the window's start, and segments entirely
// before that base.
func (s *Service) retain(ctx context.Context, st *tableState) error {
	start := clock.TimestampAt(s.clk.Now().Add(-time.Duration(st.PeriodDays) * day))
	bases, segs, err := s.objects(ctx, st.TableID)
	if err != nil {
		return err
	}
	keep := -1
	for i, b := range bases {
		if b.hi <= start {
			keep = i
		}
	}
	if keep < 0 {
		return nil
	}
	var drop []object
	drop = append(drop, bases[:keep]...)
	for _, o := range segs {
		if o.hi <= bases[keep].lo {
			drop = append(drop, o)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	if err := s.update(ctx, st.TableID, func(cur *tableState) { cur.FirstBase = bases[keep].hi }); err != nil {
		return err
	}
	return s.deleteObjects(ctx, drop)
}

// reconcile repairs the state after a crash, from the repository (the
// truth): the shipped mark is at least the newest segment's end (a segment
// written just before the crash), the local log is trimmed to it, segments
// contained in a merged one are removed, a base that never got written is
// retaken, and capture left on without a state is turned off.
func (s *Service) reconcile(ctx context.Context) error {
	for _, st := range s.snapshotStates() {
		bases, segs, err := s.objects(ctx, st.TableID)
		if err != nil {
			return err
		}
		var dup []object
		for i, o := range segs {
			for j, p := range segs {
				if i != j && p.lo <= o.lo && o.hi <= p.hi && (p.lo != o.lo || p.hi != o.hi || j < i) {
					dup = append(dup, o)
					break
				}
			}
		}
		if err := s.deleteObjects(ctx, dup); err != nil {
			return err
		}
		shipped := st.Shipped
		for _, o := range segs {
			shipped = max(shipped, o.hi)
		}
		var first, last clock.Timestamp
		if len(bases) > 0 {
			first, last = bases[0].hi, bases[len(bases)-1].hi
		}
		if err := s.update(ctx, st.TableID, func(cur *tableState) {
			cur.Shipped, cur.FirstBase, cur.LastBase = shipped, first, last
		}); err != nil {
			return err
		}
		if _, err := s.eng.Table(ctx, st.Name); err != nil {
			continue // deleted while the server was down: nothing to ship
		}
		if err := s.eng.TrimChanges(ctx, st.Name, shipped); err != nil {
			return err
		}
		if len(bases) == 0 {
			// The first base was lost with the crash: the window restarts
			// at a new one.
			snap, err := s.eng.SnapshotTable(ctx, st.Name)
			if err != nil {
				return err
			}
			_, hi := snap.Bounds()
			if err := s.update(ctx, st.TableID, func(cur *tableState) { cur.FirstBase, cur.LastBase = hi, hi }); err != nil {
				snap.Close()
				return err
			}
			s.log.Warn("point-in-time recovery: the first base snapshot was interrupted; the recovery window restarts now", "table", st.Name)
			s.startBase(st.TableID, st.From, snap)
		}
	}
	names, err := s.eng.ListTables(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		t, err := s.eng.Table(ctx, n)
		if err != nil || !t.ChangeCapture {
			continue
		}
		if _, on := s.state(t.ID); !on {
			if _, _, err := s.eng.SetChangeCapture(ctx, n, false); err != nil && !isGone(err) {
				return err
			}
		}
	}
	return nil
}

func isGone(err error) bool {
	return errors.Is(err, engine.ErrTableNotFound) || errors.Is(err, engine.ErrTableNotReady)
}
