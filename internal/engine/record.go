package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// tableRecord is the on-disk (JSON) form of a Table. It is separate from
// Table so that Go renames never change the stored format; types are stored
// by their wire names ("S", "N", "B").
type tableRecord struct {
	Name                      string         `json:"name"`
	ID                        string         `json:"id"`
	ARN                       string         `json:"arn"`
	Status                    string         `json:"status"`
	CreatedAt                 time.Time      `json:"createdAt"`
	HashKey                   attrRecord     `json:"hashKey"`
	RangeKey                  *attrRecord    `json:"rangeKey,omitempty"`
	AttributeDefinitions      []attrRecord   `json:"attributeDefinitions,omitempty"`
	BillingMode               string         `json:"billingMode,omitempty"`
	ReadCapacityUnits         int64          `json:"readCapacityUnits,omitempty"`
	WriteCapacityUnits        int64          `json:"writeCapacityUnits,omitempty"`
	SSE                       *sseRecord     `json:"sse,omitempty"`
	TableClass                string         `json:"tableClass,omitempty"`
	DeletionProtection        bool           `json:"deletionProtection,omitempty"`
	Tags                      []tagRecord    `json:"tags,omitempty"`
	LastUpdateToPayPerRequest time.Time      `json:"lastUpdateToPayPerRequest,omitzero"`
	LastIncreaseDateTime      time.Time      `json:"lastIncreaseDateTime,omitzero"`
	LastDecreaseDateTime      time.Time      `json:"lastDecreaseDateTime,omitzero"`
	NumberOfDecreasesToday    int64          `json:"numberOfDecreasesToday,omitempty"`
	Indexes                   []indexRecord  `json:"indexes,omitempty"`
	NextIndexID               uint32         `json:"nextIndexId,omitempty"`
	TTL                       *ttlRecord     `json:"ttl,omitempty"`
	Restore                   *restoreRecord `json:"restore,omitempty"`
	ChangeCapture             bool           `json:"changeCapture,omitempty"`
	ChangeCaptureFrom         uint64         `json:"changeCaptureFrom,omitempty"`
}

type indexRecord struct {
	Name               string      `json:"name"`
	ID                 uint32      `json:"id"`
	ARN                string      `json:"arn"`
	Local              bool        `json:"local,omitempty"`
	HashKey            attrRecord  `json:"hashKey"`
	RangeKey           *attrRecord `json:"rangeKey,omitempty"`
	ProjectionType     string      `json:"projectionType"`
	NonKeyAttributes   []string    `json:"nonKeyAttributes,omitempty"`
	ReadCapacityUnits  int64       `json:"readCapacityUnits,omitempty"`
	WriteCapacityUnits int64       `json:"writeCapacityUnits,omitempty"`
	Status             string      `json:"status"`
	Backfilling        bool        `json:"backfilling,omitempty"`
	CreatedAt          time.Time   `json:"createdAt"`
}

type ttlRecord struct {
	AttributeName string `json:"attributeName"`
	Enabled       bool   `json:"enabled"`
	Backfilling   bool   `json:"backfilling,omitempty"`
}

type restoreRecord struct {
	SourceBackupARN string    `json:"sourceBackupArn,omitempty"`
	SourceTableARN  string    `json:"sourceTableArn,omitempty"`
	RestoreDateTime time.Time `json:"restoreDateTime,omitzero"`
	InProgress      bool      `json:"inProgress,omitempty"`
	Job             []byte    `json:"job,omitempty"`
}

type attrRecord struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type sseRecord struct {
	Enabled        bool   `json:"enabled"`
	SSEType        string `json:"sseType,omitempty"`
	KMSMasterKeyID string `json:"kmsMasterKeyId,omitempty"`
}

