package crash

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// hop is one write on a key: the wall-clock interval in which it ran and
// the state it left. A pending hop is a write without acknowledgement; the
// restart resolves it: it ends at the kill and left whatever the restarted
// server holds (its old state if it was lost).
type hop struct {
	start, end time.Time
	after      state
	pending    bool
}

// pkey is a key of the PITR crash test with its full write history.
type pkey struct {
	*key
	hist []hop
	big  bool // written with ~300 KB items, to keep the shipper busy
}

// expectedAt returns the key's state in a restore to at, and false when a
// write on it may or may not be included (in flight at the instant).
func (k *pkey) expectedAt(at time.Time) (state, bool) {
	by := at.Add(time.Microsecond) // a restore includes the commits of at's microsecond
	var st state
	for _, h := range k.hist {
		if !h.start.Before(by) {
			break
		}
		if h.pending || !h.end.Before(by) {
			return st, false
		}
		st = h.after
	}
	return st, true
}

func wallNow() time.Time { return time.Now().Round(0) }

// pitrInstant is an instant the test restores to, recorded while the
// writers of a round ran or right before its kill.
type pitrInstant struct {
	at    time.Time
	round int
	what  string
}

// TestKill9PITRHistory runs writers on a table with PITR on — a few keys
// with ~300 KB items so shipping is busy — and kills the server with
// SIGKILL, round after round, in odd rounds at a random moment and in even
// ones while it is writing a PITR object to the repository (a log segment
// or a base snapshot). After each restart it checks (a) that the history
// has no gap and no duplicate: once the latest restorable time passes the
// restart, a restore to it holds exactly every acknowledged write, with
// unacknowledged ones resolved as the restarted table did; and (b) that
// restores to instants recorded during the round and right before the
// kill — and to one of an earlier round, across the kills since — hold
// exactly the writes acknowledged by then, for every key no write was in
// flight on at the instant. The recovery window's start must not move.
func TestKill9PITRHistory(t *testing.T) {
	seed := testSeed(t)
	rng := rand.New(rand.NewPCG(seed, 11))
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	logPath := filepath.Join(dir, "server.log")
	logServerOnFailure(t, logPath)
	ctx := context.Background()

	const smallWriters, smallKeys, bigKeys = 6, 32, 6
	owned := make([][]*pkey, smallWriters+1)
	var all []*pkey
	for w := range smallWriters + 1 {
		n := smallKeys
		if w == smallWriters {
			n = bigKeys
		}
		for i := range n {
			k := &pkey{key: &key{pk: fmt.Sprintf("w%d-p%02d", w, i/4), sk: fmt.Sprintf("s%d", i%4), nextSeq: 1}, big: w == smallWriters}
			owned[w] = append(owned[w], k)
			all = append(all, k)
		}
	}
	plain := make([]*key, len(all))
	for i, k := range all {
		plain[i] = k.key
	}

	srv := startServer(t, dataDir, logPath)
	db := newClient(srv.endpoint, 8)
	createTable(t, db)
	arn := aws.ToString(waitTableActive(ctx, t, db, tableName).TableArn)
	out, err := db.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(tableName),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	if err != nil {
		t.Fatalf("UpdateContinuousBackups: %v", err)
	}
	earliest := aws.ToTime(out.ContinuousBackupsDescription.PointInTimeRecoveryDescription.EarliestRestorableDateTime)
	// A restore to the window's start needs the first base snapshot: once
	// it is done, the base is in the repository and no kill can lose it.
	restores := 0
	restore := func(at time.Time) string {
		target := fmt.Sprintf("pitr-restored-%d", restores)
		restores++
		in := &dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(tableName), TargetTableName: aws.String(target)}
		if at.IsZero() {
			in.UseLatestRestorableTime = aws.Bool(true)
		} else {
			in.RestoreDateTime = aws.Time(at)
		}
		out, err := db.RestoreTableToPointInTime(ctx, in)
		if err != nil {
			t.Fatalf("RestoreTableToPointInTime to %s: %v", fmtInstant(at), err)
		}
		if rs := out.TableDescription.RestoreSummary; rs == nil || aws.ToString(rs.SourceTableArn) != arn ||
			(!at.IsZero() && !aws.ToTime(rs.RestoreDateTime).Equal(at)) {
			t.Fatalf("RestoreTableToPointInTime to %s: RestoreSummary %+v", fmtInstant(at), rs)
		}
		return target
	}
	checkPITRRestore(ctx, t, db, restore(earliest), "restore to the window's start", all, func(k *pkey) (state, bool) { return state{}, true })

	var instants []pitrInstant
	for round := 1; round <= *roundsFlag; round++ {
		var (
			killed    atomic.Bool
			acked     atomic.Int64
			uncertain atomic.Int64
			preKill   = make(chan error, 64)
		)
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := range owned {
			wg.Add(1)
			wr := rand.New(rand.NewPCG(seed, uint64(round*1000+w)))
			go func() {
				defer wg.Done()
				pitrWriter(wctx, db, owned[w], wr, &killed, &acked, &uncertain, preKill)
			}()
		}
		target := int64(300 + rng.IntN(900))
		deadline := time.Now().Add(45 * time.Second)
		for j := int64(1); j <= 3; j++ {
			for acked.Load() < target*j/3 && time.Now().Before(deadline) && len(preKill) == 0 {
				time.Sleep(time.Millisecond)
			}
			if j < 3 {
				instants = append(instants, pitrInstant{wallNow().Truncate(time.Millisecond), round, "while writing"})
			}
		}
		if acked.Load() < target {
			t.Fatalf("round %d: only %d writes acknowledged in 45 s (wanted %d before the kill)", round, acked.Load(), target)
		}
		how := "at a random moment"
		if round%2 == 0 {
			how = "while no PITR object was being written (none seen within 5 s)"
			if obj := waitPITRWrite(srv, dataDir, 5*time.Second); obj != "" {
				how = "while the PITR object " + obj + " was being written to the repository"
			}
		} else {
			time.Sleep(time.Duration(rng.IntN(1000)) * time.Millisecond)
		}
		instants = append(instants, pitrInstant{wallNow().Truncate(time.Millisecond), round, "right before the kill"})
		killed.Store(true)
		srv.kill9()
		killEnd := wallNow()
		cancel()
		wg.Wait()
		close(preKill)
		n := 0
		for err := range preKill {
			if n++; n <= 5 {
				t.Errorf("round %d: write failed while the server was up: %v", round, err)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		t.Logf("round %d: kill -9 %s after %d acknowledged writes; %d unacknowledged", round, how, acked.Load(), uncertain.Load())

		srv = startServer(t, dataDir, logPath)
		restarted := wallNow()
		db = newClient(srv.endpoint, 8)
		verify(t, fmt.Sprintf("after kill -9 #%d", round), db, plain)
		for _, k := range all {
			if n := len(k.hist); n > 0 && k.hist[n-1].pending {
				k.hist[n-1] = hop{start: k.hist[n-1].start, end: killEnd, after: k.cur}
			}
		}
		if t.Failed() {
			t.FailNow()
		}

		// (a) No gap, no duplicate: everything before the kill is restorable.
		e, latest := waitLatest(ctx, t, db, restarted)
		if !e.Equal(earliest) {
			t.Errorf("round %d: EarliestRestorableDateTime moved from %s to %s", round, fmtInstant(earliest), fmtInstant(e))
		}
		checkPITRRestore(ctx, t, db, restore(time.Time{}), fmt.Sprintf("round %d: restore to the latest restorable time (≥ %s)", round, fmtInstant(latest)),
			all, func(k *pkey) (state, bool) { return k.cur, true })

		// (b) Instants of this round, and one of an earlier round.
		var check []pitrInstant
		for _, in := range instants {
			if in.round == round {
				check = append(check, in)
			}
		}
		var older []pitrInstant
		for _, in := range instants {
			if in.round < round {
				older = append(older, in)
			}
		}
		if len(older) > 0 {
			check = append(check, older[rng.IntN(len(older))])
		}
		for _, in := range check {
			what := fmt.Sprintf("round %d: restore to %s (%s in round %d)", round, fmtInstant(in.at), in.what, in.round)
			checkPITRRestore(ctx, t, db, restore(in.at), what, all, func(k *pkey) (state, bool) { return k.expectedAt(in.at) })
		}
		if t.Failed() {
			return
		}
	}
	if err := srv.stop(); err != nil {
		t.Errorf("server exit after SIGTERM: %v (want exit status 0)", err)
	}
	if b, _ := os.ReadFile(logPath); strings.Contains(string(b), "level=ERROR") {
		var lines []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.Contains(l, "level=ERROR") {
				lines = append(lines, l)
			}
		}
		t.Errorf("errors in the server log:\n%s", strings.Join(lines, "\n"))
	}
}

