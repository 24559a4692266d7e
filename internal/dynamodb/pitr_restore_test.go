package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// pitrBody is a RestoreTableToPointInTime request of source (a name, or an
// ARN) into target with extra members (JSON object members without braces,
// or ""; a time member is needed).
func pitrBody(source, target, extra string) string {
	member := "SourceTableName"
	if strings.HasPrefix(source, "arn:") {
		member = "SourceTableArn"
	}
	body := `{"` + member + `":"` + source + `","TargetTableName":"` + target + `"`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

// Time members of a RestoreTableToPointInTime request.
const (
	useLatest = `"UseLatestRestorableTime":true`
	inWindow  = `"RestoreDateTime":1700000001.5` // pitrEarliest + 1.5 s
)

// pitrRestoredSpec runs a point-in-time restore that must succeed and
// returns the spec the service was asked to create.
func pitrRestoredSpec(t *testing.T, a *API, f *fakePITR, body string) engine.TableSpec {
	t.Helper()
	n := len(f.restores)
	mustCall(t, a, "RestoreTableToPointInTime", body)
	if len(f.restores) != n+1 {
		t.Fatalf("%s: the service was not asked to restore", body)
	}
	return f.restores[n].spec
}

func TestPITRRestoreShapeValidation(t *testing.T) {
	a, f := newEnginelessPITRAPI()
	musicArn := testTableARN("Music")
	for _, c := range []struct{ body, typ, msg string }{
		{`{}`, "ValidationException",
			"1 validation error detected: Value null at 'targetTableName' failed to satisfy constraint: Member must not be null"},
		{`{"SourceTableName":"ab","TargetTableName":"a!"}`, "ValidationException", "3 validation errors detected: " +
			"Value 'ab' at 'sourceTableName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
			"Value 'a!' at 'targetTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
			"Value 'a!' at 'targetTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{`{"SourceTableArn":"","TargetTableName":"Tgt",` + useLatest + `}`, "ValidationException",
			"1 validation error detected: Value '' at 'sourceTableArn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		// Coral constraints of the overrides come before the other rules.
		{`{"SourceTableName":"Music","SourceTableArn":"x","TargetTableName":"Tgt","BillingModeOverride":"BOGUS"}`, "ValidationException",
			"1 validation error detected: Value 'BOGUS' at 'billingModeOverride' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{pitrBody("Music", "Tgt", `"GlobalSecondaryIndexOverride":[{"IndexName":"g","KeySchema":[]}],"ProvisionedThroughputOverride":{"ReadCapacityUnits":0,"WriteCapacityUnits":1}`),
			"ValidationException", "4 validation errors detected: " +
				"Value 'g' at 'globalSecondaryIndexOverride.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '[]' at 'globalSecondaryIndexOverride.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value null at 'globalSecondaryIndexOverride.1.member.projection' failed to satisfy constraint: Member must not be null; " +
				"Value '0' at 'provisionedThroughputOverride.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{pitrBody("Music", "Tgt", `"SSESpecificationOverride":{"SSEType":"DES"}`), "ValidationException",
			"1 validation error detected: Value 'DES' at 'sseSpecificationOverride.sseType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"},
		{pitrBody("Music", "Tgt", `"RestoreDateTime":"2023-11-14T22:13:20Z"`), "SerializationException", "STRING_VALUE cannot be converted to Date"},
		// The source: exactly one; with neither, DynamoDB says TableName is missing.
		{`{"SourceTableName":"Music","SourceTableArn":"` + musicArn + `","TargetTableName":"Tgt"}`, "ValidationException",
			"Must provide exactly one of: sourceTableArn, sourceTableName"},
		{`{"TargetTableName":"Tgt",` + useLatest + `}`, "ValidationException",
			"The parameter 'TableName' is required but was not present in the request"},
		{pitrBody("arn:aws:dynamodb:us-east-1:000000000000:table/Music/backup/01700000000000-0000000a", "Tgt", useLatest), "ValidationException", "sourceTableArn is not a valid ARN"},
		{pitrBody("arn:aws:dynamodb:us-east-1:000000000000:table/a!", "Tgt", useLatest), "ValidationException", "sourceTableArn is not a valid ARN"},
		{pitrBody("arn:aws:s3:::bucket", "Tgt", useLatest), "ValidationException", "sourceTableArn is not a valid ARN"},
		{pitrBody("arn:aws:dynamodb:mars-north-1:000000000000:table/Music", "Tgt", useLatest), "ValidationException", "sourceTableArn is not a valid ARN"},
		{pitrBody("arn:aws:dynamodb:us-east-1:12345:table/Music", "Tgt", useLatest), "ValidationException", "sourceTableArn is not a valid ARN"},
		{`{"SourceTableArn":"Music","TargetTableName":"Tgt",` + useLatest + `}`, "ValidationException", "sourceTableArn is not a valid ARN"},
		{pitrBody("arn:aws:dynamodb:us-east-1:111111111111:table/Music", "Tgt", useLatest), "ValidationException",
			"This action is only supported by accounts that match the resource owner's account"},
		{pitrBody("arn:aws:dynamodb:eu-west-1:000000000000:table/Music", "Tgt", useLatest), "ValidationException",
			"Invalid Request: sseSpecificationOverride must be provided for cross-region restores"},
		// The time: exactly one of a date and UseLatestRestorableTime true.
		{pitrBody("Music", "Tgt", useLatest+","+inWindow), "ValidationException",
			"Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time restore request. Please specify either RestoreDateTime time or UseLatestRestorableTime"},
		{pitrBody("Music", "Tgt", ""), "ValidationException",
			"Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"},
		{pitrBody("Music", "Tgt", `"UseLatestRestorableTime":false`), "ValidationException",
			"Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"},
		{pitrBody("Music", "Tgt", `"UseLatestRestorableTime":null,"RestoreDateTime":null`), "ValidationException",
			"Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"},
		// Precedence: the source before the time, the time before the overrides.
		{`{"SourceTableName":"Music","SourceTableArn":"` + musicArn + `","TargetTableName":"Tgt","BillingModeOverride":"PROVISIONED"}`, "ValidationException",
			"Must provide exactly one of: sourceTableArn, sourceTableName"},
		{pitrBody("Music", "Tgt", `"BillingModeOverride":"PROVISIONED"`), "ValidationException",
			"Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"},
		// The overrides' own rules, as for RestoreTableFromBackup.
		{pitrBody("Music", "Tgt", useLatest+`,"BillingModeOverride":"PROVISIONED"`), "ValidationException",
			"Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"},
		{pitrBody("Music", "Tgt", useLatest+`,"BillingModeOverride":"PAY_PER_REQUEST","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`),
			"ValidationException", "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST"},
		{pitrBody("Music", "Tgt", useLatest+`,"ProvisionedThroughputOverride":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1}`),
			"ValidationException", "Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{pitrBody("Music", "Tgt", useLatest+`,"OnDemandThroughputOverride":{"MaxReadRequestUnits":5}`), "ValidationException",
			"One or more parameter values were invalid: OnDemandThroughputOverride is not supported yet"},
		{pitrBody("Music", "Tgt", useLatest+`,"SSESpecificationOverride":{"Enabled":false,"KMSMasterKeyId":"k"}`), "ValidationException",
			"One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false"},
	} {
		wantError(t, a, "RestoreTableToPointInTime", c.body, c.typ, c.msg)
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}
}

func TestPITRRestoreSourceErrors(t *testing.T) {
	a, f := newPITRAPI(t)
	ctx := context.Background()
	// A restore target still loading is no source.
	if _, err := a.eng.CreateTable(ctx, engine.TableSpec{Name: "Loading",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: attr.KindS}}, BillingMode: billingPayPerRequest,
		Restore: &engine.RestoreState{SourceBackupARN: "arn:b", SourceTableARN: testTableARN("Plain")}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ body, typ, msg string }{
		// A missing source wins over an existing target.
		{pitrBody("Nope", "Plain", useLatest), "TableNotFoundException", "Table not found: Nope"},
		{pitrBody(testTableARN("Nope"), "Tgt", useLatest), "TableNotFoundException", "Table not found: Nope"},
		{pitrBody("Loading", "Tgt", useLatest), "TableNotFoundException", "Table not found: Loading"},
		// Overrides checked against the source's current record.
		{pitrBody("Music", "Tgt", useLatest+`,"GlobalSecondaryIndexOverride":[`+strings.Replace(gsiByGenre, `"Year","KeyType":"RANGE"`, `"Price","KeyType":"RANGE"`, 1)+`]`),
			"ValidationException", "Invalid Request: Index ByGenre does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		{pitrBody("Music", "Tgt", useLatest+`,"LocalSecondaryIndexOverride":[`+strings.Replace(lsiByAlbum, `"KEYS_ONLY"`, `"ALL"`, 1)+`]`),
			"ValidationException", "Invalid Request: Index ByAlbum does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		{pitrBody("Plain", "Tgt", useLatest+`,"ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`),
			"ValidationException", "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"},
		{pitrBody("Events", "Tgt", useLatest+`,"BillingModeOverride":"PROVISIONED","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`),
			"ValidationException", "Invalid Request: Must specify provisioned throughput for index ByType"},
	} {
		wantError(t, a, "RestoreTableToPointInTime", c.body, c.typ, c.msg)
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}
}

func TestPITRRestoreServiceErrors(t *testing.T) {
	a, f := newPITRAPI(t)
	const outside = `"RestoreDateTime":1699999999.877` // 123 ms before the window
	for _, c := range []struct{ body, typ, msg string }{
		// PITR off wins over a bad time and an existing target.
		{pitrBody("Plain", "Events", `"RestoreDateTime":0`), "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'Plain'"},
		{pitrBody(testTableARN("Plain"), "Tgt", useLatest), "PointInTimeRecoveryUnavailableException", "Point in time recovery is not enabled for table 'Plain'"},
		// A bad time wins over an existing target; instants at ms precision.
		{pitrBody("Music", "Events", outside), "InvalidRestoreTimeException",
			"RestoreDateTime '2023-11-14T22:13:19.877Z' must be within EarliestRestorableDateTime '2023-11-14T22:13:20Z' and LatestRestorableDateTime '2023-11-14T23:13:20.456Z'"},
		{pitrBody("Music", "Tgt", `"RestoreDateTime":1700003600.457`), "InvalidRestoreTimeException",
			"RestoreDateTime '2023-11-14T23:13:20.457Z' must be within EarliestRestorableDateTime '2023-11-14T22:13:20Z' and LatestRestorableDateTime '2023-11-14T23:13:20.456Z'"},
		{pitrBody("Music", "Tgt", `"RestoreDateTime":0`), "InvalidRestoreTimeException",
			"RestoreDateTime '1970-01-01T00:00:00Z' must be within EarliestRestorableDateTime '2023-11-14T22:13:20Z' and LatestRestorableDateTime '2023-11-14T23:13:20.456Z'"},
		// Then the target: taken, even by the source itself.
		{pitrBody("Music", "Events", inWindow), "TableAlreadyExistsException", "Table already exists: Events"},
		{pitrBody("Music", "Music", useLatest), "TableAlreadyExistsException", "Table already exists: Music"},
	} {
		wantError(t, a, "RestoreTableToPointInTime", c.body, c.typ, c.msg)
	}
	if len(f.restores) != 0 {
		t.Errorf("restores were started: %v", f.restores)
	}

	// A target that is itself a restore still loading is in use.
	mustCall(t, a, "RestoreTableToPointInTime", pitrBody("Music", "Loading", useLatest))
	wantError(t, a, "RestoreTableToPointInTime", pitrBody("Events", "Loading", useLatest), "TableInUseException",
		"Table: Loading is already being restored from table: "+testTableARN("Music"))
	if _, err := a.eng.CreateTable(context.Background(), engine.TableSpec{Name: "FromBackup",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "id", Type: attr.KindS}}, BillingMode: billingPayPerRequest,
		Restore: &engine.RestoreState{SourceBackupARN: "arn:b", SourceTableARN: testTableARN("Plain")}}); err != nil {
		t.Fatal(err)
	}
	wantError(t, a, "RestoreTableToPointInTime", pitrBody("Events", "FromBackup", useLatest), "TableInUseException",
		"Table: FromBackup is already being restored from backup: arn:b")
	if _, err := a.eng.FinishRestore(context.Background(), "Loading"); err != nil {
		t.Fatal(err)
	}
	wantError(t, a, "RestoreTableToPointInTime", pitrBody("Events", "Loading", useLatest), "TableAlreadyExistsException", "Table already exists: Loading")

	// The service's other refusals.
	for _, c := range []struct {
		err      error
		typ, msg string
	}{
		{backup.ErrRestoreLimit, "LimitExceededException", "Subscriber limit exceeded: Only 50 restore operations can be done simultaneously"},
		{engine.ErrTableNotFound, "TableNotFoundException", "Table not found: Events"},
		{engine.ErrTableNotReady, "TableNotFoundException", "Table not found: Events"},
		{fmt.Errorf("disk on fire"), "InternalServerError", "Internal server error"},
	} {
		f.errs["Restore"] = fmt.Errorf("restore: %w", c.err)
		wantError(t, a, "RestoreTableToPointInTime", pitrBody("Events", "Other", useLatest), c.typ, c.msg)
	}
}