type tagRecord struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// encodeTable returns the catalog value of t, whose next index gets the
// id nextIndexID.
func encodeTable(t *Table, nextIndexID uint32) ([]byte, error) {
	r := tableRecord{
		Name:                      t.Name,
		ID:                        t.ID,
		ARN:                       t.ARN,
		Status:                    t.Status,
		CreatedAt:                 t.CreatedAt,
		BillingMode:               t.BillingMode,
		ReadCapacityUnits:         t.ReadCapacityUnits,
		WriteCapacityUnits:        t.WriteCapacityUnits,
		TableClass:                t.TableClass,
		DeletionProtection:        t.DeletionProtection,
		LastUpdateToPayPerRequest: t.LastUpdateToPayPerRequest,
		LastIncreaseDateTime:      t.LastIncreaseDateTime,
		LastDecreaseDateTime:      t.LastDecreaseDateTime,
		NumberOfDecreasesToday:    t.NumberOfDecreasesToday,
		NextIndexID:               nextIndexID,
		ChangeCapture:             t.ChangeCapture,
		ChangeCaptureFrom:         uint64(t.ChangeCaptureFrom),
	}
	r.HashKey, r.RangeKey = keySchemaRecord(t.KeySchema)
	for _, ix := range t.Indexes {
		ir := indexRecord{
			Name:               ix.Name,
			ID:                 ix.ID,
			ARN:                ix.ARN,
			Local:              ix.Local,
			ProjectionType:     ix.Projection.Type,
			NonKeyAttributes:   ix.Projection.NonKeyAttributes,
			ReadCapacityUnits:  ix.ReadCapacityUnits,
			WriteCapacityUnits: ix.WriteCapacityUnits,
			Status:             ix.Status,
			Backfilling:        ix.Backfilling,
			CreatedAt:          ix.CreatedAt,
		}
		ir.HashKey, ir.RangeKey = keySchemaRecord(ix.KeySchema)
		r.Indexes = append(r.Indexes, ir)
	}
	if t.TTL != nil {
		r.TTL = &ttlRecord{t.TTL.AttributeName, t.TTL.Enabled, t.TTLBackfilling}
	}
	for _, d := range t.AttributeDefinitions {
		r.AttributeDefinitions = append(r.AttributeDefinitions, attrRecord{d.Name, d.Type.String()})
	}
	if s := t.SSE; s != nil {
		r.SSE = &sseRecord{s.Enabled, s.SSEType, s.KMSMasterKeyID}
	}
	if rs := t.Restore; rs != nil {
		r.Restore = &restoreRecord{rs.SourceBackupARN, rs.SourceTableARN, rs.RestoreDateTime, rs.InProgress, rs.Job}
	}
	for _, tg := range t.Tags {
		r.Tags = append(r.Tags, tagRecord(tg))
	}
	return json.Marshal(r)
}

