package dynamodb

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/engine"
)

// Requests naming a table (%[1]s: its name, %[2]s: its ARN) for every
// operation that refuses a table still being restored.
var notReadyRequests = []struct{ op, body string }{
	{"GetItem", `{"TableName":"%[1]s","Key":{"id":{"S":"1"}}}`},
	{"PutItem", `{"TableName":"%[1]s","Item":{"id":{"S":"1"}}}`},
	{"UpdateItem", `{"TableName":"%[1]s","Key":{"id":{"S":"1"}},"UpdateExpression":"SET a = :v","ExpressionAttributeValues":{":v":{"S":"x"}}}`},
	{"DeleteItem", `{"TableName":"%[1]s","Key":{"id":{"S":"1"}}}`},
	{"Query", `{"TableName":"%[1]s","KeyConditionExpression":"id = :v","ExpressionAttributeValues":{":v":{"S":"1"}}}`},
	{"Scan", `{"TableName":"%[1]s"}`},
	{"BatchGetItem", `{"RequestItems":{"%[1]s":{"Keys":[{"id":{"S":"1"}}]}}}`},
	{"BatchWriteItem", `{"RequestItems":{"%[1]s":[{"PutRequest":{"Item":{"id":{"S":"1"}}}}]}}`},
	{"TransactGetItems", `{"TransactItems":[{"Get":{"TableName":"%[1]s","Key":{"id":{"S":"1"}}}}]}`},
	{"TransactWriteItems", `{"TransactItems":[{"Put":{"TableName":"%[1]s","Item":{"id":{"S":"1"}}}}]}`},
	{"UpdateTable", `{"TableName":"%[1]s","DeletionProtectionEnabled":true}`},
	{"TagResource", `{"ResourceArn":"%[2]s","Tags":[{"Key":"k","Value":"v"}]}`},
	{"UntagResource", `{"ResourceArn":"%[2]s","TagKeys":["k"]}`},
	{"ListTagsOfResource", `{"ResourceArn":"%[2]s"}`},
	{"UpdateTimeToLive", `{"TableName":"%[1]s","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"ttl"}}`},
	{"DescribeTimeToLive", `{"TableName":"%[1]s"}`},
}

// A table being restored answers as a missing table does, except to
// DescribeTable, DeleteTable and CreateTable; once restored it works.
func TestTableBeingRestored(t *testing.T) {
	a, _, fx := newBackupAPI(t)
	mustCall(t, a, "RestoreTableFromBackup", restoreBody(fx.plain2, "Restored", ""))
	req := func(body, name string) string { return fmt.Sprintf(body, name, testTableARN(name)) }
	for _, r := range notReadyRequests {
		missing, missErr := call(t, a, r.op, req(r.body, "Missing"))
		if missErr == nil {
			t.Fatalf("%s of a missing table: %s", r.op, missing)
		}
		want := strings.ReplaceAll(missErr.Message, "Missing", "Restored")
		wantError(t, a, r.op, req(r.body, "Restored"), "ResourceNotFoundException", want)
		if !strings.HasSuffix(missErr.Type, "#ResourceNotFoundException") {
			t.Errorf("%s of a missing table: %s", r.op, missErr.Type)
		}
	}
	if d := mustCall(t, a, "DescribeTable", `{"TableName":"Restored"}`); path(d, "Table.TableStatus") != "CREATING" {
		t.Errorf("DescribeTable: %v", d)
	}
	wantError(t, a, "DeleteTable", `{"TableName":"Restored"}`, "ResourceInUseException",
		"Attempt to change a resource which is still in use: Table is being created: Restored")
	wantError(t, a, "CreateTable", `{"TableName":"Restored","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],`+
		`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`,
		"ResourceInUseException", "Table already exists: Restored")

	if _, err := a.eng.FinishRestore(context.Background(), "Restored"); err != nil {
		t.Fatal(err)
	}
	for _, r := range notReadyRequests {
		if _, err := call(t, a, r.op, req(r.body, "Restored")); err != nil && strings.HasSuffix(err.Type, "#ResourceNotFoundException") {
			t.Errorf("%s after the restore: %s", r.op, err)
		}
	}
	mustCall(t, a, "UpdateTable", `{"TableName":"Restored","DeletionProtectionEnabled":false}`) // set above
	mustCall(t, a, "DeleteTable", `{"TableName":"Restored"}`)
}

// Engine errors saying a table is not ready (or gone) that reach the API
// become the item operations' ResourceNotFoundException.
func TestTableNotReadyErrors(t *testing.T) {
	for _, sentinel := range []error{engine.ErrTableNotReady, engine.ErrTableNotFound} {
		err := fmt.Errorf("%w: T", sentinel)
		for name, got := range map[string]error{"tableGone": tableGone(err), "writeError": writeError(err)} {
			if e, ok := got.(*Error); !ok || !strings.HasSuffix(e.Type, "#ResourceNotFoundException") || e.Message != "Requested resource not found" {
				t.Errorf("%s(%v) = %v", name, err, got)
			}
		}
		a := newEnginelessAPI()
		a.ops["Fails"] = func(context.Context, []byte) (any, error) { return nil, err }
		wantError(t, a, "Fails", `{}`, "ResourceNotFoundException", "Requested resource not found")
	}
	if other := fmt.Errorf("disk on fire"); tableGone(other) != other || writeError(other) != other {
		t.Errorf("other errors must pass through")
	}
}

func TestTableDescriptionRestoreSummary(t *testing.T) {
	tbl := plainSource()
	if d := asJSON(t, tableDescription(tbl, engine.TableStats{}, backupEpoch)); strings.Contains(d, "RestoreSummary") {
		t.Errorf("a table never restored has a RestoreSummary: %s", d)
	}
	tbl.Restore = &engine.RestoreState{SourceBackupARN: "arn:b", SourceTableARN: "arn:t", RestoreDateTime: backupEpoch, InProgress: false}
	got := asJSON(t, tableDescription(tbl, engine.TableStats{}, backupEpoch).RestoreSummary)
	if want := `{"SourceBackupArn":"arn:b","SourceTableArn":"arn:t","RestoreDateTime":1700000000,"RestoreInProgress":false}`; got != want {
		t.Errorf("RestoreSummary = %s, want %s", got, want)
	}
	tbl.Restore = &engine.RestoreState{SourceTableARN: "arn:t", RestoreDateTime: backupEpoch, InProgress: true}
	got = asJSON(t, tableDescription(tbl, engine.TableStats{}, backupEpoch).RestoreSummary)
	if want := `{"SourceTableArn":"arn:t","RestoreDateTime":1700000000,"RestoreInProgress":true}`; got != want {
		t.Errorf("RestoreSummary of a point-in-time restore = %s, want %s", got, want)
	}
}
