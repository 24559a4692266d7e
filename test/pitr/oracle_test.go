// Package pitr holds end-to-end tests of point-in-time recovery through the
// real SDK against an in-process server: an oracle test (concurrent writers
// while PITR is turned on, then restores to many instants compared with
// the writers' histories) and millisecond-exact instants (oracle_test.go);
// the SYSTEM backup DeleteTable leaves of a table with PITR on
// (system_backup_test.go); restores across a second base snapshot
// (base_test.go); UpdateContinuousBackups semantics and the indexes a
// restore takes (settings_test.go); restores that outlive their source's
// history (restore_race_test.go). test/crash has the kill -9 test of PITR.
//
//	go test ./test/pitr -v                           # random seed, logged
//	go test ./test/pitr -run Oracle -pitr.seed=N -v  # reproduce a run
package pitr

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

var seedFlag = flag.Uint64("pitr.seed", 0, "random seed (0: time-based; the seed is logged)")

// ttlItem is an item put once, on a key no writer owns, with a TTL in the
// past (the expirer deletes it: a service write whose instant the oracle
// cannot know) or an hour ahead (it stays).
type ttlItem struct {
	pk         string
	item       oracle.Item
	expiring   bool
	start, end time.Time // the PutItem
	// goneBy (expiring items): a consistent read answered before it found
	// the item gone, so the deletion committed before it.
	goneBy time.Time
}

// instant is a restore instant; the zero time is UseLatestRestorableTime.
type instant struct {
	name string
	at   time.Time
}

// restored is a restore the test started.
type restored struct {
	instant
	target string
}

