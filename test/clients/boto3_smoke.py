"""Drives an Ebbtide server with boto3: the everyday table and item flow.

Usage: python3 boto3_smoke.py http://127.0.0.1:PORT
"""
import sys
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="py", aws_secret_access_key="py", region_name="us-east-1")
cfg = Config(retries={"max_attempts": 1})
client = session.client("dynamodb", endpoint_url=endpoint, config=cfg)
ddb = session.resource("dynamodb", endpoint_url=endpoint, config=cfg)

table = ddb.create_table(
    TableName="py_smoke",
    BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
)
table.wait_until_exists()

table.put_item(Item={"pk": "a", "sk": 1, "price": Decimal("19.99"), "tags": {"x", "y"}, "doc": {"l": [1, "b", None]}})
item = table.get_item(Key={"pk": "a", "sk": 1})["Item"]
assert item["price"] == Decimal("19.99"), item
assert item["tags"] == {"x", "y"}, item
assert item["doc"]["l"] == [1, "b", None], item

out = table.update_item(
    Key={"pk": "a", "sk": 1},
    UpdateExpression="SET price = price + :d REMOVE tags",
    ExpressionAttributeValues={":d": Decimal("0.01")},
    ReturnValues="UPDATED_NEW",
)
assert out["Attributes"] == {"price": Decimal("20")}, out

try:
    table.put_item(Item={"pk": "a", "sk": 1}, ConditionExpression=Attr("pk").not_exists())
    raise AssertionError("conditional put succeeded")
except client.exceptions.ConditionalCheckFailedException:
    pass

with table.batch_writer() as batch:
    for i in range(2, 60):
        batch.put_item(Item={"pk": "a", "sk": i, "n": i})

got = []
kwargs = {"KeyConditionExpression": Key("pk").eq("a") & Key("sk").between(10, 49), "Limit": 7}
while True:
    page = table.query(**kwargs)
    got += [int(i["sk"]) for i in page["Items"]]
    if "LastEvaluatedKey" not in page:
        break
    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
assert got == list(range(10, 50)), got

paginator = client.get_paginator("scan")
count = sum(p["Count"] for p in paginator.paginate(TableName="py_smoke", PaginationConfig={"PageSize": 11}))
assert count == 59, count

try:
    client.describe_table(TableName="nope_table")
    raise AssertionError("describe of a missing table succeeded")
except client.exceptions.ResourceNotFoundException:
    pass

table.delete()
print("boto3 smoke: ok")
