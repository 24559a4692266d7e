package dynamodb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// Secondary indexes through the API and the real engine: declaration,
// description, maintenance by writes, Query and Scan, capacity, and index
// changes with UpdateTable.

// musicTable creates table "music" (provisioned 5/5): key pk/sk (S), a
// local index byLs (pk, ls N; KEYS_ONLY) and a global index byG (g S, gs N;
// INCLUDE v; 3/4). It returns the CreateTable response.
func musicTable(e *itemEnv) map[string]any {
	e.t.Helper()
	return decodeJSON(e.t, e.call("CreateTable", `{"TableName":"music",
		"AttributeDefinitions":[{"AttributeName":"sk","AttributeType":"S"},{"AttributeName":"pk","AttributeType":"S"},
			{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"gs","AttributeType":"N"},{"AttributeName":"ls","AttributeType":"N"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
		"LocalSecondaryIndexes":[{"IndexName":"byLs","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"ls","KeyType":"RANGE"}],
			"Projection":{"ProjectionType":"KEYS_ONLY"}}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"gs","KeyType":"RANGE"}],
			"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v"]},"ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}],
		"ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":5}}`))
}

// musicItem renders an item of music; g, gs and ls are left out when empty.
func musicItem(pk, sk, g, gs, ls string) string {
	s := `{"pk":{"S":"` + pk + `"},"sk":{"S":"` + sk + `"},"v":{"S":"v-` + sk + `"},"w":{"S":"w-` + sk + `"}`
	if g != "" {
		s += `,"g":{"S":"` + g + `"}`
	}
	if gs != "" {
		s += `,"gs":{"N":"` + gs + `"}`
	}
	if ls != "" {
		s += `,"ls":{"N":"` + ls + `"}`
	}
	return s + "}"
}

// fillMusic stores p1/s1..s5 (in byG under G, gs 5..1; in byLs, ls 10..50)
// and the sparse p1/s6 (in neither index).
func fillMusic(e *itemEnv) {
	for i := 1; i <= 5; i++ {
		sk := fmt.Sprintf("s%d", i)
		e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", sk, "G", fmt.Sprint(6-i), fmt.Sprint(10*i))+`}`)
	}
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s6", "", "", "")+`}`)
}

// musicIndexes is the index part of music's description, as DynamoDB
// reports it; status is byG's IndexStatus.
func musicIndexes(status string, gsiCount, lsiCount, gsiSize, lsiSize int) string {
	return fmt.Sprintf(`{
		"LocalSecondaryIndexes":[{"IndexName":"byLs","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"ls","KeyType":"RANGE"}],
			"Projection":{"ProjectionType":"KEYS_ONLY"},"IndexSizeBytes":%d,"ItemCount":%d,
			"IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/music/index/byLs"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"},{"AttributeName":"gs","KeyType":"RANGE"}],
			"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["v"]},"IndexStatus":"%s",
			"ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":3,"WriteCapacityUnits":4},
			"IndexSizeBytes":%d,"ItemCount":%d,"IndexArn":"arn:aws:dynamodb:us-east-1:000000000000:table/music/index/byG"}],
		"AttributeDefinitions":[{"AttributeName":"g","AttributeType":"S"},{"AttributeName":"gs","AttributeType":"N"},
			{"AttributeName":"ls","AttributeType":"N"},{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"S"}]}`,
		lsiSize, lsiCount, status, gsiSize, gsiCount)
}

// indexPart keeps the index members and AttributeDefinitions of a table
// description.
func indexPart(t *testing.T, d any) string {
	t.Helper()
	m := d.(map[string]any)
	return mustJSON(t, map[string]any{"LocalSecondaryIndexes": m["LocalSecondaryIndexes"],
		"GlobalSecondaryIndexes": m["GlobalSecondaryIndexes"], "AttributeDefinitions": m["AttributeDefinitions"]})
}

// entrySize is what an index counts for one entry: the projected item's
// size plus 100 bytes.
func entrySize(t *testing.T, item string) int {
	t.Helper()
	it, err := attr.ParseItemJSON([]byte(item))
	if err != nil {
		t.Fatal(err)
	}
	return attr.ItemSize(it) + 100
}

