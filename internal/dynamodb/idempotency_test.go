package dynamodb

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/engine"
)

// openItemEnv opens an engine with opts (Dir, and optionally Clock and TTL
// settings; the tests' region, account, logger and cache size are filled
// in) and returns an item environment over it, with table "hash" created
// when create is set, and a function that closes the engine.
func openItemEnv(t *testing.T, opts engine.Options, create bool) (*itemEnv, func()) {
	t.Helper()
	opts.Region, opts.AccountID = testRegion, testAccount
	opts.Logger, opts.CacheSize = slog.New(slog.DiscardHandler), 8<<20
	eng, err := engine.Open(opts)
	if err != nil {
		t.Fatalf("open engine: %v", err)
	}
	e := &itemEnv{t: t, api: New(eng, testConfig())}
	if create {
		e.createTable("hash", "pk", attr.KindS, "", 0)
	}
	var once sync.Once
	closeEng := func() {
		once.Do(func() {
			if err := eng.Close(); err != nil {
				t.Errorf("close engine: %v", err)
			}
		})
	}
	t.Cleanup(closeEng)
	return e, closeEng
}

// increment is a TransactWriteItems request adding by to the counter item
// under token, reporting capacity.
func increment(token, by string) string {
	return `{"ClientRequestToken":"` + token + `","ReturnConsumedCapacity":"TOTAL","TransactItems":[
		{"Update":{"TableName":"hash","Key":{"pk":{"S":"counter"}},"UpdateExpression":"ADD n :by","ExpressionAttributeValues":{":by":{"N":"` + by + `"}}}}]}`
}

// expectCounter checks the counter item's value.
func (e *itemEnv) expectCounter(want string) {
	e.t.Helper()
	e.expect("GetItem", `{"TableName":"hash","Key":{"pk":{"S":"counter"}},"ProjectionExpression":"n"}`, `{"Item":{"n":{"N":"`+want+`"}}}`)
}

const (
	wroteCounter = `{"ConsumedCapacity":[{"TableName":"hash","CapacityUnits":2,"WriteCapacityUnits":2}]}`
	readCounter  = `{"ConsumedCapacity":[{"TableName":"hash","CapacityUnits":2,"ReadCapacityUnits":2}]}`
)

func TestIdempotentReplay(t *testing.T) {
	e, _ := openItemEnv(t, engine.Options{Dir: t.TempDir()}, true)
	e.expect("TransactWriteItems", increment("tok-1", "1"), wroteCounter)
	e.expect("TransactWriteItems", increment("tok-1", "1"), readCounter)
	// The same actions written differently are the same request; the
	// Return* flags are the retry's own.
	e.expect("TransactWriteItems", `{"TransactItems":[{"Update":{"ExpressionAttributeValues":{":by":{"N":"1.00"}},"UpdateExpression":"ADD n :by",
		"Key":{"pk":{"S":"counter"}},"TableName":"hash"}}],"ClientRequestToken":"tok-1"}`, `{}`)
	e.expectCounter("1")

	err := e.callErr("TransactWriteItems", increment("tok-1", "2"))
	if !strings.HasSuffix(err.Type, "#IdempotentParameterMismatchException") || err.Message != msgIdempotentMismatch {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
	e.expect("TransactWriteItems", increment("tok-2", "2"), wroteCounter)
	e.expectCounter("3")
}

// A canceled transaction writes nothing, its token included: a retry runs.
func TestIdempotentAfterCancel(t *testing.T) {
	e, _ := openItemEnv(t, engine.Options{Dir: t.TempDir()}, true)
	guarded := `{"ClientRequestToken":"tok","TransactItems":[
		{"ConditionCheck":{"TableName":"hash","Key":{"pk":{"S":"gate"}},"ConditionExpression":"attribute_exists(pk)"}},
		{"Update":{"TableName":"hash","Key":{"pk":{"S":"counter"}},"UpdateExpression":"ADD n :by","ExpressionAttributeValues":{":by":{"N":"1"}}}}]}`
	if err := e.callErr("TransactWriteItems", guarded); !strings.HasSuffix(err.Type, "#TransactionCanceledException") {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
	e.call("PutItem", `{"TableName":"hash","Item":{"pk":{"S":"gate"}}}`)
	e.expect("TransactWriteItems", guarded, `{}`)
	e.expect("TransactWriteItems", guarded, `{}`)
	e.expectCounter("1")
}

// Concurrent calls with one token run the transaction once; every call
// succeeds.
func TestIdempotentConcurrent(t *testing.T) {
	e, _ := openItemEnv(t, engine.Options{Dir: t.TempDir()}, true)
	var wg sync.WaitGroup
	errs := make(chan *Error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := call(t, e.api, "TransactWriteItems", increment("same", "1")); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent call: %s", err)
	}
	e.expectCounter("1")
}

// The token is committed with the transaction, so it survives a restart,
// and it is forgotten ten minutes later.
func TestIdempotentDurableAndExpiring(t *testing.T) {
	dir := t.TempDir()
	clk := clock.NewFake(time.Now()) // the API dates token records by the wall clock
	e, closeEng := openItemEnv(t, engine.Options{Dir: dir, Clock: clk}, true)
	e.expect("TransactWriteItems", increment("tok", "1"), wroteCounter)
	closeEng()

	e, _ = openItemEnv(t, engine.Options{Dir: dir, Clock: clk}, false)
	e.expect("TransactWriteItems", increment("tok", "1"), readCounter)
	if err := e.callErr("TransactWriteItems", increment("tok", "5")); !strings.HasSuffix(err.Type, "#IdempotentParameterMismatchException") {
		t.Fatalf("got %s %q", err.Type, err.Message)
	}
	e.expectCounter("1")

	clk.Advance(idempotencyWindow + time.Minute)
	if _, err := e.api.eng.ExpireNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.expect("TransactWriteItems", increment("tok", "5"), wroteCounter)
	e.expectCounter("6")
}
