package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// restoreBody is a RestoreTableFromBackup request of a backup into target
// with extra members (JSON object members without braces, or "").
func restoreBody(b *backup.Backup, target, extra string) string {
	body := `{"TargetTableName":"` + target + `","BackupArn":"` + b.ARN + `"`
	if extra != "" {
		body += "," + extra
	}
	return body + "}"
}

// restoredSpec runs a restore that must succeed and returns the spec the
// service was asked to create.
func restoredSpec(t *testing.T, a *API, f *fakeBackups, body string) engine.TableSpec {
	t.Helper()
	n := len(f.restores)
	mustCall(t, a, "RestoreTableFromBackup", body)
	if len(f.restores) != n+1 {
		t.Fatalf("%s: the service was not asked to restore", body)
	}
	return f.restores[n].spec
}

// Index overrides restating the Music fixture's indexes.
const (
	gsiByGenre = `{"IndexName":"ByGenre","KeySchema":[{"AttributeName":"Genre","KeyType":"HASH"},{"AttributeName":"Year","KeyType":"RANGE"}],` +
		`"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Label","Price"]},"ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":8}}`
	lsiByAlbum = `{"IndexName":"ByAlbum","KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"AlbumTitle","KeyType":"RANGE"}],` +
		`"Projection":{"ProjectionType":"KEYS_ONLY"}}`
)

