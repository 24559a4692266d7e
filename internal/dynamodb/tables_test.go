package dynamodb

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Table operations against a real engine.

// createSimple creates an on-demand table with a string hash key "pk".
func createSimple(t *testing.T, a *API, name string) map[string]any {
	t.Helper()
	return mustCall(t, a, "CreateTable", `{"TableName":"`+name+`","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}`)
}

// uuidPattern matches a TableId.
var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestCreateTableProvisioned(t *testing.T) {
	a := newTestAPI(t)
	out := mustCall(t, a, "CreateTable", `{"TableName":"Music",
		"AttributeDefinitions":[{"AttributeName":"Song","AttributeType":"S"},{"AttributeName":"Artist","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"Artist","KeyType":"HASH"},{"AttributeName":"Song","KeyType":"RANGE"}],
		"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":7}}`)
	d := out["TableDescription"].(map[string]any)
	created, ok := d["CreationDateTime"].(float64)
	if !ok || created < 1.7e9 {
		t.Errorf("CreationDateTime = %v", d["CreationDateTime"])
	}
	if !uuidPattern.MatchString(fmt.Sprint(d["TableId"])) {
		t.Errorf("TableId = %v", d["TableId"])
	}
	delete(d, "CreationDateTime")
	delete(d, "TableId")
	want := map[string]any{
		// AttributeDefinitions come back sorted by name, as DynamoDB reports them.
		"AttributeDefinitions": []any{
			map[string]any{"AttributeName": "Artist", "AttributeType": "N"},
			map[string]any{"AttributeName": "Song", "AttributeType": "S"},
		},
		"TableName": "Music",
		"KeySchema": []any{
			map[string]any{"AttributeName": "Artist", "KeyType": "HASH"},
			map[string]any{"AttributeName": "Song", "KeyType": "RANGE"},
		},
		"TableStatus":               "CREATING",
		"ProvisionedThroughput":     map[string]any{"NumberOfDecreasesToday": 0.0, "ReadCapacityUnits": 5.0, "WriteCapacityUnits": 7.0},
		"TableSizeBytes":            0.0,
		"ItemCount":                 0.0,
		"TableArn":                  "arn:aws:dynamodb:us-east-1:000000000000:table/Music",
		"DeletionProtectionEnabled": false,
	}
	if fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("TableDescription:\n got %v\nwant %v", d, want)
	}

	wantError(t, a, "CreateTable", `{"TableName":"Music","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"}],"KeySchema":[{"AttributeName":"a","KeyType":"HASH"}]}`,
		"ResourceInUseException", "Table already exists: Music")

	desc := mustCall(t, a, "DescribeTable", `{"TableName":"Music"}`)
	if s := path(desc, "Table.TableStatus"); s != "ACTIVE" {
		t.Errorf("DescribeTable status = %v", s)
	}
	if path(desc, "Table.BillingModeSummary") != nil {
		t.Errorf("a provisioned table has no BillingModeSummary: %v", desc)
	}
	byARN := mustCall(t, a, "DescribeTable", `{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/Music"}`)
	if path(byARN, "Table.TableId") != path(desc, "Table.TableId") {
		t.Errorf("DescribeTable by ARN = %v", byARN)
	}
	wantError(t, a, "DescribeTable", `{"TableName":"Nope"}`, "ResourceNotFoundException",
		"Requested resource not found: Table: Nope not found")
}

