package dynamodb

import (
	"fmt"
	"strings"
	"testing"
)

// Request validation of the control-plane operations. Every case must fail
// before the engine is consulted (the API under test has none), with
// DynamoDB's exact text. Sources of the texts: dynalite's tests, which run
// against the real service (test/createTable.js, updateTable.js,
// listTables.js, tagResource.js, untagResource.js, listTagsOfResource.js),
// and a 2026 catalogue of messages observed on the real service
// (ack-api-quirks dynamodb, finding DDB-TABLE-442).

// validationCase is one request and the error it must get.
type validationCase struct {
	name, op, body, typ, msg string
}

// runValidationCases checks each case against an API without an engine.
func runValidationCases(t *testing.T, cases []validationCase) {
	t.Helper()
	a := newEnginelessAPI()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			typ := c.typ
			if typ == "" {
				typ = "ValidationException"
			}
			wantError(t, a, c.op, c.body, typ, c.msg)
		})
	}
}

// Constraint phrases and common request pieces.
const (
	notNull       = "failed to satisfy constraint: Member must not be null"
	namePattern   = "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	minLength3    = "failed to satisfy constraint: Member must have length greater than or equal to 3"
	atLeast1      = "failed to satisfy constraint: Member must have value greater than or equal to 1"
	keyA          = `{"AttributeName":"a","KeyType":"HASH"}`
	defA          = `{"AttributeName":"a","AttributeType":"S"}`
	defB          = `{"AttributeName":"b","AttributeType":"S"}`
	throughput11  = `"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}`
	msgAtLeastOne = "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, " +
		"SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, " +
		"DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required"
)

// createBody is a valid CreateTable request for table abc, with extra members.
func createBody(extra string) string {
	b := `{"TableName":"abc","AttributeDefinitions":[` + defA + `],"KeySchema":[` + keyA + `],"BillingMode":"PAY_PER_REQUEST"`
	if extra != "" {
		b += "," + extra
	}
	return b + "}"
}

