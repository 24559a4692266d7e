package pitr

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// statePrefix keys the engine meta records of tables with PITR on, by
// TableId (a re-created table of the same name is another table).
const statePrefix = "pitr/"

// stateTTL: meta records need an expiry; PITR state lives until disabled.
const stateTTL = 100 * 365 * 24 * time.Hour

// tableState is a table's persisted PITR state.
type tableState struct {
	TableID    string `json:"table_id"`
	Name       string `json:"name"`
	ARN        string `json:"arn"`
	PeriodDays int    `json:"period_days"`
	// From is the capture boundary: every commit after it is in the log.
	From clock.Timestamp `json:"from"`
	// Shipped is the log's high-water mark: every change with TS ≤ Shipped
	// is in a segment in the repository.
	Shipped clock.Timestamp `json:"shipped"`
	// LastBase is the hi bound of the newest committed base snapshot (0
	// until the first base is written); LogBytes counts the log shipped
	// since it, to decide when to take the next one.
	LastBase clock.Timestamp `json:"last_base"`
	LogBytes int64           `json:"log_bytes"`
	// FirstBase is the hi bound of the oldest base kept: the window cannot
	// reach before it.
	FirstBase clock.Timestamp `json:"first_base"`
}

func (s *Service) saveState(ctx context.Context, st *tableState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return s.eng.PutMeta(ctx, engine.MetaRecord{Key: statePrefix + st.TableID, Value: b, ExpiresAt: s.clk.Now().Add(stateTTL)})
}

func (s *Service) loadStates(ctx context.Context) error {
	recs, err := s.eng.ListMeta(ctx, statePrefix)
	if err != nil {
		return err
	}
	for _, r := range recs {
		var st tableState
		if err := json.Unmarshal(r.Value, &st); err != nil {
			return fmt.Errorf("pitr: bad state record %q: %w", r.Key, err)
		}
		s.tables[st.TableID] = &st
	}
	return nil
}
