// Package model is a model-based randomized test of the DynamoDB item API
// against an in-process server: concurrent clients issue random writes whose
// outcomes (success or ConditionalCheckFailedException, ReturnValues, the
// resulting item) an exact oracle predicts; afterwards GetItem, Query and
// parallel Scan must show exactly the oracle's table, and Query and Scan of
// the table's secondary indexes (a GSI and an LSI, see index_test.go)
// exactly the indexes recomputed from the oracle. ttl_test.go checks TTL
// expiry end to end.
//
//	go test ./test/model -run . -v                  # random seed, logged
//	go test ./test/model -model.seed=1234 -v        # reproduce a run
package model

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/sdkclient"
)

var (
	seedFlag = flag.Uint64("model.seed", 0, "random seed (0: time-based; the seed is logged)")
	opsFlag  = flag.Int("model.ops", 1500, "random operations per client in the disjoint-keys phase")
)

const (
	tableName      = "model"
	numClients     = 4
	partsPerClient = 2
	sharedItems    = 3
	sharedIters    = 40 // per client
)

// Sort key values: canonical DynamoDB numbers whose numeric order differs
// from their string order, to check the key encoding.
var skValues = []string{"-20", "-3.5", "0", "0.001", "1", "2", "7.25", "10", "11", "100", "1000", "12345678901234567890"}

var tagWords = []string{"red", "green", "blue", "x", "y"}

func newClient(endpoint string) *dynamodb.Client { return sdkclient.New(endpoint, 8, 30*time.Second) }

func keyOf(pk, sk string) item {
	return item{"pk": S(pk), "sk": Nraw(sk)}
}

func mapKey(pk, sk string) string { return pk + "\x00" + sk }

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// --------------------------------------------------------------- the test

func TestModel(t *testing.T) {
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -model.seed=%d)", seed, seed)

	srv := ebbtidetest.Start(t)
	db := newClient(srv.Endpoint)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	createTable(ctx, t, db)

	var failures atomic.Int64
	clients := make([]*client, numClients)
	for i := range clients {
		c := &client{
			t: t, id: i, db: db, ctx: ctx, failures: &failures,
			r:     rand.New(rand.NewPCG(seed, uint64(i)+1)),
			items: map[string]item{},
			stats: map[string]int{},
		}
		for p := range partsPerClient {
			c.parts = append(c.parts, fmt.Sprintf("c%d-p%d", i, p))
		}
		clients[i] = c
	}

	// Phase 1: disjoint keys, random operations, every outcome predicted.
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < *opsFlag && failures.Load() < 20 && ctx.Err() == nil; i++ {
				c.step = i
				c.randomOp()
			}
		}()
	}
	wg.Wait()
	total := map[string]int{}
	for _, c := range clients {
		for k, v := range c.stats {
			total[k] += v
		}
	}
	t.Logf("phase 1 outcomes: %v", fmtStats(total))
	if t.Failed() {
		return
	}

	// Phase 2: all clients race on shared items.
	shared := sharedPhase(ctx, t, db, seed)
	if t.Failed() {
		return
	}

	// Phase 3: the whole table must be exactly the oracle.
	oracle := map[string]item{}
	for _, c := range clients {
		for k, v := range c.items {
			oracle[k] = v
		}
	}
	for k, v := range shared {
		oracle[k] = v
	}
	r := rand.New(rand.NewPCG(seed, 999))
	var parts []string
	for _, c := range clients {
		parts = append(parts, c.parts...)
	}
	verifyGets(ctx, t, db, parts, oracle)
	for _, pk := range append(parts, "shared") {
		verifyQueries(ctx, t, db, r, pk, oracle)
	}
	verifyScan(ctx, t, db, oracle, 3, 5)
	verifyScan(ctx, t, db, oracle, 1, 0)

	// The secondary indexes must be exactly those recomputed from the
	// oracle: every partition queried both ways, and full Scans.
	for _, gv := range gValues {
		verifyIndexQueries(ctx, t, db, r, gsiDef, S(gv), oracle)
	}
	for _, pk := range append(parts, "shared") {
		verifyIndexQueries(ctx, t, db, r, lsiDef, S(pk), oracle)
	}
	logIndexShape(t, gsiDef, oracle)
	logIndexShape(t, lsiDef, oracle)
	for _, ix := range []indexDef{gsiDef, lsiDef} {
		verifyIndexScan(ctx, t, db, ix, oracle, 1, int32(1+r.IntN(7)))
		verifyIndexScan(ctx, t, db, ix, oracle, 3, 0)
	}
	verifyIndexCounts(ctx, t, db, oracle)
}

func fmtStats(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, m[k])
	}
	return strings.TrimSpace(b.String())
}