func TestCreateTableValidation(t *testing.T) {
	long := strings.Repeat("a", 256)
	var tags []string
	for i := range 51 {
		tags = append(tags, fmt.Sprintf(`{"Key":"k%d","Value":"v"}`, i))
	}
	runValidationCases(t, []validationCase{
		{"no TableName", "CreateTable", `{}`, "",
			"The parameter 'TableName' is required but was not present in the request"},
		{"null members", "CreateTable", `{"TableName":"abc;"}`, "",
			"3 validation errors detected: Value null at 'attributeDefinitions' " + notNull +
				"; Value 'abc;' at 'tableName' " + namePattern + "; Value null at 'keySchema' " + notNull},
		{"short name", "CreateTable", `{"TableName":"ab","AttributeDefinitions":[],"KeySchema":[]}`, "",
			"2 validation errors detected: Value 'ab' at 'tableName' " + minLength3 +
				"; Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"long name", "CreateTable", `{"TableName":"` + long + `","AttributeDefinitions":[],"KeySchema":[` + keyA + `]}`, "",
			"1 validation error detected: Value '" + long + "' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"empty ProvisionedThroughput", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"ProvisionedThroughput":{}}`, "",
			"3 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' " + notNull +
				"; Value null at 'provisionedThroughput.readCapacityUnits' " + notNull + "; Value null at 'keySchema' " + notNull},
		{"low capacity", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[],"ProvisionedThroughput":{"ReadCapacityUnits":-1,"WriteCapacityUnits":-1}}`, "",
			"3 validation errors detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' " + atLeast1 +
				"; Value '-1' at 'provisionedThroughput.readCapacityUnits' " + atLeast1 +
				"; Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"key element names", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[{"KeyType":"HASH"},{"AttributeName":"a"},{"KeyType":"Woop","AttributeName":"a"}]}`, "",
			"4 validation errors detected: Value '[{KeyType: HASH}, {AttributeName: a}, {AttributeName: a,KeyType: Woop}]' at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2" +
				"; Value null at 'keySchema.1.member.attributeName' " + notNull +
				"; Value null at 'keySchema.2.member.keyType' " + notNull +
				"; Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]"},
		{"high and negative capacity", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `],"ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":-1}}`, "",
			"1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' " + atLeast1},
		{"attribute definition nulls", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[{}],"KeySchema":[` + keyA + `]}`, "",
			"2 validation errors detected: Value null at 'attributeDefinitions.1.member.attributeName' " + notNull +
				"; Value null at 'attributeDefinitions.1.member.attributeType' " + notNull},
		{"SS attribute type", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[{"AttributeName":"b","AttributeType":"SS"}],"KeySchema":[` + keyA + `]}`, "",
			"1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"},
		{"bad billing mode", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `],"KeySchema":[` + keyA + `],"BillingMode":"FREE"}`, "",
			"1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"},
		{"ten violations at most", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[{},{},{},{},{},{}],"KeySchema":[` + keyA + `]}`, "",
			"10 validation errors detected: " + tenNullDefinitions()},
		{"missing throughput", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `]}`, "",
			"One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"},
		{"throughput on demand", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `,` + keyA + `],` + throughput11 + `,"BillingMode":"PAY_PER_REQUEST"}`, "",
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"read capacity out of bounds", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `],"ProvisionedThroughput":{"WriteCapacityUnits":1000000000001,"ReadCapacityUnits":1000000000001}}`, "",
			"Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{"write capacity out of bounds", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `],"ProvisionedThroughput":{"ReadCapacityUnits":1000000000000,"WriteCapacityUnits":1000000000001}}`, "",
			"Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"no definitions", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `,` + keyA + `],` + throughput11 + `}`, "",
			"Invalid KeySchema: Some index key attribute have no definition"},
		{"no definitions on demand", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `],"BillingMode":"PAY_PER_REQUEST"}`, "",
			"Invalid KeySchema: Some index key attribute have no definition"},
		{"key not defined", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defB + `],"KeySchema":[` + keyA + `],` + throughput11 + `}`, "",
			"One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [a], AttributeDefinitions: [b]"},
		{"duplicate definition", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `,` + defA + `],"KeySchema":[` + keyA + `],` + throughput11 + `}`, "",
			"Attribute Name is duplicated: a"},
		{"same hash and range name", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `,` + defB + `],"KeySchema":[` + keyA + `,` + keyA + `],` + throughput11 + `}`, "",
			"Both the Hash Key and the Range Key element in the KeySchema have the same name"},
		{"second key not range", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `,` + defB + `],"KeySchema":[` + keyA + `,{"AttributeName":"b","KeyType":"HASH"}],` + throughput11 + `}`, "",
			"Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"},
		{"first key not hash", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `,` + defB + `],"KeySchema":[{"AttributeName":"a","KeyType":"RANGE"},{"AttributeName":"b","KeyType":"HASH"}],` + throughput11 + `}`, "",
			"Invalid KeySchema: The first KeySchemaElement is not a HASH key type"},
		{"extra definition", "CreateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `,` + defB + `],"KeySchema":[` + keyA + `],` + throughput11 + `}`, "",
			"One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions"},
		{"stream enabled", "CreateTable", createBody(`"StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}`), "",
			"One or more parameter values were invalid: StreamSpecification is not supported yet"},
		{"stream disabled with view type", "CreateTable", createBody(`"StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}`), "",
			"One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified"},
		{"stream without enabled", "CreateTable", createBody(`"StreamSpecification":{}`), "",
			"1 validation error detected: Value null at 'streamSpecification.streamEnabled' " + notNull},
		{"sse type when disabled", "CreateTable", createBody(`"SSESpecification":{"Enabled":false,"SSEType":"KMS"}`), "",
			"One or more parameter values were invalid: SSEType can not be specified if Enabled is false"},
		{"sse key when disabled", "CreateTable", createBody(`"SSESpecification":{"Enabled":false,"KMSMasterKeyId":"k"}`), "",
			"One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false"},
		{"sse key without type", "CreateTable", createBody(`"SSESpecification":{"Enabled":true,"KMSMasterKeyId":"k"}`), "",
			"One or more parameter values were invalid: SSEType KMS is required if KMSMasterKeyId is specified"},
		{"sse AES256", "CreateTable", createBody(`"SSESpecification":{"Enabled":true,"SSEType":"AES256"}`), "",
			"One or more parameter values were invalid: SSEType AES256 is not supported"},
		{"sse bad type", "CreateTable", createBody(`"SSESpecification":{"SSEType":"DES"}`), "",
			"1 validation error detected: Value 'DES' at 'sseSpecification.sseType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"},
		{"table class", "CreateTable", createBody(`"TableClass":"GLACIER"`), "",
			"Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."},
		{"reserved tag key", "CreateTable", createBody(`"Tags":[{"Key":"aws:owner","Value":"x"}]`), "",
			"Tag Key cannot be prefixed with aws:, Key: aws:owner"},
		{"invalid tag key", "CreateTable", createBody(`"Tags":[{"Key":"#!","Value":"x"}]`), "",
			"The Tag Key provided is invalid, Key: #!"},
		{"invalid tag value", "CreateTable", createBody(`"Tags":[{"Key":"k","Value":"<>"}]`), "",
			"The Tag Value provided is invalid, Value: <>"},
		{"missing tag value", "CreateTable", createBody(`"Tags":[{"Key":"k"}]`), "",
			"The Tag Value provided is invalid, Value: null"},
		{"duplicate tag keys", "CreateTable", createBody(`"Tags":[{"Key":"k","Value":"1"},{"Key":"k","Value":"2"}]`), "",
			"Duplicate Tag Keys provided as input: Duplicate Tag Key found k"},
		{"too many tags", "CreateTable", createBody(`"Tags":[` + strings.Join(tags, ",") + `]`), "",
			"Number of Tags exceed the current limit for the provided ResourceArn"},
		{"ARN of another region", "CreateTable", `{"TableName":"arn:aws:dynamodb:eu-west-1:000000000000:table/abc","AttributeDefinitions":[],"KeySchema":[` + keyA + `]}`, "",
			"1 validation error detected: Invalid AWS region in 'arn:aws:dynamodb:eu-west-1:000000000000:table/abc'"},
	})
}

