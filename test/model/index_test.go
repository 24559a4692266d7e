package model

// The model table's secondary indexes, recomputed from the oracle:
//
//   - gsi_gv: a GSI on g (S, HASH; a few values, so a partition gathers
//     items of every client) and v (N, RANGE; a small version counter, so
//     sort keys tie often and the table key, pk then sk, must break the
//     ties), projecting INCLUDE [a, tags]. Items lacking g are not in it
//     (sparse): writes set and remove g all the time.
//   - lsi_a: an LSI on a (N, RANGE; decimals, removed and set again by
//     updates, so the LSI is sparse too), projecting ALL.
//
// After the workload every index partition is queried in both directions,
// paginated with a small Limit, with and without a sort-key condition, and
// compared in order with the oracle's (index sort key, then table key, as
// DynamoDB orders them); each index is also scanned, sequentially with a
// small Limit and in parallel segments, and DescribeTable's counts checked.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// gValues are the values of g, the GSI's partition key.
var gValues = []string{"ga", "gb", "gc", "gd"}

// indexDef describes a secondary index for the oracle.
type indexDef struct {
	name      string
	local     bool
	hash, rng string
	proj      types.ProjectionType
	nonKey    []string
}

var (
	gsiDef = indexDef{name: "gsi_gv", hash: "g", rng: "v", proj: types.ProjectionTypeInclude, nonKey: []string{"a", "tags"}}
	lsiDef = indexDef{name: "lsi_a", local: true, hash: "pk", rng: "a", proj: types.ProjectionTypeAll}
)

func (d indexDef) keySchema() []types.KeySchemaElement {
	return []types.KeySchemaElement{
		{AttributeName: aws.String(d.hash), KeyType: types.KeyTypeHash},
		{AttributeName: aws.String(d.rng), KeyType: types.KeyTypeRange},
	}
}

func (d indexDef) projection() *types.Projection {
	p := &types.Projection{ProjectionType: d.proj}
	if d.proj == types.ProjectionTypeInclude {
		p.NonKeyAttributes = d.nonKey
	}
	return p
}

func (d indexDef) gsi() types.GlobalSecondaryIndex {
	return types.GlobalSecondaryIndex{IndexName: aws.String(d.name), KeySchema: d.keySchema(), Projection: d.projection()}
}

func (d indexDef) lsi() types.LocalSecondaryIndex {
	return types.LocalSecondaryIndex{IndexName: aws.String(d.name), KeySchema: d.keySchema(), Projection: d.projection()}
}

// entry returns it's entry in the index (the projected item), or false when
// it lacks an index key attribute.
func (d indexDef) entry(it item) (item, bool) {
	if it[d.hash] == nil || it[d.rng] == nil {
		return nil, false
	}
	if d.proj == types.ProjectionTypeAll {
		return it, true
	}
	out := item{}
	for _, a := range []string{"pk", "sk", d.hash, d.rng} {
		out[a] = it[a]
	}
	for _, a := range d.nonKey {
		if v, ok := it[a]; ok {
			out[a] = v
		}
	}
	return out, true
}

// cmpEntries orders entries of one index partition as DynamoDB does: by
// index sort key, ties by the table's key (pk, then the numeric sk).
func (d indexDef) cmpEntries(x, y item) int {
	if c := cmpNum(x[d.rng].(*types.AttributeValueMemberN).Value, y[d.rng].(*types.AttributeValueMemberN).Value); c != 0 {
		return c
	}
	px, _ := strOf(x["pk"])
	py, _ := strOf(y["pk"])
	if c := strings.Compare(px, py); c != 0 {
		return c
	}
	return cmpNum(x["sk"].(*types.AttributeValueMemberN).Value, y["sk"].(*types.AttributeValueMemberN).Value)
}

// entries returns the index recomputed from the oracle, in index order
// within each partition.
func (d indexDef) entries(oracle map[string]item) []item {
	var out []item
	for _, it := range oracle {
		if e, ok := d.entry(it); ok {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := strings.Compare(canon(out[i][d.hash]), canon(out[j][d.hash])); c != 0 {
			return c < 0
		}
		return d.cmpEntries(out[i], out[j]) < 0
	})
	return out
}

// partition returns the oracle's entries of one index partition in index
// order.
func (d indexDef) partition(oracle map[string]item, hash types.AttributeValue) []item {
	var out []item
	for _, e := range d.entries(oracle) {
		if canon(e[d.hash]) == canon(hash) {
			out = append(out, e)
		}
	}
	return out
}

// lastKeyNames lists the attributes an index's LastEvaluatedKey holds: the
// table's keys and the index's.
func (d indexDef) lastKeyNames() string {
	names := []string{"pk", "sk", d.hash, d.rng}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ",")
}

