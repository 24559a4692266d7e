package dynamodb

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// ttlSpec is an UpdateTimeToLive request on table "hash".
func ttlSpec(enabled bool, name string) string {
	return `{"TableName":"hash","TimeToLiveSpecification":{"Enabled":` + strconv.FormatBool(enabled) + `,"AttributeName":"` + name + `"}}`
}

const describeHashTTL = `{"TableName":"hash"}`

func TestTimeToLiveSettings(t *testing.T) {
	e := newItemEnv(t)
	e.expect("DescribeTimeToLive", describeHashTTL, `{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}`)
	e.expect("UpdateTimeToLive", ttlSpec(true, "exp"), `{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"exp"}}`)
	e.expect("DescribeTimeToLive", `{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/hash"}`,
		`{"TimeToLiveDescription":{"TimeToLiveStatus":"ENABLED","AttributeName":"exp"}}`)
	runItemValidationCases(t, e, []itemValidationCase{
		{"enable again", "UpdateTimeToLive", ttlSpec(true, "exp"), "", "TimeToLive is already enabled"},
		{"enable another", "UpdateTimeToLive", ttlSpec(true, "other"), "",
			"TimeToLive is active on a different AttributeName: current AttributeName is exp"},
		{"disable another", "UpdateTimeToLive", ttlSpec(false, "other"), "",
			"TimeToLive is active on a different AttributeName: current AttributeName is exp"},
	})
	e.expect("UpdateTimeToLive", ttlSpec(false, "exp"), `{"TimeToLiveSpecification":{"Enabled":false,"AttributeName":"exp"}}`)
	e.expect("DescribeTimeToLive", describeHashTTL, `{"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}}`)
	// TTL may name a key attribute.
	e.expect("UpdateTimeToLive", ttlSpec(true, "pk"), `{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"pk"}}`)
}

func TestTimeToLiveValidation(t *testing.T) {
	e := newItemEnv(t)
	long := strings.Repeat("a", 256)
	runItemValidationCases(t, e, []itemValidationCase{
		{"disable when disabled", "UpdateTimeToLive", ttlSpec(false, "exp"), "", "TimeToLive is already disabled"},
		{"no table name", "UpdateTimeToLive", `{"TimeToLiveSpecification":{"Enabled":true,"AttributeName":"a"}}`, "",
			"The parameter 'TableName' is required but was not present in the request"},
		{"no specification", "UpdateTimeToLive", `{"TableName":"hash"}`, "",
			"1 validation error detected: Value null at 'timeToLiveSpecification' " + msgNull},
		{"empty specification", "UpdateTimeToLive", `{"TableName":"x","TimeToLiveSpecification":{}}`, "",
			"3 validation errors detected: Value 'x' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3" +
				"; Value null at 'timeToLiveSpecification.enabled' " + msgNull +
				"; Value null at 'timeToLiveSpecification.attributeName' " + msgNull},
		{"empty attribute name", "UpdateTimeToLive", ttlSpec(true, ""), "",
			"1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long attribute name", "UpdateTimeToLive", ttlSpec(true, long), "",
			"1 validation error detected: Value '" + long + "' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"update missing table", "UpdateTimeToLive", `{"TableName":"nosuch","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"a"}}`, "ResourceNotFoundException",
			"Requested resource not found: Table: nosuch not found"},
		{"describe missing table", "DescribeTimeToLive", `{"TableName":"nosuch"}`, "ResourceNotFoundException",
			"Requested resource not found: Table: nosuch not found"},
		{"describe no table name", "DescribeTimeToLive", `{}`, "",
			"The parameter 'TableName' is required but was not present in the request"},
	})
}

// Items whose TTL attribute is an epoch time in the past are deleted by the
// engine's expiry pass, and readable until then; others stay.
func TestTimeToLiveExpiry(t *testing.T) {
	start := time.Unix(1_800_000_000, 0)
	clk := clock.NewFake(start)
	// The background pass is made rare so that the test runs the pass.
	e, _ := openItemEnv(t, engine.Options{Dir: t.TempDir(), Clock: clk, TTLInterval: 24 * time.Hour}, true)
	e.call("UpdateTimeToLive", ttlSpec(true, "exp"))
	epoch := func(d time.Duration) string { return strconv.FormatInt(start.Add(d).Unix(), 10) }
	for _, it := range []string{
		`{"pk":{"S":"soon"},"exp":{"N":"` + epoch(time.Minute) + `"}}`,
		`{"pk":{"S":"later"},"exp":{"N":"` + epoch(time.Hour) + `"}}`,
		`{"pk":{"S":"text"},"exp":{"S":"` + epoch(time.Minute) + `"}}`,
		`{"pk":{"S":"none"}}`,
	} {
		e.call("PutItem", `{"TableName":"hash","Item":`+it+`}`)
	}
	clk.Advance(2 * time.Minute)
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"soon"}},"ProjectionExpression":"pk"}`, `{"Item":{"pk":{"S":"soon"}}}`)
	n, err := e.api.eng.ExpireNow(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("ExpireNow = %d, %v; want 1 deletion", n, err)
	}
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"soon"}}}`, `{}`)
	for _, pk := range []string{"later", "text", "none"} {
		e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"`+pk+`"}},"ProjectionExpression":"pk"}`, `{"Item":{"pk":{"S":"`+pk+`"}}}`)
	}
}
