package dynamodb

import (
	"fmt"
	"strings"
	"testing"
)

// Secondary index validation of CreateTable and UpdateTable, before the
// engine is consulted. Texts: dynalite's test/createTable.js (run against
// DynamoDB) and the 2026 catalogue of messages observed on the real service
// (ack-api-quirks dynamodb, DDB-TABLE-442 and the table-indexes findings
// DDB-TABLE-126..129, 159, 160, 174).

// indexTable is a CreateTable request of a provisioned table abc with
// attributes a and b (S), key a (+ b when rangeKey), and the given extra
// members.
func indexTable(rangeKey bool, extra string) string {
	key := `{"KeyType":"HASH","AttributeName":"a"}`
	if rangeKey {
		key += `,{"KeyType":"RANGE","AttributeName":"b"}`
	}
	return `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],` +
		`"KeySchema":[` + key + `],"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},` + extra + `}`
}

// lsi and gsi render one index declaration (gsi with throughput 1/1).
func lsi(name, keys, projection string) string {
	return `{"IndexName":"` + name + `","KeySchema":[` + keys + `],"Projection":` + projection + `}`
}

func gsi(name, keys, projection string) string {
	return `{"IndexName":"` + name + `","KeySchema":[` + keys + `],"Projection":` + projection +
		`,"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}`
}

// Key schema pieces.
const (
	hashA   = `{"AttributeName":"a","KeyType":"HASH"}`
	hashB   = `{"AttributeName":"b","KeyType":"HASH"}`
	rangeA  = `{"AttributeName":"a","KeyType":"RANGE"}`
	rangeB  = `{"AttributeName":"b","KeyType":"RANGE"}`
	rangeC  = `{"AttributeName":"c","KeyType":"RANGE"}`
	projAll = `{"ProjectionType":"ALL"}`
)