// TestPITROracle runs concurrent random writers on a table with a GSI, an
// LSI and TTL, turns PITR on while they write, then restores the table to
// many instants of the window — its ends, whole seconds, random
// milliseconds, just before and just after operations, the latest
// restorable time — and checks each restored table: for every writer,
// exactly the state after a prefix of its operations that the instant
// allows (every operation acknowledged before it, none sent after it);
// TTL-expired items absent once their deletion was observed and before
// their put, the others as written; indexes equal to those recomputed from
// the items; RestoreSummary, ItemCount, no TTL and no PITR carried over.
// Restores outside the window and of a table without PITR are refused.
func TestPITROracle(t *testing.T) {
	seed := testSeed(t)
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const source = "pitr-source"
	oracle.CreateTable(t, c, source)
	sourceARN := aws.ToString(oracle.DescribeTable(t, c, source).TableArn)
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(source),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String("exp"), Enabled: aws.Bool(true)}}); err != nil {
		t.Fatalf("UpdateTimeToLive: %v", err)
	}
	if p := describePITR(t, c, source); p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled ||
		p.EarliestRestorableDateTime != nil || p.LatestRestorableDateTime != nil || p.RecoveryPeriodInDays != nil {
		t.Fatalf("new table: PointInTimeRecoveryDescription %+v, want only DISABLED", p)
	}

	// Writers start before PITR is on: enabling it must capture a
	// consistent boundary under concurrent writes.
	ws := oracle.NewWriters(4, 24)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, len(ws)+1)
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w.ID)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := w.Step(ctx, c, source, rng); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w.ID, err)
					return
				}
			}
		}()
	}
	var ttls []*ttlItem
	wg.Add(1)
	go func() {
		defer wg.Done()
		var err error
		ttls, err = putTTLItems(ctx, c, source, rand.New(rand.NewPCG(seed, 100)), stop)
		if err != nil {
			errs <- err
		}
	}()

	rng := rand.New(rand.NewPCG(seed, 99))
	time.Sleep(time.Duration(200+rng.IntN(300)) * time.Millisecond)
	enableStart := wallNow()
	p := setPITR(t, c, source, true, nil)
	enableEnd := wallNow()
	if aws.ToInt32(p.RecoveryPeriodInDays) != 35 || p.EarliestRestorableDateTime == nil || p.LatestRestorableDateTime == nil {
		t.Fatalf("UpdateContinuousBackups enable: %+v, want RecoveryPeriodInDays 35 and a window", p)
	}
	earliest := *p.EarliestRestorableDateTime
	if earliest.Before(enableStart.Truncate(time.Millisecond)) || earliest.After(ceilMilli(enableEnd)) || p.LatestRestorableDateTime.Before(earliest) {
		t.Fatalf("UpdateContinuousBackups enable called in [%s, %s]: window [%s, %s]", fmtTime(enableStart), fmtTime(enableEnd),
			fmtTime(earliest), fmtTime(*p.LatestRestorableDateTime))
	}
	// While they write, restore to the latest restorable time, named and
	// with the flag: every commit up to it must already be in the history.
	var rs []restored
	runEnd := time.Now().Add(time.Duration(3000+rng.IntN(1000)) * time.Millisecond)
	for i := 0; time.Now().Before(runEnd); i++ {
		time.Sleep(time.Duration(200+rng.IntN(400)) * time.Millisecond)
		in := instant{name: "UseLatestRestorableTime during the writes"}
		if i%2 == 1 {
			_, latest := window(t, c, source)
			in = instant{"LatestRestorableDateTime during the writes", latest}
		}
		target := fmt.Sprintf("pitr-during-%02d", i)
		if d := restoreTo(t, c, source, sourceARN, target, in.at); in.at.IsZero() {
			in.at = *d.RestoreSummary.RestoreDateTime
		}
		rs = append(rs, restored{in, target})
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	// The end of the history to check: the last operation, TTL put and
	// observed expiry.
	var lastEnd time.Time
	total := 0
	for _, w := range ws {
		total += len(w.Ops)
		if n := len(w.Ops); n > 0 && w.Ops[n-1].End.After(lastEnd) {
			lastEnd = w.Ops[n-1].End
		}
	}
	expiring := 0
	for _, x := range ttls {
		lastEnd = maxTime(lastEnd, maxTime(x.end, x.goneBy))
		if x.expiring {
			expiring++
		}
	}
	t.Logf("%d writers ran %d operations, %d TTL items put (%d expired by the TTL expirer)", len(ws), total, len(ttls), expiring)
	e2, latest := waitRestorable(t, c, source, lastEnd)
	if !e2.Equal(earliest) {
		t.Errorf("EarliestRestorableDateTime moved from %s to %s", fmtTime(earliest), fmtTime(e2))
	}

	// The instants to restore to.
	var ins []instant
	add := func(name string, at time.Time) {
		if !at.Before(earliest) && !at.After(latest) {
			ins = append(ins, instant{name, at})
		}
	}
	add("EarliestRestorableDateTime", earliest)
	add("LatestRestorableDateTime", latest)
	ins = append(ins, instant{name: "UseLatestRestorableTime"})
	for s, n := earliest.Truncate(time.Second).Add(time.Second), 0; !s.After(lastEnd) && n < 3; s, n = s.Add(time.Second), n+1 {
		add("whole second", s)
	}
	span := int64(lastEnd.Sub(earliest))
	for range 5 {
		add("random millisecond", earliest.Add(time.Duration(rng.Int64N(span))).Truncate(time.Millisecond))
	}
	for range 4 {
		w := ws[rng.IntN(len(ws))]
		if len(w.Ops) == 0 {
			continue
		}
		o := w.Ops[rng.IntN(len(w.Ops))]
		add(fmt.Sprintf("just before an operation of writer %d", w.ID), o.Start.Truncate(time.Millisecond).Add(-time.Millisecond))
		add(fmt.Sprintf("just after an operation of writer %d", w.ID), ceilMilli(o.End))
		add(fmt.Sprintf("millisecond within an operation of writer %d", w.ID), o.End.Truncate(time.Millisecond))
	}
	if len(ttls) > 0 {
		x := ttls[rng.IntN(len(ttls))]
		add("just before a TTL item's put", x.start.Truncate(time.Millisecond).Add(-time.Millisecond))
		add("just after a TTL item's put", ceilMilli(x.end))
	}

	// Start every restore, then check them (and those started during the
	// writes) one by one.
	for i, in := range ins {
		target := fmt.Sprintf("pitr-restored-%02d", i)
		d := restoreTo(t, c, source, sourceARN, target, in.at)
		if in.at.IsZero() {
			in.at = *d.RestoreSummary.RestoreDateTime
			if in.at.Before(latest) || in.at.After(ceilMilli(wallNow())) {
				t.Errorf("UseLatestRestorableTime restored to %s, before the LatestRestorableDateTime %s described earlier, or in the future", fmtTime(in.at), fmtTime(latest))
			}
		}
		rs = append(rs, restored{in, target})
	}
	owner := map[string]*oracle.Writer{}
	for _, w := range ws {
		for _, k := range w.Keys {
			owner[k] = w
		}
	}
	ttlKeys := map[string]bool{}
	for _, x := range ttls {
		ttlKeys[x.pk] = true
	}
	var ambiguous, ttlBefore, ttlGone int
	for _, r := range rs {
		what := fmt.Sprintf("restore to %s (%s) as %s", fmtTime(r.at), r.name, r.target)
		td := waitRestored(t, c, r.target)
		got := oracle.ScanAll(t, c, r.target, nil)
		for _, w := range ws {
			lo, hi := w.Bounds(committedBy(r.at), committedBy(r.at))
			if lo != hi {
				ambiguous++
			}
			w.CheckPrefix(t, what, lo, hi, got)
		}
		b, g := checkTTLItems(t, what, r.at, ttls, got)
		ttlBefore += b
		ttlGone += g
		for pk := range got {
			if owner[pk] == nil && !ttlKeys[pk] {
				t.Errorf("%s: item %s that was never written", what, oracle.Canonical(got[pk]))
			}
		}
		oracle.CheckGSI(t, c, r.target, got)
		oracle.CheckLSI(t, c, r.target, got)
		checkRestoredTable(t, c, what, td, sourceARN, r.at, len(got))
		if t.Failed() {
			t.FailNow()
		}
		deleteTable(t, c, r.target)
	}
	t.Logf("%d restores checked (%d writer prefixes left open by an operation in flight at the instant); TTL: %d checks of items absent before their put, %d of items absent after their observed expiry",
		len(rs), ambiguous, ttlBefore, ttlGone)
	if ttlGone == 0 {
		t.Error("no restore was late enough to check that expired items are absent")
	}

	// Instants outside the window, and tables without PITR, are refused.
	_, latest = window(t, c, source)
	for _, at := range []time.Time{earliest.Add(-time.Millisecond), time.Unix(0, 0), wallNow().Add(time.Hour)} {
		expectRestoreError[*types.InvalidRestoreTimeException](t, c, fmt.Sprintf("restore to %s outside [%s, %s]", at.UTC().Format(time.RFC3339Nano), fmtTime(earliest), fmtTime(latest)),
			&dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(source), TargetTableName: aws.String("pitr-refused"), RestoreDateTime: aws.Time(at)})
	}
	const plain = "pitr-never-enabled"
	oracle.CreateTable(t, c, plain)
	for _, in := range []*dynamodb.RestoreTableToPointInTimeInput{
		{SourceTableName: aws.String(plain), TargetTableName: aws.String("pitr-refused"), UseLatestRestorableTime: aws.Bool(true)},
		{SourceTableName: aws.String(plain), TargetTableName: aws.String("pitr-refused"), RestoreDateTime: aws.Time(wallNow().Add(-time.Second))},
	} {
		expectRestoreError[*types.PointInTimeRecoveryUnavailableException](t, c, "restore of a table without PITR", in)
	}
	p = setPITR(t, c, source, false, nil)
	if p.EarliestRestorableDateTime != nil || p.LatestRestorableDateTime != nil || p.RecoveryPeriodInDays != nil {
		t.Errorf("UpdateContinuousBackups disable: %+v, want only DISABLED", p)
	}
	if p := describePITR(t, c, source); p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("DescribeContinuousBackups after disabling: %s", p.PointInTimeRecoveryStatus)
	}
	expectRestoreError[*types.PointInTimeRecoveryUnavailableException](t, c, "restore after PITR was disabled",
		&dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(source), TargetTableName: aws.String("pitr-refused"), UseLatestRestorableTime: aws.Bool(true)})
	expectRestoreError[*types.PointInTimeRecoveryUnavailableException](t, c, "restore after PITR was disabled, to an instant of the old window",
		&dynamodb.RestoreTableToPointInTimeInput{SourceTableName: aws.String(source), TargetTableName: aws.String("pitr-refused"), RestoreDateTime: aws.Time(latest)})
}

