package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// newSDKClient starts a server and returns an SDK client for it.
func newSDKClient(t *testing.T) *dynamodb.Client {
	t.Helper()
	srv := ebbtidetest.Start(t)
	return dynamodb.New(dynamodb.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
}

// createHashTable creates an on-demand table keyed by pk (S).
func createHashTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
}

// Bank transfers through the SDK: many clients move money between accounts
// with TransactWriteItems (each transfer conditional on the payer's balance)
// while auditors read every account with TransactGetItems. Transactions are
// serializable: money is conserved, no balance goes negative, and every
// audit snapshot adds up to the total (no torn reads, no write skew).
func TestTransactionsSerializableWithSDK(t *testing.T) {
	const (
		accounts = 16
		initial  = 100
		total    = accounts * initial
		writers  = 6
		auditors = 2
	)
	duration := 3 * time.Second
	if testing.Short() {
		duration = 500 * time.Millisecond
	}
	c := newSDKClient(t)
	ctx := context.Background()
	createHashTable(t, c, "bank")
	acct := func(i int) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "acct-" + strconv.Itoa(i)}}
	}
	var seed []types.TransactWriteItem
	for i := range accounts {
		item := acct(i)
		item["balance"] = &types.AttributeValueMemberN{Value: strconv.Itoa(initial)}
		seed = append(seed, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("bank"), Item: item}})
	}
	if _, err := c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: seed}); err != nil {
		t.Fatalf("seed: %v", err)
	}

	var transfers, rejected, audits atomic.Int64
	stop := make(chan struct{})
	errc := make(chan error, writers+auditors)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 42))
			for {
				select {
				case <-stop:
					return
				default:
				}
				from, to := rng.IntN(accounts), rng.IntN(accounts-1)
				if to >= from {
					to++
				}
				ok, err := transfer(ctx, c, acct(from), acct(to), 1+rng.IntN(40))
				switch {
				case err != nil:
					errc <- err
					return
				case ok:
					transfers.Add(1)
				default:
					rejected.Add(1)
				}
			}
		})
	}
	for range auditors {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := audit(ctx, c, accounts, total, acct); err != nil {
					errc <- err
					return
				}
				audits.Add(1)
			}
		})
	}
	time.Sleep(duration)
	close(stop)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if err := audit(ctx, c, accounts, total, acct); err != nil {
		t.Error(err)
	}
	t.Logf("%d transfers (%.0f/s), %d rejected for lack of funds, %d audits in %v",
		transfers.Load(), float64(transfers.Load())/duration.Seconds(), rejected.Load(), audits.Load(), duration)
	if transfers.Load() == 0 || audits.Load() == 0 {
		t.Errorf("the workload did not run: %d transfers, %d audits", transfers.Load(), audits.Load())
	}
}

// transfer moves amount from one account to another if the payer can afford
// it; ok is false when the transaction was canceled for lack of funds.
func transfer(ctx context.Context, c *dynamodb.Client, from, to map[string]types.AttributeValue, amount int) (ok bool, err error) {
	amt := map[string]types.AttributeValue{":amt": &types.AttributeValueMemberN{Value: strconv.Itoa(amount)}}
	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Update: &types.Update{TableName: aws.String("bank"), Key: from, UpdateExpression: aws.String("SET balance = balance - :amt"),
			ConditionExpression: aws.String("balance >= :amt"), ExpressionAttributeValues: amt}},
		{Update: &types.Update{TableName: aws.String("bank"), Key: to, UpdateExpression: aws.String("SET balance = balance + :amt"),
			ExpressionAttributeValues: amt}},
	}})
	var canceled *types.TransactionCanceledException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &canceled):
		r := canceled.CancellationReasons
		if len(r) != 2 || aws.ToString(r[0].Code) != "ConditionalCheckFailed" || aws.ToString(r[1].Code) != "None" {
			return false, fmt.Errorf("transfer canceled with reasons %+v", r)
		}
		return false, nil
	}
	return false, fmt.Errorf("transfer: %w", err)
}

// audit reads every account in one transaction and checks the invariants.
func audit(ctx context.Context, c *dynamodb.Client, accounts, total int, acct func(int) map[string]types.AttributeValue) error {
	gets := make([]types.TransactGetItem, accounts)
	for i := range gets {
		gets[i] = types.TransactGetItem{Get: &types.Get{TableName: aws.String("bank"), Key: acct(i)}}
	}
	out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	sum := 0
	for i, r := range out.Responses {
		n, err := strconv.Atoi(r.Item["balance"].(*types.AttributeValueMemberN).Value)
		if err != nil {
			return err
		}
		if n < 0 {
			return fmt.Errorf("account %d has a negative balance %d", i, n)
		}
		sum += n
	}
	if sum != total {
		return fmt.Errorf("audit saw a total of %d, want %d", sum, total)
	}
	return nil
}

// The SDK parses the transactional and TTL responses and errors.
func TestTransactAndTTLWithSDK(t *testing.T) {
	c := newSDKClient(t)
	ctx := context.Background()
	createHashTable(t, c, "txs")
	put := func(v string) *dynamodb.TransactWriteItemsInput {
		return &dynamodb.TransactWriteItemsInput{
			ClientRequestToken:     aws.String("token-1"),
			ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal,
			TransactItems: []types.TransactWriteItem{{Put: &types.Put{TableName: aws.String("txs"), Item: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: "a"}, "v": &types.AttributeValueMemberS{Value: v}}}}},
		}
	}
	first, err := c.TransactWriteItems(ctx, put("x"))
	if err != nil || len(first.ConsumedCapacity) != 1 || aws.ToFloat64(first.ConsumedCapacity[0].WriteCapacityUnits) != 2 {
		t.Fatalf("first call: %+v, %v", first, err)
	}
	again, err := c.TransactWriteItems(ctx, put("x"))
	if err != nil || len(again.ConsumedCapacity) != 1 || aws.ToFloat64(again.ConsumedCapacity[0].ReadCapacityUnits) != 2 {
		t.Fatalf("retry: %+v, %v", again, err)
	}
	var mismatch *types.IdempotentParameterMismatchException
	if _, err := c.TransactWriteItems(ctx, put("y")); !errors.As(err, &mismatch) {
		t.Fatalf("changed retry: %v", err)
	}

	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("txs"), Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}},
			ConditionExpression: aws.String("v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "z"}},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}}})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) || len(canceled.CancellationReasons) != 1 ||
		canceled.CancellationReasons[0].Item["v"].(*types.AttributeValueMemberS).Value != "x" ||
		canceled.ErrorMessage() != "Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]" {
		t.Fatalf("canceled transaction: %v", err)
	}

	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("txs"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	d, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("txs")})
	if err != nil || d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "exp" {
		t.Fatalf("DescribeTimeToLive: %+v, %v", d, err)
	}
}