// tenNullDefinitions is the first ten of twelve null-member violations.
func tenNullDefinitions() string {
	var parts []string
	for i := 1; len(parts) < 10; i++ {
		for _, m := range []string{"attributeName", "attributeType"} {
			parts = append(parts, fmt.Sprintf("Value null at 'attributeDefinitions.%d.member.%s' %s", i, m, notNull))
		}
	}
	return strings.Join(parts, "; ")
}

func TestTableNameValidation(t *testing.T) {
	const otherAccount = "arn:aws:dynamodb:us-east-1:111111111111:table/abc"
	var cases []validationCase
	for _, op := range []string{"DescribeTable", "DeleteTable", "UpdateTable"} {
		cases = append(cases,
			validationCase{op + " no name", op, `{}`, "",
				"The parameter 'TableName' is required but was not present in the request"},
			validationCase{op + " short name", op, `{"TableName":"ab"}`, "",
				"1 validation error detected: Value 'ab' at 'tableName' " + minLength3},
			validationCase{op + " bad character", op, `{"TableName":"abc;"}`, "",
				"1 validation error detected: Value 'abc;' at 'tableName' " + namePattern},
			validationCase{op + " empty name", op, `{"TableName":""}`, "",
				"2 validation errors detected: Value '' at 'tableName' " + namePattern + "; Value '' at 'tableName' " + minLength3},
			validationCase{op + " partition", op, `{"TableName":"arn:aws-cn:dynamodb:us-east-1:000000000000:table/abc"}`, "",
				"1 validation error detected: Invalid AWS partition in 'arn:aws-cn:dynamodb:us-east-1:000000000000:table/abc'"},
			validationCase{op + " resource type", op, `{"TableName":"arn:aws:dynamodb:us-east-1:000000000000:table/abc/index/i"}`, "",
				"1 validation error detected: Invalid resource type in 'arn:aws:dynamodb:us-east-1:000000000000:table/abc/index/i'"},
		)
	}
	cases = append(cases,
		validationCase{"DescribeTable other account", "DescribeTable", `{"TableName":"` + otherAccount + `"}`,
			"ResourceNotFoundException", "Requested resource not found: Table: abc not found"},
		validationCase{"DeleteTable other account", "DeleteTable", `{"TableName":"` + otherAccount + `"}`,
			"ResourceNotFoundException", "Requested resource not found: Table: abc not found"},
	)
	runValidationCases(t, cases)
}

func TestUpdateTableValidation(t *testing.T) {
	runValidationCases(t, []validationCase{
		{"nothing to change", "UpdateTable", `{"TableName":"abc"}`, "", msgAtLeastOne},
		{"empty index updates", "UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[]}`, "", msgAtLeastOne},
		{"attribute definitions only", "UpdateTable", `{"TableName":"abc","AttributeDefinitions":[` + defA + `]}`, "", msgAtLeastOne},
		{"multi-region consistency only", "UpdateTable", `{"TableName":"abc","MultiRegionConsistency":"STRONG"}`, "",
			strings.Replace(msgAtLeastOne, " MultiRegionConsistency,", "", 1)},
		{"empty ProvisionedThroughput", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{}}`, "",
			"2 validation errors detected: Value null at 'provisionedThroughput.writeCapacityUnits' " + notNull +
				"; Value null at 'provisionedThroughput.readCapacityUnits' " + notNull},
		{"low capacity", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":-1,"WriteCapacityUnits":-1}}`, "",
			"2 validation errors detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' " + atLeast1 +
				"; Value '-1' at 'provisionedThroughput.readCapacityUnits' " + atLeast1},
		{"high and negative capacity", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":-1}}`, "",
			"1 validation error detected: Value '-1' at 'provisionedThroughput.writeCapacityUnits' " + atLeast1},
		{"read out of bounds", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":1000000000001,"WriteCapacityUnits":1000000000001}}`, "",
			"Given value 1000000000001 for ReadCapacityUnits is out of bounds"},
		{"write out of bounds", "UpdateTable", `{"TableName":"abc","ProvisionedThroughput":{"ReadCapacityUnits":1000000000000,"WriteCapacityUnits":1000000000001}}`, "",
			"Given value 1000000000001 for WriteCapacityUnits is out of bounds"},
		{"throughput on demand", "UpdateTable", `{"TableName":"abc","BillingMode":"PAY_PER_REQUEST",` + throughput11 + `}`, "",
			"One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"},
		{"provisioned without throughput", "UpdateTable", `{"TableName":"abc","BillingMode":"PROVISIONED"}`, "",
			"One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED"},
		{"sse with other changes", "UpdateTable", `{"TableName":"abc","SSESpecification":{"Enabled":true},"DeletionProtectionEnabled":true}`, "",
			"One or more parameter values were invalid: Server-Side Encryption modification must be the only operation in the request"},
		{"table class with other changes", "UpdateTable", `{"TableName":"abc","TableClass":"STANDARD","BillingMode":"PAY_PER_REQUEST"}`, "",
			"One or more parameter values were invalid: TableClass modification must be the only operation in the request"},
		{"deletion protection with other changes", "UpdateTable", `{"TableName":"abc","DeletionProtectionEnabled":true,"BillingMode":"PAY_PER_REQUEST"}`, "",
			"One or more parameter values were invalid: DeletionProtection modification must be the only operation in the request"},
		{"bad table class", "UpdateTable", `{"TableName":"abc","TableClass":"COLD"}`, "",
			"Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS]."},
		{"index on-demand throughput", "UpdateTable", `{"TableName":"abc","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"abc","OnDemandThroughput":{}}}]}`, "",
			"One or more parameter values were invalid: OnDemandThroughput is not supported yet"},
		{"stream enabled", "UpdateTable", `{"TableName":"abc","StreamSpecification":{"StreamEnabled":true,"StreamViewType":"KEYS_ONLY"}}`, "",
			"One or more parameter values were invalid: StreamSpecification is not supported yet"},
		{"stream disabled with view type", "UpdateTable", `{"TableName":"abc","StreamSpecification":{"StreamEnabled":false,"StreamViewType":"KEYS_ONLY"}}`, "",
			"One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified"},
		{"sse key when disabled", "UpdateTable", `{"TableName":"abc","SSESpecification":{"Enabled":false,"KMSMasterKeyId":"k"}}`, "",
			"One or more parameter values were invalid: KMSMasterKeyId can not be specified if Enabled is false"},
	})
}

func TestListTablesValidation(t *testing.T) {
	long := strings.Repeat("a", 256)
	runValidationCases(t, []validationCase{
		{"in order", "ListTables", `{"ExclusiveStartTableName":"a;","Limit":500}`, "",
			"3 validation errors detected: Value '500' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100" +
				"; Value 'a;' at 'exclusiveStartTableName' " + namePattern + "; Value 'a;' at 'exclusiveStartTableName' " + minLength3},
		{"empty start", "ListTables", `{"ExclusiveStartTableName":""}`, "",
			"2 validation errors detected: Value '' at 'exclusiveStartTableName' " + namePattern +
				"; Value '' at 'exclusiveStartTableName' " + minLength3},
		{"long start", "ListTables", `{"ExclusiveStartTableName":"` + long + `"}`, "",
			"1 validation error detected: Value '" + long + "' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length less than or equal to 255"},
		{"low limit", "ListTables", `{"Limit":0}`, "",
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"high limit", "ListTables", `{"Limit":101}`, "",
			"1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"},
	})
}