// putTTLItems puts items on keys "ttl-NNN" until stop: two in three with
// a TTL 100 s in the past, the others an hour ahead. It polls the expiring
// ones with consistent reads until they are gone (the TTL expirer runs
// about every second), also after stop, for 30 s at most.
func putTTLItems(ctx context.Context, c *dynamodb.Client, table string, rng *rand.Rand, stop <-chan struct{}) ([]*ttlItem, error) {
	var out []*ttlItem
	poll := func() error {
		for _, x := range out {
			if !x.expiring || !x.goneBy.IsZero() {
				continue
			}
			r, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: oracle.Key(x.pk), ConsistentRead: aws.Bool(true)})
			if err != nil {
				return fmt.Errorf("GetItem %s: %w", x.pk, err)
			}
			if r.Item == nil {
				x.goneBy = wallNow()
			}
		}
		return nil
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			deadline := time.Now().Add(30 * time.Second)
			for {
				if err := poll(); err != nil {
					return out, err
				}
				left := 0
				for _, x := range out {
					if x.expiring && x.goneBy.IsZero() {
						left++
					}
				}
				if left == 0 {
					return out, nil
				}
				if time.Now().After(deadline) {
					return out, fmt.Errorf("%d items with a TTL in the past still there 30 s after the last was put", left)
				}
				time.Sleep(200 * time.Millisecond)
			}
		default:
		}
		x := &ttlItem{pk: fmt.Sprintf("ttl-%03d", i), expiring: i%3 != 2}
		exp := time.Now().Add(time.Hour).Unix()
		if x.expiring {
			exp = time.Now().Add(-100 * time.Second).Unix()
		}
		x.item = oracle.RandomItem(rng, x.pk)
		x.item["exp"] = oracle.Num(exp)
		x.start = wallNow()
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: x.item}); err != nil {
			return out, fmt.Errorf("PutItem %s: %w", x.pk, err)
		}
		x.end = wallNow()
		out = append(out, x)
		if err := poll(); err != nil {
			return out, err
		}
		time.Sleep(time.Duration(50+rng.IntN(100)) * time.Millisecond)
	}
}

