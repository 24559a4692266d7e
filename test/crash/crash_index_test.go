package crash

// Crash consistency of secondary indexes and transactions: a table with two
// GSIs (projections ALL and INCLUDE) and one LSI (KEYS_ONLY); concurrent
// writers put, update (setting and removing index key attributes, so items
// move between index partitions and in and out of the sparse indexes),
// delete, and run TransactWriteItems over several items; kill -9 at a random
// moment; restart; then
//
//   - every acknowledged write is in the table with its acknowledged value,
//     an unacknowledged one is either applied or not, and an unacknowledged
//     transaction is applied to all of its items or to none;
//   - every index is exactly the one recomputed from the table: a full,
//     paginated Scan of the index equals the projection of the table's items
//     that carry the index's keys (keys and projected attributes), each
//     index partition comes out contiguous and in index order, and
//     DescribeTable's ItemCounts match.
//
// A last round fills the table, adds a GSI with UpdateTable and kills the
// server while the index is backfilling (IndexStatus CREATING); after the
// restart the index must become ACTIVE and equal its recomputation.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var (
	ixRoundsFlag = flag.Int("crash.indexrounds", 4, "kill -9 rounds of the index crash test (before its backfill round)")
	ixFillFlag   = flag.Int("crash.fill", 12000, "items added before the GSI backfill round of the index crash test")
)

const (
	ixTableName     = "crashidx"
	ixWriters       = 6
	ixKeysPerWriter = 48 // 12 partitions of 4 items
)

// indexDef describes a secondary index the way the oracle recomputes it.
type indexDef struct {
	name      string
	local     bool
	hash, rng string // key attributes; rng "" for none
	proj      types.ProjectionType
	nonKey    []string // for INCLUDE
}

// Index key attributes and their types. Items carry each of them or not
// (sparse indexes); gs and ls take few values so index sort keys tie often
// and the table key must break the ties.
var ixKeyTypes = map[string]types.ScalarAttributeType{
	"pk": types.ScalarAttributeTypeS, "sk": types.ScalarAttributeTypeS,
	"gp": types.ScalarAttributeTypeS, "gs": types.ScalarAttributeTypeN,
	"hp": types.ScalarAttributeTypeS, "ls": types.ScalarAttributeTypeN,
}

var (
	gsiAll  = indexDef{name: "gsiAll", hash: "gp", rng: "gs", proj: types.ProjectionTypeAll}
	gsiInc  = indexDef{name: "gsiInc", hash: "hp", proj: types.ProjectionTypeInclude, nonKey: []string{"cnt"}}
	lsiKeys = indexDef{name: "lsiKeys", local: true, hash: "pk", rng: "ls", proj: types.ProjectionTypeKeysOnly}
	// gsiLate is added by UpdateTable in the backfill round.
	gsiLate = indexDef{name: "gsiLate", hash: "hp", rng: "gs", proj: types.ProjectionTypeInclude, nonKey: []string{"seq", "val"}}
)

// ------------------------------------------------------------------ oracle

// ixState is the full content of one item as the oracle knows it.
type ixState struct {
	exists       bool
	seq, cnt     int64
	val          string // "" = absent
	gp, hp       string // "" = absent
	gs, ls       int64
	hasGs, hasLs bool
}