func TestTagValidation(t *testing.T) {
	const (
		arn      = "arn:aws:dynamodb:us-east-1:000000000000:table/abc"
		foreign  = "arn:aws:dynamodb:us-east-1:111111111111:table/abc"
		tagsKV   = `"Tags":[{"Key":"k","Value":"v"}]`
		invalidT = "Invalid TableArn: Invalid ResourceArn provided as input "
	)
	var cases []validationCase
	for _, op := range []string{"TagResource", "UntagResource", "ListTagsOfResource"} {
		cases = append(cases, validationCase{op + " no ARN", op, `{}`, "", "Invalid TableArn"})
	}
	for _, c := range []struct{ name, arn, msg string }{
		{"not an ARN", "a:b:c:d:e:f/g", "One or more parameter values were invalid: ARNs must start with 'arn:': a:b:c:d:e:f/g"},
		{"not DynamoDB", "arn:aws:s3:::bucket", "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: arn:aws:s3:::bucket"},
		{"index", arn + "/index/i", "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " + arn + "/index/i"},
		{"other region", "arn:aws:dynamodb:eu-west-1:000000000000:table/abc", invalidT + "arn:aws:dynamodb:eu-west-1:000000000000:table/abc"},
		{"short table name", "arn:aws:dynamodb:us-east-1:000000000000:table/ab", invalidT + "arn:aws:dynamodb:us-east-1:000000000000:table/ab"},
	} {
		cases = append(cases,
			validationCase{"TagResource " + c.name, "TagResource", `{"ResourceArn":"` + c.arn + `",` + tagsKV + `}`, "", c.msg},
			validationCase{"ListTagsOfResource " + c.name, "ListTagsOfResource", `{"ResourceArn":"` + c.arn + `"}`, "", c.msg})
	}
	cases = append(cases,
		validationCase{"TagResource empty ARN", "TagResource", `{"ResourceArn":"",` + tagsKV + `}`, "",
			"1 validation error detected: Value '' at 'resourceArn' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		validationCase{"TagResource null tags", "TagResource", `{"ResourceArn":"a:b:c:d:e:f/g"}`, "",
			"1 validation error detected: Value null at 'tags' " + notNull},
		validationCase{"TagResource no tags", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[]}`, "",
			"Atleast one Tag needs to be provided as Input."},
		validationCase{"TagResource reserved key", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"AWS:x","Value":"v"}]}`, "",
			"Tag Key cannot be prefixed with aws:, Key: AWS:x"},
		validationCase{"TagResource long key", "TagResource", `{"ResourceArn":"` + arn + `","Tags":[{"Key":"` + strings.Repeat("k", 129) + `","Value":"v"}]}`, "",
			"The Tag Key provided is invalid, Key: " + strings.Repeat("k", 129)},
		validationCase{"TagResource other account", "TagResource", `{"ResourceArn":"` + foreign + `",` + tagsKV + `}`,
			"ResourceNotFoundException", "Requested resource not found: ResourcArn: " + foreign + " not found"},
		validationCase{"ListTagsOfResource other account", "ListTagsOfResource", `{"ResourceArn":"` + foreign + `"}`,
			"ResourceNotFoundException", "Requested resource not found: ResourcArn: " + foreign + " not found"},
		validationCase{"UntagResource null keys", "UntagResource", `{"ResourceArn":"a:b:c:d:e:f/g"}`, "",
			"1 validation error detected: Value null at 'tagKeys' " + notNull},
		validationCase{"UntagResource no keys", "UntagResource", `{"ResourceArn":"` + arn + `","TagKeys":[]}`, "",
			"Atleast one Tag Key needs to be provided as Input."},
		validationCase{"UntagResource invalid key", "UntagResource", `{"ResourceArn":"` + arn + `","TagKeys":["a|b"]}`, "",
			"The Tag Key provided is invalid, Key: a|b"},
	)
	runValidationCases(t, cases)
}

func TestDescribeLimitsAndEndpoints(t *testing.T) {
	a := newEnginelessAPI()
	if got, _ := call(t, a, "DescribeLimits", `{}`); got != `{"AccountMaxReadCapacityUnits":80000,"AccountMaxWriteCapacityUnits":80000,"TableMaxReadCapacityUnits":40000,"TableMaxWriteCapacityUnits":40000}` {
		t.Errorf("DescribeLimits = %s", got)
	}
	if got, _ := call(t, a, "DescribeEndpoints", `{}`); got != `{"Endpoints":[{"Address":"dynamodb.us-east-1.amazonaws.com","CachePeriodInMinutes":1440}]}` {
		t.Errorf("DescribeEndpoints = %s", got)
	}
}
