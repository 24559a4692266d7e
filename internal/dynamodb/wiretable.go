package dynamodb

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Wire shapes shared by the table operations (and, for TableDescription, by
// the backup and restore operations). Types are named after the shapes of the
// botocore model so that SerializationException texts can name them; output
// members that may be empty are omitted rather than sent as null.

// epochTime is a timestamp on the wire: a JSON number of seconds since the
// Unix epoch with a millisecond fraction, e.g. 1489602797.149.
type epochTime time.Time

// newEpochTime returns t as a wire timestamp, or nil for the zero time so that
// an unset timestamp member is omitted.
func newEpochTime(t time.Time) *epochTime {
	if t.IsZero() {
		return nil
	}
	e := epochTime(t)
	return &e
}

// MarshalJSON writes the timestamp as seconds with millisecond precision.
func (e epochTime) MarshalJSON() ([]byte, error) {
	ms := time.Time(e).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds since the epoch (fractional, possibly in
// exponent form as some SDKs send it). null leaves the value unchanged; any
// other JSON type is a type mismatch reported like encoding/json's own.
func (e *epochTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return &json.UnmarshalTypeError{Value: jsonKind(s), Type: reflect.TypeFor[epochTime]()}
	}
	*e = epochTime(time.UnixMilli(int64(math.Round(f * 1000))).UTC())
	return nil
}

// jsonKind describes a JSON value the way json.UnmarshalTypeError.Value does,
// with the literal of a boolean or number after a space ("bool false").
func jsonKind(s string) string {
	switch {
	case s == "":
		return "string"
	case s[0] == '"':
		return "string"
	case s[0] == '[':
		return "array"
	case s[0] == '{':
		return "object"
	case s == "true" || s == "false":
		return "bool " + s
	}
	return "number " + s
}

// AttributeDefinition declares a key attribute and its type (S, N or B).
type AttributeDefinition struct {
	AttributeName *string `json:"AttributeName,omitempty"`
	AttributeType *string `json:"AttributeType,omitempty"`
}

// KeySchemaElement names one key attribute and its role (HASH or RANGE).
type KeySchemaElement struct {
	AttributeName *string `json:"AttributeName,omitempty"`
	KeyType       *string `json:"KeyType,omitempty"`
}

// ProvisionedThroughput is requested read and write capacity.
type ProvisionedThroughput struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits,omitempty"`
}

// SSESpecification requests server-side encryption settings.
type SSESpecification struct {
	Enabled        *bool  `json:"Enabled,omitempty"`
	SSEType        string `json:"SSEType,omitempty"`
	KMSMasterKeyId string `json:"KMSMasterKeyId,omitempty"`
}

// StreamSpecification requests a change stream (or none).
type StreamSpecification struct {
	StreamEnabled  *bool  `json:"StreamEnabled,omitempty"`
	StreamViewType string `json:"StreamViewType,omitempty"`
}

// Tag is a resource tag.
type Tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

// TableDescription describes a table, as CreateTable, DescribeTable,
// UpdateTable, DeleteTable and the restore operations return it.
type TableDescription struct {
	AttributeDefinitions      []AttributeDefinition             `json:"AttributeDefinitions,omitempty"`
	TableName                 string                            `json:"TableName,omitempty"`
	KeySchema                 []KeySchemaElement                `json:"KeySchema,omitempty"`
	TableStatus               string                            `json:"TableStatus,omitempty"`
	CreationDateTime          *epochTime                        `json:"CreationDateTime,omitempty"`
	ProvisionedThroughput     *ProvisionedThroughputDescription `json:"ProvisionedThroughput,omitempty"`
	TableSizeBytes            int64                             `json:"TableSizeBytes"`
	ItemCount                 int64                             `json:"ItemCount"`
	TableArn                  string                            `json:"TableArn,omitempty"`
	TableId                   string                            `json:"TableId,omitempty"`
	BillingModeSummary        *BillingModeSummary               `json:"BillingModeSummary,omitempty"`
	RestoreSummary            *RestoreSummary                   `json:"RestoreSummary,omitempty"`
	SSEDescription            *SSEDescription                   `json:"SSEDescription,omitempty"`
	TableClassSummary         *TableClassSummary                `json:"TableClassSummary,omitempty"`
	DeletionProtectionEnabled bool                              `json:"DeletionProtectionEnabled"`
	LocalSecondaryIndexes     []LocalSecondaryIndexDescription  `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes    []GlobalSecondaryIndexDescription `json:"GlobalSecondaryIndexes,omitempty"`
}

// ProvisionedThroughputDescription is a table's capacity and its change
// history (0/0 for on-demand tables).
type ProvisionedThroughputDescription struct {
	LastIncreaseDateTime   *epochTime `json:"LastIncreaseDateTime,omitempty"`
	LastDecreaseDateTime   *epochTime `json:"LastDecreaseDateTime,omitempty"`
	NumberOfDecreasesToday int64      `json:"NumberOfDecreasesToday"`
	ReadCapacityUnits      int64      `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64      `json:"WriteCapacityUnits"`
}

// BillingModeSummary is a table's billing mode and when it last became
// on-demand.
type BillingModeSummary struct {
	BillingMode                       string     `json:"BillingMode,omitempty"`
	LastUpdateToPayPerRequestDateTime *epochTime `json:"LastUpdateToPayPerRequestDateTime,omitempty"`
}

// SSEDescription describes encryption with a KMS key. Tables encrypted with
// the AWS owned key have none, as in DynamoDB.
type SSEDescription struct {
	Status          string `json:"Status,omitempty"`
	SSEType         string `json:"SSEType,omitempty"`
	KMSMasterKeyArn string `json:"KMSMasterKeyArn,omitempty"`
}

// TableClassSummary is a table's class, present once a class was chosen
// explicitly (DynamoDB omits it for tables that were always STANDARD).
type TableClassSummary struct {
	TableClass string `json:"TableClass,omitempty"`
}

// Values of the billing, key and encryption enums.
const (
	billingProvisioned   = "PROVISIONED"
	billingPayPerRequest = "PAY_PER_REQUEST"
	keyTypeHash          = "HASH"
	keyTypeRange         = "RANGE"
	sseTypeKMS           = "KMS"
	sseTypeAES256        = "AES256"
	tableClassStandard   = "STANDARD"
	tableClassIA         = "STANDARD_INFREQUENT_ACCESS"
	statusCreating       = "CREATING"
)

// tableDescription builds the TableDescription of a catalog record with its
// live statistics (its indexes' counts are 0: see API.fullDescription), as
// of now (the engine's clock: the day NumberOfDecreasesToday counts).
func tableDescription(t *engine.Table, stats engine.TableStats, now time.Time) TableDescription {
	d := TableDescription{
		AttributeDefinitions:      attributeDefinitions(t),
		TableName:                 t.Name,
		KeySchema:                 keySchemaElements(t.KeySchema),
		TableStatus:               t.Status,
		CreationDateTime:          newEpochTime(t.CreatedAt),
		ProvisionedThroughput:     throughputDescription(t, now),
		TableSizeBytes:            stats.SizeBytes,
		ItemCount:                 stats.ItemCount,
		TableArn:                  t.ARN,
		TableId:                   t.ID,
		RestoreSummary:            restoreSummary(t.Restore),
		DeletionProtectionEnabled: t.DeletionProtection,
	}
	describeIndexes(&d, t)
	switch {
	case t.BillingMode == billingPayPerRequest:
		// A table created on-demand reports its creation time here.
		since := t.LastUpdateToPayPerRequest
		if since.IsZero() {
			since = t.CreatedAt
		}
		d.BillingModeSummary = &BillingModeSummary{BillingMode: billingPayPerRequest,
			LastUpdateToPayPerRequestDateTime: newEpochTime(since)}
	case !t.LastUpdateToPayPerRequest.IsZero():
		d.BillingModeSummary = &BillingModeSummary{BillingMode: billingProvisioned,
			LastUpdateToPayPerRequestDateTime: newEpochTime(t.LastUpdateToPayPerRequest)}
	}
	if t.SSE != nil && t.SSE.Enabled {
		d.SSEDescription = &SSEDescription{Status: "ENABLED", SSEType: sseTypeKMS, KMSMasterKeyArn: t.SSE.KMSMasterKeyID}
	}
	if t.TableClass != "" {
		d.TableClassSummary = &TableClassSummary{TableClass: t.TableClass}
	}
	return d
}

// keySchemaElements renders a key schema as its wire list (HASH first).
func keySchemaElements(ks engine.KeySchema) []KeySchemaElement {
	out := []KeySchemaElement{{AttributeName: ptr(ks.Hash.Name), KeyType: ptr(keyTypeHash)}}
	if ks.Range != nil {
		out = append(out, KeySchemaElement{AttributeName: ptr(ks.Range.Name), KeyType: ptr(keyTypeRange)})
	}
	return out
}

// throughputDescription reports a table's capacity (0/0 on-demand). The
// count of decreases restarts each UTC day.
func throughputDescription(t *engine.Table, now time.Time) *ProvisionedThroughputDescription {
	d := &ProvisionedThroughputDescription{
		LastIncreaseDateTime: newEpochTime(t.LastIncreaseDateTime),
		LastDecreaseDateTime: newEpochTime(t.LastDecreaseDateTime),
	}
	if sameUTCDay(t.LastDecreaseDateTime, now) {
		d.NumberOfDecreasesToday = t.NumberOfDecreasesToday
	}
	if t.BillingMode != billingPayPerRequest {
		d.ReadCapacityUnits, d.WriteCapacityUnits = t.ReadCapacityUnits, t.WriteCapacityUnits
	}
	return d
}

// sameUTCDay reports whether two instants fall on the same UTC calendar day.
func sameUTCDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }
