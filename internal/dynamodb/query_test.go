package dynamodb

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// column returns attribute name's scalar value (S or N) of each item of a
// Query or Scan response, in order.
func column(t testing.TB, resp map[string]any, name string) []string {
	t.Helper()
	var out []string
	items, _ := resp["Items"].([]any)
	for _, it := range items {
		v := it.(map[string]any)[name].(map[string]any)
		for _, s := range v {
			out = append(out, s.(string))
		}
	}
	return out
}

// putNumbers stores items pk=p, sk=n in rangeN for each n, in the given order.
func putNumbers(e *itemEnv, pk string, nums []string) {
	for _, n := range nums {
		e.call("PutItem", fmt.Sprintf(`{"TableName":"rangeN","Item":{"pk":{"S":%q},"sk":{"N":%q},"v":{"S":"v%s"}}}`, pk, n, n))
	}
}

func TestQueryRanges(t *testing.T) {
	e := newItemEnv(t)
	sorted := []string{"-10.5", "-1", "0", "0.01", "1", "2", "10", "99.1"}
	putNumbers(e, "p", []string{"10", "-1", "0.01", "99.1", "0", "2", "-10.5", "1"})
	putNumbers(e, "other", []string{"1", "2"})

	query := func(cond, values string, extra string) []string {
		t.Helper()
		resp := decodeJSON(t, e.call("Query", `{"TableName":"rangeN","KeyConditionExpression":"`+cond+`","ExpressionAttributeValues":{":p":{"S":"p"}`+values+`}`+extra+`}`))
		return column(t, resp, "sk")
	}
	for _, c := range []struct {
		name, cond, values, extra string
		want                      []string
	}{
		{"all", "pk = :p", "", "", sorted},
		{"reverse", "pk = :p", "", `,"ScanIndexForward":false`, []string{"99.1", "10", "2", "1", "0.01", "0", "-1", "-10.5"}},
		{"eq", "pk = :p AND sk = :a", `,":a":{"N":"1.0"}`, "", []string{"1"}},
		{"lt", "pk = :p AND sk < :a", `,":a":{"N":"1"}`, "", []string{"-10.5", "-1", "0", "0.01"}},
		{"le", "pk = :p AND sk <= :a", `,":a":{"N":"1"}`, "", []string{"-10.5", "-1", "0", "0.01", "1"}},
		{"gt", "pk = :p AND sk > :a", `,":a":{"N":"2"}`, "", []string{"10", "99.1"}},
		{"ge", "pk = :p AND :a <= sk", `,":a":{"N":"2"}`, "", []string{"2", "10", "99.1"}},
		{"between", "pk = :p AND sk BETWEEN :a AND :b", `,":a":{"N":"0"},":b":{"N":"2"}`, "", []string{"0", "0.01", "1", "2"}},
		{"between reverse", "pk = :p AND sk BETWEEN :a AND :b", `,":a":{"N":"0"},":b":{"N":"2"}`, `,"ScanIndexForward":false`, []string{"2", "1", "0.01", "0"}},
		{"none", "pk = :p AND sk > :a", `,":a":{"N":"100"}`, "", nil},
	} {
		if got := query(c.cond, c.values, c.extra); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	e.expect("Query", `{"TableName":"rangeN","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"nobody"}}}`,
		`{"Items":[],"Count":0,"ScannedCount":0}`)

	// begins_with on a string sort key, and the legacy form of the same query.
	for _, sk := range []string{"aa", "ab", "abc", "b", "a"} {
		e.call("PutItem", `{"TableName":"range","Item":{"pk":{"S":"s"},"sk":{"S":"`+sk+`"}}}`)
	}
	for _, body := range []string{
		`{"TableName":"range","KeyConditionExpression":"pk = :p AND begins_with(sk, :a)","ExpressionAttributeValues":{":p":{"S":"s"},":a":{"S":"ab"}}}`,
		`{"TableName":"range","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"s"}]},"sk":{"ComparisonOperator":"BEGINS_WITH","AttributeValueList":[{"S":"ab"}]}}}`,
	} {
		if got := column(t, decodeJSON(t, e.call("Query", body)), "sk"); !slices.Equal(got, []string{"ab", "abc"}) {
			t.Errorf("begins_with: got %v", got)
		}
	}
}

func TestQueryPagination(t *testing.T) {
	e := newItemEnv(t)
	var want []string
	for i := range 8 {
		want = append(want, fmt.Sprint(i))
	}
	putNumbers(e, "p", want)
	base := `"TableName":"rangeN","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Limit":4`

	var got []string
	var pages []int
	start := ""
	for {
		resp := decodeJSON(t, e.call("Query", `{`+base+start+`}`))
		got = append(got, column(t, resp, "sk")...)
		pages = append(pages, int(resp["Count"].(float64)))
		lek, ok := resp["LastEvaluatedKey"]
		if !ok {
			break
		}
		start = `,"ExclusiveStartKey":` + mustJSON(t, lek)
	}
	// Reaching Limit always yields a LastEvaluatedKey, so an exact multiple
	// ends with an empty page, as in DynamoDB.
	if !slices.Equal(got, want) || !slices.Equal(pages, []int{4, 4, 0}) {
		t.Fatalf("got %v in pages %v", got, pages)
	}
	e.expect("Query", `{`+base+`,"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"N":"5"}},"ScanIndexForward":false,"ProjectionExpression":"sk"}`,
		`{"Items":[{"sk":{"N":"4"}},{"sk":{"N":"3"}},{"sk":{"N":"2"}},{"sk":{"N":"1"}}],"Count":4,"ScannedCount":4,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"N":"1"}}}`)
}

func TestQueryFilterAndSelect(t *testing.T) {
	e := newItemEnv(t)
	for i := range 6 {
		e.call("PutItem", fmt.Sprintf(`{"TableName":"rangeN","Item":{"pk":{"S":"p"},"sk":{"N":"%d"},"even":{"BOOL":%t}}}`, i, i%2 == 0))
	}
	keys := `"TableName":"rangeN","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"},":t":{"BOOL":true}}`
	// The filter runs after Limit: 4 items read, 2 returned.
	e.expect("Query", `{`+keys+`,"FilterExpression":"even = :t","Limit":4,"ProjectionExpression":"sk"}`,
		`{"Items":[{"sk":{"N":"0"}},{"sk":{"N":"2"}}],"Count":2,"ScannedCount":4,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"N":"3"}}}`)
	e.expect("Query", `{`+keys+`,"FilterExpression":"even = :t","Select":"COUNT"}`, `{"Count":3,"ScannedCount":6}`)
	e.expect("Query", `{`+keys+`,"FilterExpression":"even = :t","Select":"SPECIFIC_ATTRIBUTES","ProjectionExpression":"even","Limit":1}`,
		`{"Items":[{"even":{"BOOL":true}}],"Count":1,"ScannedCount":1,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"N":"0"}}}`)
	// Legacy everything, and legacy KeyConditions with a FilterExpression.
	e.expect("Query", `{"TableName":"rangeN","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]},"sk":{"ComparisonOperator":"GE","AttributeValueList":[{"N":"3"}]}},"QueryFilter":{"even":{"ComparisonOperator":"EQ","AttributeValueList":[{"BOOL":false}]}},"AttributesToGet":["sk"]}`,
		`{"Items":[{"sk":{"N":"3"}},{"sk":{"N":"5"}}],"Count":2,"ScannedCount":3}`)
	e.expect("Query", `{"TableName":"rangeN","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]}},"FilterExpression":"even = :f","ExpressionAttributeValues":{":f":{"BOOL":false}},"Select":"COUNT","ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"}`,
		`{"Count":3,"ScannedCount":6,"ConsumedCapacity":{"TableName":"rangeN","CapacityUnits":1,"Table":{"CapacityUnits":1}}}`)
}

func TestQueryPageSize(t *testing.T) {
	e := newItemEnv(t)
	// 12 items of exactly 100 KB by attr.ItemSize (pk+sk names and values
	// take 2+1+2+2 bytes, "b" the rest): the page ends after the 11th, the
	// first to reach 1 MB of data read.
	const itemBytes = 100 * 1024
	for i := range 12 {
		e.call("PutItem", fmt.Sprintf(`{"TableName":"range","Item":{"pk":{"S":"p"},"sk":{"S":"%02d"},"b":{"S":"%s"}}}`, i, strings.Repeat("x", itemBytes-8)))
	}
	q := `"TableName":"range","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p"}},"Select":"COUNT","ReturnConsumedCapacity":"TOTAL"`
	// 11 items: ceil(11*102400/4096) = 275 units, halved for eventual consistency.
	e.expect("Query", `{`+q+`}`, `{"Count":11,"ScannedCount":11,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"S":"10"}},"ConsumedCapacity":{"TableName":"range","CapacityUnits":137.5}}`)
	e.expect("Query", `{`+q+`,"ExclusiveStartKey":{"pk":{"S":"p"},"sk":{"S":"10"}}}`, `{"Count":1,"ScannedCount":1,"ConsumedCapacity":{"TableName":"range","CapacityUnits":12.5}}`)
	// Capacity counts data read, not returned: a filter matching nothing costs the same.
	e.expect("Query", `{`+q+`,"FilterExpression":"attribute_exists(nothing)"}`,
		`{"Count":0,"ScannedCount":11,"LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"S":"10"}},"ConsumedCapacity":{"TableName":"range","CapacityUnits":137.5}}`)
}

// A Query's filter may not read a key attribute of what it queries (the key
// condition does that), whatever the path from the attribute, partition key
// first; a Scan's may. Texts from dynalite's tests, run against DynamoDB.
func TestQueryFilterOnKeys(t *testing.T) {
	e := newItemEnv(t)
	e.call("PutItem", `{"TableName":"range","Item":{"pk":{"S":"p"},"sk":{"S":"1"},"b":{"N":"1"}}}`)
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"p"},"b":{"N":"1"}}}`)
	query := func(table, filter string) string {
		return `{"TableName":"` + table + `","KeyConditionExpression":"pk = :a","FilterExpression":"` + filter + `",` +
			`"ExpressionAttributeNames":{"#k":"sk","#b":"b"},"ExpressionAttributeValues":{":a":{"S":"p"},":b":{"N":"1"}}}`
	}
	const filterMsg = "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
	var cases []itemValidationCase
	for _, f := range []string{"attribute_exists(pk.b) AND #b = :b AND #k = :b", "pk = :b AND #k = :b AND #b = :b", "pk[1] = :b AND #k = :b AND #b = :b"} {
		cases = append(cases, itemValidationCase{"hash key: " + f, "Query", query("hash", f), "", filterMsg + "pk"})
	}
	for _, f := range []string{"attribute_exists(#k.c) AND #b = :b", "#k = :b AND #b <> :b", "size(#k[1]) > :b OR #b = :b"} {
		cases = append(cases, itemValidationCase{"range key: " + f, "Query", query("range", f), "", filterMsg + "sk"})
	}
	cases = append(cases,
		itemValidationCase{"both keys, partition key named", "Query", query("range", "#k = :b AND #b = :b AND pk = :b"), "", filterMsg + "pk"},
		itemValidationCase{"legacy QueryFilter", "Query", `{"TableName":"range","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]}},` +
			`"QueryFilter":{"b":{"ComparisonOperator":"NOT_NULL"},"sk":{"ComparisonOperator":"NOT_NULL"}}}`, "",
			"QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"},
		itemValidationCase{"legacy KeyConditions with a FilterExpression", "Query", `{"TableName":"range","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]}},` +
			`"FilterExpression":"sk <> :b","ExpressionAttributeValues":{":b":{"S":"x"}}}`, "", filterMsg + "sk"},
		// The rule comes after the ExclusiveStartKey checks.
		itemValidationCase{"after the start key", "Query", `{"TableName":"range","KeyConditionExpression":"pk = :a","FilterExpression":"sk = :a",` +
			`"ExpressionAttributeValues":{":a":{"S":"p"}},"ExclusiveStartKey":{"pk":{"S":"q"},"sk":{"S":"1"}}}`, "",
			"The provided starting key is outside query boundaries based on provided conditions"},
	)
	runItemValidationCases(t, e, cases)

	// A filter on other attributes passes, and a Scan may filter on keys.
	// Only top-level names count: a map key named like a key attribute is fine.
	e.expect("Query", `{"TableName":"range","KeyConditionExpression":"pk = :a","FilterExpression":"#b = :b OR attribute_exists(m.sk) OR m.#p = :a",`+
		`"ExpressionAttributeNames":{"#p":"pk","#b":"b"},"ExpressionAttributeValues":{":a":{"S":"p"},":b":{"N":"1"}}}`, `{"Items":[{"pk":{"S":"p"},"sk":{"S":"1"},"b":{"N":"1"}}],"Count":1,"ScannedCount":1}`)
	e.expect("Scan", `{"TableName":"range","FilterExpression":"pk = :a AND sk = :s","ExpressionAttributeValues":{":a":{"S":"p"},":s":{"S":"1"}}}`,
		`{"Items":[{"pk":{"S":"p"},"sk":{"S":"1"},"b":{"N":"1"}}],"Count":1,"ScannedCount":1}`)
	e.expect("Scan", `{"TableName":"hash","ScanFilter":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"x"}]}}}`,
		`{"Items":[],"Count":0,"ScannedCount":1}`)
}