func createTable(ctx context.Context, t *testing.T, db *dynamodb.Client) {
	t.Helper()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(tableName),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("a"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("v"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{gsiDef.gsi()},
		LocalSecondaryIndexes:  []types.LocalSecondaryIndex{lsiDef.lsi()},
		BillingMode:            types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	for {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
		if err != nil {
			t.Fatalf("DescribeTable: %v", err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ------------------------------------------------------------ one client

type client struct {
	t        *testing.T
	id       int
	step     int
	db       *dynamodb.Client
	ctx      context.Context
	r        *rand.Rand
	parts    []string        // partition keys this client owns
	items    map[string]item // the oracle for those partitions
	stats    map[string]int
	failures *atomic.Int64
}

func (c *client) errorf(format string, args ...any) {
	c.failures.Add(1)
	c.t.Errorf("client %d op %d: "+format, append([]any{c.id, c.step}, args...)...)
}

// resync replaces the oracle's view of a key by the server's after a
// mismatch, so one bug is reported once rather than cascading.
func (c *client) resync(pk, sk string) {
	out, err := c.db.GetItem(c.ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: keyOf(pk, sk), ConsistentRead: aws.Bool(true)})
	if err != nil {
		c.errorf("resync GetItem: %v", err)
		return
	}
	if len(out.Item) == 0 {
		delete(c.items, mapKey(pk, sk))
	} else {
		c.items[mapKey(pk, sk)] = out.Item
	}
}

func (c *client) randomOp() {
	pk := c.parts[c.r.IntN(len(c.parts))]
	sk := skValues[c.r.IntN(len(skValues))]
	switch p := c.r.IntN(100); {
	case p < 25:
		c.put(pk, sk)
	case p < 60:
		c.update(pk, sk)
	case p < 72:
		c.del(pk, sk)
	case p < 86:
		c.get(pk, sk)
	case p < 90:
		c.batchWrite()
	case p < 94:
		c.batchGet()
	default:
		c.queryOwn(pk)
	}
}

func (c *client) randStr() string {
	const alpha = "abcxyz"
	n := 1 + c.r.IntN(6)
	b := make([]byte, n)
	for i := range b {
		b[i] = alpha[c.r.IntN(len(alpha))]
	}
	return string(b)
}

func (c *client) randTags() types.AttributeValue {
	perm := c.r.Perm(len(tagWords))
	n := 1 + c.r.IntN(3)
	out := make([]string, n)
	for i := range n {
		out[i] = tagWords[perm[i]]
	}
	return SS(out...)
}

func (c *client) randList(maxLen int) []types.AttributeValue {
	n := c.r.IntN(maxLen + 1)
	out := make([]types.AttributeValue, n)
	for i := range out {
		out[i] = N(int64(c.r.IntN(100)))
	}
	return out
}

// cond picks a condition expression and predicts whether it holds on old
// (nil when the item is absent).
func (c *client) cond(e *exprBuilder, old item) (string, bool) {
	vOld, hasV := numOf(old["v"])
	aOld, hasA := fixedOf(old["a"])
	sOld, hasS := strOf(old["s"])
	lOld, hasL := old["l"].(*types.AttributeValueMemberL)
	tOld, hasT := old["tags"].(*types.AttributeValueMemberSS)
	for {
		switch c.r.IntN(14) {
		case 0:
			return fmt.Sprintf("attribute_exists(%s)", e.name("pk")), old != nil
		case 1:
			return fmt.Sprintf("attribute_not_exists(%s)", e.name("pk")), old == nil
		case 2:
			x := vOld + int64(c.r.IntN(3)-1)
			return fmt.Sprintf("%s = %s", e.name("v"), e.val(N(x))), hasV && vOld == x
		case 3:
			x := vOld + int64(c.r.IntN(3)-1)
			return fmt.Sprintf("%s < %s", e.name("v"), e.val(N(x))), hasV && vOld < x
		case 4:
			x := vOld + int64(c.r.IntN(3)-1)
			return fmt.Sprintf("%s >= %s", e.name("v"), e.val(N(x))), hasV && vOld >= x
		case 5:
			lo := int64(c.r.IntN(10000) - 6000)
			hi := lo + int64(c.r.IntN(4000))
			return fmt.Sprintf("%s BETWEEN %s AND %s", e.name("a"), e.val(F(lo)), e.val(F(hi))), hasA && lo <= aOld && aOld <= hi
		case 6:
			p := string("abcxyz"[c.r.IntN(6)])
			return fmt.Sprintf("begins_with(%s, %s)", e.name("s"), e.val(S(p))), hasS && strings.HasPrefix(sOld, p)
		case 7:
			n := c.r.IntN(4)
			return fmt.Sprintf("size(%s) >= %s", e.name("l"), e.val(N(int64(n)))), hasL && len(lOld.Value) >= n
		case 8:
			w := tagWords[c.r.IntN(len(tagWords))]
			return fmt.Sprintf("contains(%s, %s)", e.name("tags"), e.val(S(w))), hasT && slices.Contains(tOld.Value, w)
		case 9:
			x := vOld + int64(c.r.IntN(2))
			return fmt.Sprintf("attribute_not_exists(%s) OR %s = %s", e.name("s"), e.name("v"), e.val(N(x))), !hasS || (hasV && vOld == x)
		case 10:
			if !hasA {
				continue
			}
			x := aOld + int64(c.r.IntN(3)-1)
			return fmt.Sprintf("NOT (%s < %s)", e.name("a"), e.val(F(x))), !(aOld < x)
		case 11:
			if !hasV {
				continue
			}
			x := vOld + int64(c.r.IntN(2))
			return fmt.Sprintf("%s <> %s", e.name("v"), e.val(N(x))), vOld != x
		case 12:
			return fmt.Sprintf("attribute_type(%s, %s)", e.name("a"), e.val(S("N"))), hasA
		case 13:
			x := vOld + int64(c.r.IntN(3)-1)
			return fmt.Sprintf("(%s = %s AND attribute_exists(%s)) OR %s > %s", e.name("v"), e.val(N(x)), e.name("s"), e.name("v"), e.val(N(x+1))),
				hasV && ((vOld == x && hasS) || vOld > x+1)
		}
	}
}

// checkCCF checks a ConditionalCheckFailedException and, when ALL_OLD was
// asked for, the item it carries.
func (c *client) checkCCF(op string, err error, wantOld bool, old item) bool {
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		c.errorf("%s: want ConditionalCheckFailedException, got %v", op, err)
		return false
	}
	if wantOld && !sameItem(ccf.Item, old) {
		c.errorf("%s: ConditionalCheckFailedException with ReturnValuesOnConditionCheckFailure=ALL_OLD carries %s, want %s", op, canonItem(ccf.Item), canonItem(old))
		return false
	}
	if !wantOld && len(ccf.Item) != 0 {
		c.errorf("%s: ConditionalCheckFailedException carries an item though none was asked for: %s", op, canonItem(ccf.Item))
		return false
	}
	return true
}

func (c *client) rvOnCCF() (types.ReturnValuesOnConditionCheckFailure, bool) {
	if c.r.IntN(2) == 0 {
		return types.ReturnValuesOnConditionCheckFailureAllOld, true
	}
	return "", false
}

func (c *client) put(pk, sk string) {
	k := mapKey(pk, sk)
	old := c.items[k]
	oldV, _ := numOf(old["v"])
	nw := keyOf(pk, sk)
	nw["v"] = N(oldV + 1)
	if c.r.IntN(10) < 8 {
		nw["a"] = F(int64(c.r.IntN(10001) - 5000))
	}
	if c.r.IntN(10) < 7 {
		nw["s"] = S(c.randStr())
	}
	if c.r.IntN(2) == 0 {
		nw["l"] = L(c.randList(3)...)
	}
	if c.r.IntN(2) == 0 {
		nw["tags"] = c.randTags()
	}
	if c.r.IntN(10) < 7 {
		nw["g"] = S(gValues[c.r.IntN(len(gValues))])
	}

	in := &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: nw}
	e := newExpr()
	holds := true
	desc := "PutItem"
	if c.r.IntN(3) > 0 {
		var expr string
		expr, holds = c.cond(e, old)
		in.ConditionExpression = aws.String(expr)
		desc += fmt.Sprintf(" if %q", expr)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.namesOrNil(), e.valuesOrNil()
	wantOld := c.r.IntN(2) == 0
	if wantOld {
		in.ReturnValues = types.ReturnValueAllOld
	}
	ccfOld := false
	in.ReturnValuesOnConditionCheckFailure, ccfOld = c.rvOnCCF()
	desc += fmt.Sprintf(" %s/%s (oracle %s)", pk, sk, canonItem(old))

	out, err := c.db.PutItem(c.ctx, in)
	switch {
	case !holds:
		c.stats["put-ccf"]++
		if err == nil {
			c.errorf("%s: succeeded, want ConditionalCheckFailedException", desc)
			c.resync(pk, sk)
		} else if !c.checkCCF(desc, err, ccfOld, old) {
			c.resync(pk, sk)
		}
	case err != nil:
		c.errorf("%s: %v (want success)", desc, err)
		c.resync(pk, sk)
	default:
		c.stats["put-ok"]++
		var want item
		if wantOld {
			want = old
		}
		if !sameItem(out.Attributes, want) {
			c.errorf("%s: Attributes %s, want %s", desc, canonItem(out.Attributes), canonItem(want))
		}
		c.items[k] = nw
	}
}

func (c *client) del(pk, sk string) {
	k := mapKey(pk, sk)
	old := c.items[k]
	in := &dynamodb.DeleteItemInput{TableName: aws.String(tableName), Key: keyOf(pk, sk)}
	e := newExpr()
	holds := true
	desc := "DeleteItem"
	if c.r.IntN(2) == 0 {
		var expr string
		expr, holds = c.cond(e, old)
		in.ConditionExpression = aws.String(expr)
		desc += fmt.Sprintf(" if %q", expr)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.namesOrNil(), e.valuesOrNil()
	wantOld := c.r.IntN(2) == 0
	if wantOld {
		in.ReturnValues = types.ReturnValueAllOld
	}
	ccfOld := false
	in.ReturnValuesOnConditionCheckFailure, ccfOld = c.rvOnCCF()
	desc += fmt.Sprintf(" %s/%s (oracle %s)", pk, sk, canonItem(old))

	out, err := c.db.DeleteItem(c.ctx, in)
	switch {
	case !holds:
		c.stats["delete-ccf"]++
		if err == nil {
			c.errorf("%s: succeeded, want ConditionalCheckFailedException", desc)
			c.resync(pk, sk)
		} else if !c.checkCCF(desc, err, ccfOld, old) {
			c.resync(pk, sk)
		}
	case err != nil:
		c.errorf("%s: %v (want success)", desc, err)
		c.resync(pk, sk)
	default:
		c.stats["delete-ok"]++
		var want item
		if wantOld {
			want = old
		}
		if !sameItem(out.Attributes, want) {
			c.errorf("%s: Attributes %s, want %s", desc, canonItem(out.Attributes), canonItem(want))
		}
		delete(c.items, k)
	}
}

// genUpdate builds a random update expression and applies it to the oracle.
// It returns the expression, the new item, the top-level attributes it
// touches, whether it uses nested paths, and whether DynamoDB must reject it
// (an operand refers to a missing attribute).
func (c *client) genUpdate(e *exprBuilder, pk, sk string, old item) (expr string, nw item, touched []string, nested, invalid bool) {
	base := old
	if base == nil {
		base = keyOf(pk, sk)
	}
	nw = copyItem(base)
	var set, add, rem, del []string

	oldV, _ := numOf(base["v"])
	add = append(add, fmt.Sprintf("%s %s", e.name("v"), e.val(N(1))))
	nw["v"] = N(oldV + 1)
	touched = append(touched, "v")

	for _, attr := range []string{"a", "s", "l", "tags", "g"} {
		if c.r.IntN(2) == 0 {
			continue
		}
		touched = append(touched, attr)
		n := e.name(attr)
		switch attr {
		case "a":
			aOld, hasA := fixedOf(base["a"])
			d := int64(c.r.IntN(2001) - 1000)
			switch c.r.IntN(5) {
			case 0:
				set = append(set, fmt.Sprintf("%s = if_not_exists(%s, %s) + %s", n, n, e.val(N(0)), e.val(F(d))))
				nw["a"] = F(aOld + d)
			case 1:
				add = append(add, fmt.Sprintf("%s %s", n, e.val(F(d))))
				nw["a"] = F(aOld + d)
			case 2:
				rem = append(rem, n)
				delete(nw, "a")
			case 3:
				set = append(set, fmt.Sprintf("%s = %s - %s", n, n, e.val(F(d))))
				if !hasA {
					invalid = true
				}
				nw["a"] = F(aOld - d)
			case 4:
				x := int64(c.r.IntN(100001) - 50000)
				set = append(set, fmt.Sprintf("%s = %s", n, e.val(F(x))))
				nw["a"] = F(x)
			}
		case "s":
			x := c.randStr()
			switch c.r.IntN(3) {
			case 0:
				set = append(set, fmt.Sprintf("%s = %s", n, e.val(S(x))))
				nw["s"] = S(x)
			case 1:
				rem = append(rem, n)
				delete(nw, "s")
			case 2:
				set = append(set, fmt.Sprintf("%s = if_not_exists(%s, %s)", n, n, e.val(S(x))))
				if _, ok := base["s"]; !ok {
					nw["s"] = S(x)
				}
			}
		case "l":
			lOld, hasL := base["l"].(*types.AttributeValueMemberL)
			var elems []types.AttributeValue
			if hasL {
				elems = lOld.Value
			}
			choices := []int{0, 1}
			if hasL {
				choices = append(choices, 2)
				if len(elems) > 0 {
					choices = append(choices, 3, 4)
				}
			}
			switch choices[c.r.IntN(len(choices))] {
			case 0: // append, creating the list if needed
				lv := c.randList(3)
				set = append(set, fmt.Sprintf("%s = list_append(if_not_exists(%s, %s), %s)", n, n, e.val(L()), e.val(L(lv...))))
				nw["l"] = L(append(slices.Clone(elems), lv...)...)
			case 1:
				rem = append(rem, n)
				delete(nw, "l")
			case 2: // prepend
				lv := c.randList(2)
				set = append(set, fmt.Sprintf("%s = list_append(%s, %s)", n, e.val(L(lv...)), n))
				nw["l"] = L(append(slices.Clone(lv), elems...)...)
			case 3: // set the first element
				x := N(int64(c.r.IntN(100)))
				set = append(set, fmt.Sprintf("%s[0] = %s", n, e.val(x)))
				ne := slices.Clone(elems)
				ne[0] = x
				nw["l"] = L(ne...)
				nested = true
			case 4: // remove the first element
				rem = append(rem, n+"[0]")
				nw["l"] = L(slices.Clone(elems[1:])...)
				nested = true
			}
		case "tags":
			tOld, hasT := base["tags"].(*types.AttributeValueMemberSS)
			choice := c.r.IntN(3)
			if choice == 1 && !hasT {
				choice = 0
			}
			switch choice {
			case 0:
				ts := c.randTags().(*types.AttributeValueMemberSS)
				add = append(add, fmt.Sprintf("%s %s", n, e.val(ts)))
				var union []string
				if hasT {
					union = slices.Clone(tOld.Value)
				}
				for _, w := range ts.Value {
					if !slices.Contains(union, w) {
						union = append(union, w)
					}
				}
				nw["tags"] = SS(union...)
			case 1:
				ts := c.randTags().(*types.AttributeValueMemberSS)
				del = append(del, fmt.Sprintf("%s %s", n, e.val(ts)))
				var rest []string
				for _, w := range tOld.Value {
					if !slices.Contains(ts.Value, w) {
						rest = append(rest, w)
					}
				}
				if len(rest) == 0 {
					delete(nw, "tags")
				} else {
					nw["tags"] = SS(rest...)
				}
			case 2:
				rem = append(rem, n)
				delete(nw, "tags")
			}
		case "g": // the GSI's partition key: move the item, or drop it from the index
			if c.r.IntN(3) == 0 {
				rem = append(rem, n)
				delete(nw, "g")
			} else {
				x := S(gValues[c.r.IntN(len(gValues))])
				set = append(set, fmt.Sprintf("%s = %s", n, e.val(x)))
				nw["g"] = x
			}
		}
	}

	var clauses []string
	for _, cl := range []struct {
		kw   string
		acts []string
	}{{"SET", set}, {"ADD", add}, {"REMOVE", rem}, {"DELETE", del}} {
		if len(cl.acts) > 0 {
			clauses = append(clauses, cl.kw+" "+strings.Join(cl.acts, ", "))
		}
	}
	c.r.Shuffle(len(clauses), func(i, j int) { clauses[i], clauses[j] = clauses[j], clauses[i] })
	return strings.Join(clauses, " "), nw, touched, nested, invalid
}

func (c *client) update(pk, sk string) {
	k := mapKey(pk, sk)
	old := c.items[k]
	e := newExpr()
	expr, nw, touched, nested, invalid := c.genUpdate(e, pk, sk, old)
	in := &dynamodb.UpdateItemInput{TableName: aws.String(tableName), Key: keyOf(pk, sk), UpdateExpression: aws.String(expr)}
	holds := true
	desc := fmt.Sprintf("UpdateItem %q", expr)
	if !invalid && c.r.IntN(2) == 0 {
		var ce string
		ce, holds = c.cond(e, old)
		in.ConditionExpression = aws.String(ce)
		desc += fmt.Sprintf(" if %q", ce)
	}
	in.ExpressionAttributeNames, in.ExpressionAttributeValues = e.namesOrNil(), e.valuesOrNil()
	rvs := []types.ReturnValue{types.ReturnValueNone, types.ReturnValueAllOld, types.ReturnValueAllNew, types.ReturnValueUpdatedOld, types.ReturnValueUpdatedNew}
	if nested {
		rvs = rvs[:3]
	}
	rv := rvs[c.r.IntN(len(rvs))]
	in.ReturnValues = rv
	ccfOld := false
	in.ReturnValuesOnConditionCheckFailure, ccfOld = c.rvOnCCF()
	desc += fmt.Sprintf(" ReturnValues=%s %s/%s (oracle %s)", rv, pk, sk, canonItem(old))

	out, err := c.db.UpdateItem(c.ctx, in)
	switch {
	case invalid:
		c.stats["update-invalid"]++
		if !isCode(err, "ValidationException") {
			c.errorf("%s: got %v, want ValidationException (an operand refers to a missing attribute)", desc, err)
			c.resync(pk, sk)
		}
	case !holds:
		c.stats["update-ccf"]++
		if err == nil {
			c.errorf("%s: succeeded, want ConditionalCheckFailedException", desc)
			c.resync(pk, sk)
		} else if !c.checkCCF(desc, err, ccfOld, old) {
			c.resync(pk, sk)
		}
	case err != nil:
		c.errorf("%s: %v (want success)", desc, err)
		c.resync(pk, sk)
	default:
		c.stats["update-ok"]++
		want := item{}
		switch rv {
		case types.ReturnValueAllOld:
			want = old
		case types.ReturnValueAllNew:
			want = nw
		case types.ReturnValueUpdatedOld:
			for _, a := range touched {
				if v, ok := old[a]; ok {
					want[a] = v
				}
			}
		case types.ReturnValueUpdatedNew:
			for _, a := range touched {
				if v, ok := nw[a]; ok {
					want[a] = v
				}
			}
		}
		if !sameItem(out.Attributes, want) {
			c.errorf("%s: Attributes %s, want %s", desc, canonItem(out.Attributes), canonItem(want))
		}
		c.items[k] = nw
	}
}

func (c *client) get(pk, sk string) {
	old := c.items[mapKey(pk, sk)]
	in := &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: keyOf(pk, sk), ConsistentRead: aws.Bool(true)}
	want := old
	desc := fmt.Sprintf("GetItem %s/%s", pk, sk)
	if c.r.IntN(5) < 2 {
		e := newExpr()
		var proj []string
		want = item{}
		for _, a := range []string{"pk", "sk", "v", "a", "s", "l", "tags", "g"} {
			if c.r.IntN(2) == 0 {
				proj = append(proj, e.name(a))
				if v, ok := old[a]; ok {
					want[a] = v
				}
			}
		}
		if len(proj) == 0 {
			proj = append(proj, e.name("v"))
			if v, ok := old["v"]; ok {
				want["v"] = v
			}
		}
		in.ProjectionExpression = aws.String(strings.Join(proj, ", "))
		in.ExpressionAttributeNames = e.namesOrNil()
		desc += fmt.Sprintf(" projection %q", *in.ProjectionExpression)
	}
	out, err := c.db.GetItem(c.ctx, in)
	c.stats["get"]++
	if err != nil {
		c.errorf("%s: %v", desc, err)
		return
	}
	if old == nil && out.Item != nil {
		c.errorf("%s: got %s, want no item", desc, canonItem(out.Item))
		c.resync(pk, sk)
		return
	}
	if !sameItem(out.Item, want) {
		c.errorf("%s: got %s, want %s", desc, canonItem(out.Item), canonItem(want))
		c.resync(pk, sk)
	}
}

// distinctKeys picks n distinct keys of the client's partitions.
func (c *client) distinctKeys(n int) [][2]string {
	seen := map[string]bool{}
	var out [][2]string
	for len(out) < n {
		pk := c.parts[c.r.IntN(len(c.parts))]
		sk := skValues[c.r.IntN(len(skValues))]
		if !seen[mapKey(pk, sk)] {
			seen[mapKey(pk, sk)] = true
			out = append(out, [2]string{pk, sk})
		}
	}
	return out
}

// batchWrite puts or deletes a few distinct keys in one BatchWriteItem.
func (c *client) batchWrite() {
	keys := c.distinctKeys(2 + c.r.IntN(6))
	var reqs []types.WriteRequest
	next := map[string]item{}
	for _, k := range keys {
		if c.r.IntN(3) == 0 {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: keyOf(k[0], k[1])}})
			next[mapKey(k[0], k[1])] = nil
			continue
		}
		oldV, _ := numOf(c.items[mapKey(k[0], k[1])]["v"])
		it := keyOf(k[0], k[1])
		it["v"] = N(oldV + 1)
		it["s"] = S(c.randStr())
		if c.r.IntN(2) == 0 {
			it["g"] = S(gValues[c.r.IntN(len(gValues))])
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		next[mapKey(k[0], k[1])] = it
	}
	out, err := c.db.BatchWriteItem(c.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: reqs}})
	c.stats["batchwrite"]++
	if err != nil {
		c.errorf("BatchWriteItem %v: %v", keys, err)
		for _, k := range keys {
			c.resync(k[0], k[1])
		}
		return
	}
	for k, it := range next {
		if it == nil {
			delete(c.items, k)
		} else {
			c.items[k] = it
		}
	}
	// A server may legitimately leave some requests unprocessed; they did
	// not happen, so read those keys back.
	for _, r := range out.UnprocessedItems[tableName] {
		c.stats["batchwrite-unprocessed"]++
		var key item
		if r.PutRequest != nil {
			key = r.PutRequest.Item
		} else {
			key = r.DeleteRequest.Key
		}
		pk, _ := strOf(key["pk"])
		c.resync(pk, key["sk"].(*types.AttributeValueMemberN).Value)
	}
}