func TestCreateTableIndexValidation(t *testing.T) {
	long := strings.Repeat("a", 256)
	sixLSIs := make([]string, 6)
	for i := range sixLSIs {
		sixLSIs[i] = lsi(fmt.Sprintf("ab%c", 'c'+i), hashA+","+rangeB, projAll)
	}
	gsis21 := make([]string, 21)
	for i := range gsis21 {
		gsis21[i] = gsi(fmt.Sprintf("abc%d", i), hashA+","+rangeB, projAll)
	}
	empties := strings.Repeat("{},", 8) + "{}"
	lsiNull := func(i int, m string) string {
		return fmt.Sprintf("Value null at 'localSecondaryIndexes.%d.member.%s' %s", i, m, notNull)
	}
	include := func(attrs ...string) string {
		return `{"ProjectionType":"INCLUDE","NonKeyAttributes":["` + strings.Join(attrs, `","`) + `"]}`
	}
	many := make([]string, 21)
	for i := range many {
		many[i] = fmt.Sprintf("n%d", i)
	}
	var twenty []string
	for i := range 6 {
		twenty = append(twenty, gsi(fmt.Sprintf("gsi%d", i), hashB, include(many[:17]...)))
	}
	runValidationCases(t, []validationCase{
		{"empty LSI list", "CreateTable", indexTable(false, `"LocalSecondaryIndexes":[]`), "",
			"One or more parameter values were invalid: List of LocalSecondaryIndexes is empty"},
		{"nine empty LSIs", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+empties+`]`), "",
			"10 validation errors detected: " + strings.Join([]string{
				lsiNull(1, "indexName"), lsiNull(1, "keySchema"), lsiNull(1, "projection"),
				lsiNull(2, "indexName"), lsiNull(2, "keySchema"), lsiNull(2, "projection"),
				lsiNull(3, "indexName"), lsiNull(3, "keySchema"), lsiNull(3, "projection"),
				lsiNull(4, "indexName")}, "; ")},
		{"bad LSI names", "CreateTable", indexTable(false, `"LocalSecondaryIndexes":[`+lsi("h;", "", "{}")+","+lsi(long, hashA, "{}")+`]`), "",
			"4 validation errors detected: " +
				"Value 'h;' at 'localSecondaryIndexes.1.member.indexName' " + namePattern + "; " +
				"Value 'h;' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '[]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '" + long + "' at 'localSecondaryIndexes.2.member.indexName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"LSI without table range key", "CreateTable", indexTable(false, `"LocalSecondaryIndexes":[`+lsi("abc", rangeC, "{}")+`]`), "",
			"One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex"},
		{"LSI keys not defined", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+
			lsi("abc", rangeC+`,{"AttributeName":"d","KeyType":"RANGE"}`, "{}")+","+lsi("abc", `{"AttributeName":"e","KeyType":"RANGE"}`, "{}")+`]`), "",
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [c, d], AttributeDefinitions: [a, b]"},
		{"LSI first key not hash", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", rangeA, "{}")+`]`), "",
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"LSI keys same name", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+hashA, "{}")+`]`), "",
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"LSI second key not range", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+hashB, "{}")+`]`), "",
			"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
		{"LSI without range key", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashB, "{}")+`]`), "",
			"One or more parameter values were invalid: Index KeySchema does not have a range key for index: abc"},
		{"LSI other hash key", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashB+","+rangeA, "{}")+`]`), "",
			"One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: abc. index hash key: b, table hash key: a"},
		{"LSI range key not defined", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeC, "{}")+`]`), "",
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a, c], AttributeDefinitions: [a, b]"},
		{"empty projection", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, "{}")+`]`), "",
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"bad projection", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, `{"NonKeyAttributes":[],"ProjectionType":"abc"}`)+`]`), "",
			"2 validation errors detected: " +
				"Value 'abc' at 'localSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]; " +
				"Value '[]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"projection without type", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, `{"NonKeyAttributes":["a"]}`)+`]`), "",
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"ALL with NonKeyAttributes", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, `{"ProjectionType":"ALL","NonKeyAttributes":["a"]}`)+`]`), "",
			"One or more parameter values were invalid: ProjectionType is ALL, but NonKeyAttributes is specified"},
		{"KEYS_ONLY with NonKeyAttributes", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, `{"ProjectionType":"KEYS_ONLY","NonKeyAttributes":["a"]}`)+`]`), "",
			"One or more parameter values were invalid: ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified"},
		{"INCLUDE without NonKeyAttributes", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, `{"ProjectionType":"INCLUDE"}`)+`]`), "",
			"One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified"},
		{"duplicate NonKeyAttributes", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, include("x", "y", "x"))+`]`), "",
			"One or more parameter values were invalid: Duplicate element in NonKeyAttributes: x"},
		{"21 NonKeyAttributes", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, include(many...))+`]`), "",
			"1 validation error detected: Value '[" + strings.Join(many, ", ") + "]' at 'localSecondaryIndexes.1.member.projection.nonKeyAttributes' " +
				"failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"duplicate LSI names", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, projAll)+","+lsi("abc", hashA+","+rangeB, projAll)+`]`), "",
			"One or more parameter values were invalid: Duplicate index name: abc"},
		{"six LSIs", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+strings.Join(sixLSIs, ",")+`]`), "",
			"One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of 5"},

		{"empty GSI list", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[]`), "",
			"One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty"},
		{"bad GSI names", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[`+
			`{"IndexName":"h;","KeySchema":[],"Projection":{},"ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":0}},`+
			`{"IndexName":"`+long+`","KeySchema":[`+hashA+`],"Projection":{},"ProvisionedThroughput":{}}]`), "",
			"8 validation errors detected: " +
				"Value 'h;' at 'globalSecondaryIndexes.1.member.indexName' " + namePattern + "; " +
				"Value 'h;' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '0' at 'globalSecondaryIndexes.1.member.provisionedThroughput.writeCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '0' at 'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value '" + long + "' at 'globalSecondaryIndexes.2.member.indexName' failed to satisfy constraint: Member must have length less than or equal to 255; " +
				"Value null at 'globalSecondaryIndexes.2.member.provisionedThroughput.writeCapacityUnits' " + notNull + "; " +
				"Value null at 'globalSecondaryIndexes.2.member.provisionedThroughput.readCapacityUnits' " + notNull},
		{"GSI range key only, undefined", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[`+gsi("abc", rangeC, "{}")+`]`), "",
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [c], AttributeDefinitions: [a, b]"},
		{"GSI first key not hash", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", rangeA, "{}")+`]`), "",
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"GSI keys same name", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", hashA+`,{"AttributeName":"a","KeyType":"RANGE"}`, "{}")+`]`), "",
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"GSI without range key, no projection type", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", hashB, "{}")+`]`), "",
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"GSI other hash key, no projection type", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", hashB+","+rangeA, "{}")+`]`), "",
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"duplicate GSI names", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", hashA, projAll)+","+gsi("abc", hashB, projAll)+`]`), "",
			"One or more parameter values were invalid: Duplicate index name: abc"},
		{"21 GSIs", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+strings.Join(gsis21, ",")+`]`), "",
			"One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the per-table limit of 20"},
		{"LSI and GSI of one name", "CreateTable", indexTable(true, `"LocalSecondaryIndexes":[`+lsi("abc", hashA+","+rangeB, projAll)+
			`],"GlobalSecondaryIndexes":[`+gsi("abc", hashA+","+rangeB, projAll)+`]`), "",
			"One or more parameter values were invalid: Duplicate index name: abc"},
		{"GSI throughput on demand", "CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST",` +
			`"AttributeDefinitions":[{"AttributeName":"a","AttributeType":"S"},{"AttributeName":"b","AttributeType":"S"}],` +
			`"KeySchema":[` + hashA + `],"GlobalSecondaryIndexes":[` + gsi("g-a", hashB, projAll) + `]}`, "",
			"One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: g-a when BillingMode is PAY_PER_REQUEST"},
		{"GSI without throughput", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[`+lsi("g-a", hashB, projAll)+`]`), "",
			"One or more parameter values were invalid: ProvisionedThroughput is not specified for index: g-a"},
		{"unused attribute definition", "CreateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST",` +
			`"AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"user","AttributeType":"S"},{"AttributeName":"created_at","AttributeType":"N"}],` +
			`"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"GlobalSecondaryIndexes":[{"IndexName":"gsi","KeySchema":[{"AttributeName":"user","KeyType":"HASH"}],"Projection":{}}]}`, "",
			"One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [id, user, created_at], keys used: [id, user]"},
		{"over 100 projected attributes", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[`+strings.Join(twenty, ",")+`]`), "",
			"One or more parameter values were invalid: Number of projected attributes in all indexes exceeds limit of 100"},
		{"multi-attribute GSI key", "CreateTable", indexTable(true, `"GlobalSecondaryIndexes":[`+gsi("abc", hashA+","+hashB+","+rangeB, projAll)+`]`), "",
			"One or more parameter values were invalid: A KeySchema of more than two attributes is not supported yet"},
		{"GSI on-demand throughput", "CreateTable", indexTable(false, `"GlobalSecondaryIndexes":[{"IndexName":"abc","KeySchema":[`+hashB+
			`],"Projection":{"ProjectionType":"ALL"},"OnDemandThroughput":{"MaxReadRequestUnits":5}}]`), "",
			"One or more parameter values were invalid: OnDemandThroughput is not supported yet"},
	})
}

func TestUpdateTableIndexValidation(t *testing.T) {
	create := func(name string) string {
		return `{"Create":{"IndexName":"` + name + `","KeySchema":[` + hashB + `],"Projection":{"ProjectionType":"ALL"}}}`
	}
	del := func(name string) string { return `{"Delete":{"IndexName":"` + name + `"}}` }
	updates := func(extra string, us ...string) string {
		return `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"S"}],` +
			`"GlobalSecondaryIndexUpdates":[` + strings.Join(us, ",") + `]` + extra + `}`
	}
	runValidationCases(t, []validationCase{
		{"empty entry", "UpdateTable", updates("", `{}`), "",
			"One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"},
		{"two actions in an entry", "UpdateTable", updates("", `{"Update":{"IndexName":"abc"},"Delete":{"IndexName":"abc"}}`), "",
			"One or more parameter values were invalid: Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object"},
		{"one index twice", "UpdateTable", updates("", del("gsi1"), create("gsi1")), "",
			"One or more parameter values were invalid: Only one global secondary index update per index is allowed simultaneously. Index: gsi1"},
		{"empty list with a change", "UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[],"DeletionProtectionEnabled":true}`, "",
			"One or more parameter values were invalid: List of GlobalSecondaryIndexUpdates is empty"},
		{"create with table throughput", "UpdateTable", updates(`,"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":2}`, create("gsi2")), "",
			"One or more parameter values were invalid: You cannot create or delete index while updating table IOPS"},
		{"delete with stream change", "UpdateTable", updates(`,"StreamSpecification":{"StreamEnabled":false}`, del("gsi2")), "",
			"One or more parameter values were invalid: You cannot create or delete index while changing stream status"},
		{"create with deletion protection", "UpdateTable", updates(`,"DeletionProtectionEnabled":true`, create("gsi2")), "",
			"One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request"},
		{"create without attribute definitions", "UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[` + create("gsi3") + `]}`, "",
			"One or more parameter values were invalid: AttributeDefinitions is not specified for index: gsi3"},
		{"create without projection type", "UpdateTable", updates("", `{"Create":{"IndexName":"gsi3","KeySchema":[`+hashB+`],"Projection":{}}}`), "",
			"One or more parameter values were invalid: Unknown ProjectionType: null"},
		{"create with key schema out of order", "UpdateTable", updates("", `{"Create":{"IndexName":"gsi3","KeySchema":[`+rangeB+`],"Projection":{"ProjectionType":"ALL"}}}`), "",
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"constraints", "UpdateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"X"}],"GlobalSecondaryIndexUpdates":[` +
			`{"Update":{"IndexName":"a;","ProvisionedThroughput":{"ReadCapacityUnits":0,"WriteCapacityUnits":1}}},` +
			`{"Create":{"IndexName":"abc","KeySchema":[` + hashB + `]}},{"Delete":{}}]}`, "",
			"6 validation errors detected: " +
				"Value 'X' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]; " +
				"Value 'a;' at 'globalSecondaryIndexUpdates.1.member.update.indexName' " + namePattern + "; " +
				"Value 'a;' at 'globalSecondaryIndexUpdates.1.member.update.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
				"Value '0' at 'globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: Member must have value greater than or equal to 1; " +
				"Value null at 'globalSecondaryIndexUpdates.2.member.create.projection' " + notNull + "; " +
				"Value null at 'globalSecondaryIndexUpdates.3.member.delete.indexName' " + notNull},
	})
}