func TestCreateTableWithIndexes(t *testing.T) {
	e := newItemEnv(t)
	created := musicTable(e)
	jsonEqual(t, indexPart(t, created["TableDescription"]), musicIndexes("CREATING", 0, 0, 0, 0))
	if s := path(created, "TableDescription.TableStatus"); s != "CREATING" {
		t.Errorf("TableStatus %v", s)
	}
	fillMusic(e)
	gsiSize, lsiSize := 0, 0
	for i := 1; i <= 5; i++ {
		sk := fmt.Sprintf("s%d", i)
		gsiSize += entrySize(t, fmt.Sprintf(`{"pk":{"S":"p1"},"sk":{"S":"%s"},"g":{"S":"G"},"gs":{"N":"%d"},"v":{"S":"v-%s"}}`, sk, 6-i, sk))
		lsiSize += entrySize(t, fmt.Sprintf(`{"pk":{"S":"p1"},"sk":{"S":"%s"},"ls":{"N":"%d"}}`, sk, 10*i))
	}
	desc := decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	jsonEqual(t, indexPart(t, desc["Table"]), musicIndexes("ACTIVE", 5, 5, gsiSize, lsiSize))
	if n := path(desc, "Table.ItemCount"); n != 6.0 {
		t.Errorf("table ItemCount %v", n)
	}

	// An on-demand table's GSIs report 0/0 throughput.
	e.call("CreateTable", `{"TableName":"ondemand","BillingMode":"PAY_PER_REQUEST",
		"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],
		"GlobalSecondaryIndexes":[{"IndexName":"byG","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}]}`)
	od := decodeJSON(t, e.call("DescribeTable", `{"TableName":"ondemand"}`))
	jsonEqual(t, mustJSON(t, path(od, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput")),
		`{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0}`)
}

func TestIndexWritesValidation(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	runItemValidationCases(t, e, []itemValidationCase{
		{"GSI key type", "PutItem", `{"TableName":"music","Item":{"pk":{"S":"p"},"sk":{"S":"s"},"g":{"N":"1"}}}`, "",
			"One or more parameter values were invalid: Type mismatch for Index Key g Expected: S Actual: N IndexName: byG"},
		{"LSI key type", "BatchWriteItem", `{"RequestItems":{"music":[{"PutRequest":{"Item":{"pk":{"S":"p"},"sk":{"S":"s"},"ls":{"NULL":true}}}}]}}`, "",
			"One or more parameter values were invalid: Type mismatch for Index Key ls Expected: N Actual: NULL IndexName: byLs"},
		{"empty GSI key", "PutItem", `{"TableName":"music","Item":{"pk":{"S":"p"},"sk":{"S":"s"},"g":{"S":""}}}`, "",
			"One or more parameter values are not valid. A value specified for a secondary index key is not supported. " +
				"The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g"},
		{"update to GSI key type", "UpdateItem", `{"TableName":"music","Key":{"pk":{"S":"p"},"sk":{"S":"s"}},"UpdateExpression":"SET gs = :x",` +
			`"ExpressionAttributeValues":{":x":{"S":"1"}}}`, "",
			"One or more parameter values were invalid: Type mismatch for Index Key gs Expected: N Actual: S IndexName: byG"},
	})
}

func TestIndexQueryAndScan(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	fillMusic(e)
	const byG = `"TableName":"music","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}}`

	// Pages of 2 in index order; LastEvaluatedKey has the index's and the
	// table's keys.
	var order []string
	var esk any
	for pages := 0; ; pages++ {
		body := `{` + byG + `,"Limit":2`
		if esk != nil {
			body += `,"ExclusiveStartKey":` + mustJSON(t, esk)
		}
		resp := decodeJSON(t, e.call("Query", body+`}`))
		order = append(order, column(t, resp, "sk")...)
		esk = resp["LastEvaluatedKey"]
		if pages == 0 {
			jsonEqual(t, mustJSON(t, esk), `{"g":{"S":"G"},"gs":{"N":"2"},"pk":{"S":"p1"},"sk":{"S":"s4"}}`)
			jsonEqual(t, mustJSON(t, resp["Items"].([]any)[0]),
				`{"pk":{"S":"p1"},"sk":{"S":"s5"},"g":{"S":"G"},"gs":{"N":"1"},"v":{"S":"v-s5"}}`)
		}
		if esk == nil {
			break
		}
	}
	if want := []string{"s5", "s4", "s3", "s2", "s1"}; !slices.Equal(order, want) {
		t.Errorf("GSI order %v, want %v", order, want)
	}

	// A KEYS_ONLY LSI returns its entries, or whole items (fetched from the
	// table) for ALL_ATTRIBUTES or attributes it does not project.
	const byLs = `"TableName":"music","IndexName":"byLs","KeyConditionExpression":"pk = :p AND ls > :l","ExpressionAttributeValues":{":p":{"S":"p1"},":l":{"N":"30"}}`
	e.expect("Query", `{`+byLs+`}`, `{"Count":2,"ScannedCount":2,"Items":[
		{"pk":{"S":"p1"},"sk":{"S":"s4"},"ls":{"N":"40"}},{"pk":{"S":"p1"},"sk":{"S":"s5"},"ls":{"N":"50"}}]}`)
	e.expect("Query", `{`+byLs+`,"Select":"ALL_ATTRIBUTES","ScanIndexForward":false,"Limit":1}`, `{"Count":1,"ScannedCount":1,"Items":[
		`+musicItem("p1", "s5", "G", "1", "50")+`],"LastEvaluatedKey":{"pk":{"S":"p1"},"sk":{"S":"s5"},"ls":{"N":"50"}}}`)
	e.expect("Query", `{`+byLs+`,"ProjectionExpression":"w"}`, `{"Count":2,"ScannedCount":2,"Items":[{"w":{"S":"w-s4"}},{"w":{"S":"w-s5"}}]}`)

	// Scans see only the items an index holds.
	scan := decodeJSON(t, e.call("Scan", `{"TableName":"music","IndexName":"byG","Select":"COUNT"}`))
	if scan["Count"] != 5.0 {
		t.Errorf("GSI scan %v", scan)
	}
	e.expect("Scan", `{"TableName":"music","IndexName":"byLs","Limit":1,"ProjectionExpression":"sk"}`,
		`{"Count":1,"ScannedCount":1,"Items":[{"sk":{"S":"s1"}}],"LastEvaluatedKey":{"pk":{"S":"p1"},"sk":{"S":"s1"},"ls":{"N":"10"}}}`)

	runItemValidationCases(t, e, []itemValidationCase{
		{"unknown index", "Query", `{"TableName":"music","IndexName":"nope","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p1"}}}`, "",
			"The table does not have the specified index: nope"},
		{"consistent GSI read", "Query", `{` + byG + `,"ConsistentRead":true}`, "",
			"Consistent reads are not supported on global secondary indexes"},
		{"consistent GSI scan", "Scan", `{"TableName":"music","IndexName":"byG","ConsistentRead":true}`, "",
			"Consistent reads are not supported on global secondary indexes"},
		{"table key on a GSI", "Query", `{"TableName":"music","IndexName":"byG","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"p1"}}}`, "",
			"Query condition missed key schema element: g"},
		{"ALL_ATTRIBUTES on an INCLUDE GSI", "Query", `{` + byG + `,"Select":"ALL_ATTRIBUTES"}`, "",
			"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL"},
		{"unprojected attributes of a GSI", "Query", `{` + byG + `,"ProjectionExpression":"v, w, ls"}`, "",
			"One or more parameter values were invalid: Global secondary index byG does not project [w, ls]"},
		{"filter on unprojected attributes", "Query", `{"TableName":"music","IndexName":"byLs","KeyConditions":{"pk":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p1"}]}},` +
			`"QueryFilter":{"w":{"ComparisonOperator":"NOT_NULL"}}}`, "",
			"One or more parameter values were invalid: Secondary index byLs does not project one or more filter attributes: [w]"},
		{"filter on an index key", "Query", `{"TableName":"music","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G"}]}},` +
			`"QueryFilter":{"gs":{"ComparisonOperator":"NOT_NULL"}}}`, "",
			"QueryFilter can only contain non-primary key attributes: Primary key attribute: gs"},
		{"start key without the index keys", "Query", `{` + byG + `,"ExclusiveStartKey":{"pk":{"S":"p1"},"sk":{"S":"s1"}}}`, "",
			"The provided starting key is invalid"},
		{"start key of the wrong index key type", "Query", `{` + byG + `,"ExclusiveStartKey":{"pk":{"S":"p1"},"sk":{"S":"s1"},"g":{"N":"1"},"gs":{"N":"1"}}}`, "",
			"The provided key element does not match the schema"},
		{"start key without the table keys", "Scan", `{"TableName":"music","IndexName":"byG","ExclusiveStartKey":{"x":{"S":"p1"},"y":{"S":"s1"},"g":{"S":"G"},"gs":{"N":"1"}}}`, "",
			"The provided starting key is invalid: The provided key element does not match the schema"},
		{"scan ALL_ATTRIBUTES checked before the table keys", "Scan", `{"TableName":"music","IndexName":"byG","Select":"ALL_ATTRIBUTES",` +
			`"ExclusiveStartKey":{"x":{"S":"p1"},"y":{"S":"s1"},"g":{"S":"G"},"gs":{"N":"1"}}}`, "",
			"One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL"},
		{"start key in another partition", "Query", `{` + byG + `,"ExclusiveStartKey":{"pk":{"S":"p1"},"sk":{"S":"s1"},"g":{"S":"H"},"gs":{"N":"1"}}}`, "",
			"The provided starting key is outside query boundaries based on provided conditions"},
	})
}

// Filters on an index see its entries. A Query's filter may not read the
// index's own key attributes (the table's are fine when the index is not
// keyed on them) nor attributes the index does not project, GSI or LSI
// alike: DynamoDB fetches nothing from the table to evaluate a filter. A
// Scan is refused neither: its filter finds such attributes absent.
func TestIndexReadFilters(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	fillMusic(e)
	// Queries of byG (g = G) and byLs (pk = p1), with a filter using :x (a
	// string) and :n (a number) as it pleases.
	byG := func(filter, extra string) string {
		return `{"TableName":"music","IndexName":"byG","KeyConditionExpression":"g = :g AND gs >= :one","FilterExpression":"` + filter + `",` +
			`"ExpressionAttributeValues":{":g":{"S":"G"},":one":{"N":"1"},":x":{"S":"s3"},":n":{"N":"3"}}` + extra + `}`
	}
	byLs := func(filter, extra string) string {
		return `{"TableName":"music","IndexName":"byLs","KeyConditionExpression":"pk = :p AND ls >= :one","FilterExpression":"` + filter + `",` +
			`"ExpressionAttributeValues":{":p":{"S":"p1"},":one":{"N":"1"},":x":{"S":"s3"},":n":{"N":"30"}}` + extra + `}`
	}
	const keyMsg = "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
	const notProjected = "One or more parameter values were invalid: Secondary index %s does not project one or more filter attributes: [%s]"
	runItemValidationCases(t, e, []itemValidationCase{
		{"GSI partition key", "Query", byG("g <> :x OR gs > :n", ""), "", keyMsg + "g"},
		{"GSI sort key", "Query", byG("size(gs) > :n OR v = :x", ""), "", keyMsg + "gs"},
		{"LSI sort key", "Query", byLs("ls > :n OR sk = :x", ""), "", keyMsg + "ls"},
		{"LSI partition key (the table's)", "Query", byLs("attribute_exists(pk.x) AND sk > :x OR sk < :n", ""), "", keyMsg + "pk"},
		// The key rule comes before Select's (dynalite's test, legacy form).
		{"GSI sort key before ALL_ATTRIBUTES", "Query", `{"TableName":"music","IndexName":"byG","Select":"ALL_ATTRIBUTES",` +
			`"KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G"}]}},"QueryFilter":{"gs":{"ComparisonOperator":"NOT_NULL"}}}`, "",
			"QueryFilter can only contain non-primary key attributes: Primary key attribute: gs"},
		{"GSI unprojected, sorted", "Query", byG("w = :x OR attribute_exists(ls) OR v = :x OR aa.b > :n", ""), "",
			fmt.Sprintf(notProjected, "byG", "aa, ls, w")},
		{"LSI unprojected", "Query", byLs("v = :x AND sk <> :n", ""), "", fmt.Sprintf(notProjected, "byLs", "v")},
		{"LSI unprojected, even for ALL_ATTRIBUTES", "Query", byLs("v = :x OR w < :n", `,"Select":"ALL_ATTRIBUTES"`), "", fmt.Sprintf(notProjected, "byLs", "v, w")},
		{"GSI unprojected before ALL_ATTRIBUTES", "Query", byG("w = :x OR v = :n", `,"Select":"ALL_ATTRIBUTES"`), "", fmt.Sprintf(notProjected, "byG", "w")},
		{"GSI unprojected legacy", "Query", `{"TableName":"music","IndexName":"byG","KeyConditions":{"g":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"G"}]}},` +
			`"QueryFilter":{"w":{"ComparisonOperator":"NOT_NULL"},"ls":{"ComparisonOperator":"NULL"}}}`, "", fmt.Sprintf(notProjected, "byG", "ls, w")},
	})

	// Projected attributes filter as usual: the table's keys on a GSI, what
	// the index includes, the table's sort key on an LSI (fetching the
	// unprojected w for the projection, after filtering).
	e.expect("Query", byG("contains(v, :x) AND pk <> :x AND sk <> :n", `,"ProjectionExpression":"sk"`),
		`{"Items":[{"sk":{"S":"s3"}}],"Count":1,"ScannedCount":5}`)
	e.expect("Query", byLs("sk = :x OR sk = :n", `,"ProjectionExpression":"w, ls"`),
		`{"Items":[{"w":{"S":"w-s3"},"ls":{"N":"30"}}],"Count":1,"ScannedCount":5}`)
	// A Scan's filter sees the entries: an attribute the index does not
	// project is absent, so nothing matches, and nothing is refused.
	for _, scan := range []string{
		`{"TableName":"music","IndexName":"byLs","ScanFilter":{"w":{"ComparisonOperator":"NOT_NULL"}}}`,
		`{"TableName":"music","IndexName":"byLs","FilterExpression":"attribute_exists(w)","ProjectionExpression":"w"}`,
		`{"TableName":"music","IndexName":"byG","FilterExpression":"attribute_exists(w) OR attribute_exists(ls)"}`,
	} {
		e.expect("Scan", scan, `{"Items":[],"Count":0,"ScannedCount":5}`)
	}
	e.expect("Scan", `{"TableName":"music","IndexName":"byG","FilterExpression":"gs = :n AND v = :v","ExpressionAttributeValues":{":n":{"N":"3"},":v":{"S":"v-s3"}},"ProjectionExpression":"sk"}`,
		`{"Items":[{"sk":{"S":"s3"}}],"Count":1,"ScannedCount":5}`)
}

func TestIndexCapacity(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	put := func(item, want string) {
		t.Helper()
		e.expect("PutItem", `{"TableName":"music","Item":`+item+`,"ReturnConsumedCapacity":"INDEXES"}`, `{"ConsumedCapacity":`+want+`}`)
	}
	// A new item in both indexes writes the table and each index.
	put(musicItem("p1", "s1", "G", "1", "10"), `{"TableName":"music","CapacityUnits":3,"Table":{"CapacityUnits":1},
		"LocalSecondaryIndexes":{"byLs":{"CapacityUnits":1}},"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":1}}}`)
	// A new GSI key moves the entry (2 writes); the LSI entry is unchanged.
	e.expect("UpdateItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}},"UpdateExpression":"SET gs = :x",
		"ExpressionAttributeValues":{":x":{"N":"2"}},"ReturnConsumedCapacity":"INDEXES"}`,
		`{"ConsumedCapacity":{"TableName":"music","CapacityUnits":3,"Table":{"CapacityUnits":1},"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":2}}}}`)
	// An attribute no index projects costs only the table write.
	e.expect("UpdateItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}},"UpdateExpression":"SET w = :x",
		"ExpressionAttributeValues":{":x":{"S":"new"}},"ReturnConsumedCapacity":"TOTAL"}`,
		`{"ConsumedCapacity":{"TableName":"music","CapacityUnits":1}}`)
	// Removing the item removes both entries.
	e.expect("DeleteItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s1"}},"ReturnConsumedCapacity":"INDEXES"}`,
		`{"ConsumedCapacity":{"TableName":"music","CapacityUnits":3,"Table":{"CapacityUnits":1},
		"LocalSecondaryIndexes":{"byLs":{"CapacityUnits":1}},"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":1}}}}`)
	e.expect("BatchWriteItem", `{"RequestItems":{"music":[{"PutRequest":{"Item":`+musicItem("p1", "s1", "", "", "10")+`}},
		{"PutRequest":{"Item":`+musicItem("p1", "s2", "G", "1", "")+`}}]},"ReturnConsumedCapacity":"INDEXES"}`,
		`{"UnprocessedItems":{},"ConsumedCapacity":[{"TableName":"music","CapacityUnits":4,"Table":{"CapacityUnits":2},
		"LocalSecondaryIndexes":{"byLs":{"CapacityUnits":1}},"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":1}}}]}`)

	// Reads of a GSI consume the index's capacity (eventually consistent);
	// a LSI read fetching from the table adds the table's.
	e.expect("Query", `{"TableName":"music","IndexName":"byG","KeyConditionExpression":"g = :g","ExpressionAttributeValues":{":g":{"S":"G"}},
		"Select":"COUNT","ReturnConsumedCapacity":"INDEXES"}`,
		`{"Count":1,"ScannedCount":1,"ConsumedCapacity":{"TableName":"music","CapacityUnits":0.5,"Table":{"CapacityUnits":0},
		"GlobalSecondaryIndexes":{"byG":{"CapacityUnits":0.5}}}}`)
	got := decodeJSON(t, e.call("Query", `{"TableName":"music","IndexName":"byLs","KeyConditionExpression":"pk = :p",
		"ExpressionAttributeValues":{":p":{"S":"p1"}},"Select":"ALL_ATTRIBUTES","ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"}`))
	jsonEqual(t, mustJSON(t, got["ConsumedCapacity"]), `{"TableName":"music","CapacityUnits":2,"Table":{"CapacityUnits":1},
		"LocalSecondaryIndexes":{"byLs":{"CapacityUnits":1}}}`)
}

func TestItemCollectionMetrics(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	metrics := `"ItemCollectionMetrics":{"ItemCollectionKey":{"pk":{"S":"p1"}},"SizeEstimateRangeGB":[0,1]}`
	e.expect("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s1", "", "", "10")+`,"ReturnItemCollectionMetrics":"SIZE"}`, `{`+metrics+`}`)
	e.expect("UpdateItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s2"}},"ReturnItemCollectionMetrics":"SIZE"}`, `{`+metrics+`}`)
	e.expect("DeleteItem", `{"TableName":"music","Key":{"pk":{"S":"p1"},"sk":{"S":"s2"}},"ReturnItemCollectionMetrics":"SIZE"}`, `{`+metrics+`}`)
	e.expect("BatchWriteItem", `{"RequestItems":{"music":[{"PutRequest":{"Item":`+musicItem("p1", "s3", "", "", "")+`}},
		{"PutRequest":{"Item":`+musicItem("p1", "s4", "", "", "")+`}},{"PutRequest":{"Item":`+musicItem("p2", "s1", "", "", "")+`}}],
		"hash":[{"PutRequest":{"Item":{"pk":{"S":"x"}}}}]},"ReturnItemCollectionMetrics":"SIZE"}`,
		`{"UnprocessedItems":{},"ItemCollectionMetrics":{"music":[
			{"ItemCollectionKey":{"pk":{"S":"p1"}},"SizeEstimateRangeGB":[0,1]},{"ItemCollectionKey":{"pk":{"S":"p2"}},"SizeEstimateRangeGB":[0,1]}]}}`)
	// Tables without local secondary indexes have no item collections.
	e.expect("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"x"}},"ReturnItemCollectionMetrics":"SIZE"}`, `{}`)
}