func (s ixState) String() string {
	if !s.exists {
		return "<absent>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "{seq=%d cnt=%d", s.seq, s.cnt)
	if s.val != "" {
		fmt.Fprintf(&b, " val=%d bytes", len(s.val))
	}
	if s.gp != "" {
		fmt.Fprintf(&b, " gp=%s", s.gp)
	}
	if s.hasGs {
		fmt.Fprintf(&b, " gs=%d", s.gs)
	}
	if s.hp != "" {
		fmt.Fprintf(&b, " hp=%s", s.hp)
	}
	if s.hasLs {
		fmt.Fprintf(&b, " ls=%d", s.ls)
	}
	b.WriteByte('}')
	return b.String()
}

// item renders the state as the item a PutItem writes.
func (s ixState) item(k *ixKey) map[string]types.AttributeValue {
	it := k.av()
	it["seq"] = numAV(s.seq)
	it["cnt"] = numAV(s.cnt)
	if s.val != "" {
		it["val"] = &types.AttributeValueMemberS{Value: s.val}
	}
	if s.gp != "" {
		it["gp"] = &types.AttributeValueMemberS{Value: s.gp}
	}
	if s.hasGs {
		it["gs"] = numAV(s.gs)
	}
	if s.hp != "" {
		it["hp"] = &types.AttributeValueMemberS{Value: s.hp}
	}
	if s.hasLs {
		it["ls"] = numAV(s.ls)
	}
	return it
}

func numAV(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func parseIxState(item map[string]types.AttributeValue) (ixState, error) {
	if len(item) == 0 {
		return ixState{}, nil
	}
	st := ixState{exists: true}
	num := func(name string, v types.AttributeValue) (int64, error) {
		n, ok := v.(*types.AttributeValueMemberN)
		if !ok {
			return 0, fmt.Errorf("attribute %s is %T, want N", name, v)
		}
		return strconv.ParseInt(n.Value, 10, 64)
	}
	str := func(name string, v types.AttributeValue) (string, error) {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("attribute %s is %T, want S", name, v)
		}
		if s.Value == "" {
			return "", fmt.Errorf("attribute %s is an empty string", name)
		}
		return s.Value, nil
	}
	var err error
	for name, v := range item {
		switch name {
		case "pk", "sk":
		case "seq":
			st.seq, err = num(name, v)
		case "cnt":
			st.cnt, err = num(name, v)
		case "gs":
			st.gs, err = num(name, v)
			st.hasGs = true
		case "ls":
			st.ls, err = num(name, v)
			st.hasLs = true
		case "val":
			st.val, err = str(name, v)
		case "gp":
			st.gp, err = str(name, v)
		case "hp":
			st.hp, err = str(name, v)
		default:
			err = fmt.Errorf("unexpected attribute %q", name)
		}
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

// ixTxn is an unacknowledged TransactWriteItems: after the restart it must
// show on all of its items or on none.
type ixTxn struct {
	desc string
	keys []*ixKey
}

type ixKey struct {
	pk, sk string
	cur    ixState
	// Set when the last write of the key was not acknowledged: the item may
	// then be in state cur or alt, and the key is not written again until
	// the restart resolves it.
	uncertain bool
	alt       ixState
	txn       *ixTxn // the unacknowledged transaction, if the write was one
	nextSeq   int64
	lastOp    string
}

func (k *ixKey) name() string { return k.pk + "/" + k.sk }

func (k *ixKey) av() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"pk": &types.AttributeValueMemberS{Value: k.pk},
		"sk": &types.AttributeValueMemberS{Value: k.sk},
	}
}

func (k *ixKey) takeSeq() int64 {
	s := k.nextSeq
	k.nextSeq++
	return s
}

// ixPayload is deterministic in (key, seq), up to ~1 KB.
func ixPayload(k *ixKey, seq int64, max int) string {
	head := fmt.Sprintf("%s#%d:", k.name(), seq)
	n := int((seq*7919 + int64(len(k.pk))*31) % int64(max))
	return head + strings.Repeat(string(rune('a'+seq%26)), n)
}

// randIndexAttrs gives st random index key attributes, each present with
// probability 0.7.
func randIndexAttrs(r *rand.Rand, st *ixState) {
	st.gp, st.hp, st.hasGs, st.hasLs = "", "", false, false
	if r.IntN(10) < 7 {
		st.gp = fmt.Sprintf("g%d", r.IntN(5))
	}
	if r.IntN(10) < 7 {
		st.gs, st.hasGs = int64(r.IntN(10)-3), true
	}
	if r.IntN(10) < 7 {
		st.hp = fmt.Sprintf("h%d", r.IntN(4))
	}
	if r.IntN(10) < 7 {
		st.ls, st.hasLs = int64(r.IntN(6)), true
	}
}

// ----------------------------------------------------------------- harness

type ixHarness struct {
	t       *testing.T
	seed    uint64
	dataDir string
	logPath string
	srv     *server
	owned   [][]*ixKey // per writer
	all     []*ixKey
	byName  map[string]*ixKey
}

// ixRun is one round of concurrent writers.
type ixRun struct {
	killed    atomic.Bool
	acked     atomic.Int64
	uncertain atomic.Int64
	txns      atomic.Int64
	canceled  atomic.Int64
	preKill   chan error
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

func TestKill9KeepsIndexesConsistent(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 1))
	h := &ixHarness{t: t, seed: seed, dataDir: filepath.Join(t.TempDir(), "data"),
		logPath: filepath.Join(t.TempDir(), "server.log"), byName: map[string]*ixKey{}}
	logServerOnFailure(t, h.logPath)
	for w := range ixWriters {
		var ks []*ixKey
		for i := range ixKeysPerWriter {
			ks = append(ks, h.addKey(fmt.Sprintf("w%d-p%02d", w, i/4), fmt.Sprintf("s%d", i%4)))
		}
		h.owned = append(h.owned, ks)
	}

	h.srv = startServer(t, h.dataDir, h.logPath)
	h.createTable()
	defs := []indexDef{gsiAll, gsiInc, lsiKeys}

	round := 0
	for round = 1; round <= *ixRoundsFlag; round++ {
		run := h.startWriters(round)
		target := int64(150 + rng.IntN(600))
		deadline := time.Now().Add(30 * time.Second)
		for run.acked.Load() < target && time.Now().Before(deadline) && len(run.preKill) == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(rng.IntN(5000)) * time.Microsecond)
		h.killAndRestart(run, round)
		if run.acked.Load() < target {
			t.Fatalf("round %d: only %d writes acknowledged (wanted %d before the kill)", round, run.acked.Load(), target)
		}
		h.verify(fmt.Sprintf("after kill -9 #%d", round), defs)
		if t.Failed() {
			return
		}
	}

	// The backfill round: a populated table gets a new GSI and the server
	// dies while the index is being built, with writers running.
	h.fill(*ixFillFlag, rng)
	h.backfillRound(round, rng)
	if t.Failed() {
		return
	}
	defs = append(defs, gsiLate)
	h.verify("after kill -9 during the backfill and its completion", defs)
	if t.Failed() {
		return
	}

	if err := h.srv.stop(); err != nil {
		t.Errorf("server exit after SIGTERM: %v (want exit status 0)", err)
	}
	h.srv = startServer(t, h.dataDir, h.logPath)
	h.verify("after SIGTERM and restart", defs)
	_ = h.srv.stop()
}