func TestPITRRestoreSpecCarriesOver(t *testing.T) {
	a, f := newPITRAPI(t)
	// The source's current settings count, not those it was created with.
	mustCall(t, a, "UpdateTable", `{"TableName":"Music","ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":8}}`)
	spec := pitrRestoredSpec(t, a, f, pitrBody("Music", "Copy", inWindow))
	r := f.restores[0]
	if r.source != "Music" || r.latest || !r.at.Equal(pitrEarliest.Add(1500*time.Millisecond)) {
		t.Errorf("service asked to restore %s at %v (latest %v)", r.source, r.at, r.latest)
	}
	s := attr.KindS
	want := engine.TableSpec{
		Name:      "Copy",
		KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Artist", Type: s}, Range: &engine.KeyAttr{Name: "SongTitle", Type: s}},
		AttributeDefinitions: []engine.AttributeDefinition{
			{Name: "Artist", Type: s}, {Name: "SongTitle", Type: s}, {Name: "AlbumTitle", Type: s},
			{Name: "Genre", Type: s}, {Name: "Year", Type: attr.KindN},
		},
		BillingMode:        billingProvisioned,
		ReadCapacityUnits:  7,
		WriteCapacityUnits: 8,
		SSE:                &engine.SSE{Enabled: true, SSEType: sseTypeKMS, KMSMasterKeyID: "arn:aws:kms:us-east-1:000000000000:key/k1"},
		Indexes: []engine.IndexSpec{
			{Name: "ByAlbum", Local: true, KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Artist", Type: s}, Range: &engine.KeyAttr{Name: "AlbumTitle", Type: s}},
				Projection: engine.Projection{Type: projectionKeysOnly}},
			{Name: "ByGenre", KeySchema: engine.KeySchema{Hash: engine.KeyAttr{Name: "Genre", Type: s}, Range: &engine.KeyAttr{Name: "Year", Type: attr.KindN}},
				Projection: engine.Projection{Type: projectionInclude, NonKeyAttributes: []string{"Price", "Label"}}, ReadCapacityUnits: 3, WriteCapacityUnits: 4},
		},
	}
	if got, w := asJSON(t, spec), asJSON(t, want); got != w {
		t.Errorf("restore spec\n got %s\nwant %s", got, w)
	}

	pitrRestoredSpec(t, a, f, pitrBody(testTableARN("Events"), "Copy2", useLatest))
	if r := f.restores[1]; r.source != "Events" || !r.latest || !r.at.IsZero() {
		t.Errorf("service asked to restore %s at %v (latest %v)", r.source, r.at, r.latest)
	}
	// A cross-region ARN with an SSE override names the table here.
	pitrRestoredSpec(t, a, f, pitrBody("arn:aws:dynamodb:eu-west-1:000000000000:table/Events", "Copy3", useLatest+`,"SSESpecificationOverride":{"Enabled":true}`))
	if r := f.restores[2]; r.source != "Events" || r.spec.SSE == nil || r.spec.SSE.KMSMasterKeyID != "arn:aws:kms:us-east-1:000000000000:alias/aws/dynamodb" {
		t.Errorf("cross-region restore of %s with SSE %+v", r.source, r.spec.SSE)
	}
}

