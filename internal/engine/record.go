package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// tableRecord is the on-disk (JSON) form of a Table. It is separate from
// Table so that Go renames never change the stored format; types are stored
// by their wire names ("S", "N", "B").
type tableRecord struct {
	Name                      string       `json:"name"`
	ID                        string       `json:"id"`
	ARN                       string       `json:"arn"`
	Status                    string       `json:"status"`
	CreatedAt                 time.Time    `json:"createdAt"`
	HashKey                   attrRecord   `json:"hashKey"`
	RangeKey                  *attrRecord  `json:"rangeKey,omitempty"`
	AttributeDefinitions      []attrRecord `json:"attributeDefinitions,omitempty"`
	BillingMode               string       `json:"billingMode,omitempty"`
	ReadCapacityUnits         int64        `json:"readCapacityUnits,omitempty"`
	WriteCapacityUnits        int64        `json:"writeCapacityUnits,omitempty"`
	SSE                       *sseRecord   `json:"sse,omitempty"`
	TableClass                string       `json:"tableClass,omitempty"`
	DeletionProtection        bool         `json:"deletionProtection,omitempty"`
	Tags                      []tagRecord  `json:"tags,omitempty"`
	LastUpdateToPayPerRequest time.Time    `json:"lastUpdateToPayPerRequest,omitzero"`
	LastIncreaseDateTime      time.Time    `json:"lastIncreaseDateTime,omitzero"`
	LastDecreaseDateTime      time.Time    `json:"lastDecreaseDateTime,omitzero"`
	NumberOfDecreasesToday    int64        `json:"numberOfDecreasesToday,omitempty"`
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

// encodeTable returns the catalog value of t.
func encodeTable(t *Table) ([]byte, error) {
	r := tableRecord{
		Name:                      t.Name,
		ID:                        t.ID,
		ARN:                       t.ARN,
		Status:                    t.Status,
		CreatedAt:                 t.CreatedAt,
		HashKey:                   attrRecord{t.KeySchema.Hash.Name, t.KeySchema.Hash.Type.String()},
		BillingMode:               t.BillingMode,
		ReadCapacityUnits:         t.ReadCapacityUnits,
		WriteCapacityUnits:        t.WriteCapacityUnits,
		TableClass:                t.TableClass,
		DeletionProtection:        t.DeletionProtection,
		LastUpdateToPayPerRequest: t.LastUpdateToPayPerRequest,
		LastIncreaseDateTime:      t.LastIncreaseDateTime,
		LastDecreaseDateTime:      t.LastDecreaseDateTime,
		NumberOfDecreasesToday:    t.NumberOfDecreasesToday,
	}
	if rk := t.KeySchema.Range; rk != nil {
		r.RangeKey = &attrRecord{rk.Name, rk.Type.String()}
	}
	for _, d := range t.AttributeDefinitions {
		r.AttributeDefinitions = append(r.AttributeDefinitions, attrRecord{d.Name, d.Type.String()})
	}
	if s := t.SSE; s != nil {
		r.SSE = &sseRecord{s.Enabled, s.SSEType, s.KMSMasterKeyID}
	}
	for _, tg := range t.Tags {
		r.Tags = append(r.Tags, tagRecord(tg))
	}
	return json.Marshal(r)
}

// decodeTable parses a catalog value.
func decodeTable(b []byte) (*Table, error) {
	var r tableRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("engine: bad catalog record: %w", err)
	}
	t := &Table{
		TableSpec: TableSpec{
			Name:               r.Name,
			KeySchema:          KeySchema{Hash: KeyAttr{r.HashKey.Name, attr.KindFromName(r.HashKey.Type)}},
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
	}
	if rk := r.RangeKey; rk != nil {
		t.KeySchema.Range = &KeyAttr{rk.Name, attr.KindFromName(rk.Type)}
	}
	for _, d := range r.AttributeDefinitions {
		t.AttributeDefinitions = append(t.AttributeDefinitions, AttributeDefinition{d.Name, attr.KindFromName(d.Type)})
	}
	if s := r.SSE; s != nil {
		t.SSE = &SSE{s.Enabled, s.SSEType, s.KMSMasterKeyID}
	}
	for _, tg := range r.Tags {
		t.Tags = append(t.Tags, Tag(tg))
	}
	return t, nil
}

// clone returns a deep copy of t, so callers never share the cached record.
func (t *Table) clone() *Table {
	c := *t
	if r := t.KeySchema.Range; r != nil {
		rc := *r
		c.KeySchema.Range = &rc
	}
	c.AttributeDefinitions = slices.Clone(t.AttributeDefinitions)
	if t.SSE != nil {
		s := *t.SSE
		c.SSE = &s
	}
	c.Tags = slices.Clone(t.Tags)
	return &c
}
