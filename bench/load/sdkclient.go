package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The SDK client (--client sdk): the workload's operations through
// aws-sdk-go-v2, as an application would make them. It costs the load
// generator several times the CPU of the raw client per request (SigV4 via
// the SDK's signer, schema-based serialisation, the middleware stack), so
// on a small machine it measures the client as much as the server; it is
// kept to cross-check the raw client's numbers and answers.

// newSDKClient returns an aws-sdk-go-v2 DynamoDB client for the endpoint.
// With retries false, SDK retries are off, so a throttled or failed call is
// counted as an error rather than hidden by a retry.
func newSDKClient(c config, retries bool) *dynamodb.Client {
	tr := &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          c.clients * 2,
		MaxIdleConnsPerHost:   c.clients * 2,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	hc := &http.Client{Transport: tr, Timeout: c.timeout}
	opts := dynamodb.Options{
		Region:       c.region,
		BaseEndpoint: aws.String(c.endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(c.accessKey, c.secretKey, c.sessionToken),
		HTTPClient:   hc,
	}
	if !retries {
		opts.Retryer = aws.NopRetryer{}
	}
	return dynamodb.New(opts)
}

// sdkOpClient runs the workload's operations with one shared SDK client
// (which is safe for concurrent use).
type sdkOpClient struct {
	db           *dynamodb.Client
	table        string
	payload      *payloadSource
	perPartition int
	queryLimit   int32
	consistent   bool
}

func newSDKOpClient(c config, payload *payloadSource, retries bool) *sdkOpClient {
	return &sdkOpClient{
		db: newSDKClient(c, retries), table: c.table, payload: payload,
		perPartition: c.perPartition, queryLimit: int32(c.queryLimit), consistent: c.consistent,
	}
}

func pkString(partition int) string { return string(appendPK(nil, partition)) }
func skString(sort int) string      { return string(appendSK(nil, sort)) }

func (s *sdkOpClient) key(i int) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: pkString(i / s.perPartition)},
		"sk": &types.AttributeValueMemberS{Value: skString(i % s.perPartition)},
	}
}

func (s *sdkOpClient) item(i int) map[string]types.AttributeValue {
	it := s.key(i)
	it["d"] = &types.AttributeValueMemberS{Value: s.payload.forItem(i)}
	it["n"] = &types.AttributeValueMemberN{Value: "0"}
	return it
}

func (s *sdkOpClient) put(ctx context.Context, i int) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: s.item(i)})
	return err
}

func (s *sdkOpClient) get(ctx context.Context, i int) (bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(i), ConsistentRead: aws.Bool(s.consistent)})
	if err != nil {
		return false, err
	}
	return out.Item != nil, nil
}

func (s *sdkOpClient) query(ctx context.Context, partition int) (int, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: pkString(partition)}},
		Limit:                     aws.Int32(s.queryLimit),
		ConsistentRead:            aws.Bool(s.consistent),
	})
	if err != nil {
		return 0, err
	}
	return int(out.Count), nil
}

func (s *sdkOpClient) update(ctx context.Context, i int, u int64) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &s.table,
		Key:              s.key(i),
		UpdateExpression: aws.String("SET u = :u ADD n :one"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u":   &types.AttributeValueMemberN{Value: strconv.FormatInt(u, 10)},
			":one": &types.AttributeValueMemberN{Value: "1"},
		},
	})
	return err
}

func (s *sdkOpClient) deleteItem(ctx context.Context, i int) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(i)})
	return err
}

func (s *sdkOpClient) scan(ctx context.Context) (int, error) {
	out, err := s.db.Scan(ctx, &dynamodb.ScanInput{TableName: &s.table, Limit: aws.Int32(s.queryLimit), ConsistentRead: aws.Bool(s.consistent)})
	if err != nil {
		return 0, err
	}
	return int(out.Count), nil
}

func (s *sdkOpClient) batchWrite(ctx context.Context, idx []int) error {
	reqs := make([]types.WriteRequest, 0, len(idx))
	for _, i := range idx {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: s.item(i)}})
	}
	out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs}})
	if err == nil && len(out.UnprocessedItems[s.table]) > 0 {
		return fmt.Errorf("UnprocessedItems: %d", len(out.UnprocessedItems[s.table]))
	}
	return err
}

func (s *sdkOpClient) batchGet(ctx context.Context, idx []int) (int, error) {
	keys := make([]map[string]types.AttributeValue, 0, len(idx))
	for _, i := range idx {
		keys = append(keys, s.key(i))
	}
	out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(s.consistent)}}})
	if err != nil {
		return 0, err
	}
	if n := len(out.UnprocessedKeys[s.table].Keys); n > 0 {
		return 0, fmt.Errorf("UnprocessedKeys: %d", n)
	}
	return len(out.Responses[s.table]), nil
}