// pitrWriter runs random writes on its own keys until ctx ends, recording
// each in the key's history. A write that returns without error is
// acknowledged; one that fails leaves the key uncertain (before or after)
// and frozen, with a pending hop.
func pitrWriter(ctx context.Context, db *dynamodb.Client, keys []*pkey, r *rand.Rand,
	killed *atomic.Bool, acked, uncertain *atomic.Int64, preKill chan<- error) {
	plain := make([]*key, len(keys))
	byKey := map[*key]*pkey{}
	for i, k := range keys {
		plain[i] = k.key
		byKey[k.key] = k
	}
	for ctx.Err() == nil {
		n := 1 + r.IntN(6)
		if keys[0].big {
			n = 1 + r.IntN(2)
		}
		free := pickFree(plain, r, n)
		if len(free) == 0 {
			return
		}
		ks := make([]*pkey, len(free))
		for i, k := range free {
			ks[i] = byKey[k]
		}
		k := ks[0]
		afters := make([]state, len(ks))
		start := wallNow()
		var err error
		var unprocessed map[string]bool
		switch p := r.IntN(100); {
		case p < 40: // PutItem
			ks = ks[:1]
			var item map[string]types.AttributeValue
			afters[0], item = pitrPut(k)
			k.lastOp = fmt.Sprintf("PutItem seq=%d", afters[0].seq)
			_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(tableName), Item: item})
		case p < 70: // UpdateItem: SET seq, ADD cnt 1 (creates the item if absent)
			ks = ks[:1]
			seq := k.nextSeq
			k.nextSeq++
			afters[0] = state{exists: true, seq: seq, cnt: 1}
			if k.cur.exists {
				afters[0].cnt = k.cur.cnt + 1
				afters[0].val = k.cur.val
			}
			k.lastOp = fmt.Sprintf("UpdateItem SET seq=%d ADD cnt 1", seq)
			_, err = db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
				TableName: aws.String(tableName), Key: k.av(),
				UpdateExpression: aws.String("SET seq = :s ADD cnt :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":s":   &types.AttributeValueMemberN{Value: strconv.FormatInt(seq, 10)},
					":one": &types.AttributeValueMemberN{Value: "1"},
				},
			})
		case p < 85: // DeleteItem
			ks = ks[:1]
			k.lastOp = "DeleteItem"
			_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(tableName), Key: k.av()})
		default: // BatchWriteItem over several keys
			var reqs []types.WriteRequest
			for i, bk := range ks {
				if r.IntN(3) == 0 {
					bk.lastOp = "DeleteItem in BatchWriteItem"
					reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: bk.av()}})
					continue
				}
				var item map[string]types.AttributeValue
				afters[i], item = pitrPut(bk)
				bk.lastOp = fmt.Sprintf("PutItem seq=%d in BatchWriteItem", afters[i].seq)
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: item}})
			}
			var out *dynamodb.BatchWriteItemOutput
			out, err = db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{tableName: reqs}})
			if err == nil {
				unprocessed = map[string]bool{}
				for _, u := range out.UnprocessedItems[tableName] {
					var key map[string]types.AttributeValue
					if u.PutRequest != nil {
						key = u.PutRequest.Item
					} else if u.DeleteRequest != nil {
						key = u.DeleteRequest.Key
					}
					pk, _ := key["pk"].(*types.AttributeValueMemberS)
					sk, _ := key["sk"].(*types.AttributeValueMemberS)
					if pk != nil && sk != nil {
						unprocessed[pk.Value+"/"+sk.Value] = true
					}
				}
			}
		}
		end := wallNow()
		if err != nil {
			if !killed.Load() {
				select {
				case preKill <- fmt.Errorf("%s on %s: %w", k.lastOp, k.name(), err):
				default:
				}
			}
			for i, bk := range ks {
				bk.uncertain = true
				bk.alt = afters[i]
				bk.hist = append(bk.hist, hop{start: start, after: afters[i], pending: true})
			}
			uncertain.Add(1)
			continue
		}
		for i, bk := range ks {
			if !unprocessed[bk.name()] { // an unprocessed request did not happen
				bk.cur = afters[i]
			}
			bk.hist = append(bk.hist, hop{start: start, end: end, after: bk.cur})
		}
		acked.Add(1)
	}
}