func TestRestoreValidation(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	m := fx.music1
	for _, c := range []struct{ body, typ, msg string }{
		{`{}`, "ValidationException", "2 validation errors detected: " +
			"Value null at 'targetTableName' failed to satisfy constraint: Member must not be null; " +
			"Value null at 'backupArn' failed to satisfy constraint: Member must not be null"},
		{restoreBody(m, "a!", ""), "ValidationException", "2 validation errors detected: " +
			"Value 'a!' at 'targetTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
			"Value 'a!' at 'targetTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"},
		{restoreBody(m, "Tgt", `"BillingModeOverride":"BOGUS"`), "ValidationException",
			"1 validation error detected: Value 'BOGUS' at 'billingModeOverride' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{restoreBody(m, "Tgt", `"GlobalSecondaryIndexOverride":[{"IndexName":"g","KeySchema":[]}]`), "ValidationException",
			"3 validation errors detected: " +
				"Value 'g' at 'globalSecondaryIndexOverride.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '[]' at 'globalSecondaryIndexOverride.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value null at 'globalSecondaryIndexOverride.1.member.projection' failed to satisfy constraint: Member must not be null"},
		{restoreBody(m, "Tgt", `"LocalSecondaryIndexOverride":[{"IndexName":"lsi","Projection":{"ProjectionType":"SOME"}}]`), "ValidationException",
			"2 validation errors detected: " +
				"Value null at 'localSecondaryIndexOverride.1.member.keySchema' failed to satisfy constraint: Member must not be null; " +
				"Value 'SOME' at 'localSecondaryIndexOverride.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]"},
		{restoreBody(m, "Tgt", `"ProvisionedThroughputOverride":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}`), "ValidationException",
			"2 validation errors detected: " +
				"Value '0' at 'provisionedThroughputOverride.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '0' at 'provisionedThroughputOverride.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{restoreBody(m, "Tgt", `"SSESpecificationOverride":{"SSEType":"DES"}`), "ValidationException",
			"1 validation error detected: Value 'DES' at 'sseSpecificationOverride.sseType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"},
		{`{"TargetTableName":"Tgt","BackupArn":"` + testTableARN("Music") + `"}`, "ValidationException", "Invalid Backup ARN"},
		{`{"TargetTableName":"Tgt","BackupArn":"` + strings.Replace(m.ARN, "us-east-1", "eu-west-1", 1) + `"}`, "ValidationException",
			"Invalid Request: sseSpecificationOverride must be provided for cross-region restores"},
		{`{"TargetTableName":"Tgt","BackupArn":"` + strings.Replace(m.ARN, "000000000000", "111111111111", 1) + `"}`,
			"AccessDeniedException", "Access is denied"},
		{restoreBody(m, "Tgt", `"OnDemandThroughputOverride":{}`), "ValidationException",
			"One or more parameter values were invalid: OnDemandThroughputOverride is not supported yet"},
		{restoreBody(m, "Tgt", `"GlobalSecondaryIndexOverride":[`+strings.Replace(gsiByGenre, `"ProvisionedThroughput"`, `"WarmThroughput":{},"ProvisionedThroughput"`, 1)+`]`),
			"ValidationException", "One or more parameter values were invalid: WarmThroughput is not supported yet"},
		{restoreBody(m, "Tgt", `"BillingModeOverride":"PAY_PER_REQUEST","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`),
			"ValidationException", "Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST"},
		{restoreBody(m, "Tgt", `"BillingModeOverride":"PROVISIONED"`), "ValidationException",
			"Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"},
		{restoreBody(m, "Tgt", `"ProvisionedThroughputOverride":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1}`), "ValidationException",
			"Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{restoreBody(m, "Tgt", `"SSESpecificationOverride":{"Enabled":false,"SSEType":"KMS"}`), "ValidationException",
			"One or more parameter values were invalid: SSEType can not be specified if Enabled is false"},
	} {
		wantError(t, a, "RestoreTableFromBackup", c.body, c.typ, c.msg)
	}
	if len(f.calls) != 0 {
		t.Errorf("the service was called: %v", f.calls)
	}

	// Rules that need the backup.
	missing := testTableARN("Music") + "/backup/01700000000000-ffffffff"
	wantError(t, a, "RestoreTableFromBackup", `{"TargetTableName":"Tgt","BackupArn":"`+missing+`"}`,
		"BackupNotFoundException", "Backup not found: "+missing)
	for _, c := range []struct {
		b          *backup.Backup
		extra, msg string
	}{
		{fx.plain2, `"ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`,
			"Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"},
		{m, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"KEYS_ONLY"`, `"ALL"`, 1) + `,` +
			strings.Replace(gsiByGenre, `"INCLUDE","NonKeyAttributes":["Label","Price"]`, `"INCLUDE","NonKeyAttributes":["Label"]`, 1) + `]`,
			"Invalid Request: Index ByGenre does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		{m, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"Year","KeyType":"RANGE"`, `"Price","KeyType":"RANGE"`, 1) + `]`,
			"Invalid Request: Index ByGenre does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		{m, `"LocalSecondaryIndexOverride":[` + strings.Replace(lsiByAlbum, `"KEYS_ONLY"`, `"ALL"`, 1) + `]`,
			"Invalid Request: Index ByAlbum does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		// A GSI listed as an LSI does not match.
		{m, `"LocalSecondaryIndexOverride":[{"IndexName":"ByGenre","KeySchema":[{"AttributeName":"Genre","KeyType":"HASH"},{"AttributeName":"Year","KeyType":"RANGE"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["Label","Price"]}}]`,
			"Invalid Request: Index ByGenre does not match a secondary index that existed in the source table and cannot be created during the restore operation"},
		{m, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `,"ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":8}`, "", 1) + `]`,
			"Invalid Request: Must specify provisioned throughput for index ByGenre"},
		{m, `"BillingModeOverride":"PAY_PER_REQUEST","GlobalSecondaryIndexOverride":[` + gsiByGenre + `]`,
			"Invalid Request: Cannot override ProvisionedThroughput if BillingMode is overridden to PAY_PER_REQUEST for index ByGenre"},
		{fx.events, `"GlobalSecondaryIndexOverride":[{"IndexName":"ByType","KeySchema":[{"AttributeName":"type","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}]`,
			"Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED for index ByType"},
		// Switching an on-demand table to PROVISIONED: its GSIs have no throughput to keep.
		{fx.events, `"BillingModeOverride":"PROVISIONED","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`,
			"Invalid Request: Must specify provisioned throughput for index ByType"},
		{m, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"ByGenre"`, `"ByAlbum"`, 1) + `]`,
			"One or more parameter values were invalid: Duplicate index name: ByAlbum"},
	} {
		wantError(t, a, "RestoreTableFromBackup", restoreBody(c.b, "Tgt", c.extra), "ValidationException", c.msg)
	}
	if len(f.restores) != 0 {
		t.Errorf("restores were started: %v", f.restores)
	}
}

func TestRestoreSpecCarriesOver(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	spec := restoredSpec(t, a, f, restoreBody(fx.music1, "Copy", ""))
	if f.restores[0].arn != fx.music1.ARN {
		t.Errorf("restored from %s", f.restores[0].arn)
	}
	src := musicSource()
	want := engine.TableSpec{
		Name:      "Copy",
		KeySchema: src.KeySchema,
		AttributeDefinitions: []engine.AttributeDefinition{
			{Name: "Artist", Type: attr.KindS}, {Name: "SongTitle", Type: attr.KindS}, {Name: "AlbumTitle", Type: attr.KindS},
			{Name: "Genre", Type: attr.KindS}, {Name: "Year", Type: attr.KindN},
		},
		BillingMode:        billingProvisioned,
		ReadCapacityUnits:  5,
		WriteCapacityUnits: 6,
		SSE:                src.SSE,
		Indexes:            []engine.IndexSpec{src.Indexes[0].IndexSpec, src.Indexes[1].IndexSpec},
	}
	if got, w := asJSON(t, spec), asJSON(t, want); got != w {
		t.Errorf("restore spec\n got %s\nwant %s", got, w)
	}
	if spec.SSE == src.SSE || spec.KeySchema.Range == src.KeySchema.Range {
		t.Errorf("the spec shares memory with the backup's record")
	}
}

func TestRestoreSpecOverrides(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	names := func(spec engine.TableSpec) (out []string) {
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
		b       *backup.Backup
		extra   string
		indexes []string // nil: not checked
		defs    []string // nil: not checked
		check   func(engine.TableSpec) string
	}{
		// [] restores no index, and only the table's keys stay defined.
		{fx.music1, `"GlobalSecondaryIndexOverride":[],"LocalSecondaryIndexOverride":[]`, []string{}, []string{"Artist", "SongTitle"}, nil},
		{fx.music1, `"GlobalSecondaryIndexOverride":[]`, []string{"ByAlbum:true:0/0"}, []string{"Artist", "SongTitle", "AlbumTitle"}, nil},
		{fx.music1, `"LocalSecondaryIndexOverride":[]`, []string{"ByGenre:false:3/4"}, []string{"Artist", "SongTitle", "Genre", "Year"}, nil},
		// Null is absent: every index.
		{fx.music1, `"GlobalSecondaryIndexOverride":null`, []string{"ByAlbum:true:0/0", "ByGenre:false:3/4"}, nil, nil},
		// A listed GSI takes its throughput from the override, and may be renamed.
		{fx.music1, `"GlobalSecondaryIndexOverride":[` + gsiByGenre + `],"LocalSecondaryIndexOverride":[` + lsiByAlbum + `]`,
			[]string{"ByAlbum:true:0/0", "ByGenre:false:7/8"}, nil, nil},
		{fx.music1, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"NonKeyAttributes":["Label","Price"]`, `"NonKeyAttributes":["Price","Label"]`, 1) + `]`,
			[]string{"ByAlbum:true:0/0", "ByGenre:false:7/8"}, nil, nil},
		{fx.music1, `"GlobalSecondaryIndexOverride":[` + strings.Replace(gsiByGenre, `"ByGenre"`, `"Genres"`, 1) + `],"LocalSecondaryIndexOverride":[]`,
			[]string{"Genres:false:7/8"}, nil, nil},
		// To on-demand: no throughput anywhere.
		{fx.music1, `"BillingModeOverride":"PAY_PER_REQUEST"`, []string{"ByAlbum:true:0/0", "ByGenre:false:0/0"}, nil,
			func(s engine.TableSpec) string {
				if s.BillingMode != billingPayPerRequest || s.ReadCapacityUnits != 0 || s.WriteCapacityUnits != 0 {
					return fmt.Sprintf("billing %s %d/%d", s.BillingMode, s.ReadCapacityUnits, s.WriteCapacityUnits)
				}
				return ""
			}},
		// To PROVISIONED: the table's throughput from the override, the GSIs keep theirs.
		{fx.music1, `"BillingModeOverride":"PROVISIONED","ProvisionedThroughputOverride":{"ReadCapacityUnits":9,"WriteCapacityUnits":10}`,
			[]string{"ByAlbum:true:0/0", "ByGenre:false:3/4"}, nil,
			func(s engine.TableSpec) string {
				if s.BillingMode != billingProvisioned || s.ReadCapacityUnits != 9 || s.WriteCapacityUnits != 10 {
					return fmt.Sprintf("billing %s %d/%d", s.BillingMode, s.ReadCapacityUnits, s.WriteCapacityUnits)
				}
				return ""
			}},
		{fx.music1, `"ProvisionedThroughputOverride":{"ReadCapacityUnits":9,"WriteCapacityUnits":10}`, nil, nil,
			func(s engine.TableSpec) string {
				if s.ReadCapacityUnits != 9 || s.WriteCapacityUnits != 10 {
					return fmt.Sprintf("throughput %d/%d", s.ReadCapacityUnits, s.WriteCapacityUnits)
				}
				return ""
			}},
		{fx.events, `"BillingModeOverride":"PROVISIONED","ProvisionedThroughputOverride":{"ReadCapacityUnits":1,"WriteCapacityUnits":2},` +
			`"GlobalSecondaryIndexOverride":[{"IndexName":"ByType","KeySchema":[{"AttributeName":"type","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}]`,
			[]string{"ByType:false:3/4"}, []string{"id", "type"}, nil},
		{fx.events, `"GlobalSecondaryIndexOverride":[]`, []string{}, []string{"id"},
			func(s engine.TableSpec) string {
				if s.BillingMode != billingPayPerRequest || s.SSE != nil {
					return fmt.Sprintf("billing %s, SSE %v", s.BillingMode, s.SSE)
				}
				return ""
			}},
		// Encryption: the override's, or none with Enabled false.
		{fx.music1, `"SSESpecificationOverride":{"Enabled":false}`, nil, nil,
			func(s engine.TableSpec) string {
				if s.SSE != nil {
					return fmt.Sprintf("SSE %+v", *s.SSE)
				}
				return ""
			}},
		{fx.plain2, `"SSESpecificationOverride":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"alias/mine"}`, nil, nil,
			func(s engine.TableSpec) string {
				if s.SSE == nil || s.SSE.KMSMasterKeyID != "arn:aws:kms:us-east-1:000000000000:alias/mine" {
					return fmt.Sprintf("SSE %v", s.SSE)
				}
				return ""
			}},
	} {
		spec := restoredSpec(t, a, f, restoreBody(c.b, fmt.Sprintf("Copy%d", i), c.extra))
		if got := names(spec); c.indexes != nil && !slices.Equal(got, c.indexes) {
			t.Errorf("%d %s: indexes %v, want %v", i, c.extra, got, c.indexes)
		}
		if c.defs != nil && !slices.Equal(defs(spec), c.defs) {
			t.Errorf("%d %s: attribute definitions %v, want %v", i, c.extra, defs(spec), c.defs)
		}
		if c.check != nil {
			if msg := c.check(spec); msg != "" {
				t.Errorf("%d %s: %s", i, c.extra, msg)
			}
		}
		if spec.TableClass != "" || spec.DeletionProtection || spec.Tags != nil || spec.Restore != nil {
			t.Errorf("%d: carried over class %q, protection %v, tags %v, restore %v", i, spec.TableClass, spec.DeletionProtection, spec.Tags, spec.Restore)
		}
	}
}

