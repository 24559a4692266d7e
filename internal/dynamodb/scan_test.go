package dynamodb

import (
	"fmt"
	"slices"
	"testing"
)

func TestScanSegmentsAndPages(t *testing.T) {
	e := newItemEnv(t)
	var all []string
	for i := range 40 {
		k := fmt.Sprintf("k%02d", i)
		all = append(all, k)
		e.call("PutItem", fmt.Sprintf(`{"TableName":"hash","Item":{"pk":{"S":%q},"odd":{"BOOL":%t}}}`, k, i%2 == 1))
	}

	// Four segments partition the table.
	var seen []string
	for seg := range 4 {
		resp := decodeJSON(t, e.call("Scan", fmt.Sprintf(`{"TableName":"hash","Segment":%d,"TotalSegments":4}`, seg)))
		keys := column(t, resp, "pk")
		if len(keys) == 0 || len(keys) == len(all) {
			t.Errorf("segment %d holds %d of %d items", seg, len(keys), len(all))
		}
		seen = append(seen, keys...)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, all) {
		t.Fatalf("segments cover %v", seen)
	}

	// Paging with Limit and a filter visits everything once.
	var odd []string
	start, scanned := "", 0
	for {
		resp := decodeJSON(t, e.call("Scan", `{"TableName":"hash","Limit":7,"FilterExpression":"odd = :t","ExpressionAttributeValues":{":t":{"BOOL":true}}`+start+`}`))
		odd = append(odd, column(t, resp, "pk")...)
		scanned += int(resp["ScannedCount"].(float64))
		lek, ok := resp["LastEvaluatedKey"]
		if !ok {
			break
		}
		start = `,"ExclusiveStartKey":` + mustJSON(t, lek)
	}
	slices.Sort(odd)
	if scanned != 40 || len(odd) != 20 || odd[0] != "k01" || odd[19] != "k39" {
		t.Fatalf("scanned %d, odd %v", scanned, odd)
	}

	e.expect("Scan", `{"TableName":"hash","Select":"COUNT","ScanFilter":{"odd":{"ComparisonOperator":"EQ","AttributeValueList":[{"BOOL":false}]}},"ReturnConsumedCapacity":"TOTAL","ConsistentRead":true}`,
		`{"Count":20,"ScannedCount":40,"ConsumedCapacity":{"TableName":"hash","CapacityUnits":1}}`)
	e.expect("Scan", `{"TableName":"range"}`, `{"Items":[],"Count":0,"ScannedCount":0}`)
}