func (h *ixHarness) addKey(pk, sk string) *ixKey {
	k := &ixKey{pk: pk, sk: sk, nextSeq: 1}
	h.all = append(h.all, k)
	h.byName[k.name()] = k
	return k
}

func keySchema(hash, rng string) []types.KeySchemaElement {
	ks := []types.KeySchemaElement{{AttributeName: aws.String(hash), KeyType: types.KeyTypeHash}}
	if rng != "" {
		ks = append(ks, types.KeySchemaElement{AttributeName: aws.String(rng), KeyType: types.KeyTypeRange})
	}
	return ks
}

func (d indexDef) projection() *types.Projection {
	p := &types.Projection{ProjectionType: d.proj}
	if d.proj == types.ProjectionTypeInclude {
		p.NonKeyAttributes = d.nonKey
	}
	return p
}

func attrDefs(names ...string) []types.AttributeDefinition {
	var out []types.AttributeDefinition
	for _, n := range names {
		out = append(out, types.AttributeDefinition{AttributeName: aws.String(n), AttributeType: ixKeyTypes[n]})
	}
	return out
}

func (h *ixHarness) createTable() {
	t := h.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := newClient(h.srv.endpoint, 1)
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(ixTableName),
		AttributeDefinitions: attrDefs("pk", "sk", "gp", "gs", "hp", "ls"),
		KeySchema:            keySchema("pk", "sk"),
		BillingMode:          types.BillingModePayPerRequest,
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{
			{IndexName: aws.String(gsiAll.name), KeySchema: keySchema(gsiAll.hash, gsiAll.rng), Projection: gsiAll.projection()},
			{IndexName: aws.String(gsiInc.name), KeySchema: keySchema(gsiInc.hash, gsiInc.rng), Projection: gsiInc.projection()},
		},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{
			{IndexName: aws.String(lsiKeys.name), KeySchema: keySchema(lsiKeys.hash, lsiKeys.rng), Projection: lsiKeys.projection()},
		},
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	waitTableActive(ctx, t, db, ixTableName)
}

func (h *ixHarness) startWriters(round int) *ixRun {
	run := &ixRun{preKill: make(chan error, 64)}
	db := newClient(h.srv.endpoint, ixWriters)
	ctx, cancel := context.WithCancel(context.Background())
	run.cancel = cancel
	for w := range ixWriters {
		run.wg.Add(1)
		r := rand.New(rand.NewPCG(h.seed, uint64(round*1000+w)))
		go func() {
			defer run.wg.Done()
			ixWriter(ctx, db, h.owned[w], r, run)
		}()
	}
	return run
}

// killAndRestart kills the server with SIGKILL while the writers run, stops
// them, reports writes that failed while the server was up, and restarts it.
func (h *ixHarness) killAndRestart(run *ixRun, round int) {
	t := h.t
	run.killed.Store(true)
	h.srv.kill9()
	run.cancel()
	run.wg.Wait()
	close(run.preKill)
	n := 0
	for err := range run.preKill {
		if n++; n <= 5 {
			t.Errorf("round %d: write failed while the server was up: %v", round, err)
		}
	}
	t.Logf("round %d: kill -9 after %d acknowledged writes (%d transactions, %d canceled on purpose); %d writes unacknowledged (in flight or after the kill)",
		round, run.acked.Load(), run.txns.Load(), run.canceled.Load(), run.uncertain.Load())
	h.srv = startServer(t, h.dataDir, h.logPath)
}

// ------------------------------------------------------------------ writer

// ixPickFree returns up to n distinct keys that are not frozen.
func ixPickFree(keys []*ixKey, r *rand.Rand, n int) []*ixKey {
	var out []*ixKey
	for range 4 * n {
		c := keys[r.IntN(len(keys))]
		if !c.uncertain && !slices.Contains(out, c) {
			out = append(out, c)
			if len(out) == n {
				return out
			}
		}
	}
	if len(out) == 0 {
		for _, c := range keys {
			if !c.uncertain {
				return []*ixKey{c}
			}
		}
	}
	return out
}