func itemNames(it item) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// queryIndexAll runs an index Query to the end, checking each page's
// Limit, Count and LastEvaluatedKey shape.
func queryIndexAll(ctx context.Context, db *dynamodb.Client, d indexDef, in *dynamodb.QueryInput) (queryResult, error) {
	var res queryResult
	for {
		out, err := db.Query(ctx, in)
		if err != nil {
			return res, fmt.Errorf("page %d: %w", res.pages+1, err)
		}
		res.pages++
		if in.Limit != nil && int(out.ScannedCount) > int(*in.Limit) {
			return res, fmt.Errorf("page %d: ScannedCount %d exceeds Limit %d", res.pages, out.ScannedCount, *in.Limit)
		}
		if int(out.Count) != len(out.Items) {
			return res, fmt.Errorf("page %d: Count %d but %d items", res.pages, out.Count, len(out.Items))
		}
		res.items = append(res.items, out.Items...)
		res.count += int(out.Count)
		res.scanned += int(out.ScannedCount)
		if len(out.LastEvaluatedKey) == 0 {
			return res, nil
		}
		if got := itemNames(out.LastEvaluatedKey); got != d.lastKeyNames() {
			return res, fmt.Errorf("page %d: LastEvaluatedKey has attributes %s, want %s: %s", res.pages, got, d.lastKeyNames(), canonItem(out.LastEvaluatedKey))
		}
		if res.pages > 1000 {
			return res, errors.New("more than 1000 pages")
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// verifyIndexQueries queries one index partition in both directions,
// paginated with a small Limit, whole and with a sort-key range, and
// compares the results in order with the oracle's.
func verifyIndexQueries(ctx context.Context, t *testing.T, db *dynamodb.Client, r interface{ IntN(int) int }, d indexDef, hash types.AttributeValue, oracle map[string]item) {
	t.Helper()
	all := d.partition(oracle, hash)
	run := func(desc string, in *dynamodb.QueryInput, want []item) {
		t.Helper()
		in.TableName, in.IndexName = aws.String(tableName), aws.String(d.name)
		got, err := queryIndexAll(ctx, db, d, in)
		if err != nil {
			t.Errorf("Query %s %s=%s %s: %v", d.name, d.hash, canon(hash), desc, err)
			return
		}
		if canonItems(got.items) != canonItems(want) {
			t.Errorf("Query %s %s=%s %s (%d pages):\n got %s\nwant %s", d.name, d.hash, canon(hash), desc, got.pages, canonItems(got.items), canonItems(want))
		}
		if got.scanned != len(want) {
			t.Errorf("Query %s %s=%s %s: ScannedCount %d, want %d", d.name, d.hash, canon(hash), desc, got.scanned, len(want))
		}
	}
	for _, forward := range []bool{true, false} {
		want := slices.Clone(all)
		if !forward {
			slices.Reverse(want)
		}
		limit := int32(1 + r.IntN(4))
		in := &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("#h = :h"),
			ExpressionAttributeNames:  map[string]string{"#h": d.hash},
			ExpressionAttributeValues: map[string]types.AttributeValue{":h": hash},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(limit),
		}
		if d.local && r.IntN(2) == 0 {
			in.ConsistentRead = aws.Bool(true) // an LSI allows it, a GSI does not
		}
		run(fmt.Sprintf("forward=%v Limit=%d", forward, limit), in, want)

		// A sort-key range whose bounds are values present in the
		// partition (when there are any), so that ties sit on the bounds.
		var lo, hi string
		if len(all) > 0 {
			lo = all[r.IntN(len(all))][d.rng].(*types.AttributeValueMemberN).Value
			hi = all[r.IntN(len(all))][d.rng].(*types.AttributeValueMemberN).Value
		} else {
			lo, hi = "-1", "1"
		}
		if cmpNum(lo, hi) > 0 {
			lo, hi = hi, lo
		}
		var inRange []item
		for _, e := range want {
			x := e[d.rng].(*types.AttributeValueMemberN).Value
			if cmpNum(x, lo) >= 0 && cmpNum(x, hi) <= 0 {
				inRange = append(inRange, e)
			}
		}
		run(fmt.Sprintf("forward=%v %s BETWEEN %s AND %s Limit=2", forward, d.rng, lo, hi), &dynamodb.QueryInput{
			KeyConditionExpression:    aws.String("#h = :h AND #r BETWEEN :lo AND :hi"),
			ExpressionAttributeNames:  map[string]string{"#h": d.hash, "#r": d.rng},
			ExpressionAttributeValues: map[string]types.AttributeValue{":h": hash, ":lo": Nraw(lo), ":hi": Nraw(hi)},
			ScanIndexForward:          aws.Bool(forward),
			Limit:                     aws.Int32(2),
		}, inRange)
	}
}

// verifyIndexScan scans an index (in segments, each paginated with Limit,
// 0 = none) and checks that together they return every entry of the
// oracle's index exactly once, with exactly its projected attributes.
func verifyIndexScan(ctx context.Context, t *testing.T, db *dynamodb.Client, d indexDef, oracle map[string]item, segments int, limit int32) {
	t.Helper()
	desc := fmt.Sprintf("Scan of %s (%d segments, Limit %d)", d.name, segments, limit)
	results := make([][]item, segments)
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := &dynamodb.ScanInput{TableName: aws.String(tableName), IndexName: aws.String(d.name)}
			if segments > 1 {
				in.Segment, in.TotalSegments = aws.Int32(int32(seg)), aws.Int32(int32(segments))
			}
			if limit > 0 {
				in.Limit = aws.Int32(limit)
			}
			for pages := 1; ; pages++ {
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
				if got := itemNames(out.LastEvaluatedKey); got != d.lastKeyNames() {
					errs[seg] = fmt.Errorf("page %d: LastEvaluatedKey has attributes %s, want %s", pages, got, d.lastKeyNames())
					return
				}
				if pages > 5000 {
					errs[seg] = errors.New("more than 5000 pages")
					return
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
		}()
	}
	wg.Wait()
	for seg, err := range errs {
		if err != nil {
			t.Errorf("%s segment %d: %v", desc, seg, err)
			return
		}
	}
	want := map[string]string{}
	for _, e := range d.entries(oracle) {
		pk, _ := strOf(e["pk"])
		want[mapKey(pk, e["sk"].(*types.AttributeValueMemberN).Value)] = canonItem(e)
	}
	seen := map[string]bool{}
	bad := 0
	for _, items := range results {
		for _, e := range items {
			pk, _ := strOf(e["pk"])
			skv, _ := e["sk"].(*types.AttributeValueMemberN)
			if skv == nil {
				bad++
				t.Errorf("%s: entry without a numeric sk: %s", desc, canonItem(e))
				continue
			}
			k := mapKey(pk, skv.Value)
			w, ok := want[k]
			switch {
			case seen[k]:
				bad++
				t.Errorf("%s: entry of %s/%s returned twice", desc, pk, skv.Value)
			case !ok:
				bad++
				t.Errorf("%s: unexpected entry %s (the oracle's item does not carry the index keys)", desc, canonItem(e))
			case canonItem(e) != w:
				bad++
				t.Errorf("%s: entry of %s/%s is %s, want %s", desc, pk, skv.Value, canonItem(e), w)
			}
			seen[k] = true
		}
	}
	for k, w := range want {
		if !seen[k] {
			bad++
			t.Errorf("%s: missing entry %s", desc, w)
		}
	}
	if bad == 0 {
		t.Logf("%s: all %d entries match the oracle", desc, len(want))
	}
}

// verifyIndexCounts checks DescribeTable's ItemCount of the table and of
// each index against the oracle.
func verifyIndexCounts(ctx context.Context, t *testing.T, db *dynamodb.Client, oracle map[string]item) {
	t.Helper()
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(tableName)})
	if err != nil {
		t.Errorf("DescribeTable: %v", err)
		return
	}
	if n := aws.ToInt64(out.Table.ItemCount); n != int64(len(oracle)) {
		t.Errorf("DescribeTable ItemCount %d, want %d", n, len(oracle))
	}
	got := map[string]int64{}
	for _, g := range out.Table.GlobalSecondaryIndexes {
		got[aws.ToString(g.IndexName)] = aws.ToInt64(g.ItemCount)
	}
	for _, l := range out.Table.LocalSecondaryIndexes {
		got[aws.ToString(l.IndexName)] = aws.ToInt64(l.ItemCount)
	}
	for _, d := range []indexDef{gsiDef, lsiDef} {
		if want := int64(len(d.entries(oracle))); got[d.name] != want {
			t.Errorf("DescribeTable: index %s ItemCount %d, want %d", d.name, got[d.name], want)
		}
	}
}

