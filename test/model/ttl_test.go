package model

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
)

// TestTTLExpiry checks TTL end to end on a real-clock server: items whose
// TTL attribute (epoch seconds) lies in the past disappear from the table,
// its GSI and its LSI, by the background expirer (about once a second);
// items with a future TTL, no TTL, a non-Number TTL or one more than five
// years old (which DynamoDB ignores) stay, unchanged, throughout. Items
// exist from before TTL is enabled (the TTL index is built by a backfill)
// and TTL values change by updates. The expiry is awaited by polling with a
// generous deadline; no elapsed time is asserted.
func TestTTLExpiry(t *testing.T) {
	const table = "ttl"
	srv := ebbtidetest.Start(t)
	db := newClient(srv.Endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()

	gsi := indexDef{name: "ttl_by_g", hash: "g", rng: "a", proj: types.ProjectionTypeKeysOnly}
	lsi := indexDef{name: "ttl_by_a", local: true, hash: "pk", rng: "a", proj: types.ProjectionTypeInclude, nonKey: []string{"exp"}}
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsi.gsi()},
		LocalSecondaryIndexes:  []types.LocalSecondaryIndex{lsi.lsi()},
		BillingMode:            types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}

	now := time.Now().Unix()
	remain := map[string]item{} // must stay, unchanged
	expire := map[string]item{} // must disappear
	n := 0
	put := func(kind string, exp types.AttributeValue, dest map[string]item) item {
		n++
		pk, sk := fmt.Sprintf("p%d", n%4), fmt.Sprint(n)
		it := keyOf(pk, sk)
		it["kind"] = S(kind)
		it["a"] = N(int64(n % 5)) // ties in the LSI
		if n%3 != 0 {
			it["g"] = S(gValues[n%len(gValues)])
		}
		if exp != nil {
			it["exp"] = exp
		}
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
			t.Fatalf("PutItem %s: %v", canonItem(it), err)
		}
		if dest != nil {
			dest[mapKey(pk, sk)] = it
		}
		return it
	}
	update := func(it item, expr string, vals map[string]types.AttributeValue) item {
		out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: keyOf(mustStr(it["pk"]), it["sk"].(*types.AttributeValueMemberN).Value),
			UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals, ReturnValues: types.ReturnValueAllNew,
		})
		if err != nil {
			t.Fatalf("UpdateItem %q on %s: %v", expr, canonItem(it), err)
		}
		return out.Attributes
	}
	key := func(it item) string { return mapKey(mustStr(it["pk"]), it["sk"].(*types.AttributeValueMemberN).Value) }

	// Before TTL is enabled: the TTL index will be built from these.
	for range 8 {
		put("expired before enabling", N(now-100), expire)
		put("future, before enabling", N(now+3600), remain)
	}
	for range 3 {
		it := put("expired, then TTL removed before enabling", N(now-100), nil)
		remain[key(it)] = update(it, "REMOVE exp", nil)
		it = put("expired, then TTL moved to the future before enabling", N(now-100), nil)
		remain[key(it)] = update(it, "SET exp = :e", map[string]types.AttributeValue{":e": N(now + 7200)})
	}

	if _, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(table),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	d, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTimeToLive: %v", err)
	}
	if d.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(d.TimeToLiveDescription.AttributeName) != "exp" {
		t.Errorf("DescribeTimeToLive: status %s attribute %q, want ENABLED exp", d.TimeToLiveDescription.TimeToLiveStatus, aws.ToString(d.TimeToLiveDescription.AttributeName))
	}

	// After enabling.
	for i := range 12 {
		put("expired", N(now-1000-int64(i)), expire)
		put("expired, fractional", Nraw(fmt.Sprintf("%d.75", now-50)), expire)
		put("future", N(now+3600+int64(i)), remain)
		put("no TTL", nil, remain)
	}
	for range 4 {
		put("expires in 2 s", N(now+2), expire)
		put("TTL more than five years old (ignored)", N(now-6*365*86400), remain)
		put("TTL is a string", S(fmt.Sprint(now-100)), remain)
		put("TTL is a number set", &types.AttributeValueMemberNS{Value: []string{fmt.Sprint(now - 100)}}, remain)
		it := put("future, then moved to the past", N(now+3600), nil)
		expire[key(it)] = update(it, "SET exp = :e", map[string]types.AttributeValue{":e": N(now - 10)})
		it = put("future, then moved further", N(now+3600), nil)
		remain[key(it)] = update(it, "SET exp = :e", map[string]types.AttributeValue{":e": N(now + 9000)})
	}
	t.Logf("%d items must expire, %d must remain", len(expire), len(remain))

	// Poll until the expired items are gone. Throughout, the remaining
	// items and their index entries must be there, unchanged, and nothing
	// else may appear.
	either := map[string]item{}
	for k, v := range remain {
		either[k] = v
	}
	for k, v := range expire {
		either[k] = v
	}
	deadline := time.Now().Add(30 * time.Second)
	polls := 0
	for {
		polls++
		tableItems := scanTable(ctx, t, db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true), Limit: aws.Int32(17)})
		indexes := map[string]map[string]item{}
		for _, ix := range []indexDef{gsi, lsi} {
			indexes[ix.name] = scanTable(ctx, t, db, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: aws.String(ix.name), Limit: aws.Int32(13)})
		}
		if t.Failed() {
			return
		}
		bad := checkBetween(t, "table", tableItems, remain, either, indexDef{})
		for _, ix := range []indexDef{gsi, lsi} {
			bad += checkBetween(t, "index "+ix.name, indexes[ix.name], remain, either, ix)
		}
		if bad > 0 {
			return
		}
		left := 0
		for k := range expire {
			if tableItems[k] != nil {
				left++
			}
		}
		for _, ix := range []indexDef{gsi, lsi} {
			for k := range expire {
				if indexes[ix.name][k] != nil {
					left++
				}
			}
		}
		if left == 0 {
			break
		}
		if time.Now().After(deadline) {
			var still []string
			for k, it := range expire {
				if tableItems[k] != nil || indexes[gsi.name][k] != nil || indexes[lsi.name][k] != nil {
					still = append(still, fmt.Sprintf("%s (table %v, %s %v, %s %v)", canonItem(it), tableItems[k] != nil, gsi.name, indexes[gsi.name][k] != nil, lsi.name, indexes[lsi.name][k] != nil))
				}
			}
			sort.Strings(still)
			t.Fatalf("30 s after the writes, %d expired items or entries are still there:\n%s", left, fmt.Sprint(still))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("all %d expired items gone from the table and both indexes after %d polls", len(expire), polls)

	// The end state, exactly: the table, both indexes, and the counts.
	checkBetween(t, "final table", scanTable(ctx, t, db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}), remain, remain, indexDef{})
	for _, ix := range []indexDef{gsi, lsi} {
		got := scanTable(ctx, t, db, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: aws.String(ix.name)})
		checkBetween(t, "final index "+ix.name, got, remain, remain, ix)
	}
	for _, gv := range gValues {
		queryPartition(ctx, t, db, table, gsi, S(gv), remain)
	}
	for p := range 4 {
		queryPartition(ctx, t, db, table, lsi, S(fmt.Sprintf("p%d", p)), remain)
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTable: %v", err)
	}
	if got := aws.ToInt64(desc.Table.ItemCount); got != int64(len(remain)) {
		t.Errorf("DescribeTable ItemCount %d, want %d", got, len(remain))
	}
	for _, g := range desc.Table.GlobalSecondaryIndexes {
		if want := int64(len(gsi.entries(remain))); aws.ToInt64(g.ItemCount) != want {
			t.Errorf("DescribeTable: %s ItemCount %d, want %d", aws.ToString(g.IndexName), aws.ToInt64(g.ItemCount), want)
		}
	}
	for _, l := range desc.Table.LocalSecondaryIndexes {
		if want := int64(len(lsi.entries(remain))); aws.ToInt64(l.ItemCount) != want {
			t.Errorf("DescribeTable: %s ItemCount %d, want %d", aws.ToString(l.IndexName), aws.ToInt64(l.ItemCount), want)
		}
	}
}