func TestRestoreResponse(t *testing.T) {
	a, _, fx := newBackupAPI(t)
	out := mustCall(t, a, "RestoreTableFromBackup", restoreBody(fx.music1, "Copy", ""))
	wantKeys(t, out, "", "TableDescription")
	d := path(out, "TableDescription")
	wantKeys(t, d, "RestoreSummary", "SourceBackupArn", "SourceTableArn", "RestoreDateTime", "RestoreInProgress")
	for p, want := range map[string]any{
		"TableName":                 "Copy",
		"TableStatus":               "CREATING",
		"TableArn":                  testTableARN("Copy"),
		"ItemCount":                 0.0,
		"DeletionProtectionEnabled": false,
		"TableClassSummary":         nil,
		"ProvisionedThroughput.ReadCapacityUnits":                           5.0,
		"GlobalSecondaryIndexes.0.ProvisionedThroughput.WriteCapacityUnits": 4.0,
		"LocalSecondaryIndexes.0.IndexName":                                 "ByAlbum",
		"SSEDescription.KMSMasterKeyArn":                                    "arn:aws:kms:us-east-1:000000000000:key/k1",
		"RestoreSummary.SourceBackupArn":                                    fx.music1.ARN,
		"RestoreSummary.SourceTableArn":                                     testTableARN("Music"),
		"RestoreSummary.RestoreDateTime":                                    1700000000.0,
		"RestoreSummary.RestoreInProgress":                                  true,
		"AttributeDefinitions.4.AttributeName":                              "Year",
	} {
		if got := path(d, p); got != want {
			t.Errorf("TableDescription.%s = %v, want %v", p, got, want)
		}
	}
	if got := len(path(d, "AttributeDefinitions").([]any)); got != 5 {
		t.Errorf("%d attribute definitions, want 5", got)
	}

	// DescribeTable shows the restore, and keeps the summary once ACTIVE.
	desc := mustCall(t, a, "DescribeTable", `{"TableName":"Copy"}`)
	if got := path(desc, "Table.RestoreSummary.RestoreInProgress"); got != true {
		t.Errorf("RestoreInProgress while CREATING = %v", got)
	}
	if got := path(desc, "Table.TableStatus"); got != "CREATING" {
		t.Errorf("TableStatus = %v", got)
	}
	if _, err := a.eng.FinishRestore(context.Background(), "Copy"); err != nil {
		t.Fatal(err)
	}
	desc = mustCall(t, a, "DescribeTable", `{"TableName":"Copy"}`)
	if got := path(desc, "Table.TableStatus"); got != "ACTIVE" {
		t.Errorf("TableStatus after the restore = %v", got)
	}
	wantKeys(t, desc, "Table.RestoreSummary", "SourceBackupArn", "SourceTableArn", "RestoreDateTime", "RestoreInProgress")
	if got := path(desc, "Table.RestoreSummary.RestoreInProgress"); got != false {
		t.Errorf("RestoreInProgress after the restore = %v", got)
	}
	// A table that was not restored has no summary.
	mustCall(t, a, "CreateTable", `{"TableName":"Fresh","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],`+
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	if got := path(mustCall(t, a, "DescribeTable", `{"TableName":"Fresh"}`), "Table.RestoreSummary"); got != nil {
		t.Errorf("RestoreSummary of a created table = %v", got)
	}
}

func TestRestoreConflicts(t *testing.T) {
	a, f, fx := newBackupAPI(t)
	mustCall(t, a, "CreateTable", `{"TableName":"Taken","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],`+
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	wantError(t, a, "RestoreTableFromBackup", restoreBody(fx.music1, "Taken", ""), "TableAlreadyExistsException", "Table already exists: Taken")

	mustCall(t, a, "RestoreTableFromBackup", restoreBody(fx.plain2, "Loading", ""))
	wantError(t, a, "RestoreTableFromBackup", restoreBody(fx.music1, "Loading", ""), "TableInUseException",
		"Table: Loading is already being restored from backup: "+fx.plain2.ARN)
	if _, err := a.eng.FinishRestore(context.Background(), "Loading"); err != nil {
		t.Fatal(err)
	}
	wantError(t, a, "RestoreTableFromBackup", restoreBody(fx.music1, "Loading", ""), "TableAlreadyExistsException", "Table already exists: Loading")

	for _, c := range []struct {
		err      error
		typ, msg string
	}{
		{backup.ErrBackupInUse, "BackupInUseException", "Backup is being used to restore another table: " + fx.music1.ARN},
		{backup.ErrRestoreLimit, "LimitExceededException", "Subscriber limit exceeded: Only 50 restore operations can be done simultaneously"},
		{backup.ErrBackupNotFound, "BackupNotFoundException", "Backup not found: " + fx.music1.ARN},
	} {
		f.errs["Restore"] = fmt.Errorf("%w: %s", c.err, fx.music1.ARN)
		wantError(t, a, "RestoreTableFromBackup", restoreBody(fx.music1, "Other", ""), c.typ, c.msg)
	}
}

func TestRestoreConflictRules(t *testing.T) {
	restoring := &engine.Table{Status: engine.StatusCreating,
		TableSpec: engine.TableSpec{Restore: &engine.RestoreState{SourceBackupARN: "arn:b", InProgress: true}}}
	deleting := &engine.Table{Status: engine.StatusDeleting}
	for _, c := range []struct {
		t        *engine.Table
		typ, msg string
	}{
		{restoring, "TableInUseException", "Table: T is already being restored from backup: arn:b"},
		{deleting, "TableAlreadyExistsException", "Table already exists: T"},
		{nil, "TableAlreadyExistsException", "Table already exists: T"},
	} {
		e := restoreConflict(c.t, "T").(*Error)
		if !strings.HasSuffix(e.Type, "#"+c.typ) || e.Message != c.msg {
			t.Errorf("restoreConflict = %s %q, want %s %q", e.Type, e.Message, c.typ, c.msg)
		}
	}
}