// checkTTLItems checks the TTL items in a table restored to at: absent if
// put after at or if their expiry was observed by at; present as written
// if put before at and not expiring; otherwise absent or as written. It
// returns how many were checked absent for each of the two reasons.
func checkTTLItems(t *testing.T, what string, at time.Time, ttls []*ttlItem, got map[string]oracle.Item) (before, gone int) {
	t.Helper()
	for _, x := range ttls {
		g, present := got[x.pk]
		switch {
		case !x.start.Before(committedBy(at)):
			before++
			if present {
				t.Errorf("%s: TTL item %s is there, but it was put after the instant (at %s)", what, x.pk, fmtTime(x.start))
			}
		case x.expiring && !at.Before(x.goneBy):
			gone++
			if present {
				t.Errorf("%s: expired item %s is there, but a read at %s had found it deleted", what, x.pk, fmtTime(x.goneBy))
			}
		case present && oracle.Canonical(g) != oracle.Canonical(x.item):
			t.Errorf("%s: TTL item %s = %s, want %s", what, x.pk, oracle.Canonical(g), oracle.Canonical(x.item))
		case !present && !x.expiring && x.end.Before(committedBy(at)):
			t.Errorf("%s: TTL item %s (expiring in an hour) is missing; it was put by %s", what, x.pk, fmtTime(x.end))
		}
	}
	return before, gone
}