func TestCreateTableOptions(t *testing.T) {
	a := newTestAPI(t)
	out := mustCall(t, a, "CreateTable", `{"TableName":"opts","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"B"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"SSESpecification":{"Enabled":true,"SSEType":"KMS","KMSMasterKeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"},
		"TableClass":"STANDARD_INFREQUENT_ACCESS","DeletionProtectionEnabled":true,
		"StreamSpecification":{"StreamEnabled":false},
		"Tags":[{"Key":"team","Value":"data"}]}`)
	d := out["TableDescription"]
	if got := path(d, "BillingModeSummary.LastUpdateToPayPerRequestDateTime"); got == nil || got != path(d, "CreationDateTime") {
		t.Errorf("an on-demand table reports its creation time as LastUpdateToPayPerRequestDateTime: %v", d)
	}
	for p, want := range map[string]any{
		"BillingModeSummary.BillingMode":           "PAY_PER_REQUEST",
		"ProvisionedThroughput.ReadCapacityUnits":  0.0,
		"ProvisionedThroughput.WriteCapacityUnits": 0.0,
		"SSEDescription.Status":                    "ENABLED",
		"SSEDescription.SSEType":                   "KMS",
		"SSEDescription.KMSMasterKeyArn":           "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		"TableClassSummary.TableClass":             "STANDARD_INFREQUENT_ACCESS",
		"DeletionProtectionEnabled":                true,
	} {
		if got := path(d, p); got != want {
			t.Errorf("%s = %v, want %v", p, got, want)
		}
	}
	tags := mustCall(t, a, "ListTagsOfResource", `{"ResourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/opts"}`)
	if fmt.Sprint(tags) != "map[Tags:[map[Key:team Value:data]]]" {
		t.Errorf("tags = %v", tags)
	}

	// The AWS owned key (the default) has no SSEDescription; STANDARD is
	// the default class and has no summary; SSEType alone means KMS with
	// the AWS managed key.
	plain := mustCall(t, a, "CreateTable", `{"TableName":"plain","BillingMode":"PAY_PER_REQUEST","TableClass":"STANDARD",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"SSESpecification":{}}`)
	if path(plain, "TableDescription.SSEDescription") != nil || path(plain, "TableDescription.TableClassSummary") != nil {
		t.Errorf("plain table: %v", plain)
	}
	managed := mustCall(t, a, "CreateTable", `{"TableName":"managed","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"SSESpecification":{"SSEType":"KMS"}}`)
	if got := path(managed, "TableDescription.SSEDescription.KMSMasterKeyArn"); got != "arn:aws:kms:us-east-1:000000000000:alias/aws/dynamodb" {
		t.Errorf("managed key = %v", got)
	}
}

func TestListTables(t *testing.T) {
	a := newTestAPI(t)
	if got, _ := call(t, a, "ListTables", `{}`); got != `{"TableNames":[]}` {
		t.Errorf("no tables: %s", got)
	}
	for _, n := range []string{"ccc", "aaa", "bbb", "ddd"} {
		createSimple(t, a, n)
	}
	for _, c := range []struct{ body, want string }{
		{`{}`, `{"TableNames":["aaa","bbb","ccc","ddd"]}`},
		{`{"Limit":2}`, `{"TableNames":["aaa","bbb"],"LastEvaluatedTableName":"bbb"}`},
		{`{"Limit":2,"ExclusiveStartTableName":"bbb"}`, `{"TableNames":["ccc","ddd"]}`},
		{`{"Limit":4}`, `{"TableNames":["aaa","bbb","ccc","ddd"]}`},
		{`{"ExclusiveStartTableName":"abc"}`, `{"TableNames":["bbb","ccc","ddd"]}`},
		{`{"ExclusiveStartTableName":"zzz"}`, `{"TableNames":[]}`},
		{`{"ExclusiveStartTableName":null,"Limit":null,"Other":1}`, `{"TableNames":["aaa","bbb","ccc","ddd"]}`},
	} {
		if got, err := call(t, a, "ListTables", c.body); err != nil || got != c.want {
			t.Errorf("ListTables %s = %s %v, want %s", c.body, got, err, c.want)
		}
	}
}

