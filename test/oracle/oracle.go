// Package oracle is the shared machinery of the restore oracle tests
// (test/backup: on-demand backups; test/pitr: point-in-time recovery).
//
// Concurrent writers each own a disjoint set of keys of a table with a GSI
// and an LSI (CreateTable) and run random operations on them (Writer.Step):
// puts, updates, conditional updates, deletes and transactions over two or
// three of their keys. Every acknowledged operation is recorded with the
// wall-clock interval in which it ran and the after-image of every key it
// changed. Since a writer's operations are totally ordered, a consistent
// copy of the table (a backup, a point-in-time restore) holds, for each
// writer's keys, exactly the state after some prefix of its operations, and
// the timing of the copy bounds that prefix (Writer.Bounds,
// Writer.CheckPrefix). Indexes of a restored table must equal those
// recomputed from its items (CheckGSI, CheckLSI).
package oracle

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Item is a DynamoDB item.
type Item = map[string]types.AttributeValue

// Str is an S value.
func Str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// Num is an N value.
func Num(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Key is the primary key {pk: S, sk: N 0} of the oracle tables.
func Key(pk string) Item { return Item{"pk": Str(pk), "sk": Num(0)} }

// Canonical renders an item as a string that is equal for equal items.
func Canonical(it Item) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, n := range names {
		fmt.Fprintf(&sb, "%s=%s;", n, CanonicalValue(it[n]))
	}
	return sb.String()
}

// CanonicalValue renders a value (the types the oracle writes).
func CanonicalValue(v types.AttributeValue) string {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return "S:" + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	case *types.AttributeValueMemberB:
		return fmt.Sprintf("B:%x", v.Value)
	case *types.AttributeValueMemberSS:
		s := slices.Clone(v.Value)
		slices.Sort(s)
		return fmt.Sprintf("SS:%q", s)
	case *types.AttributeValueMemberBOOL:
		return fmt.Sprintf("BOOL:%v", v.Value)
	case *types.AttributeValueMemberNULL:
		return "NULL"
	}
	return fmt.Sprintf("%T", v)
}

// ------------------------------------------------------------------ writers

// Op is one acknowledged operation of a writer: the wall-clock interval in
// which it ran (request sent, response received) and the after-image of
// every key it changed (nil = deleted).
type Op struct {
	Start, End time.Time
	After      map[string]Item
}

// Writer owns a disjoint set of keys, so its operations are totally
// ordered and a consistent copy of the table holds a prefix of them.
// A Writer is used by one goroutine at a time.
type Writer struct {
	ID   int
	Keys []string // pk values
	Ops  []Op
}

// NewWriters returns n writers owning keysPerWriter keys each, named
// "w<writer>-k<nn>".
func NewWriters(n, keysPerWriter int) []*Writer {
	ws := make([]*Writer, n)
	for i := range ws {
		w := &Writer{ID: i}
		for k := range keysPerWriter {
			w.Keys = append(w.Keys, fmt.Sprintf("w%d-k%02d", i, k))
		}
		ws[i] = w
	}
	return ws
}

// Owns reports whether pk is one of the writer's keys.
func (w *Writer) Owns(pk string) bool { return slices.Contains(w.Keys, pk) }

// now is the wall clock without its monotonic reading: the server stamps
// commits with the wall clock, and instants come back over the wire
// without one, so every comparison must be on wall time.
func now() time.Time { return time.Now().Round(0) }