func mustStr(av types.AttributeValue) string {
	s, _ := strOf(av)
	return s
}

// scanTable reads a table or index to the end, keyed by mapKey.
func scanTable(ctx context.Context, t *testing.T, db *dynamodb.Client, in *dynamodb.ScanInput) map[string]item {
	t.Helper()
	out := map[string]item{}
	for pages := 1; ; pages++ {
		page, err := db.Scan(ctx, in)
		if err != nil {
			t.Fatalf("Scan %s index %q page %d: %v", aws.ToString(in.TableName), aws.ToString(in.IndexName), pages, err)
		}
		for _, it := range page.Items {
			k := mapKey(mustStr(it["pk"]), it["sk"].(*types.AttributeValueMemberN).Value)
			if _, dup := out[k]; dup {
				t.Errorf("Scan %s index %q returned %s twice", aws.ToString(in.TableName), aws.ToString(in.IndexName), k)
			}
			out[k] = it
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out
		}
		if pages > 1000 {
			t.Fatalf("Scan: more than 1000 pages")
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// checkBetween checks that got (a table's items, or with ix.name set an
// index's entries) holds every item of must and nothing outside may, each
// exactly as the oracle has it (projected for an index). It returns the
// number of problems.
func checkBetween(t *testing.T, what string, got, must, may map[string]item, ix indexDef) int {
	t.Helper()
	want := func(it item) (item, bool) {
		if ix.name == "" {
			return it, true
		}
		return ix.entry(it)
	}
	bad := 0
	for k, it := range may {
		w, in := want(it)
		g, ok := got[k]
		switch {
		case !in && ok:
			bad++
			t.Errorf("%s holds %s, but item %s does not carry the index keys", what, canonItem(g), canonItem(it))
		case !in:
		case ok && !sameItem(g, w):
			bad++
			t.Errorf("%s: %s is %s, want %s", what, k, canonItem(g), canonItem(w))
		case !ok && must[k] != nil:
			bad++
			t.Errorf("%s lacks %s (the item must not expire)", what, canonItem(w))
		}
	}
	for k, g := range got {
		if may[k] == nil {
			bad++
			t.Errorf("%s holds an unknown item %s", what, canonItem(g))
		}
	}
	return bad
}

// queryPartition queries one index partition both ways and compares with
// the oracle's entries in order.
func queryPartition(ctx context.Context, t *testing.T, db *dynamodb.Client, table string, ix indexDef, hash types.AttributeValue, oracle map[string]item) {
	t.Helper()
	for _, forward := range []bool{true, false} {
		want := ix.partition(oracle, hash)
		if !forward {
			slices.Reverse(want)
		}
		got, err := queryIndexAll(ctx, db, ix, &dynamodb.QueryInput{
			TableName: aws.String(table), IndexName: aws.String(ix.name),
			KeyConditionExpression:    aws.String("#h = :h"),
			ExpressionAttributeNames:  map[string]string{"#h": ix.hash},
			ExpressionAttributeValues: map[string]types.AttributeValue{":h": hash},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(3),
		})
		if err != nil {
			t.Errorf("Query %s %s: %v", ix.name, canon(hash), err)
			continue
		}
		if canonItems(got.items) != canonItems(want) {
			t.Errorf("Query %s %s forward=%v:\n got %s\nwant %s", ix.name, canon(hash), forward, canonItems(got.items), canonItems(want))
		}
	}
}