func TestUpdateTableThroughput(t *testing.T) {
	a := newTestAPI(t)
	mustCall(t, a, "CreateTable", `{"TableName":"tpt","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`)

	up := mustCall(t, a, "UpdateTable", `{"TableName":"tpt","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":5}}`)
	pt := path(up, "TableDescription.ProvisionedThroughput")
	if path(pt, "ReadCapacityUnits") != 10.0 || path(pt, "LastIncreaseDateTime") == nil || path(pt, "LastDecreaseDateTime") != nil {
		t.Errorf("after increase: %v", pt)
	}
	if s := path(up, "TableDescription.TableStatus"); s != "ACTIVE" {
		t.Errorf("status after update = %v", s)
	}
	down := mustCall(t, a, "UpdateTable", `{"TableName":"tpt","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":1}}`)
	pt = path(down, "TableDescription.ProvisionedThroughput")
	if path(pt, "WriteCapacityUnits") != 1.0 || path(pt, "NumberOfDecreasesToday") != 1.0 || path(pt, "LastDecreaseDateTime") == nil {
		t.Errorf("after decrease: %v", pt)
	}
	wantError(t, a, "UpdateTable", `{"TableName":"tpt","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":1}}`,
		"ValidationException", "The provisioned throughput for the table will not change. The requested value equals the current value. "+
			"Current ReadCapacityUnits provisioned for the table: 10. Requested ReadCapacityUnits: 10. "+
			"Current WriteCapacityUnits provisioned for the table: 1. Requested WriteCapacityUnits: 1. "+
			"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.")

	ppr := mustCall(t, a, "UpdateTable", `{"TableName":"tpt","BillingMode":"PAY_PER_REQUEST"}`)
	d := path(ppr, "TableDescription")
	if path(d, "BillingModeSummary.BillingMode") != "PAY_PER_REQUEST" || path(d, "BillingModeSummary.LastUpdateToPayPerRequestDateTime") == nil ||
		path(d, "ProvisionedThroughput.ReadCapacityUnits") != 0.0 {
		t.Errorf("after switch to on-demand: %v", d)
	}
	mustCall(t, a, "UpdateTable", `{"TableName":"tpt","BillingMode":"PAY_PER_REQUEST"}`) // same mode: accepted
	wantError(t, a, "UpdateTable", `{"TableName":"tpt","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`,
		"ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")

	back := mustCall(t, a, "UpdateTable", `{"TableName":"tpt","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}`)
	d = path(back, "TableDescription")
	if path(d, "BillingModeSummary.BillingMode") != "PROVISIONED" || path(d, "ProvisionedThroughput.ReadCapacityUnits") != 3.0 ||
		path(d, "ProvisionedThroughput.WriteCapacityUnits") != 4.0 {
		t.Errorf("after switch to provisioned: %v", d)
	}
	desc := mustCall(t, a, "DescribeTable", `{"TableName":"tpt"}`)
	if fmt.Sprint(path(desc, "Table.ProvisionedThroughput")) != fmt.Sprint(path(d, "ProvisionedThroughput")) {
		t.Errorf("DescribeTable disagrees with UpdateTable: %v", desc)
	}
	wantError(t, a, "UpdateTable", `{"TableName":"nope","BillingMode":"PAY_PER_REQUEST"}`,
		"ResourceNotFoundException", "Requested resource not found: Table: nope not found")
}

func TestUpdateTableSettings(t *testing.T) {
	a := newTestAPI(t)
	createSimple(t, a, "set")
	for _, c := range []struct{ body, typ, msg string }{
		{`{"TableName":"set","SSESpecification":{}}`, "ValidationException", "One or more parameter values were invalid: Table is already encrypted by default"},
		{`{"TableName":"set","SSESpecification":{"Enabled":false}}`, "ValidationException", "One or more parameter values were invalid: Table is already encrypted by default"},
		{`{"TableName":"set","StreamSpecification":{"StreamEnabled":false}}`, "ValidationException", "Table has no stream to disable: TableName: set"},
	} {
		wantError(t, a, "UpdateTable", c.body, c.typ, c.msg)
	}

	// TableClass STANDARD on a table that never chose a class changes nothing.
	d := mustCall(t, a, "UpdateTable", `{"TableName":"set","TableClass":"STANDARD"}`)
	if path(d, "TableDescription.TableClassSummary") != nil {
		t.Errorf("STANDARD on a default table: %v", d)
	}
	d = mustCall(t, a, "UpdateTable", `{"TableName":"set","TableClass":"STANDARD_INFREQUENT_ACCESS"}`)
	if path(d, "TableDescription.TableClassSummary.TableClass") != "STANDARD_INFREQUENT_ACCESS" {
		t.Errorf("class IA: %v", d)
	}
	d = mustCall(t, a, "UpdateTable", `{"TableName":"set","TableClass":"STANDARD"}`)
	if path(d, "TableDescription.TableClassSummary.TableClass") != "STANDARD" {
		t.Errorf("class back to STANDARD: %v", d)
	}

	d = mustCall(t, a, "UpdateTable", `{"TableName":"set","SSESpecification":{"Enabled":true}}`)
	if path(d, "TableDescription.SSEDescription.KMSMasterKeyArn") != "arn:aws:kms:us-east-1:000000000000:alias/aws/dynamodb" {
		t.Errorf("SSE on: %v", d)
	}
	wantError(t, a, "UpdateTable", `{"TableName":"set","SSESpecification":{"Enabled":true,"SSEType":"KMS"}}`, "ValidationException",
		"One or more parameter values were invalid: Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key")
	d = mustCall(t, a, "UpdateTable", `{"TableName":"set","SSESpecification":{"Enabled":false}}`)
	if path(d, "TableDescription.SSEDescription") != nil {
		t.Errorf("SSE off: %v", d)
	}

	d = mustCall(t, a, "UpdateTable", `{"TableName":"set","DeletionProtectionEnabled":true}`)
	if path(d, "TableDescription.DeletionProtectionEnabled") != true {
		t.Errorf("deletion protection: %v", d)
	}
	if s := path(mustCall(t, a, "DescribeTable", `{"TableName":"set"}`), "Table.TableStatus"); s != "ACTIVE" {
		t.Errorf("table status after updates = %v", s)
	}
}