// logIndexShape logs what the index checks covered: entries, partitions,
// and entries whose sort key ties with their predecessor's (ordered by the
// table key).
func logIndexShape(t *testing.T, d indexDef, oracle map[string]item) {
	t.Helper()
	entries := d.entries(oracle)
	parts, ties := 0, 0
	for i, e := range entries {
		switch {
		case i == 0 || canon(e[d.hash]) != canon(entries[i-1][d.hash]):
			parts++
		case canon(e[d.rng]) == canon(entries[i-1][d.rng]):
			ties++
		}
	}
	t.Logf("index %s: %d entries of %d items in %d partitions (%d sort-key ties) queried both ways and scanned", d.name, len(entries), len(oracle), parts, ties)
}

// queryOwnLSI queries the LSI on one of the client's partitions during the
// workload (the client owns the partition, so the oracle is exact now).
func (c *client) queryOwnLSI(pk string) {
	c.stats["query-lsi"]++
	want := lsiDef.partition(c.items, S(pk))
	forward := c.r.IntN(2) == 0
	if !forward {
		slices.Reverse(want)
	}
	got, err := queryIndexAll(c.ctx, c.db, lsiDef, &dynamodb.QueryInput{
		TableName:                 aws.String(tableName),
		IndexName:                 aws.String(lsiDef.name),
		KeyConditionExpression:    aws.String("pk = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": S(pk)},
		ScanIndexForward:          aws.Bool(forward),
		Limit:                     aws.Int32(int32(1 + c.r.IntN(5))),
		ConsistentRead:            aws.Bool(true),
	})
	if err != nil {
		c.errorf("Query %s %s: %v", lsiDef.name, pk, err)
		return
	}
	if canonItems(got.items) != canonItems(want) {
		c.errorf("Query %s %s forward=%v:\n got %s\nwant %s", lsiDef.name, pk, forward, canonItems(got.items), canonItems(want))
	}
}
