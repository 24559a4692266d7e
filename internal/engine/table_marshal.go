package engine

import (
	"encoding/json"
	"errors"
	"fmt"
)

// tableMarshalVersion is the version of MarshalTable's format. The record
// inside is the catalog record (record.go), which only ever gains
// optional fields; bump the version for anything an older reader would
// misread.
const tableMarshalVersion = 1

// marshaledTable is MarshalTable's envelope.
type marshaledTable struct {
	Version int             `json:"version"`
	Table   json.RawMessage `json:"table"`
}

// MarshalTable returns a stable, versioned encoding of a Table record
// (for backup manifests): everything the catalog keeps (key schema,
// attribute definitions, billing and throughput, per-index throughput,
// SSE, table class, tags, indexes with their projections, TTL, restore
// state, creation time, ID, ARN, status). TableSpec.Indexes (CreateTable
// input only) is not kept. UnmarshalTable reads it back.
func MarshalTable(t *Table) ([]byte, error) {
	if t == nil {
		return nil, errors.New("engine: MarshalTable(nil)")
	}
	next := uint32(1)
	for _, ix := range t.Indexes {
		next = max(next, ix.ID+1)
	}
	rec, err := encodeTable(t, next)
	if err != nil {
		return nil, err
	}
	return json.Marshal(marshaledTable{Version: tableMarshalVersion, Table: rec})
}

// UnmarshalTable decodes what MarshalTable encoded. It fails on another
// format version or a record without a name or a storable key schema.
func UnmarshalTable(b []byte) (*Table, error) {
	var m marshaledTable
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("engine: bad table encoding: %w", err)
	}
	if m.Version != tableMarshalVersion {
		return nil, fmt.Errorf("engine: table encoding version %d, want %d", m.Version, tableMarshalVersion)
	}
	t, _, err := decodeTable(m.Table)
	if err != nil {
		return nil, err
	}
	if t.Name == "" {
		return nil, errors.New("engine: bad table encoding: no name")
	}
	if err := checkKeySchema(t.KeySchema); err != nil {
		return nil, fmt.Errorf("engine: bad table encoding: %w", err)
	}
	return t, nil
}
