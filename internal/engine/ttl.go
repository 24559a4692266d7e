package engine

import (
	"context"
	"fmt"
)

// TTLSpec is a table's time-to-live setting: items whose AttributeName
// holds a Number (epoch seconds) lower than the current time are deleted
// in the background. Items whose attribute is missing or not a Number,
// or whose expiry is more than five years in the past, never expire, as
// in DynamoDB.
type TTLSpec struct {
	AttributeName string
	Enabled       bool
}

// UpdateTTL enables or disables time to live. The change is in force when
// UpdateTTL returns and the record says so at once: DescribeTimeToLive can
// report ENABLED or DISABLED straight away (Ebbtide models no ENABLING or
// DISABLING phase). Enabling builds the TTL index of the items already in
// the table in the background (Table.TTLBackfilling meanwhile; those
// items may expire late, never early); enabling again with the same
// attribute changes nothing. Disabling drops the TTL index in the same
// commit as the record, and keeps the attribute name in the record.
func (e *Engine) UpdateTTL(ctx context.Context, table string, spec TTLSpec) (*Table, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if spec.Enabled && spec.AttributeName == "" {
		return nil, fmt.Errorf("engine: UpdateTTL(%s): no attribute name", table)
	}
	e.catMu.Lock()
	defer e.catMu.Unlock()
	ts, ok := e.tables[table]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrTableNotFound, table)
	}
	if err := ts.checkReady(); err != nil {
		return nil, err
	}
	if cur := ts.rec.TTL; cur != nil && cur.Enabled && spec.Enabled && cur.AttributeName == spec.AttributeName {
		return ts.rec.clone(), nil
	}
	rec := ts.rec.clone()
	var cfg *ttlConfig
	if spec.Enabled {
		rec.TTL = &TTLSpec{AttributeName: spec.AttributeName, Enabled: true}
		cfg = &ttlConfig{attr: spec.AttributeName}
	} else {
		name := spec.AttributeName
		if rec.TTL != nil && name == "" {
			name = rec.TTL.AttributeName
		}
		rec.TTL = &TTLSpec{AttributeName: name}
	}
	rec.TTLBackfilling = spec.Enabled
	ts.life.Lock()
	err := e.resetTTLIndex(ts, rec)
	if err == nil {
		ts.layout.Store(ts.layout.Load().withTTL(cfg))
	}
	ts.life.Unlock()
	if err != nil {
		return nil, err
	}
	ts.rec = rec
	if cfg != nil {
		e.startBackfill(backfillJob{ts: ts, ttl: cfg})
	}
	e.notifyCatalog()
	e.log.Info("TTL updated", "table", table, "attribute", rec.TTL.AttributeName, "enabled", spec.Enabled)
	return rec.clone(), nil
}

// resetTTLIndex deletes the table's TTL index and stores rec in one
// commit.
func (e *Engine) resetTTLIndex(ts *tableState, rec *Table) error {
	b := e.db.NewBatch()
	p := tablePrefix(prefixTTL, ts.id)
	err := b.DeleteRange(p, prefixEnd(p))
	if err == nil {
		err = e.addRecord(b, ts, rec)
	}
	if err != nil {
		b.Close()
		return err
	}
	return b.Commit()
}
