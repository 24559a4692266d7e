package dynamodb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// Secondary indexes through the AWS SDK for Go v2: a table with a global and
// a local secondary index, described, written and queried through both
// (with the SDK's paginator, which feeds LastEvaluatedKey back).
func TestIndexesWithSDK(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := dynamodb.New(dynamodb.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	ctx := context.Background()
	name := aws.String("orders")
	key := func(n string, kt types.KeyType) types.KeySchemaElement {
		return types.KeySchemaElement{AttributeName: aws.String(n), KeyType: kt}
	}
	def := func(n string, at types.ScalarAttributeType) types.AttributeDefinition {
		return types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: at}
	}
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   name,
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{def("customer", types.ScalarAttributeTypeS), def("order", types.ScalarAttributeTypeS),
			def("status", types.ScalarAttributeTypeS), def("total", types.ScalarAttributeTypeN)},
		KeySchema: []types.KeySchemaElement{key("customer", types.KeyTypeHash), key("order", types.KeyTypeRange)},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("byStatus"),
			KeySchema:  []types.KeySchemaElement{key("status", types.KeyTypeHash), key("order", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName:  aws.String("byTotal"),
			KeySchema:  []types.KeySchemaElement{key("customer", types.KeyTypeHash), key("total", types.KeyTypeRange)},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"note"}},
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	for i := range 5 {
		item := map[string]types.AttributeValue{
			"customer": &types.AttributeValueMemberS{Value: "c1"},
			"order":    &types.AttributeValueMemberS{Value: fmt.Sprintf("o%d", i)},
			"total":    &types.AttributeValueMemberN{Value: fmt.Sprint(100 - 10*i)},
			"note":     &types.AttributeValueMemberS{Value: "n"},
		}
		if i != 2 { // o2 has no status: it is not in byStatus
			item["status"] = &types.AttributeValueMemberS{Value: "open"}
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: name, Item: item}); err != nil {
			t.Fatalf("PutItem: %v", err)
		}
	}

	desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	g, l := desc.Table.GlobalSecondaryIndexes, desc.Table.LocalSecondaryIndexes
	if len(g) != 1 || g[0].IndexStatus != types.IndexStatusActive || aws.ToInt64(g[0].ItemCount) != 4 ||
		aws.ToString(g[0].IndexArn) != aws.ToString(desc.Table.TableArn)+"/index/byStatus" {
		t.Errorf("GlobalSecondaryIndexes = %+v", g)
	}
	if len(l) != 1 || aws.ToInt64(l[0].ItemCount) != 5 || l[0].Projection.NonKeyAttributes[0] != "note" {
		t.Errorf("LocalSecondaryIndexes = %+v", l)
	}

	pages := dynamodb.NewQueryPaginator(c, &dynamodb.QueryInput{
		TableName:                 name,
		IndexName:                 aws.String("byStatus"),
		KeyConditionExpression:    aws.String("#s = :s"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": &types.AttributeValueMemberS{Value: "open"}},
		Limit:                     aws.Int32(3),
		ReturnConsumedCapacity:    types.ReturnConsumedCapacityIndexes,
	})
	var orders []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("Query byStatus: %v", err)
		}
		if page.ConsumedCapacity.GlobalSecondaryIndexes["byStatus"].CapacityUnits == nil {
			t.Errorf("ConsumedCapacity = %+v", page.ConsumedCapacity)
		}
		for _, it := range page.Items {
			orders = append(orders, it["order"].(*types.AttributeValueMemberS).Value)
		}
	}
	if want := []string{"o0", "o1", "o3", "o4"}; !slices.Equal(orders, want) {
		t.Errorf("byStatus orders %v, want %v", orders, want)
	}

	out, err := c.Query(ctx, &dynamodb.QueryInput{
		TableName:                 name,
		IndexName:                 aws.String("byTotal"),
		KeyConditionExpression:    aws.String("customer = :c AND #t < :t"),
		ExpressionAttributeNames:  map[string]string{"#t": "total"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: "c1"}, ":t": &types.AttributeValueMemberN{Value: "80"}},
		Select:                    types.SelectAllAttributes,
	})
	if err != nil {
		t.Fatalf("Query byTotal: %v", err)
	}
	if len(out.Items) != 2 || out.Items[0]["order"].(*types.AttributeValueMemberS).Value != "o4" || out.Items[0]["status"] == nil {
		t.Errorf("byTotal items %+v", out.Items)
	}
}