func TestPITRRestoreSpecOverrides(t *testing.T) {
	a, f := newPITRAPI(t)
	indexes := func(spec engine.TableSpec) (out []string) {
		for _, ix := range spec.Indexes {
			out = append(out, fmt.Sprintf("%s:%v:%d/%d", ix.Name, ix.Local, ix.ReadCapacityUnits, ix.WriteCapacityUnits))
		}
		return out
	}
	defs := func(spec engine.TableSpec) (out []string) {
		for _, d := range spec.AttributeDefinitions {
			out = append(out, d.Name)
		}
		return out
	}
	for i, c := range []struct {
		source, extra string
		indexes       []string // nil: not checked
		defs          []string // nil: not checked
		billing       string   // "": not checked; else mode and table throughput
	}{
		// Absent or null: every index; []: none.
		{"Music", "", []string{"ByAlbum:true:0/0", "ByGenre:false:3/4"}, nil, "PROVISIONED 5/6"},
		{"Music", `"GlobalSecondaryIndexOverride":null,"LocalSecondaryIndexOverride":null`, []string{"ByAlbum:true:0/0", "ByGenre:false:3/4"}, nil, ""},
		{"Music", `"GlobalSecondaryIndexOverride":[],"LocalSecondaryIndexOverride":[]`, []string{}, []string{"Artist", "SongTitle"}, ""},
		{"Music", `"GlobalSecondaryIndexOverride":[]`, []string{"ByAlbum:true:0/0"}, []string{"Artist", "SongTitle", "AlbumTitle"}, ""},
		{"Music", `"LocalSecondaryIndexOverride":[]`, []string{"ByGenre:false:3/4"}, []string{"Artist", "SongTitle", "Genre", "Year"}, ""},
		// A listed GSI takes the override's throughput and may be renamed.
		{"Music", `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"ByGenre"`, `"Genres"`, 1) + `],"LocalSecondaryIndexOverride":[` + lsiByAlbum + `]`,
			[]string{"ByAlbum:true:0/0", "Genres:false:7/8"}, nil, ""},
		// Billing: to on-demand drops every throughput; to PROVISIONED needs it.
		{"Music", `"BillingModeOverride":"PAY_PER_REQUEST"`, []string{"ByAlbum:true:0/0", "ByGenre:false:0/0"}, nil, "PAY_PER_REQUEST 0/0"},
		{"Music", `"ProvisionedThroughputOverride":{"ReadCapacityUnits":9,"WriteCapacityUnits":10}`, nil, nil, "PROVISIONED 9/10"},
		{"Events", `"BillingModeOverride":"PROVISIONED","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":2},` +
			`"GlobalSecondaryIndexOverride":[{"IndexName":"ByType","KeySchema":[{"AttributeName":"type","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}]`,
			[]string{"ByType:false:3/4"}, []string{"id", "type"}, "PROVISIONED 1/2"},
		{"Events", `"GlobalSecondaryIndexOverride":[]`, []string{}, []string{"id"}, "PAY_PER_REQUEST 0/0"},
	} {
		spec := pitrRestoredSpec(t, a, f, pitrBody(c.source, fmt.Sprintf("Copy%d", i), useLatest+prefixComma(c.extra)))
		if got := indexes(spec); c.indexes != nil && !slices.Equal(got, c.indexes) {
			t.Errorf("%d %s: indexes %v, want %v", i, c.extra, got, c.indexes)
		}
		if c.defs != nil && !slices.Equal(defs(spec), c.defs) {
			t.Errorf("%d %s: attribute definitions %v, want %v", i, c.extra, defs(spec), c.defs)
		}
		if got := fmt.Sprintf("%s %d/%d", spec.BillingMode, spec.ReadCapacityUnits, spec.WriteCapacityUnits); c.billing != "" && got != c.billing {
			t.Errorf("%d %s: billing %s, want %s", i, c.extra, got, c.billing)
		}
		if spec.TableClass != "" || spec.DeletionProtection || spec.Tags != nil || spec.Restore != nil {
			t.Errorf("%d: carried over class %q, protection %v, tags %v, restore %v", i, spec.TableClass, spec.DeletionProtection, spec.Tags, spec.Restore)
		}
	}
	// Encryption: the override's, or none with Enabled false.
	if spec := pitrRestoredSpec(t, a, f, pitrBody("Music", "NoSSE", useLatest+`,"SSESpecificationOverride":{"Enabled":false}`)); spec.SSE != nil {
		t.Errorf("SSE %+v, want none", *spec.SSE)
	}
	spec := pitrRestoredSpec(t, a, f, pitrBody("Events", "MySSE", useLatest+`,"SSESpecificationOverride":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"alias/mine"}`))
	if spec.SSE == nil || spec.SSE.KMSMasterKeyID != "arn:aws:kms:us-east-1:000000000000:alias/mine" {
		t.Errorf("SSE %+v", spec.SSE)
	}
}