// ixUpdate builds an update of k: SET seq, ADD cnt 1, and random SETs and
// REMOVEs of the index key attributes. It returns the expression, its
// values, and the state it produces.
func ixUpdate(k *ixKey, r *rand.Rand) (string, map[string]types.AttributeValue, ixState) {
	seq := k.takeSeq()
	after := ixState{exists: true, seq: seq, cnt: 1}
	if k.cur.exists {
		after = k.cur
		after.seq, after.cnt = seq, k.cur.cnt+1
	}
	set := []string{"seq = :s"}
	var rem []string
	vals := map[string]types.AttributeValue{":s": numAV(seq), ":one": numAV(1)}
	for _, a := range []string{"gp", "gs", "hp", "ls"} {
		switch r.IntN(6) {
		case 0, 1:
			switch a {
			case "gp":
				after.gp = fmt.Sprintf("g%d", r.IntN(5))
				vals[":gp"] = &types.AttributeValueMemberS{Value: after.gp}
			case "gs":
				after.gs, after.hasGs = int64(r.IntN(10)-3), true
				vals[":gs"] = numAV(after.gs)
			case "hp":
				after.hp = fmt.Sprintf("h%d", r.IntN(4))
				vals[":hp"] = &types.AttributeValueMemberS{Value: after.hp}
			case "ls":
				after.ls, after.hasLs = int64(r.IntN(6)), true
				vals[":ls"] = numAV(after.ls)
			}
			set = append(set, fmt.Sprintf("%s = :%s", a, a))
		case 2: // the item leaves the indexes keyed on a (sparse)
			rem = append(rem, a)
			switch a {
			case "gp":
				after.gp = ""
			case "gs":
				after.hasGs, after.gs = false, 0
			case "hp":
				after.hp = ""
			case "ls":
				after.hasLs, after.ls = false, 0
			}
		}
	}
	expr := "SET " + strings.Join(set, ", ") + " ADD cnt :one"
	if len(rem) > 0 {
		expr += " REMOVE " + strings.Join(rem, ", ")
	}
	return expr, vals, after
}

// ixPut returns the state a PutItem of k with its next sequence number
// produces.
func ixPut(k *ixKey, r *rand.Rand) ixState {
	seq := k.takeSeq()
	st := ixState{exists: true, seq: seq, val: ixPayload(k, seq, 1000)}
	randIndexAttrs(r, &st)
	return st
}

// ixCond returns a condition on k's current state that holds (or fails),
// with its values.
func ixCond(k *ixKey, holds bool) (string, map[string]types.AttributeValue) {
	switch {
	case k.cur.exists && holds:
		return "seq = :cseq", map[string]types.AttributeValue{":cseq": numAV(k.cur.seq)}
	case k.cur.exists:
		return "seq = :cseq", map[string]types.AttributeValue{":cseq": numAV(k.cur.seq + 1_000_000)}
	case holds:
		return "attribute_not_exists(pk)", nil
	default:
		return "attribute_exists(pk)", nil
	}
}

func mergeVals(a, b map[string]types.AttributeValue) map[string]types.AttributeValue {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := map[string]types.AttributeValue{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// ixWriter runs random writes on its own keys until ctx ends. A write
// acknowledged without error becomes its keys' state; one that fails leaves
// them uncertain (before or after) and frozen.
func ixWriter(ctx context.Context, db *dynamodb.Client, keys []*ixKey, r *rand.Rand, run *ixRun) {
	fail := func(desc string, err error, ks []*ixKey, afters []ixState, txn *ixTxn) {
		if !run.killed.Load() {
			select {
			case run.preKill <- fmt.Errorf("%s: %w", desc, err):
			default:
			}
		}
		for i, k := range ks {
			k.uncertain, k.alt, k.txn = true, afters[i], txn
		}
		run.uncertain.Add(1)
	}
	for ctx.Err() == nil {
		free := ixPickFree(keys, r, 2+r.IntN(5))
		if len(free) == 0 {
			return
		}
		k := free[0]
		switch p := r.IntN(100); {
		case p < 28:
			after := ixPut(k, r)
			k.lastOp = fmt.Sprintf("PutItem %v", after)
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(ixTableName), Item: after.item(k)}); err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*ixKey{k}, []ixState{after}, nil)
				continue
			}
			k.cur = after
		case p < 60:
			expr, vals, after := ixUpdate(k, r)
			k.lastOp = fmt.Sprintf("UpdateItem %q -> %v", expr, after)
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(ixTableName), Key: k.av(),
				UpdateExpression: aws.String(expr), ExpressionAttributeValues: vals,
			})
			if err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*ixKey{k}, []ixState{after}, nil)
				continue
			}
			k.cur = after
		case p < 72:
			k.lastOp = "DeleteItem"
			if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(ixTableName), Key: k.av()}); err != nil {
				fail(k.lastOp+" on "+k.name(), err, []*ixKey{k}, []ixState{{}}, nil)
				continue
			}
			k.cur = ixState{}
		default:
			if !ixTransact(ctx, db, free, r, run, fail) {
				continue
			}
		}
		run.acked.Add(1)
	}
}