// batchGet reads a few distinct keys with BatchGetItem.
func (c *client) batchGet() {
	keys := c.distinctKeys(1 + c.r.IntN(8))
	var req []map[string]types.AttributeValue
	want := map[string]string{}
	for _, k := range keys {
		req = append(req, keyOf(k[0], k[1]))
		if it, ok := c.items[mapKey(k[0], k[1])]; ok {
			want[mapKey(k[0], k[1])] = canonItem(it)
		}
	}
	c.stats["batchget"]++
	got := map[string]string{}
	for round := 0; len(req) > 0; round++ {
		if round > 10 {
			c.errorf("BatchGetItem: keys still unprocessed after %d rounds", round)
			return
		}
		out, err := c.db.BatchGetItem(c.ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			tableName: {Keys: req, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			c.errorf("BatchGetItem %v: %v", keys, err)
			return
		}
		for _, it := range out.Responses[tableName] {
			pk, _ := strOf(it["pk"])
			sk, _ := it["sk"].(*types.AttributeValueMemberN)
			if sk == nil {
				c.errorf("BatchGetItem: item without a numeric sk: %s", canonItem(it))
				return
			}
			k := mapKey(pk, sk.Value)
			if _, dup := got[k]; dup {
				c.errorf("BatchGetItem: key %s/%s returned twice", pk, sk.Value)
			}
			got[k] = canonItem(it)
		}
		req = out.UnprocessedKeys[tableName].Keys
	}
	for k, w := range want {
		if got[k] != w {
			c.errorf("BatchGetItem %q: got %s, want %s", k, got[k], w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			c.errorf("BatchGetItem %q: got %s, want no item", k, g)
		}
	}
}

// queryOwn queries one of the client's partitions (it owns it, so the
// oracle is exact at this moment).
func (c *client) queryOwn(pk string) {
	if c.r.IntN(3) == 0 {
		c.queryOwnLSI(pk)
		return
	}
	c.stats["query"]++
	want := partition(c.items, pk)
	forward := c.r.IntN(2) == 0
	if !forward {
		slices.Reverse(want)
	}
	got, err := queryAll(c.ctx, c.db, &dynamodb.QueryInput{
		TableName:                 aws.String(tableName),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk)},
		ScanIndexForward:          aws.Bool(forward),
		Limit:                     aws.Int32(int32(1 + c.r.IntN(5))),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		c.errorf("Query %s: %v", pk, err)
		return
	}
	if canonItems(got.items) != canonItems(want) {
		c.errorf("Query %s forward=%v:\n got %s\nwant %s", pk, forward, canonItems(got.items), canonItems(want))
	}
}

// partition returns the oracle's items of one partition in ascending sort
// key order.
func partition(items map[string]item, pk string) []item {
	var out []item
	for _, it := range items {
		if p, _ := strOf(it["pk"]); p == pk {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return cmpNum(out[i]["sk"].(*types.AttributeValueMemberN).Value, out[j]["sk"].(*types.AttributeValueMemberN).Value) < 0
	})
	return out
}

type queryResult struct {
	items   []item
	count   int
	scanned int
	pages   int
}

// queryAll follows LastEvaluatedKey to the end, checking each page against
// its Limit.
func queryAll(ctx context.Context, db *dynamodb.Client, in *dynamodb.QueryInput) (queryResult, error) {
	var res queryResult
	for {
		out, err := db.Query(ctx, in)
		if err != nil {
			return res, err
		}
		res.pages++
		if in.Limit != nil && int(out.ScannedCount) > int(*in.Limit) {
			return res, fmt.Errorf("page %d: ScannedCount %d exceeds Limit %d", res.pages, out.ScannedCount, *in.Limit)
		}
		if int(out.Count) != len(out.Items) && in.Select != types.SelectCount {
			return res, fmt.Errorf("page %d: Count %d but %d items", res.pages, out.Count, len(out.Items))
		}
		res.items = append(res.items, out.Items...)
		res.count += int(out.Count)
		res.scanned += int(out.ScannedCount)
		if len(out.LastEvaluatedKey) == 0 {
			return res, nil
		}
		if res.pages > 1000 {
			return res, errors.New("more than 1000 pages")
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// ----------------------------------------------------------- shared phase

// sharedPhase makes every client race on a few shared items with
// version-checked increments (compare-and-set) and unconditional ADDs. It
// returns the items' final state as the oracle knows it.
func sharedPhase(ctx context.Context, t *testing.T, db *dynamodb.Client, seed uint64) map[string]item {
	oracle := map[string]item{}
	for i := range sharedItems {
		sk := fmt.Sprint(i)
		it := keyOf("shared", sk)
		it["v"], it["cnt"], it["c2"] = N(0), N(0), N(0)
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: it}); err != nil {
			t.Fatalf("shared PutItem: %v", err)
		}
	}
	var (
		success   [sharedItems]atomic.Int64
		adds      [sharedItems]atomic.Int64
		conflicts atomic.Int64
		wg        sync.WaitGroup
	)
	for cl := range numClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(100+cl)))
			for range sharedIters {
				i := r.IntN(sharedItems)
				key := keyOf("shared", fmt.Sprint(i))
				out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: key, ConsistentRead: aws.Bool(true)})
				if err != nil {
					t.Errorf("shared GetItem: %v", err)
					return
				}
				seen, ok := numOf(out.Item["v"])
				if !ok {
					t.Errorf("shared item %d has no numeric v: %s", i, canonItem(out.Item))
					return
				}
				up, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName:                 aws.String(tableName),
					Key:                       key,
					UpdateExpression:          aws.String("SET v = v + :one, cnt = cnt + :one"),
					ConditionExpression:       aws.String("v = :seen"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": N(1), ":seen": N(seen)},
					ReturnValues:              types.ReturnValueUpdatedNew,
				})
				var ccf *types.ConditionalCheckFailedException
				switch {
				case err == nil:
					success[i].Add(1)
					want := item{"v": N(seen + 1), "cnt": N(seen + 1)}
					if !sameItem(up.Attributes, want) {
						t.Errorf("shared CAS on item %d from v=%d: UPDATED_NEW %s, want %s", i, seen, canonItem(up.Attributes), canonItem(want))
					}
				case errors.As(err, &ccf):
					conflicts.Add(1)
				default:
					t.Errorf("shared CAS UpdateItem: %v", err)
					return
				}
				if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
					TableName:                 aws.String(tableName),
					Key:                       key,
					UpdateExpression:          aws.String("ADD c2 :one"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": N(1)},
				}); err != nil {
					t.Errorf("shared ADD: %v", err)
					return
				}
				adds[i].Add(1)
			}
		}()
	}
	wg.Wait()
	var totalSuccess int64
	for i := range sharedItems {
		s := success[i].Load()
		totalSuccess += s
		it := keyOf("shared", fmt.Sprint(i))
		it["v"], it["cnt"], it["c2"] = N(s), N(s), N(adds[i].Load())
		oracle[mapKey("shared", fmt.Sprint(i))] = it
	}
	t.Logf("shared phase: %d successful version-checked increments, %d conflicts (ConditionalCheckFailed), %d ADDs", totalSuccess, conflicts.Load(), numClients*sharedIters)
	if totalSuccess == 0 {
		t.Errorf("shared phase: no conditional increment succeeded")
	}
	return oracle
}