// checkRestoredTable checks a restored table's description and what a
// point-in-time restore does not carry over (TTL, PITR).
func checkRestoredTable(t *testing.T, c *dynamodb.Client, what string, td *types.TableDescription, sourceARN string, at time.Time, items int) {
	t.Helper()
	ctx := context.Background()
	if n := aws.ToInt64(td.ItemCount); n != int64(items) {
		t.Errorf("%s: ItemCount %d, the scan found %d", what, n, items)
	}
	rs := td.RestoreSummary
	if rs == nil || aws.ToString(rs.SourceTableArn) != sourceARN || rs.SourceBackupArn != nil || aws.ToBool(rs.RestoreInProgress) ||
		rs.RestoreDateTime == nil || !rs.RestoreDateTime.Equal(at) {
		t.Errorf("%s: RestoreSummary %s, want SourceTableArn %s, RestoreDateTime %s, no SourceBackupArn, not in progress",
			what, fmtSummary(rs), sourceARN, at.UTC().Format(time.RFC3339Nano))
	}
	if len(td.GlobalSecondaryIndexes) != 1 || len(td.LocalSecondaryIndexes) != 1 {
		t.Errorf("%s: %d GSIs and %d LSIs, want the source's one and one", what, len(td.GlobalSecondaryIndexes), len(td.LocalSecondaryIndexes))
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: td.TableName})
	if err != nil {
		t.Fatalf("%s: DescribeTimeToLive: %v", what, err)
	}
	if s := ttl.TimeToLiveDescription.TimeToLiveStatus; s != types.TimeToLiveStatusDisabled {
		t.Errorf("%s: TimeToLiveStatus %s; TTL settings are not restored", what, s)
	}
	if p := describePITR(t, c, aws.ToString(td.TableName)); p.PointInTimeRecoveryStatus != types.PointInTimeRecoveryStatusDisabled {
		t.Errorf("%s: PointInTimeRecoveryStatus %s; PITR settings are not restored", what, p.PointInTimeRecoveryStatus)
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TestPITRMillisecondInstants: a restore instant is exact to the
// millisecond. One item is written five times, 5 ms apart; restoring to
// the millisecond after each write's response (before the next write was
// sent) gives that version, and to the millisecond before each write was
// sent the previous one (or no item).
func TestPITRMillisecondInstants(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const source = "ms-source"
	oracle.CreateTable(t, c, source)
	arn := aws.ToString(oracle.DescribeTable(t, c, source).TableArn)
	setPITR(t, c, source, true, aws.Int32(1))
	time.Sleep(5 * time.Millisecond)
	const versions = 5
	var start, end [versions + 1]time.Time
	for v := 1; v <= versions; v++ {
		start[v] = wallNow()
		it := oracle.Item{"pk": oracle.Str("k"), "sk": oracle.Num(0), "v": oracle.Num(int64(v))}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(source), Item: it}); err != nil {
			t.Fatal(err)
		}
		end[v] = wallNow()
		time.Sleep(5 * time.Millisecond)
	}
	waitRestorable(t, c, source, end[versions])

	type check struct {
		target string
		at     time.Time
		want   int // version; 0: no item
	}
	var checks []check
	for v := 1; v <= versions; v++ {
		before := start[v].Truncate(time.Millisecond).Add(-time.Millisecond)
		after := ceilMilli(end[v])
		if v < versions && !start[v+1].After(committedBy(after)) {
			t.Fatalf("write %d was sent at %s, not after %s", v+1, fmtTime(start[v+1]), fmtTime(after))
		}
		checks = append(checks, check{fmt.Sprintf("ms-before-%d", v), before, v - 1}, check{fmt.Sprintf("ms-after-%d", v), after, v})
	}
	for _, k := range checks {
		restoreTo(t, c, source, arn, k.target, k.at)
	}
	for _, k := range checks {
		waitRestored(t, c, k.target)
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(k.target), Key: oracle.Key("k"), ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		if out.Item != nil {
			n, ok := out.Item["v"].(*types.AttributeValueMemberN)
			if !ok {
				t.Fatalf("%s: item %v", k.target, out.Item)
			}
			fmt.Sscan(n.Value, &got)
		}
		if got != k.want {
			t.Errorf("restore to %s (%s): version %d, want %d (writes: %s)", fmtTime(k.at), k.target, got, k.want, writesString(start[1:], end[1:]))
		}
	}
}

func writesString(start, end []time.Time) string {
	var parts []string
	for i := range start {
		parts = append(parts, fmt.Sprintf("v%d [%s, %s]", i+1, fmtTime(start[i]), fmtTime(end[i])))
	}
	return strings.Join(parts, ", ")
}