// ixTransact runs one TransactWriteItems over keys and reports whether it
// was answered (committed, or canceled as predicted).
func ixTransact(ctx context.Context, db *dynamodb.Client, keys []*ixKey, r *rand.Rand, run *ixRun,
	fail func(string, error, []*ixKey, []ixState, *ixTxn)) bool {
	// One transaction in eight carries a condition that fails: it must be
	// canceled and change nothing.
	sabotaged := -1
	if r.IntN(8) == 0 {
		sabotaged = r.IntN(len(keys))
	}
	afters := make([]ixState, len(keys))
	acts := make([]types.TransactWriteItem, len(keys))
	var ops []string
	for i, k := range keys {
		var cond *string
		var cvals map[string]types.AttributeValue
		if i == sabotaged || r.IntN(3) == 0 {
			c, v := ixCond(k, i != sabotaged)
			cond, cvals = aws.String(c), v
		}
		switch p := r.IntN(10); {
		case p < 4:
			afters[i] = ixPut(k, r)
			acts[i].Put = &types.Put{TableName: aws.String(ixTableName), Item: afters[i].item(k),
				ConditionExpression: cond, ExpressionAttributeValues: cvals}
			ops = append(ops, fmt.Sprintf("Put %s %v", k.name(), afters[i]))
		case p < 7:
			var expr string
			var vals map[string]types.AttributeValue
			expr, vals, afters[i] = ixUpdate(k, r)
			acts[i].Update = &types.Update{TableName: aws.String(ixTableName), Key: k.av(), UpdateExpression: aws.String(expr),
				ConditionExpression: cond, ExpressionAttributeValues: mergeVals(vals, cvals)}
			ops = append(ops, fmt.Sprintf("Update %s %q", k.name(), expr))
		case p < 9:
			afters[i] = ixState{}
			acts[i].Delete = &types.Delete{TableName: aws.String(ixTableName), Key: k.av(),
				ConditionExpression: cond, ExpressionAttributeValues: cvals}
			ops = append(ops, fmt.Sprintf("Delete %s", k.name()))
		default:
			afters[i] = k.cur
			if cond == nil {
				c, v := ixCond(k, true)
				cond, cvals = aws.String(c), v
			}
			acts[i].ConditionCheck = &types.ConditionCheck{TableName: aws.String(ixTableName), Key: k.av(),
				ConditionExpression: cond, ExpressionAttributeValues: cvals}
			ops = append(ops, fmt.Sprintf("ConditionCheck %s", k.name()))
		}
		if cond != nil {
			ops[i] += fmt.Sprintf(" if %q", *cond)
		}
	}
	desc := fmt.Sprintf("TransactWriteItems [%s]", strings.Join(ops, "; "))
	if sabotaged >= 0 {
		desc += fmt.Sprintf(" (action %d must fail its condition)", sabotaged)
		// It can never apply: the only acceptable state is the current one.
		for i, k := range keys {
			afters[i] = k.cur
		}
	}
	for _, k := range keys {
		k.lastOp = desc
	}
	run.txns.Add(1)
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: acts})
	var tce *types.TransactionCanceledException
	switch {
	case sabotaged >= 0 && errors.As(err, &tce):
		var codes []string
		for _, cr := range tce.CancellationReasons {
			codes = append(codes, aws.ToString(cr.Code))
		}
		want := slices.Repeat([]string{"None"}, len(keys))
		want[sabotaged] = "ConditionalCheckFailed"
		if !slices.Equal(codes, want) && !run.killed.Load() {
			select {
			case run.preKill <- fmt.Errorf("%s: CancellationReasons %v, want %v", desc, codes, want):
			default:
			}
		}
		run.canceled.Add(1)
		return true
	case sabotaged >= 0 && err == nil:
		if !run.killed.Load() {
			select {
			case run.preKill <- fmt.Errorf("%s: succeeded, want TransactionCanceledException", desc):
			default:
			}
		}
		for _, k := range keys {
			k.uncertain, k.alt = true, k.cur // verify reports the keys it changed
		}
		return false
	case err != nil:
		fail(desc, err, keys, afters, &ixTxn{desc: desc, keys: keys})
		return false
	}
	for i, k := range keys {
		k.cur = afters[i]
	}
	return true
}

// ------------------------------------------------------------ backfill round

// fill adds n items in fresh partitions (8 items each) with BatchWriteItem,
// so that building a new index takes a while.
func (h *ixHarness) fill(n int, rng *rand.Rand) {
	t := h.t
	start := time.Now()
	var keys []*ixKey
	for i := range n {
		k := h.addKey(fmt.Sprintf("bulk-%05d", i/8), fmt.Sprintf("b%d", i%8))
		st := ixState{exists: true, seq: k.takeSeq()}
		st.val = ixPayload(k, st.seq, 120)
		randIndexAttrs(rng, &st)
		k.cur = st
		keys = append(keys, k)
	}
	db := newClient(h.srv.endpoint, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		wg   sync.WaitGroup
		next atomic.Int64
		errs = make(chan error, 4)
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(25)) - 25
				if lo >= len(keys) {
					return
				}
				var reqs []types.WriteRequest
				for _, k := range keys[lo:min(lo+25, len(keys))] {
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: k.cur.item(k)}})
				}
				out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{ixTableName: reqs}})
				if err == nil && len(out.UnprocessedItems) > 0 {
					err = fmt.Errorf("%d unprocessed items", len(out.UnprocessedItems[ixTableName]))
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("filling the table: BatchWriteItem: %v", err)
	}
	t.Logf("filled the table with %d more items in %v", n, time.Since(start).Round(time.Millisecond))
}