// pitrPut is putState with ~300 KB values for the big keys.
func pitrPut(k *pkey) (state, map[string]types.AttributeValue) {
	after, item := putState(k.key)
	if k.big {
		after.val = fmt.Sprintf("%s/%s#%d:", k.pk, k.sk, after.seq) + strings.Repeat(strconv.FormatInt(after.seq%10, 10)+"xyzw", 300<<10/5)
		item["val"] = &types.AttributeValueMemberS{Value: after.val}
	}
	return after, item
}

// waitPITRWrite waits (up to max) until the server is writing a PITR
// object to the repository — its writer lock locks/<id> names a "pitr/"
// object and the server's pid — and returns the object's id ("" if it saw
// none): "…:l:…" a log segment, "…:b:…" a base snapshot.
func waitPITRWrite(srv *server, dataDir string, max time.Duration) string {
	dir := filepath.Join(dataDir, "repository", "locks")
	pid := srv.cmd.Process.Pid
	deadline := time.Now().Add(max)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				continue
			}
			var li struct {
				For string `json:"for"`
				PID int    `json:"pid"`
			}
			if json.Unmarshal(b, &li) == nil && li.PID == pid && strings.HasPrefix(li.For, "pitr/") {
				return strings.TrimPrefix(li.For, "pitr/")
			}
		}
		time.Sleep(500 * time.Microsecond)
	}
	return ""
}

