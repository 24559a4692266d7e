package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// fullTable is a record with every field MarshalTable keeps set.
func fullTable() *Table {
	at := func(h int) time.Time { return testEpoch.Add(time.Duration(h) * time.Hour) }
	return &Table{
		TableSpec: TableSpec{
			Name:      "Full",
			KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindB}, Range: &KeyAttr{"sk", attr.KindN}},
			AttributeDefinitions: []AttributeDefinition{
				{"pk", attr.KindB}, {"sk", attr.KindN}, {"g", attr.KindS},
			},
			BillingMode:        "PROVISIONED",
			ReadCapacityUnits:  7,
			WriteCapacityUnits: 9,
			SSE:                &SSE{Enabled: true, SSEType: "KMS", KMSMasterKeyID: "arn:aws:kms:key/1"},
			TableClass:         "STANDARD_INFREQUENT_ACCESS",
			DeletionProtection: true,
			Tags:               []Tag{{"env", "prod"}, {"team", ""}},
			Restore: &RestoreState{
				SourceBackupARN: "arn:backup", SourceTableARN: "arn:src",
				RestoreDateTime: at(-5), InProgress: true, Job: []byte(`{"k":1}`),
			},
		},
		ID:                        "0b1f6f7e-5d7c-4a39-8f4e-9d1e2c3b4a59",
		ARN:                       "arn:aws:dynamodb:us-east-1:000000000000:table/Full",
		Status:                    StatusActive,
		CreatedAt:                 at(-48),
		LastUpdateToPayPerRequest: at(-30),
		LastIncreaseDateTime:      at(-20),
		LastDecreaseDateTime:      at(-10),
		NumberOfDecreasesToday:    2,
		Indexes: []Index{
			{
				IndexSpec: IndexSpec{
					Name: "G", KeySchema: KeySchema{Hash: KeyAttr{"g", attr.KindS}},
					Projection:        Projection{Type: ProjectionInclude, NonKeyAttributes: []string{"a", "b"}},
					ReadCapacityUnits: 3, WriteCapacityUnits: 4,
				},
				ID: 3, ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/Full/index/G",
				Status: IndexCreating, Backfilling: true, CreatedAt: at(-1),
			},
			{
				IndexSpec: IndexSpec{
					Name: "L", Local: true, KeySchema: KeySchema{Hash: KeyAttr{"pk", attr.KindB}, Range: &KeyAttr{"g", attr.KindS}},
					Projection: Projection{Type: ProjectionKeysOnly},
				},
				ID: 1, ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/Full/index/L",
				Status: IndexActive, CreatedAt: at(-48),
			},
		},
		TTL:               &TTLSpec{AttributeName: "exp", Enabled: true},
		TTLBackfilling:    true,
		ChangeCapture:     true,
		ChangeCaptureFrom: 0x0123456789abcdef,
	}
}

// MarshalTable and UnmarshalTable round-trip every field of a record.
func TestMarshalTableRoundTrip(t *testing.T) {
	e, _ := openTest(t)
	created := mustCreate(t, e, indexedSpec("Created"))
	live, err := e.Table(bg, created.Name)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		t    *Table
	}{
		{"every field", fullTable()},
		{"hash-only minimal", &Table{TableSpec: TableSpec{Name: "M", KeySchema: KeySchema{Hash: KeyAttr{"id", attr.KindS}}}, ID: "x"}},
		{"TTL disabled, restore finished", func() *Table {
			t := fullTable()
			t.TTL, t.TTLBackfilling = &TTLSpec{AttributeName: "exp"}, false
			t.Restore.InProgress, t.Restore.Job = false, nil
			return t
		}()},
		{"live record", live},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := MarshalTable(tc.t)
			if err != nil {
				t.Fatal(err)
			}
			got, err := UnmarshalTable(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.t, got); d != "" {
				t.Fatalf("round trip (-want +got):\n%s", d)
			}
			again, err := MarshalTable(got)
			if err != nil || string(again) != string(b) {
				t.Fatalf("re-encoding differs: %s\n%s", again, b)
			}
		})
	}
}

// UnmarshalTable rejects other versions and records it cannot use.
func TestUnmarshalTableRejects(t *testing.T) {
	good, err := MarshalTable(fullTable())
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]string{
		"not JSON":      "nope",
		"no version":    `{"table":{"name":"T","hashKey":{"name":"pk","type":"S"}}}`,
		"version 2":     strings.Replace(string(good), `"version":1`, `"version":2`, 1),
		"no name":       `{"version":1,"table":{"hashKey":{"name":"pk","type":"S"}}}`,
		"bad key type":  `{"version":1,"table":{"name":"T","hashKey":{"name":"pk","type":"SS"}}}`,
		"table not obj": `{"version":1,"table":[1]}`,
	} {
		if _, err := UnmarshalTable([]byte(b)); err == nil {
			t.Errorf("%s: UnmarshalTable succeeded", name)
		}
	}
	if _, err := MarshalTable(nil); err == nil {
		t.Error("MarshalTable(nil) succeeded")
	}
}