// describeIndex returns the named GSI's description (nil if none).
func describeIndex(ctx context.Context, db *dynamodb.Client, name string) (*types.GlobalSecondaryIndexDescription, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ixTableName)})
	if err != nil {
		return nil, err
	}
	for i := range out.Table.GlobalSecondaryIndexes {
		if g := &out.Table.GlobalSecondaryIndexes[i]; aws.ToString(g.IndexName) == name {
			return g, nil
		}
	}
	return nil, nil
}

// backfillRound adds gsiLate while writers run and kills the server once
// the backfill has built a random part of the index; after the restart the
// index must finish building and become ACTIVE.
func (h *ixHarness) backfillRound(round int, rng *rand.Rand) {
	t := h.t
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	expected := 0 // entries gsiLate will have, about (writers change a few)
	for _, k := range h.all {
		if k.cur.exists && k.cur.hp != "" && k.cur.hasGs {
			expected++
		}
	}
	db := newClient(h.srv.endpoint, 2)
	var (
		run    *ixRun
		caught bool
		last   string
	)
	// Kill when the index holds a random part of its entries. Should the
	// build finish first (a fast disk), drop the index and try again,
	// killing sooner.
	target := int64(rng.IntN(max(1, expected*6/10)))
	for attempt := 1; attempt <= 3 && !caught; attempt++ {
		run = h.startWriters(round*10 + attempt)
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:            aws.String(ixTableName),
			AttributeDefinitions: attrDefs("hp", "gs"),
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: aws.String(gsiLate.name), KeySchema: keySchema(gsiLate.hash, gsiLate.rng), Projection: gsiLate.projection(),
			}}},
		})
		if err != nil {
			t.Fatalf("UpdateTable (create %s): %v", gsiLate.name, err)
		}
		for {
			g, err := describeIndex(ctx, db, gsiLate.name)
			if err != nil {
				t.Fatalf("DescribeTable during the backfill: %v", err)
			}
			if g == nil {
				t.Fatalf("DescribeTable after UpdateTable does not list %s", gsiLate.name)
			}
			last = fmt.Sprintf("IndexStatus %s Backfilling %v ItemCount %d", g.IndexStatus, aws.ToBool(g.Backfilling), aws.ToInt64(g.ItemCount))
			if g.IndexStatus != types.IndexStatusCreating {
				break
			}
			if aws.ToInt64(g.ItemCount) >= target {
				caught = true
				break
			}
		}
		if caught {
			break
		}
		// Built before the kill: stop the writers (their in-flight writes
		// stay unresolved until the next verify), drop the index, retry.
		run.killed.Store(true)
		run.cancel()
		run.wg.Wait()
		close(run.preKill)
		for err := range run.preKill {
			t.Errorf("backfill round: write failed while the server was up: %v", err)
		}
		t.Logf("backfill attempt %d: %s finished building (%s) before %d entries could be seen; dropping it and retrying sooner", attempt, gsiLate.name, last, target)
		if _, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:                   aws.String(ixTableName),
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String(gsiLate.name)}}},
		}); err != nil {
			t.Fatalf("UpdateTable (delete %s): %v", gsiLate.name, err)
		}
		target /= 8
	}
	if !caught {
		t.Fatalf("the server built %s (%d entries) before a kill could land during its backfill; raise -crash.fill", gsiLate.name, expected)
	}
	h.killAndRestart(run, round)
	t.Logf("backfill round: killed with %s, last seen %s (of about %d entries)", gsiLate.name, last, expected)

	// The build resumes at open; wait for it.
	db = newClient(h.srv.endpoint, 2)
	start := time.Now()
	first := ""
	for {
		g, err := describeIndex(ctx, db, gsiLate.name)
		if err != nil {
			t.Fatalf("DescribeTable after the restart: %v", err)
		}
		if g == nil {
			t.Fatalf("after the restart DescribeTable does not list %s, which UpdateTable created", gsiLate.name)
		}
		if first == "" {
			first = fmt.Sprintf("IndexStatus %s Backfilling %v ItemCount %d", g.IndexStatus, aws.ToBool(g.Backfilling), aws.ToInt64(g.ItemCount))
		}
		if g.IndexStatus == types.IndexStatusActive {
			if aws.ToBool(g.Backfilling) {
				t.Errorf("%s is ACTIVE with Backfilling true", gsiLate.name)
			}
			break
		}
		if g.IndexStatus != types.IndexStatusCreating {
			t.Fatalf("after the restart %s has IndexStatus %s, want CREATING then ACTIVE", gsiLate.name, g.IndexStatus)
		}
		if time.Since(start) > 45*time.Second {
			t.Fatalf("%s not ACTIVE 45s after the restart (first seen: %s)", gsiLate.name, first)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("backfill round: after the restart %s was first %s, ACTIVE after %v", gsiLate.name, first, time.Since(start).Round(time.Millisecond))
}

// ------------------------------------------------------------ verification

func canonAV(v types.AttributeValue) string {
	switch v := v.(type) {
	case nil:
		return "<absent>"
	case *types.AttributeValueMemberS:
		return "S:" + strconv.Quote(v.Value)
	case *types.AttributeValueMemberN:
		return "N:" + v.Value
	default:
		return fmt.Sprintf("%T:%v", v, v)
	}
}

func canonItem(it map[string]types.AttributeValue) string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(' ')
		}
		v := canonAV(it[n])
		if len(v) > 60 {
			v = fmt.Sprintf("%s…(%d bytes)", v[:40], len(v))
		}
		b.WriteString(n + "=" + v)
	}
	b.WriteByte('}')
	return b.String()
}