// waitLatest polls DescribeContinuousBackups until the latest restorable
// time reaches at (one minute at most) and returns the window.
func waitLatest(ctx context.Context, t *testing.T, db *dynamodb.Client, at time.Time) (earliest, latest time.Time) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		out, err := db.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(tableName)})
		if err != nil {
			t.Fatalf("DescribeContinuousBackups: %v", err)
		}
		p := out.ContinuousBackupsDescription.PointInTimeRecoveryDescription
		if p == nil || p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusEnabled {
			t.Fatalf("DescribeContinuousBackups after a restart: %+v, want PITR ENABLED", p)
		}
		earliest, latest = aws.ToTime(p.EarliestRestorableDateTime), aws.ToTime(p.LatestRestorableDateTime)
		if !latest.Before(at) {
			return earliest, latest
		}
		if time.Now().After(deadline) {
			t.Fatalf("LatestRestorableDateTime still %s a minute later, want ≥ %s", fmtInstant(latest), fmtInstant(at))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkPITRRestore waits for a restored table and compares it with want:
// every key want knows (ok) must hold exactly its state; no item of
// another key may exist; ItemCount must match. It then drops the table.
func checkPITRRestore(ctx context.Context, t *testing.T, db *dynamodb.Client, target, what string, keys []*pkey, want func(*pkey) (state, bool)) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var td *types.TableDescription
	for {
		out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(target)})
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			t.Fatalf("%s: the target %s disappeared while CREATING: the restore failed", what, target)
		}
		if err != nil {
			t.Fatalf("%s: DescribeTable: %v", what, err)
		}
		if out.Table.TableStatus == types.TableStatusActive {
			td = out.Table
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s not ACTIVE after 2 minutes", what, target)
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := map[string]state{}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(target)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("%s: Scan: %v", what, err)
		}
		for _, it := range page.Items {
			name := it["pk"].(*types.AttributeValueMemberS).Value + "/" + it["sk"].(*types.AttributeValueMemberS).Value
			st, err := parseState(it)
			if err != nil {
				t.Fatalf("%s: item %s: %v", what, name, err)
			}
			if _, dup := got[name]; dup {
				t.Fatalf("%s: item %s twice", what, name)
			}
			got[name] = st
		}
	}
	if n := aws.ToInt64(td.ItemCount); n != int64(len(got)) {
		t.Errorf("%s: ItemCount %d, the scan found %d items", what, n, len(got))
	}
	checked, skipped, bad := 0, 0, 0
	for _, k := range keys {
		g := got[k.name()]
		delete(got, k.name())
		w, ok := want(k)
		if !ok {
			skipped++
			continue
		}
		checked++
		if g != w {
			if bad++; bad <= 10 {
				t.Errorf("%s: key %s = %v, want %v (history: %s)", what, k.name(), g, w, k.history())
			}
		}
	}
	for name, st := range got {
		t.Errorf("%s: item %s = %v of no key the writers own", what, name, st)
	}
	t.Logf("%s: %d keys checked exactly, %d with a write in flight skipped", what, checked, skipped)
	if _, err := db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(target)}); err != nil {
		t.Fatalf("DeleteTable %s: %v", target, err)
	}
}

// history renders the key's last writes for a failure message.
func (k *pkey) history() string {
	h := k.hist
	if len(h) > 6 {
		h = h[len(h)-6:]
	}
	var parts []string
	for _, x := range h {
		parts = append(parts, fmt.Sprintf("[%s, %s]→%v", fmtInstant(x.start), fmtInstant(x.end), x.after))
	}
	return strings.Join(parts, " ")
}

func fmtInstant(t time.Time) string {
	if t.IsZero() {
		return "latest"
	}
	return t.UTC().Format("15:04:05.000000")
}
