package pitr

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ebbtide/ebbtide/internal/clock"
)

// repoKind is the repository kind of PITR objects. Their ids encode what
// restores and retention need, so listing ids is enough to plan:
//
//	<account>:<region>:<tableId>:b:<hi>-<lo>      base snapshot (items in key order)
//	<account>:<region>:<tableId>:l:<from>-<to>    log segment, changes with from < TS ≤ to
//
// with timestamps as 16 hex digits, so ids sort by time.
const repoKind = "pitr"

// object is a parsed PITR object id.
type object struct {
	id     string
	base   bool
	lo, hi clock.Timestamp // base: [lo, hi] bounds; segment: (lo, hi] = (from, to]
}

func (s *Service) tablePrefix(tableID string) string {
	return s.cfg.AccountID + ":" + s.cfg.Region + ":" + tableID + ":"
}

func (s *Service) baseID(tableID string, lo, hi clock.Timestamp) string {
	return fmt.Sprintf("%sb:%016x-%016x", s.tablePrefix(tableID), uint64(hi), uint64(lo))
}

func (s *Service) segmentID(tableID string, from, to clock.Timestamp) string {
	return fmt.Sprintf("%sl:%016x-%016x", s.tablePrefix(tableID), uint64(from), uint64(to))
}

// objects lists a table's bases and segments, each sorted by time.
func (s *Service) objects(ctx context.Context, tableID string) (bases, segs []object, err error) {
	prefix := s.tablePrefix(tableID)
	ids, err := s.rp.ListIDs(ctx, repoKind, prefix)
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		o, ok := parseObject(strings.TrimPrefix(id, prefix))
		if !ok {
			s.log.Warn("ignoring an unrecognized point-in-time recovery object", "id", id)
			continue
		}
		o.id = id
		if o.base {
			bases = append(bases, o)
		} else {
			segs = append(segs, o)
		}
	}
	slices.SortFunc(bases, func(a, b object) int { return cmpTS(a.hi, b.hi) })
	slices.SortFunc(segs, func(a, b object) int { return cmpTS(a.lo, b.lo) })
	return bases, segs, nil
}

// parseObject parses "b:<hi>-<lo>" or "l:<from>-<to>".
func parseObject(rest string) (object, bool) {
	typ, span, ok := strings.Cut(rest, ":")
	if !ok || (typ != "b" && typ != "l") {
		return object{}, false
	}
	a, b, ok := strings.Cut(span, "-")
	if !ok {
		return object{}, false
	}
	x, err1 := strconv.ParseUint(a, 16, 64)
	y, err2 := strconv.ParseUint(b, 16, 64)
	if err1 != nil || err2 != nil {
		return object{}, false
	}
	if typ == "b" {
		return object{base: true, hi: clock.Timestamp(x), lo: clock.Timestamp(y)}, true
	}
	return object{lo: clock.Timestamp(x), hi: clock.Timestamp(y)}, true
}

func cmpTS(a, b clock.Timestamp) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// deleteObjects removes objects (manifests; chunks go at the next GC).
func (s *Service) deleteObjects(ctx context.Context, objs []object) error {
	for _, o := range objs {
		if err := s.rp.Delete(ctx, repoKind, o.id); err != nil {
			return err
		}
	}
	return nil
}