// entry returns item's entry in the index (the projected item), or false
// when the item lacks an index key attribute.
func (d indexDef) entry(item map[string]types.AttributeValue) (map[string]types.AttributeValue, bool) {
	keys := []string{d.hash}
	if d.rng != "" {
		keys = append(keys, d.rng)
	}
	for _, a := range keys {
		if _, ok := item[a]; !ok {
			return nil, false
		}
	}
	if d.proj == types.ProjectionTypeAll {
		return item, true
	}
	out := map[string]types.AttributeValue{}
	for _, a := range append(keys, "pk", "sk") {
		out[a] = item[a]
	}
	if d.proj == types.ProjectionTypeInclude {
		for _, a := range d.nonKey {
			if v, ok := item[a]; ok {
				out[a] = v
			}
		}
	}
	return out, true
}

// entryID names an entry by its index keys and table keys.
func (d indexDef) entryID(e map[string]types.AttributeValue) string {
	return canonAV(e[d.hash]) + " " + canonAV(e[d.rng]) + " | " + canonAV(e["pk"]) + " " + canonAV(e["sk"])
}

// cmpEntries orders two entries of one index partition: index sort key,
// then the table's key (both S here).
func (d indexDef) cmpEntries(a, b map[string]types.AttributeValue) int {
	if d.rng != "" {
		x, _ := strconv.ParseInt(a[d.rng].(*types.AttributeValueMemberN).Value, 10, 64)
		y, _ := strconv.ParseInt(b[d.rng].(*types.AttributeValueMemberN).Value, 10, 64)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	sv := func(m map[string]types.AttributeValue, n string) string {
		s, _ := m[n].(*types.AttributeValueMemberS)
		if s == nil {
			return ""
		}
		return s.Value
	}
	if c := strings.Compare(sv(a, "pk"), sv(b, "pk")); c != 0 {
		return c
	}
	return strings.Compare(sv(a, "sk"), sv(b, "sk"))
}

// scanAll reads a table or index to the end, following LastEvaluatedKey.
func scanAll(ctx context.Context, db *dynamodb.Client, in *dynamodb.ScanInput) ([]map[string]types.AttributeValue, int, error) {
	var items []map[string]types.AttributeValue
	pages := 0
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return items, pages, fmt.Errorf("Scan page %d: %w", pages+1, err)
		}
		pages++
		if in.Limit != nil && len(out.Items) > int(*in.Limit) {
			return items, pages, fmt.Errorf("Scan page %d has %d items, over its Limit %d", pages, len(out.Items), *in.Limit)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items, pages, nil
		}
		if pages > 100000 {
			return items, pages, errors.New("more than 100000 pages")
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// verify checks the table against the oracle (resolving unacknowledged
// writes) and every index in defs against its recomputation from the table.
func (h *ixHarness) verify(when string, defs []indexDef) {
	t := h.t
	t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db := newClient(h.srv.endpoint, 4)
	limit := int32(37)
	if len(h.all) > 2000 {
		limit = 500
	}
	items, pages, err := scanAll(ctx, db, &dynamodb.ScanInput{TableName: aws.String(ixTableName), ConsistentRead: aws.Bool(true), Limit: aws.Int32(limit)})
	if err != nil {
		t.Fatalf("%s: table: %v", when, err)
	}
	got := map[string]map[string]types.AttributeValue{}
	bad := 0
	report := func(format string, args ...any) {
		if bad++; bad <= 15 {
			t.Errorf("%s: "+format, append([]any{when}, args...)...)
		}
	}
	for _, it := range items {
		pk, _ := it["pk"].(*types.AttributeValueMemberS)
		sk, _ := it["sk"].(*types.AttributeValueMemberS)
		if pk == nil || sk == nil {
			report("table Scan returned an item without string keys: %s", canonItem(it))
			continue
		}
		name := pk.Value + "/" + sk.Value
		if _, dup := got[name]; dup {
			report("table Scan returned %s twice", name)
		}
		got[name] = it
		if h.byName[name] == nil {
			report("table holds %s, which no write created: %s", name, canonItem(it))
		}
	}

	// (a) Each key holds its acknowledged state, or one of its two states
	// when its last write was not acknowledged.
	type outcome int
	const (
		same outcome = iota // cur == alt: says nothing
		applied
		notApplied
	)
	outcomes := map[*ixKey]outcome{}
	resolved := map[string]int{}
	present := 0
	for _, k := range h.all {
		st, perr := parseIxState(got[k.name()])
		switch {
		case perr != nil:
			report("key %s: malformed item: %v (%s)", k.name(), perr, canonItem(got[k.name()]))
		case !k.uncertain && st != k.cur:
			report("key %s: got %v, want the acknowledged state %v (last write: %s)", k.name(), st, k.cur, k.lastOp)
		case k.uncertain && st != k.cur && st != k.alt:
			report("key %s: got %v, want %v (before the unacknowledged %s) or %v (after it)", k.name(), st, k.cur, k.lastOp, k.alt)
		case k.uncertain && k.cur == k.alt:
			outcomes[k] = same
			resolved["either"]++
		case k.uncertain && st == k.alt:
			outcomes[k] = applied
			resolved["applied"]++
		case k.uncertain:
			outcomes[k] = notApplied
			resolved["not applied"]++
		}
		if st.exists {
			present++
		}
	}
	// An unacknowledged transaction shows on all its items or on none.
	txns := 0
	checked := map[*ixTxn]bool{}
	for _, k := range h.all {
		tx := k.txn
		if !k.uncertain || tx == nil || checked[tx] {
			continue
		}
		checked[tx] = true
		txns++
		var yes, no []string
		for _, tk := range tx.keys {
			switch outcomes[tk] {
			case applied:
				yes = append(yes, tk.name())
			case notApplied:
				no = append(no, tk.name())
			}
		}
		if len(yes) > 0 && len(no) > 0 {
			report("unacknowledged %s is half applied: applied to %v, not to %v", tx.desc, yes, no)
		}
	}
	for _, k := range h.all {
		if st, err := parseIxState(got[k.name()]); err == nil {
			k.cur = st
		}
		k.uncertain, k.alt, k.txn = false, ixState{}, nil
	}

	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(ixTableName)})
	if err != nil {
		t.Fatalf("%s: DescribeTable: %v", when, err)
	}
	if n := aws.ToInt64(desc.Table.ItemCount); n != int64(len(items)) {
		report("DescribeTable ItemCount %d, but the table holds %d items", n, len(items))
	}
	counts := map[string]int64{}
	for _, g := range desc.Table.GlobalSecondaryIndexes {
		counts[aws.ToString(g.IndexName)] = aws.ToInt64(g.ItemCount)
	}
	for _, l := range desc.Table.LocalSecondaryIndexes {
		counts[aws.ToString(l.IndexName)] = aws.ToInt64(l.ItemCount)
	}
	t.Logf("%s: table: %d keys checked, %d items present (Scan: %d pages); unacknowledged writes resolved: %v; %d unacknowledged transactions all-or-nothing",
		when, len(h.all), present, pages, resolved, txns)

	// (b) Each index equals its recomputation from the table.
	for _, d := range defs {
		h.verifyIndex(ctx, when, db, d, items, counts[d.name], limit, report)
	}
	t.Logf("%s: verified in %v", when, time.Since(start).Round(time.Millisecond))
}