// Step runs one random operation on the writer's keys and records it if it
// was acknowledged. A conditional update whose condition fails changes
// nothing and is not recorded. Any other error is returned, and the
// operation is not recorded.
func (w *Writer) Step(ctx context.Context, c *dynamodb.Client, table string, rng *rand.Rand) error {
	pk := w.Keys[rng.IntN(len(w.Keys))]
	start := now()
	after := map[string]Item{}
	var err error
	switch r := rng.IntN(10); {
	case r < 4: // put
		it := RandomItem(rng, pk)
		_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it})
		after[pk] = it
	case r < 6: // update: ADD cnt, SET val
		val := fmt.Sprintf("u%d", rng.IntN(1000))
		var out *dynamodb.UpdateItemOutput
		out, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: Key(pk),
			UpdateExpression:          aws.String("ADD cnt :one SET val = :v"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": Num(1), ":v": Str(val)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		if err == nil {
			after[pk] = out.Attributes
		}
	case r < 7: // conditional update that may fail
		var out *dynamodb.UpdateItemOutput
		out, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: aws.String(table), Key: Key(pk),
			UpdateExpression:          aws.String("SET g = :g"),
			ConditionExpression:       aws.String("attribute_exists(pk) AND cnt < :lim"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g": Str(fmt.Sprintf("g%d", rng.IntN(4))), ":lim": Num(3)},
			ReturnValues:              types.ReturnValueAllNew,
		})
		var ccf *types.ConditionalCheckFailedException
		if err != nil && errors.As(err, &ccf) {
			return nil // no effect, nothing to record
		}
		if err == nil {
			after[pk] = out.Attributes
		}
	case r < 8: // delete
		_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: Key(pk)})
		after[pk] = nil
	default: // transaction over two or three of the writer's keys
		n := 2 + rng.IntN(2)
		var items []types.TransactWriteItem
		for range n {
			k := w.Keys[rng.IntN(len(w.Keys))]
			if _, seen := after[k]; seen {
				continue
			}
			if rng.IntN(4) == 0 {
				items = append(items, types.TransactWriteItem{Delete: &types.Delete{TableName: aws.String(table), Key: Key(k)}})
				after[k] = nil
				continue
			}
			it := RandomItem(rng, k)
			items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: it}})
			after[k] = it
		}
		_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	}
	if err != nil {
		return err
	}
	w.Ops = append(w.Ops, Op{Start: start, End: now(), After: after})
	return nil
}

// Bounds returns the range [lo, hi] of operation prefixes a consistent copy
// may hold: lo operations were acknowledged before committedBefore (so
// they committed before it), and only the hi operations sent before
// startedBefore can have committed before it.
func (w *Writer) Bounds(committedBefore, startedBefore time.Time) (lo, hi int) {
	for i, o := range w.Ops {
		if o.End.Before(committedBefore) {
			lo = i + 1
		}
		if o.Start.Before(startedBefore) {
			hi = i + 1
		}
	}
	return lo, hi
}

// Prefixes returns every p such that the restored items of the writer's
// keys are exactly the state after its first p operations.
func (w *Writer) Prefixes(restored map[string]Item) []int {
	want := map[string]string{}
	for _, k := range w.Keys {
		if it, ok := restored[k]; ok {
			want[k] = Canonical(it)
		}
	}
	state := map[string]string{}
	diff := len(want) // keys whose replayed state differs from the restored one
	match := func(k string) bool { return state[k] == want[k] }
	var ok []int
	if diff == 0 {
		ok = append(ok, 0)
	}
	for i, o := range w.Ops {
		for k, it := range o.After {
			before := match(k)
			if it == nil {
				delete(state, k)
			} else {
				state[k] = Canonical(it)
			}
			if after := match(k); before != after {
				if after {
					diff--
				} else {
					diff++
				}
			}
		}
		if diff == 0 {
			ok = append(ok, i+1)
		}
	}
	return ok
}

// CheckPrefix asserts that the restored items of the writer's keys are the
// state after a prefix p of its operations with lo ≤ p ≤ hi, and returns
// that p (-1 when none is).
func (w *Writer) CheckPrefix(t testing.TB, what string, lo, hi int, restored map[string]Item) int {
	t.Helper()
	ok := w.Prefixes(restored)
	for _, p := range ok {
		if p >= lo && p <= hi {
			return p
		}
	}
	t.Errorf("%s, writer %d: restored state matches operation prefixes %v, but the timing allows only [%d, %d] of %d",
		what, w.ID, ok, lo, hi, len(w.Ops))
	return -1
}

// State returns the writer's keys' items after its first p operations.
func (w *Writer) State(p int) map[string]Item {
	out := map[string]Item{}
	for _, o := range w.Ops[:p] {
		for k, it := range o.After {
			if it == nil {
				delete(out, k)
			} else {
				out[k] = it
			}
		}
	}
	return out
}

