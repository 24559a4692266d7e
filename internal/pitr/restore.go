package pitr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

const jobKindPITR = "pitr"

// pitrJob is the data of a point-in-time restore job.
type pitrJob struct {
	TableID string          `json:"table_id"`
	Name    string          `json:"name"`
	UpTo    clock.Timestamp `json:"up_to"`
	// Hold is the restore's hold on the history (see hold).
	Hold string `json:"hold"`
}

// waitLimit bounds how long a restore waits for the history it needs to
// reach the repository (a base being written, changes being shipped).
const waitLimit = 10 * time.Minute

// Restore starts restoring the source table as of `at` (or its latest
// restorable instant) into the table spec describes, with the backup
// service's restore machinery (CREATING, admission, crash redo).
func (s *Service) Restore(ctx context.Context, source string, at time.Time, latest bool, spec engine.TableSpec) (*engine.Table, error) {
	t, err := s.eng.Table(ctx, source)
	if errors.Is(err, engine.ErrTableNotFound) {
		return s.restoreLost(ctx, source, at, latest, spec)
	}
	if err != nil {
		return nil, err
	}
	if t.Status == engine.StatusCreating {
		return nil, fmt.Errorf("%w: %s", engine.ErrTableNotFound, source)
	}
	st, on := s.state(t.ID)
	if !on {
		return nil, fmt.Errorf("%w: %s", ErrNotEnabled, source)
	}

	earliest, late, err := s.window(ctx, st)
	if err != nil {
		return nil, err
	}
	if latest {
		at = late
	}
	if at.Before(earliest) || at.After(late) {
		return nil, &InvalidTimeError{At: at, Earliest: earliest, Latest: late}
	}
	// Hold the history until the restore has read it: disabling PITR or
	// deleting the table meanwhile must not delete it under the restore.
	hold, ok := s.hold(t.ID)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNotEnabled, source)
	}
	out, err := s.startRestore(ctx, t, at, hold, spec)
	if err != nil {
		s.release(hold)
	}
	return out, err
}

// startRestore hands the restore of table t as of at to the backup
// service's restore jobs.
func (s *Service) startRestore(ctx context.Context, t *engine.Table, at time.Time, hold string, spec engine.TableSpec) (*engine.Table, error) {
	data, _ := json.Marshal(pitrJob{TableID: t.ID, Name: t.Name, UpTo: upTo(at), Hold: hold})
	rs := engine.RestoreState{SourceTableARN: t.ARN, RestoreDateTime: at}
	return s.bk.StartRestore(ctx, spec, rs, jobKindPITR, "pitr-target:"+spec.Name, data)
}

// change is the last image of a key within a restore's log range.
type change struct {
	ts   clock.Timestamp
	seq  uint32
	item []byte // nil: deleted
}