// decodeTable parses a catalog value; nextIndexID is the id of the
// table's next index.
func decodeTable(b []byte) (t *Table, nextIndexID uint32, err error) {
	var r tableRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, 0, fmt.Errorf("engine: bad catalog record: %w", err)
	}
	t = &Table{
		TableSpec: TableSpec{
			Name:               r.Name,
			KeySchema:          keySchemaOf(r.HashKey, r.RangeKey),
			BillingMode:        r.BillingMode,
			ReadCapacityUnits:  r.ReadCapacityUnits,
			WriteCapacityUnits: r.WriteCapacityUnits,
			TableClass:         r.TableClass,
			DeletionProtection: r.DeletionProtection,
		},
		ID:                        r.ID,
		ARN:                       r.ARN,
		Status:                    r.Status,
		CreatedAt:                 r.CreatedAt,
		LastUpdateToPayPerRequest: r.LastUpdateToPayPerRequest,
		LastIncreaseDateTime:      r.LastIncreaseDateTime,
		LastDecreaseDateTime:      r.LastDecreaseDateTime,
		NumberOfDecreasesToday:    r.NumberOfDecreasesToday,
		ChangeCapture:             r.ChangeCapture,
		ChangeCaptureFrom:         clock.Timestamp(r.ChangeCaptureFrom),
	}
	for _, ir := range r.Indexes {
		t.Indexes = append(t.Indexes, Index{
			IndexSpec: IndexSpec{
				Name:               ir.Name,
				Local:              ir.Local,
				KeySchema:          keySchemaOf(ir.HashKey, ir.RangeKey),
				Projection:         Projection{Type: ir.ProjectionType, NonKeyAttributes: ir.NonKeyAttributes},
				ReadCapacityUnits:  ir.ReadCapacityUnits,
				WriteCapacityUnits: ir.WriteCapacityUnits,
			},
			ID:          ir.ID,
			ARN:         ir.ARN,
			Status:      ir.Status,
			Backfilling: ir.Backfilling,
			CreatedAt:   ir.CreatedAt,
		})
	}
	if r.TTL != nil {
		t.TTL = &TTLSpec{AttributeName: r.TTL.AttributeName, Enabled: r.TTL.Enabled}
		t.TTLBackfilling = r.TTL.Backfilling
	}
	for _, d := range r.AttributeDefinitions {
		t.AttributeDefinitions = append(t.AttributeDefinitions, AttributeDefinition{d.Name, attr.KindFromName(d.Type)})
	}
	if s := r.SSE; s != nil {
		t.SSE = &SSE{s.Enabled, s.SSEType, s.KMSMasterKeyID}
	}
	if rs := r.Restore; rs != nil {
		t.Restore = &RestoreState{rs.SourceBackupARN, rs.SourceTableARN, rs.RestoreDateTime, rs.InProgress, rs.Job}
	}
	for _, tg := range r.Tags {
		t.Tags = append(t.Tags, Tag(tg))
	}
	return t, max(r.NextIndexID, 1), nil
}

// keySchemaRecord returns the stored form of a key schema.
func keySchemaRecord(ks KeySchema) (attrRecord, *attrRecord) {
	h := attrRecord{ks.Hash.Name, ks.Hash.Type.String()}
	if ks.Range == nil {
		return h, nil
	}
	return h, &attrRecord{ks.Range.Name, ks.Range.Type.String()}
}

// keySchemaOf returns the key schema of its stored form.
func keySchemaOf(h attrRecord, r *attrRecord) KeySchema {
	ks := KeySchema{Hash: KeyAttr{h.Name, attr.KindFromName(h.Type)}}
	if r != nil {
		ks.Range = &KeyAttr{r.Name, attr.KindFromName(r.Type)}
	}
	return ks
}

// clone returns a deep copy of t, so callers never share the cached record.
func (t *Table) clone() *Table {
	c := *t
	c.KeySchema = cloneKeySchema(t.KeySchema)
	c.AttributeDefinitions = slices.Clone(t.AttributeDefinitions)
	if t.SSE != nil {
		s := *t.SSE
		c.SSE = &s
	}
	c.Tags = slices.Clone(t.Tags)
	c.TableSpec.Indexes = nil
	for _, is := range t.TableSpec.Indexes {
		c.TableSpec.Indexes = append(c.TableSpec.Indexes, cloneIndexSpec(is))
	}
	c.Indexes = nil
	for _, ix := range t.Indexes {
		ix.IndexSpec = cloneIndexSpec(ix.IndexSpec)
		c.Indexes = append(c.Indexes, ix)
	}
	if t.TTL != nil {
		ttl := *t.TTL
		c.TTL = &ttl
	}
	if t.Restore != nil {
		rs := *t.Restore
		rs.Job = bytes.Clone(t.Restore.Job)
		c.Restore = &rs
	}
	return &c
}

// cloneKeySchema returns a copy of ks that shares no memory with it.
func cloneKeySchema(ks KeySchema) KeySchema {
	if ks.Range != nil {
		r := *ks.Range
		ks.Range = &r
	}
	return ks
}

// cloneIndexSpec returns a copy of s that shares no memory with it.
func cloneIndexSpec(s IndexSpec) IndexSpec {
	s.KeySchema = cloneKeySchema(s.KeySchema)
	s.Projection.NonKeyAttributes = slices.Clone(s.Projection.NonKeyAttributes)
	return s
}