// ------------------------------------------------------------ verification

func verifyGets(ctx context.Context, t *testing.T, db *dynamodb.Client, parts []string, oracle map[string]item) {
	t.Helper()
	bad := 0
	check := func(pk, sk string) {
		out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(tableName), Key: keyOf(pk, sk), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatalf("final GetItem %s/%s: %v", pk, sk, err)
		}
		want := oracle[mapKey(pk, sk)]
		if (want == nil) != (len(out.Item) == 0) || !sameItem(out.Item, want) {
			bad++
			t.Errorf("final GetItem %s/%s: got %s, want %s", pk, sk, canonItem(out.Item), canonItem(want))
		}
	}
	for _, pk := range parts {
		for _, sk := range skValues {
			check(pk, sk)
		}
	}
	for i := range sharedItems {
		check("shared", fmt.Sprint(i))
	}
	if bad == 0 {
		t.Logf("final GetItem: all %d keys match the oracle (%d items present)", len(parts)*len(skValues)+sharedItems, len(oracle))
	}
}

func verifyQueries(ctx context.Context, t *testing.T, db *dynamodb.Client, r *rand.Rand, pk string, oracle map[string]item) {
	t.Helper()
	all := partition(oracle, pk)
	run := func(desc string, in *dynamodb.QueryInput, want []item, wantScanned int) {
		t.Helper()
		in.TableName = aws.String(tableName)
		in.ConsistentRead = aws.Bool(true)
		got, err := queryAll(ctx, db, in)
		if err != nil {
			t.Errorf("Query %s %s: %v", pk, desc, err)
			return
		}
		if in.Select == types.SelectCount {
			if got.count != len(want) || len(got.items) != 0 {
				t.Errorf("Query %s %s (Select COUNT): Count %d with %d items, want Count %d", pk, desc, got.count, len(got.items), len(want))
			}
		} else if canonItems(got.items) != canonItems(want) {
			t.Errorf("Query %s %s:\n got %s\nwant %s", pk, desc, canonItems(got.items), canonItems(want))
		}
		if got.scanned != wantScanned {
			t.Errorf("Query %s %s: ScannedCount %d, want %d", pk, desc, got.scanned, wantScanned)
		}
	}
	for _, forward := range []bool{true, false} {
		want := slices.Clone(all)
		if !forward {
			slices.Reverse(want)
		}
		limit := int32(1 + r.IntN(4))
		run(fmt.Sprintf("forward=%v Limit=%d", forward, limit), &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("pk = :p"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk)},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(limit),
		}, want, len(all))

		// A sort-key range condition.
		lo, hi := skValues[r.IntN(len(skValues))], skValues[r.IntN(len(skValues))]
		if cmpNum(lo, hi) > 0 {
			lo, hi = hi, lo
		}
		var inRange []item
		for _, it := range want {
			sk := it["sk"].(*types.AttributeValueMemberN).Value
			if cmpNum(sk, lo) >= 0 && cmpNum(sk, hi) <= 0 {
				inRange = append(inRange, it)
			}
		}
		run(fmt.Sprintf("forward=%v sk BETWEEN %s AND %s Limit=2", forward, lo, hi), &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("pk = :p AND sk BETWEEN :lo AND :hi"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk), ":lo": Nraw(lo), ":hi": Nraw(hi)},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(2),
		}, inRange, len(inRange))

		var gt []item
		for _, it := range want {
			if cmpNum(it["sk"].(*types.AttributeValueMemberN).Value, lo) > 0 {
				gt = append(gt, it)
			}
		}
		run(fmt.Sprintf("forward=%v sk > %s", forward, lo), &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("pk = :p AND sk > :x"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk), ":x": Nraw(lo)},
			ScanIndexForward:          aws.Bool(forward),
		}, gt, len(gt))

		// A filter: Limit counts items read before filtering.
		var withS []item
		for _, it := range want {
			if _, ok := it["s"]; ok {
				withS = append(withS, it)
			}
		}
		run(fmt.Sprintf("forward=%v filter attribute_exists(s) Limit=3", forward), &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("pk = :p"),
			FilterExpression:          aws.String("attribute_exists(s)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk)},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(3),
		}, withS, len(all))
	}
	run("Select=COUNT", &dynamodb.QueryInput{
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk)},
		Select:                    types.SelectCount,
	}, all, len(all))
}