func TestItemCollectionLimit(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	const limit = 2000
	old := engine.ItemCollectionSizeLimit
	engine.ItemCollectionSizeLimit = limit
	t.Cleanup(func() { engine.ItemCollectionSizeLimit = old })
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p1", "s1", "", "", "10")+`}`)
	big := `{"pk":{"S":"p1"},"sk":{"S":"s2"},"x":{"S":"` + strings.Repeat("x", limit) + `"}}`
	err := e.callErr("PutItem", `{"TableName":"music","Item":`+big+`}`)
	if !strings.HasSuffix(err.Type, "#ItemCollectionSizeLimitExceededException") || err.Message != "Item collection size limit exceeded" {
		t.Errorf("got %s %q", err.Type, err.Message)
	}
	err = e.callErr("BatchWriteItem", `{"RequestItems":{"music":[{"PutRequest":{"Item":`+big+`}}]}}`)
	if !strings.HasSuffix(err.Type, "#ItemCollectionSizeLimitExceededException") {
		t.Errorf("BatchWriteItem got %s %q", err.Type, err.Message)
	}
	// Other partitions are unaffected.
	e.call("PutItem", `{"TableName":"music","Item":`+musicItem("p2", "s1", "", "", "")+`}`)
}

func TestUpdateTableIndexes(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	fillMusic(e)
	ctx := context.Background()

	// A GSI added to a populated table is built in the background.
	resp := decodeJSON(t, e.call("UpdateTable", `{"TableName":"music","AttributeDefinitions":[{"AttributeName":"w","AttributeType":"S"}],
		"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"byW","KeySchema":[{"AttributeName":"w","KeyType":"HASH"}],
			"Projection":{"ProjectionType":"KEYS_ONLY"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]}`))
	d := resp["TableDescription"]
	if path(d, "TableStatus") != "UPDATING" || path(d, "GlobalSecondaryIndexes.1.IndexName") != "byW" ||
		path(d, "GlobalSecondaryIndexes.1.IndexStatus") != "CREATING" || path(d, "GlobalSecondaryIndexes.1.Backfilling") != true {
		t.Fatalf("UpdateTable response %s", mustJSON(t, d))
	}
	if err := e.api.eng.WaitIndexesActive(ctx, "music"); err != nil {
		t.Fatal(err)
	}
	desc := decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	g := path(desc, "Table.GlobalSecondaryIndexes.1").(map[string]any)
	if g["IndexStatus"] != "ACTIVE" || g["Backfilling"] != nil || g["ItemCount"] != 6.0 {
		t.Errorf("byW after the build %v", g)
	}
	e.expect("Query", `{"TableName":"music","IndexName":"byW","KeyConditionExpression":"w = :w","ExpressionAttributeValues":{":w":{"S":"w-s6"}}}`,
		`{"Count":1,"ScannedCount":1,"Items":[{"pk":{"S":"p1"},"sk":{"S":"s6"},"w":{"S":"w-s6"}}]}`)

	// Throughput updates: the response shows the index UPDATING with its
	// old throughput; DescribeTable shows the new one.
	resp = decodeJSON(t, e.call("UpdateTable", `{"TableName":"music","GlobalSecondaryIndexUpdates":[
		{"Update":{"IndexName":"byW","ProvisionedThroughput":{"ReadCapacityUnits":7,"WriteCapacityUnits":8}}}]}`))
	jsonEqual(t, mustJSON(t, []any{path(resp, "TableDescription.TableStatus"), path(resp, "TableDescription.GlobalSecondaryIndexes.1.IndexStatus"),
		path(resp, "TableDescription.GlobalSecondaryIndexes.1.ProvisionedThroughput.ReadCapacityUnits")}), `["ACTIVE","UPDATING",1]`)
	desc = decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	jsonEqual(t, mustJSON(t, path(desc, "Table.GlobalSecondaryIndexes.1.ProvisionedThroughput")),
		`{"NumberOfDecreasesToday":0,"ReadCapacityUnits":7,"WriteCapacityUnits":8}`)

	create := func(name, attr string) string {
		return `{"Create":{"IndexName":"` + name + `","KeySchema":[{"AttributeName":"` + attr + `","KeyType":"HASH"}],` +
			`"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}`
	}
	withDefs := func(updates string) string {
		return `{"TableName":"music","AttributeDefinitions":[{"AttributeName":"v","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[` + updates + `]}`
	}
	runItemValidationCases(t, e, []itemValidationCase{
		{"two online changes", "UpdateTable", withDefs(create("byV", "v") + `,{"Delete":{"IndexName":"byW"}}`), "LimitExceededException", msgOneOnlineIndex},
		{"existing index", "UpdateTable", withDefs(create("byW", "v")), "", "Attempting to create an index which already exists"},
		{"undefined key", "UpdateTable", withDefs(create("byX", "x")), "",
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [x], AttributeDefinitions: [v]"},
		{"create without throughput", "UpdateTable", withDefs(`{"Create":{"IndexName":"byV","KeySchema":[{"AttributeName":"v","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"}}}`), "",
			"One or more parameter values were invalid: Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: byV"},
		{"unknown index", "UpdateTable", `{"TableName":"music","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"nope"}}]}`,
			"ResourceNotFoundException", "Requested resource not found: Index nope for table music"},
		{"local index", "UpdateTable", `{"TableName":"music","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byLs"}}]}`, "",
			"Cannot delete an index that is not a GlobalSecondaryIndex: byLs"},
		{"unchanged throughput", "UpdateTable", `{"TableName":"music","GlobalSecondaryIndexUpdates":[
			{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":3,"WriteCapacityUnits":4}}}]}`, "",
			"The provisioned throughput for the index byG will not change. The requested value equals the current value. " +
				"Current ReadCapacityUnits provisioned for index byG: 3. Requested ReadCapacityUnits: 3. " +
				"Current WriteCapacityUnits provisioned for index byG: 4. Requested WriteCapacityUnits: 4. " +
				"Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."},
	})

	// Deleting: the response says DELETING, then the index is gone with the
	// attribute only it used.
	resp = decodeJSON(t, e.call("UpdateTable", `{"TableName":"music","GlobalSecondaryIndexUpdates":[{"Delete":{"IndexName":"byW"}}]}`))
	if path(resp, "TableDescription.TableStatus") != "UPDATING" || path(resp, "TableDescription.GlobalSecondaryIndexes.1.IndexStatus") != "DELETING" {
		t.Errorf("delete response %s", mustJSON(t, resp))
	}
	desc = decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	if n := len(path(desc, "Table.GlobalSecondaryIndexes").([]any)); n != 1 || strings.Contains(mustJSON(t, path(desc, "Table.AttributeDefinitions")), `"w"`) {
		t.Errorf("after delete %s", mustJSON(t, desc))
	}
	wantError(t, e.api, "Query", `{"TableName":"music","IndexName":"byW","KeyConditionExpression":"w = :w","ExpressionAttributeValues":{":w":{"S":"x"}}}`,
		"ValidationException", "The table does not have the specified index: byW")
}

func TestIndexBillingSwitch(t *testing.T) {
	e := newItemEnv(t)
	musicTable(e)
	runItemValidationCases(t, e, []itemValidationCase{
		{"on-demand index throughput", "UpdateTable", `{"TableName":"music","BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexUpdates":[
			{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}}]}`, "",
			"One or more parameter values were invalid: The only Updates for index: byG when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"},
	})
	e.call("UpdateTable", `{"TableName":"music","BillingMode":"PAY_PER_REQUEST"}`)
	desc := decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	jsonEqual(t, mustJSON(t, path(desc, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput")),
		`{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0}`)
	runItemValidationCases(t, e, []itemValidationCase{
		{"switch without index throughput", "UpdateTable", `{"TableName":"music","BillingMode":"PROVISIONED",
			"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}}`, "",
			"One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byG"},
	})
	e.call("UpdateTable", `{"TableName":"music","BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2},
		"GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"byG","ProvisionedThroughput":{"ReadCapacityUnits":6,"WriteCapacityUnits":6}}}]}`)
	desc = decodeJSON(t, e.call("DescribeTable", `{"TableName":"music"}`))
	jsonEqual(t, mustJSON(t, path(desc, "Table.GlobalSecondaryIndexes.0.ProvisionedThroughput")),
		`{"NumberOfDecreasesToday":0,"ReadCapacityUnits":6,"WriteCapacityUnits":6}`)
}

func TestBackfillingIndexRead(t *testing.T) {
	table := &engine.Table{TableSpec: engine.TableSpec{Name: "t"}, Indexes: []engine.Index{
		{IndexSpec: engine.IndexSpec{Name: "new"}, Status: engine.IndexCreating, Backfilling: true},
		{IndexSpec: engine.IndexSpec{Name: "local", Local: true}, Status: engine.IndexActive},
	}}
	for name, want := range map[string]string{"new": "Cannot read from backfilling global secondary index: new", "local": ""} {
		src, err := sourceOf(table, &name)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if err := src.checkReadable(); err != nil {
			got = err.(*Error).Message
		}
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