// loadPITR is the restore LoadFunc: newest base at or before UpTo, merged
// with the log (base.lo, UpTo], last image per key winning.
func (s *Service) loadPITR(ctx context.Context, data json.RawMessage, l *engine.Loader) (int64, error) {
	var job pitrJob
	if err := json.Unmarshal(data, &job); err != nil {
		return 0, fmt.Errorf("pitr: bad restore job: %w", err)
	}
	defer s.release(job.Hold)
	if err := s.waitShipped(ctx, job); err != nil {
		return 0, err
	}
	base, segs, err := s.plan(ctx, job)
	if err != nil {
		return 0, err
	}
	changes := map[string]change{}
	for _, o := range segs {
		if o.hi <= base.lo || o.lo >= job.UpTo {
			continue
		}
		err := s.rp.Read(ctx, repoKind, o.id, func(rec []byte) error {
			c, err := decodeChange(rec)
			if err != nil {
				return fmt.Errorf("pitr: segment %s: %w", o.id, err)
			}
			if c.TS <= base.lo || c.TS > job.UpTo {
				return nil
			}
			k := string(c.Key)
			if old, ok := changes[k]; ok && (old.ts > c.TS || (old.ts == c.TS && old.seq >= c.Seq)) {
				return nil
			}
			changes[k] = change{ts: c.TS, seq: c.Seq, item: append([]byte(nil), c.Item...)}
			if c.Item == nil {
				changes[k] = change{ts: c.TS, seq: c.Seq}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	m, err := s.rp.Manifest(ctx, repoKind, base.id)
	if err != nil {
		return 0, err
	}
	var bm baseMeta
	if err := json.Unmarshal(m.Meta, &bm); err != nil {
		return 0, fmt.Errorf("pitr: base %s: bad metadata: %w", base.id, err)
	}
	bt, err := engine.UnmarshalTable(bm.Table)
	if err != nil {
		return 0, err
	}
	var n int64
	add := func(enc []byte) error {
		it, err := attr.DecodeItem(enc)
		if err != nil {
			return fmt.Errorf("pitr: undecodable item: %w", err)
		}
		n++
		return l.AddEncoded(it, enc)
	}
	err = backup.DecodeParallel(ctx, runtime.GOMAXPROCS(0),
		func(ctx context.Context, emit func([]byte) error) error { return s.rp.ReadManifest(ctx, m, emit) },
		func(rec []byte) (attr.Item, error) {
			it, err := attr.DecodeItem(rec)
			if err != nil {
				return nil, fmt.Errorf("pitr: base %s: undecodable item: %w", base.id, err)
			}
			return it, nil
		},
		func(it attr.Item, rec []byte) error {
			k, err := engine.PrimaryKey(bt.KeySchema, it)
			if err != nil {
				return err
			}
			if c, ok := changes[string(k)]; ok {
				delete(changes, string(k))
				if c.item == nil {
					return nil
				}
				return add(c.item)
			}
			n++
			return l.AddEncoded(it, rec)
		})
	if err != nil {
		return n, err
	}
	for _, c := range changes {
		if c.item != nil {
			if err := add(c.item); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// waitShipped waits until every change the restore needs is in the
// repository: the shipped mark reached UpTo, or nothing captured at or
// before UpTo is still waiting. A table whose PITR state is gone (deleted,
// disabled) has nothing more to wait for.
func (s *Service) waitShipped(ctx context.Context, job pitrJob) error {
	deadline := time.Now().Add(waitLimit)
	for {
		st, on := s.state(job.TableID)
		if !on || st.Shipped >= job.UpTo {
			return nil
		}
		if s.eng.ResolvedTimestamp() >= job.UpTo {
			pending := false
			err := s.eng.ReadChanges(ctx, st.Name, st.Shipped, job.UpTo, func(engine.Change) error {
				pending = true
				return errStop
			})
			switch {
			case errors.Is(err, engine.ErrTableNotFound):
				pending = true // deleted: its state goes next (see DeleteTable)
			case err != nil && err != errStop:
				return err
			}
			if !pending {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pitr: the history of %s up to %s was not shipped within %s", job.Name, job.UpTo, waitLimit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

var errStop = fmt.Errorf("stop")

// plan picks the newest base at or before UpTo (waiting for one being
// written) and lists the segments.
func (s *Service) plan(ctx context.Context, job pitrJob) (object, []object, error) {
	deadline := time.Now().Add(waitLimit)
	for {
		bases, segs, err := s.objects(ctx, job.TableID)
		if err != nil {
			return object{}, nil, err
		}
		best := -1
		for i, b := range bases {
			if b.hi <= job.UpTo {
				best = i
			}
		}
		if best >= 0 {
			return bases[best], segs, nil
		}
		s.mu.Lock()
		writing := s.bases[job.TableID] != nil
		s.mu.Unlock()
		if !writing || time.Now().After(deadline) {
			return object{}, nil, fmt.Errorf("pitr: no base snapshot of %s at or before %s", job.Name, job.UpTo)
		}
		select {
		case <-ctx.Done():
			return object{}, nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// hold records that a restore will read tableID's history, if PITR is
// still on for it (checked under the same lock forget takes), and returns
// the hold's id.
func (s *Service) hold(tableID string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, on := s.tables[tableID]; !on {
		return "", false
	}
	s.holds++
	id := fmt.Sprintf("%d-%d", time.Now().UnixNano(), s.holds)
	s.readers[id] = tableID
	return id, true
}

// release ends a hold (a no-op for a restore resumed after a restart).
func (s *Service) release(hold string) {
	s.mu.Lock()
	delete(s.readers, hold)
	s.mu.Unlock()
}

// read reports whether a running restore reads tableID's history.
func (s *Service) read(tableID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.readers {
		if id == tableID {
			return true
		}
	}
	return false
}