// verifyScan runs a parallel Scan with the given number of segments (each
// paginated with Limit, 0 = none) and checks that together they return every
// oracle item exactly once.
func verifyScan(ctx context.Context, t *testing.T, db *dynamodb.Client, oracle map[string]item, segments int, limit int32) {
	t.Helper()
	results := make([][]item, segments)
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &dynamodb.ScanInput{TableName: aws.String(tableName), ConsistentRead: aws.Bool(true)}
			if segments > 1 {
				in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
			}
			if limit > 0 {
				in.Limit = aws.Int32(limit)
			}
			for pages := 0; ; pages++ {
				out, err := db.Scan(ctx, in)
				if err != nil {
					errs[seg] = err
					return
				}
				if limit > 0 && len(out.Items) > int(limit) {
					errs[seg] = fmt.Errorf("page of %d items exceeds Limit %d", len(out.Items), limit)
					return
				}
				results[seg] = append(results[seg], out.Items...)
				if len(out.LastEvaluatedKey) == 0 {
					return
				}
				if pages > 1000 {
					errs[seg] = errors.New("more than 1000 pages")
					return
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
		}()
	}
	wg.Wait()
	desc := fmt.Sprintf("Scan (%d segments, Limit %d)", segments, limit)
	seen := map[string]int{}
	for seg, err := range errs {
		if err != nil {
			t.Errorf("%s segment %d: %v", desc, seg, err)
			return
		}
	}
	bad := 0
	for seg, items := range results {
		for _, it := range items {
			pk, _ := strOf(it["pk"])
			skv, _ := it["sk"].(*types.AttributeValueMemberN)
			if skv == nil {
				t.Errorf("%s: item without a numeric sk: %s", desc, canonItem(it))
				continue
			}
			k := mapKey(pk, skv.Value)
			if prev, dup := seen[k]; dup {
				t.Errorf("%s: item %s/%s returned twice (segments %d and %d)", desc, pk, skv.Value, prev, seg)
			}
			seen[k] = seg
			if want, ok := oracle[k]; !ok {
				bad++
				t.Errorf("%s: unexpected item %s", desc, canonItem(it))
			} else if !sameItem(it, want) {
				bad++
				t.Errorf("%s: item %s/%s is %s, want %s", desc, pk, skv.Value, canonItem(it), canonItem(want))
			}
		}
	}
	for k, want := range oracle {
		if _, ok := seen[k]; !ok {
			bad++
			t.Errorf("%s: missing item %s", desc, canonItem(want))
		}
	}
	if bad == 0 {
		counts := make([]int, segments)
		for i, r := range results {
			counts[i] = len(r)
		}
		t.Logf("%s: all %d items match the oracle (per segment: %v)", desc, len(oracle), counts)
	}
}
