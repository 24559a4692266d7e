// Drives an Ebbtide server with the AWS SDK for JavaScript v3 (client and
// document client): the everyday table and item flow. Usage:
//   node smoke.mjs http://127.0.0.1:PORT
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand,
  waitUntilTableExists, ConditionalCheckFailedException,
} from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient, PutCommand, GetCommand, UpdateCommand, QueryCommand,
  BatchWriteCommand, ScanCommand, DeleteCommand,
} from "@aws-sdk/lib-dynamodb";
import assert from "node:assert/strict";

const endpoint = process.argv[2];
const client = new DynamoDBClient({
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "js", secretAccessKey: "js" },
});
const doc = DynamoDBDocumentClient.from(client);
const TableName = "js_smoke";

await client.send(new CreateTableCommand({
  TableName, BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
}));
await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName });

await doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: 1, name: "one", tags: new Set(["x", "y"]), nested: { list: [1, "two", null] } } }));
const got = await doc.send(new GetCommand({ TableName, Key: { pk: "a", sk: 1 } }));
assert.equal(got.Item.name, "one");
assert.deepEqual([...got.Item.tags].sort(), ["x", "y"]);
assert.deepEqual(got.Item.nested.list, [1, "two", null]);

const upd = await doc.send(new UpdateCommand({
  TableName, Key: { pk: "a", sk: 1 },
  UpdateExpression: "SET #n = :n ADD hits :one", ExpressionAttributeNames: { "#n": "name" },
  ExpressionAttributeValues: { ":n": "uno", ":one": 1 }, ReturnValues: "ALL_NEW",
}));
assert.equal(upd.Attributes.name, "uno");
assert.equal(upd.Attributes.hits, 1);

await assert.rejects(
  doc.send(new PutCommand({ TableName, Item: { pk: "a", sk: 1 }, ConditionExpression: "attribute_not_exists(pk)" })),
  (e) => e instanceof ConditionalCheckFailedException);

const puts = [];
for (let i = 2; i <= 20; i++) puts.push({ PutRequest: { Item: { pk: "a", sk: i, n: i } } });
await doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: puts.slice(0, 19) } }));

let items = [], ExclusiveStartKey;
do {
  const page = await doc.send(new QueryCommand({
    TableName, KeyConditionExpression: "pk = :p AND sk > :s",
    ExpressionAttributeValues: { ":p": "a", ":s": 5 }, Limit: 4, ExclusiveStartKey,
  }));
  items.push(...page.Items);
  ExclusiveStartKey = page.LastEvaluatedKey;
} while (ExclusiveStartKey);
assert.deepEqual(items.map((i) => i.sk), Array.from({ length: 15 }, (_, i) => i + 6));

const scan = await doc.send(new ScanCommand({ TableName, Select: "COUNT" }));
assert.equal(scan.Count, 20);
await doc.send(new DeleteCommand({ TableName, Key: { pk: "a", sk: 20 } }));
const desc = await client.send(new DescribeTableCommand({ TableName }));
assert.equal(desc.Table.ItemCount, 19);
await client.send(new DeleteTableCommand({ TableName }));
console.log("js sdk v3 smoke: ok");