// verifyIndex compares a full Scan of index d with the entries recomputed
// from the table's items, and DescribeTable's ItemCount (count) with their
// number.
func (h *ixHarness) verifyIndex(ctx context.Context, when string, db *dynamodb.Client, d indexDef,
	table []map[string]types.AttributeValue, count int64, limit int32, report func(string, ...any)) {
	want := map[string]string{}
	for _, it := range table {
		if e, ok := d.entry(it); ok {
			want[d.entryID(e)] = canonItem(e)
		}
	}
	entries, pages, err := scanAll(ctx, db, &dynamodb.ScanInput{TableName: aws.String(ixTableName), IndexName: aws.String(d.name), Limit: aws.Int32(limit)})
	if err != nil {
		report("index %s: %v", d.name, err)
		return
	}
	bad := 0
	seen := map[string]bool{}
	done := map[string]bool{} // index partitions already left behind
	var prev map[string]types.AttributeValue
	for _, e := range entries {
		id := d.entryID(e)
		w, ok := want[id]
		switch {
		case seen[id]:
			bad++
			report("index %s: entry %s returned twice", d.name, id)
		case !ok:
			bad++
			report("index %s has entry %s, but no table item carries those keys", d.name, canonItem(e))
		case canonItem(e) != w:
			bad++
			report("index %s: entry %s is %s, want %s (projected from the table)", d.name, id, canonItem(e), w)
		}
		seen[id] = true
		// An index partition comes out whole and in index order.
		part := canonAV(e[d.hash])
		if prev != nil {
			pp := canonAV(prev[d.hash])
			switch {
			case pp != part && done[part]:
				bad++
				report("index %s: Scan returned partition %s in two pieces", d.name, part)
			case pp != part:
				done[pp] = true
			case d.cmpEntries(prev, e) >= 0:
				bad++
				report("index %s: Scan returned %s after %s (want index sort key, then table key order)", d.name, d.entryID(e), d.entryID(prev))
			}
		}
		prev = e
	}
	for id, w := range want {
		if !seen[id] {
			bad++
			report("index %s lacks the entry %s of table item %s", d.name, id, w)
		}
	}
	if count != int64(len(want)) {
		bad++
		report("index %s: DescribeTable ItemCount %d, want %d (entries recomputed from the table)", d.name, count, len(want))
	}
	if bad == 0 {
		h.t.Logf("%s: index %s matches the table: %d entries (Scan: %d pages of ≤%d)", when, d.name, len(want), pages, limit)
	}
}