// prefixComma returns s after a comma, or "" for "".
func prefixComma(s string) string {
	if s == "" {
		return ""
	}
	return "," + s
}

func TestPITRRestoreResponse(t *testing.T) {
	a, _ := newPITRAPI(t)
	out := mustCall(t, a, "RestoreTableToPointInTime", pitrBody("Music", "Copy", `"RestoreDateTime":1700000001.5,"UseLatestRestorableTime":false`))
	wantKeys(t, out, "", "TableDescription")
	d := path(out, "TableDescription")
	wantKeys(t, d, "RestoreSummary", "SourceTableArn", "RestoreDateTime", "RestoreInProgress")
	for p, want := range map[string]any{
		"TableName":                 "Copy",
		"TableStatus":               "CREATING",
		"TableArn":                  testTableARN("Copy"),
		"ItemCount":                 0.0,
		"DeletionProtectionEnabled": false,
		"TableClassSummary":         nil,
		"ProvisionedThroughput.ReadCapacityUnits": 5.0,
		"GlobalSecondaryIndexes.0.IndexName":      "ByGenre",
		"LocalSecondaryIndexes.0.IndexName":       "ByAlbum",
		"SSEDescription.KMSMasterKeyArn":          "arn:aws:kms:us-east-1:000000000000:key/k1",
		"RestoreSummary.SourceTableArn":           testTableARN("Music"),
		"RestoreSummary.RestoreDateTime":          1700000001.5,
		"RestoreSummary.RestoreInProgress":        true,
	} {
		if got := path(d, p); got != want {
			t.Errorf("TableDescription.%s = %v, want %v", p, got, want)
		}
	}

	// UseLatestRestorableTime restores the window's end, which the summary
	// reports to the millisecond.
	out = mustCall(t, a, "RestoreTableToPointInTime", pitrBody("Events", "Latest", useLatest))
	if got := path(out, "TableDescription.RestoreSummary.RestoreDateTime"); got != float64(pitrLatest.UnixMilli())/1000 {
		t.Errorf("RestoreDateTime = %v, want %v", got, float64(pitrLatest.UnixMilli())/1000)
	}

	// DescribeTable shows the restore while it loads and after.
	desc := mustCall(t, a, "DescribeTable", `{"TableName":"Copy"}`)
	wantKeys(t, desc, "Table.RestoreSummary", "SourceTableArn", "RestoreDateTime", "RestoreInProgress")
	if got := path(desc, "Table.TableStatus"); got != "CREATING" {
		t.Errorf("TableStatus = %v", got)
	}
	if _, err := a.eng.FinishRestore(context.Background(), "Copy"); err != nil {
		t.Fatal(err)
	}
	desc = mustCall(t, a, "DescribeTable", `{"TableName":"Copy"}`)
	if got := path(desc, "Table.RestoreSummary.RestoreInProgress"); got != false {
		t.Errorf("RestoreInProgress after the restore = %v", got)
	}
}