func TestDeleteTable(t *testing.T) {
	a := newTestAPI(t)
	mustCall(t, a, "CreateTable", `{"TableName":"del","BillingMode":"PAY_PER_REQUEST","DeletionProtectionEnabled":true,
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}`)
	wantError(t, a, "DeleteTable", `{"TableName":"del"}`, "ValidationException",
		"Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	mustCall(t, a, "UpdateTable", `{"TableName":"del","DeletionProtectionEnabled":false}`)

	out := mustCall(t, a, "DeleteTable", `{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/del"}`)
	if path(out, "TableDescription.TableStatus") != "DELETING" || path(out, "TableDescription.TableName") != "del" {
		t.Errorf("DeleteTable = %v", out)
	}
	wantError(t, a, "DescribeTable", `{"TableName":"del"}`, "ResourceNotFoundException", "Requested resource not found: Table: del not found")
	wantError(t, a, "DeleteTable", `{"TableName":"del"}`, "ResourceNotFoundException", "Requested resource not found: Table: del not found")

	// The name is free again; the new table is another table.
	again := createSimple(t, a, "del")
	if path(again, "TableDescription.TableId") == path(out, "TableDescription.TableId") {
		t.Errorf("a re-created table has a new TableId")
	}
}

// The control plane reads time from the engine's clock only: creation,
// throughput changes and the day NumberOfDecreasesToday counts follow an
// injected clock, not the wall clock.
func TestTableTimesFollowEngineClock(t *testing.T) {
	start := time.Date(2031, 3, 4, 23, 30, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	e, _ := openItemEnv(t, engine.Options{Dir: t.TempDir(), Clock: clk}, false)
	at := func(tm time.Time) float64 { return float64(tm.UnixMilli()) / 1000 }
	created := decodeJSON(t, e.call("CreateTable", `{"TableName":"clk","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`))
	if got := path(created, "TableDescription.CreationDateTime"); got != at(start) {
		t.Errorf("CreationDateTime %v, want %v", got, at(start))
	}

	clk.Advance(10 * time.Minute)
	changed := clk.Now()
	up := decodeJSON(t, e.call("UpdateTable", `{"TableName":"clk","ProvisionedThroughput":{"ReadCapacityUnits":10,"WriteCapacityUnits":1}}`))
	jsonEqual(t, mustJSON(t, path(up, "TableDescription.ProvisionedThroughput")), fmt.Sprintf(
		`{"LastIncreaseDateTime":%v,"LastDecreaseDateTime":%v,"NumberOfDecreasesToday":1,"ReadCapacityUnits":10,"WriteCapacityUnits":1}`,
		at(changed), at(changed)))

	// Still the same UTC day by the engine's clock: the decrease counts.
	clk.Advance(5 * time.Minute)
	desc := decodeJSON(t, e.call("DescribeTable", `{"TableName":"clk"}`))
	if n := path(desc, "Table.ProvisionedThroughput.NumberOfDecreasesToday"); n != 1.0 {
		t.Errorf("NumberOfDecreasesToday the same day = %v, want 1", n)
	}
	// The next UTC day it restarts.
	clk.Advance(time.Hour)
	desc = decodeJSON(t, e.call("DescribeTable", `{"TableName":"clk"}`))
	if n := path(desc, "Table.ProvisionedThroughput.NumberOfDecreasesToday"); n != 0.0 {
		t.Errorf("NumberOfDecreasesToday the next day = %v, want 0", n)
	}

	ppr := decodeJSON(t, e.call("UpdateTable", `{"TableName":"clk","BillingMode":"PAY_PER_REQUEST"}`))
	if got := path(ppr, "TableDescription.BillingModeSummary.LastUpdateToPayPerRequestDateTime"); got != at(clk.Now()) {
		t.Errorf("LastUpdateToPayPerRequestDateTime %v, want %v", got, at(clk.Now()))
	}
}
