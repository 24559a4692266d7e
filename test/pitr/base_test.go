package pitr

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/ebbtide/ebbtide/ebbtidetest"
	"github.com/ebbtide/ebbtide/test/oracle"
)

// seqOp is one write of a sequential writer: its interval and the item it
// left under its key (nil: deleted).
type seqOp struct {
	start, end time.Time
	pk         string
	item       oracle.Item
}

// stateAt returns the items the writes acknowledged by at left, and
// whether at is clear of every write (so the state is exact).
func stateAt(ops []seqOp, at time.Time) (map[string]oracle.Item, bool) {
	out := map[string]oracle.Item{}
	for _, o := range ops {
		if !o.start.Before(committedBy(at)) {
			break
		}
		if !o.end.Before(committedBy(at)) {
			return nil, false
		}
		if o.item == nil {
			delete(out, o.pk)
		} else {
			out[o.pk] = o.item
		}
	}
	return out, true
}

// TestPITRNewBaseSnapshot writes large items until the shipped log passes
// the size that triggers a new base snapshot (64 MiB) and the repository
// holds a second base, then restores to instants before that base, around
// its bounds and after it: a restore must take the newest base at or
// before its instant and replay the log after the base's lower bound, so
// each restored table must hold exactly the state the writes acknowledged
// by then left. (The repository's object names are read only to know when
// the base exists and where it lies.)
func TestPITRNewBaseSnapshot(t *testing.T) {
	srv := ebbtidetest.Start(t)
	c := newClient(srv.Endpoint)
	ctx := context.Background()
	const source = "base-source"
	oracle.CreateTable(t, c, source)
	arn := aws.ToString(oracle.DescribeTable(t, c, source).TableArn)
	setPITR(t, c, source, true, nil)
	id := aws.ToString(oracle.DescribeTable(t, c, source).TableId)
	bases := func() [][2]time.Time { return baseBounds(t, srv.DataDir, id) }

	deadline := time.Now().Add(40 * time.Second)
	for len(bases()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no base snapshot in the repository 40 s after enabling PITR")
		}
		time.Sleep(20 * time.Millisecond)
	}
	big := strings.Repeat("0123456789abcdef", 380<<10/16)
	var ops []seqOp
	write := func(i int) {
		pk := fmt.Sprintf("k%d", i%8)
		o := seqOp{pk: pk, start: wallNow()}
		var err error
		if i%11 == 10 {
			_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(source), Key: oracle.Key(pk)})
		} else {
			o.item = oracle.Item{"pk": oracle.Str(pk), "sk": oracle.Num(0), "n": oracle.Num(int64(i)), "ls": oracle.Num(int64(i % 5)),
				"big": oracle.Str(strconv.Itoa(i) + big)}
			_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(source), Item: o.item})
		}
		if err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		o.end = wallNow()
		ops = append(ops, o)
		time.Sleep(2 * time.Millisecond) // instants between writes are clear of both
	}
	i := 0
	for ; len(bases()) < 2; i++ {
		if time.Now().After(deadline) || i > 400 {
			t.Fatalf("after %d writes of 380 KiB (%s), the repository holds %d base snapshots of the table, want a second one",
				i, time.Since(deadline.Add(-40*time.Second)).Round(time.Millisecond), len(bases()))
		}
		write(i)
	}
	for end := i + 20; i < end; i++ {
		write(i)
	}
	bs := bases()
	second := bs[len(bs)-1]
	t.Logf("%d writes; base snapshots: %v", len(ops), bs)
	waitRestorable(t, c, source, ops[len(ops)-1].end)

	// Instants: clear of every write, spread over the history and packed
	// around the second base's bounds.
	var ins []time.Time
	addNear := func(at time.Time) {
		// the first clear instant after at: right after a write's response
		for _, o := range ops {
			if cand := ceilMilli(o.end); !cand.Before(at) {
				if _, ok := stateAt(ops, cand); ok {
					ins = append(ins, cand)
				}
				return
			}
		}
	}
	for _, k := range []int{0, len(ops) / 4, len(ops) / 2} {
		addNear(ops[k].end)
	}
	for _, d := range []time.Duration{-100, -10, -1, 0, 1, 10, 100} {
		addNear(second[0].Add(d * time.Millisecond))
		addNear(second[1].Add(d * time.Millisecond))
	}
	addNear(ops[len(ops)-1].end)
	ins = dedupTimes(ins)
	for j, at := range ins {
		restoreTo(t, c, source, arn, fmt.Sprintf("base-restored-%02d", j), at)
	}
	for j, at := range ins {
		target := fmt.Sprintf("base-restored-%02d", j)
		td := waitRestored(t, c, target)
		want, _ := stateAt(ops, at)
		ws := map[string]string{}
		for k, it := range want {
			ws[k] = oracle.Canonical(it)
		}
		got := oracle.ScanAll(t, c, target, nil)
		oracle.CompareMaps(t, fmt.Sprintf("restore to %s (second base [%s, %s])", fmtTime(at), fmtTime(second[0]), fmtTime(second[1])), ws, got)
		oracle.CheckLSI(t, c, target, got)
		if n := aws.ToInt64(td.ItemCount); n != int64(len(want)) {
			t.Errorf("%s: ItemCount %d, want %d", target, n, len(want))
		}
		if t.Failed() {
			t.FailNow()
		}
		deleteTable(t, c, target)
	}
	t.Logf("%d restores checked", len(ins))
}

// baseBounds returns the [lo, hi] bounds of the table's base snapshots in
// the repository, oldest first: the manifests named
// "<account>:<region>:<tableId>:b:<hi>-<lo>" (hybrid-logical-clock
// timestamps in hex, microseconds above the low 12 bits).
func baseBounds(t *testing.T, dataDir, tableID string) [][2]time.Time {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dataDir, "repository", "manifests", "pitr"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]time.Time
	for _, e := range ents {
		_, span, ok := strings.Cut(e.Name(), ":"+tableID+":b:")
		if !ok {
			continue
		}
		a, b, _ := strings.Cut(span, "-")
		hi, err1 := strconv.ParseUint(a, 16, 64)
		lo, err2 := strconv.ParseUint(b, 16, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("unexpected base snapshot name %q", e.Name())
		}
		out = append(out, [2]time.Time{time.UnixMicro(int64(lo >> 12)), time.UnixMicro(int64(hi >> 12))})
	}
	return out
}

func dedupTimes(ts []time.Time) []time.Time {
	var out []time.Time
	seen := map[time.Time]bool{}
	for _, x := range ts {
		if !seen[x.UTC()] {
			seen[x.UTC()] = true
			out = append(out, x)
		}
	}
	return out
}
