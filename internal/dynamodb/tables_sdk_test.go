package dynamodb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// The control-plane operations through the AWS SDK for Go v2 against an
// in-process server: the SDK must parse every response (timestamps, enums,
// errors) and its waiters must work.
func TestTableOperationsWithSDK(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := dynamodb.New(dynamodb.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	ctx := context.Background()
	name := aws.String("sdk-table")

	created, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             name,
		AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
		Tags:                  []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	d := created.TableDescription
	if since := time.Since(aws.ToTime(d.CreationDateTime)); since < 0 || since > time.Minute {
		t.Errorf("CreationDateTime = %v", d.CreationDateTime)
	}
	if err := dynamodb.NewTableExistsWaiter(c, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	}).Wait(ctx, &dynamodb.DescribeTableInput{TableName: name}, 5*time.Second); err != nil {
		t.Fatalf("TableExists waiter: %v", err)
	}

	updated, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(10), WriteCapacityUnits: aws.Int64(2)}})
	if err != nil {
		t.Fatalf("UpdateTable: %v", err)
	}
	pt := updated.TableDescription.ProvisionedThroughput
	if aws.ToInt64(pt.ReadCapacityUnits) != 10 || pt.LastIncreaseDateTime == nil || pt.LastDecreaseDateTime == nil ||
		aws.ToInt64(pt.NumberOfDecreasesToday) != 1 {
		t.Errorf("ProvisionedThroughput after update = %+v", pt)
	}

	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: d.TableArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("ListTagsOfResource = %+v, %v", tags, err)
	}

	pages := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
	var names []string
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListTables: %v", err)
		}
		names = append(names, page.TableNames...)
	}
	if len(names) != 1 || names[0] != *name {
		t.Errorf("ListTables = %v", names)
	}

	limits, err := c.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil || aws.ToInt64(limits.TableMaxReadCapacityUnits) != 40000 {
		t.Errorf("DescribeLimits = %+v, %v", limits, err)
	}

	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: name}); err != nil {
		t.Fatalf("DeleteTable: %v", err)
	}
	if err := dynamodb.NewTableNotExistsWaiter(c, func(o *dynamodb.TableNotExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 50*time.Millisecond
	}).Wait(ctx, &dynamodb.DescribeTableInput{TableName: name}, 5*time.Second); err != nil {
		t.Fatalf("TableNotExists waiter: %v", err)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	var notFound *types.ResourceNotFoundException
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "Requested resource not found: Table: sdk-table not found" {
		t.Errorf("DescribeTable after delete: %v", err)
	}
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("sdk-table")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Errorf("UpdateTable without changes: %v", err)
	}
}
