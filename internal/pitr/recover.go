package pitr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// lostTable is the shipped history of a table this server does not have
// (its data directory was lost): found in the repository alone.
type lostTable struct {
	table            *engine.Table // the record in its newest base
	earliest, latest time.Time
}

// Source returns the record a point-in-time restore of name starts from:
// the live table's, or — when the table is gone with the data directory
// but its history is in the repository — the record in its newest base.
// engine.ErrTableNotFound when neither exists; engine.ErrTableNotReady
// for a CREATING table.
func (s *Service) Source(ctx context.Context, name string) (*engine.Table, error) {
	t, err := s.table(ctx, name)
	if !errors.Is(err, engine.ErrTableNotFound) {
		return t, err
	}
	lost, err := s.findLost(ctx, name)
	if err != nil {
		return nil, err
	}
	return lost.table, nil
}

// findLost searches the repository for the history of a table named name
// (the newest, if several tables of that name had PITR on).
func (s *Service) findLost(ctx context.Context, name string) (*lostTable, error) {
	prefix := s.cfg.AccountID + ":" + s.cfg.Region + ":"
	ids, err := s.rp.ListIDs(ctx, repoKind, prefix)
	if err != nil {
		return nil, err
	}
	newest := map[string]object{} // table id → its newest base
	for _, id := range ids {
		tableID, rest, ok := strings.Cut(strings.TrimPrefix(id, prefix), ":")
		if !ok {
			continue
		}
		o, ok := parseObject(rest)
		if ok && o.base && o.hi > newest[tableID].hi {
			o.id = id
			newest[tableID] = o
		}
	}
	var best *lostTable
	var bestHi object
	for tableID, b := range newest {
		if _, live := s.state(tableID); live {
			continue
		}
		m, err := s.rp.Manifest(ctx, repoKind, b.id)
		if err != nil {
			s.log.Warn("point-in-time recovery: unreadable base while looking for a lost table", "id", b.id, "err", err)
			continue
		}
		var bm baseMeta
		if json.Unmarshal(m.Meta, &bm) != nil {
			continue
		}
		t, err := engine.UnmarshalTable(bm.Table)
		if err != nil || t.Name != name || (best != nil && b.hi <= bestHi.hi) {
			continue
		}
		bases, segs, err := s.objects(ctx, tableID)
		if err != nil {
			return nil, err
		}
		mark := bases[len(bases)-1].hi
		for _, o := range segs {
			mark = max(mark, o.hi)
		}
		earliest := ceilMilli(bases[0].hi.Time())
		latest := (mark + 1).Time().Add(-time.Microsecond).Truncate(time.Millisecond)
		if latest.Before(earliest) {
			latest = earliest
		}
		best, bestHi = &lostTable{table: t, earliest: earliest, latest: latest}, b
	}
	if best == nil {
		return nil, fmt.Errorf("%w: %s", engine.ErrTableNotFound, name)
	}
	return best, nil
}

// restoreLost starts a restore from a lost table's history.
func (s *Service) restoreLost(ctx context.Context, source string, at time.Time, latest bool, spec engine.TableSpec) (*engine.Table, error) {
	lost, err := s.findLost(ctx, source)
	if err != nil {
		return nil, err
	}
	if latest {
		at = lost.latest
	}
	if at.Before(lost.earliest) || at.After(lost.latest) {
		return nil, &InvalidTimeError{At: at, Earliest: lost.earliest, Latest: lost.latest}
	}
	s.log.Info("point-in-time restore of a table known only from the repository", "table", source, "table_id", lost.table.ID, "at", at)
	return s.startRestore(ctx, lost.table, at, "", spec)
}