// RandomItem returns a full item for pk: sometimes without the GSI key
// (sparse index), with a set and a binary attribute now and then.
func RandomItem(rng *rand.Rand, pk string) Item {
	it := Item{
		"pk":  Str(pk),
		"sk":  Num(0),
		"cnt": Num(int64(rng.IntN(5))),
		"val": Str(fmt.Sprintf("v%d", rng.IntN(1000))),
		"ls":  Num(int64(rng.IntN(50))),
	}
	if rng.IntN(3) > 0 {
		it["g"] = Str(fmt.Sprintf("g%d", rng.IntN(4)))
	}
	if rng.IntN(4) == 0 {
		it["tags"] = &types.AttributeValueMemberSS{Value: []string{"a", strconv.Itoa(rng.IntN(9))}}
	}
	if rng.IntN(5) == 0 {
		it["bin"] = &types.AttributeValueMemberB{Value: []byte{byte(rng.IntN(256)), 0, 1}}
	}
	return it
}

// ------------------------------------------------------------------ tables

// CreateTable creates an oracle table — key (pk S, sk N), GSI "byG" (g, pk)
// projecting INCLUDE val, LSI "byLs" (pk, ls) KEYS_ONLY — and waits until
// it is ACTIVE.
func CreateTable(t testing.TB, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:   aws.String(name),
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
			{AttributeName: aws.String("g"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("ls"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String("byG"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("g"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"val"}},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{
			IndexName: aws.String("byLs"),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("ls"), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly},
		}},
	})
	if err != nil {
		t.Fatalf("CreateTable %s: %v", name, err)
	}
	WaitTableActive(t, c, name)
}

// ScanAll reads a table (or one of its indexes) keyed by "pk".
func ScanAll(t testing.TB, c *dynamodb.Client, table string, index *string) map[string]Item {
	t.Helper()
	out := map[string]Item{}
	p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String(table), IndexName: index})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("Scan %s: %v", table, err)
		}
		for _, it := range page.Items {
			pk := it["pk"].(*types.AttributeValueMemberS).Value
			if _, dup := out[pk]; dup {
				t.Fatalf("Scan %s: key %s twice", table, pk)
			}
			out[pk] = it
		}
	}
	return out
}

// DescribeTable returns the table's description.
func DescribeTable(t testing.TB, c *dynamodb.Client, table string) *types.TableDescription {
	t.Helper()
	out, err := c.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatalf("DescribeTable %s: %v", table, err)
	}
	return out.Table
}

// WaitTableActive polls DescribeTable until the table is ACTIVE (two
// minutes at most) and returns its description.
func WaitTableActive(t testing.TB, c *dynamodb.Client, table string) *types.TableDescription {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if d := DescribeTable(t, c, table); d.TableStatus == types.TableStatusActive {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("table %s not ACTIVE after 2 minutes", table)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// CheckGSI compares the table's GSI "byG" with the one recomputed from its
// items (INCLUDE val: keys, g and val).
func CheckGSI(t testing.TB, c *dynamodb.Client, table string, items map[string]Item) {
	t.Helper()
	want := map[string]string{}
	for k, it := range items {
		g, ok := it["g"]
		if !ok {
			continue
		}
		p := Item{"pk": it["pk"], "sk": it["sk"], "g": g}
		if v, ok := it["val"]; ok {
			p["val"] = v
		}
		want[k] = Canonical(p)
	}
	got := ScanAll(t, c, table, aws.String("byG"))
	CompareMaps(t, table+"/byG", want, got)
}

// CheckLSI compares the table's LSI "byLs" (KEYS_ONLY) with the one
// recomputed from its items.
func CheckLSI(t testing.TB, c *dynamodb.Client, table string, items map[string]Item) {
	t.Helper()
	want := map[string]string{}
	for k, it := range items {
		if ls, ok := it["ls"]; ok {
			want[k] = Canonical(Item{"pk": it["pk"], "sk": it["sk"], "ls": ls})
		}
	}
	got := ScanAll(t, c, table, aws.String("byLs"))
	CompareMaps(t, table+"/byLs", want, got)
}

// CompareMaps asserts that got holds exactly the canonical items of want.
func CompareMaps(t testing.TB, what string, want map[string]string, got map[string]Item) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%s: %d entries, want %d", what, len(got), len(want))
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: missing %s", what, k)
			continue
		}
		if Canonical(g) != w {
			t.Errorf("%s: %s = %s, want %s", what, k, short(Canonical(g)), short(w))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s = %s", what, k, short(Canonical(got[k])))
		}
	}
}

// short abbreviates a long canonical item for a message.
func short(s string) string {
	if len(s) <= 300 {
		return s
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:300], len(s))
}
