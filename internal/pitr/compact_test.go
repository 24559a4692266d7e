package pitr

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"
)

// TestCompaction: runs of small segments are merged into one, and the
// merged history restores exactly at every instant it covers. Segments of
// a few bytes are rewritten (their chunks packed); segments of full chunks
// are merged by reference.
func TestCompaction(t *testing.T) {
	for _, tc := range []struct {
		name     string
		valueLen int // bytes per write; each round writes 4 items
		byRef    bool
	}{{"rewritten", 1, false}, {"by reference", 4 << 10, true}} {
		t.Run(tc.name, func(t *testing.T) { testCompaction(t, tc.valueLen, tc.byRef) })
	}
}

func testCompaction(t *testing.T, valueLen int, byRef bool) {
	e := newEnv(t)
	e.createTable(t, "clicks")
	model := map[string]string{}
	if _, err := e.svc.Update(bg, "clicks", true, nil); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	var points []time.Time
	var states []map[string]string
	const rounds = 3*compactSegments + 2
	for i := range rounds {
		e.clk.Advance(time.Second)
		for k := range 4 {
			v := fmt.Sprintf("v%d.%d.", i, k)
			e.put(t, "clicks", fmt.Sprintf("c%d", (i+k)%6), v+strings.Repeat("x", max(0, valueLen-len(v))), model)
		}
		points = append(points, e.clk.Now())
		states = append(states, maps.Clone(model))
		e.clk.Advance(time.Millisecond)
		e.settle(t)
	}
	_, segs, err := e.svc.objects(bg, e.svc.mustState(t, "clicks").TableID)
	if err != nil {
		t.Fatal(err)
	}
	// Each pass ships one segment and merges a full run: what is left is
	// merged segments plus fewer than a run of small ones.
	small, concatenated := 0, 0
	for _, o := range segs {
		if o.hi.Time().Sub(o.lo.Time()) <= smallSegment {
			small++
		}
		m, err := e.svc.rp.Manifest(bg, repoKind, o.id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Parts != nil {
			concatenated++
		}
	}
	if (concatenated > 0) != byRef {
		t.Fatalf("%d of %d segments merged by reference, want by reference: %v", concatenated, len(segs), byRef)
	}
	if len(segs) >= rounds || small >= compactSegments+1 {
		t.Fatalf("%d segments (%d small) after %d shipped: compaction did not merge", len(segs), small, rounds)
	}
	t.Logf("%d shipped segments compacted to %d (%d small)", rounds, len(segs), small)
	for i, at := range points {
		got := e.restore(t, "clicks", at, fmt.Sprintf("clicks-%02d", i))
		if !maps.Equal(got, states[i]) {
			t.Fatalf("restore to point %d (%s): %v, want %v", i, at, got, states[i])
		}
	}
}

// TestCompactionInterrupted: a crash between writing a merged segment and
// deleting the segments it replaces leaves them overlapping. Restores are
// exact meanwhile, and start-up (reconcile) removes the contained ones and
// leaves the merged one readable — by reference, the merged segment
// shares its chunks with those it replaced.
func TestCompactionInterrupted(t *testing.T) {
	for _, tc := range []struct {
		name     string
		valueLen int
	}{{"rewritten", 1}, {"by reference", 4 << 10}} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.createTable(t, "clicks")
			if _, err := e.svc.Update(bg, "clicks", true, nil); err != nil {
				t.Fatal(err)
			}
			e.settle(t)
			model := map[string]string{}
			var points []time.Time
			var states []map[string]string
			for i := range compactSegments {
				e.clk.Advance(time.Second)
				for k := range 4 {
					v := fmt.Sprintf("v%d.%d.", i, k)
					e.put(t, "clicks", fmt.Sprintf("c%d", (i+k)%6), v+strings.Repeat("x", max(0, tc.valueLen-len(v))), model)
				}
				points = append(points, e.clk.Now())
				states = append(states, maps.Clone(model))
				e.clk.Advance(time.Millisecond)
				st := e.svc.mustState(t, "clicks")
				if err := e.svc.ship(bg, &st); err != nil { // a pass without compaction
					t.Fatal(err)
				}
			}
			id := e.svc.mustState(t, "clicks").TableID
			_, segs, err := e.svc.objects(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) != compactSegments {
				t.Fatalf("%d segments shipped, want %d", len(segs), compactSegments)
			}
			merged := e.svc.segmentID(id, segs[0].lo, segs[len(segs)-1].hi)
			if err := e.svc.merge(bg, merged, segs); err != nil { // then the crash
				t.Fatal(err)
			}
			check := func(when string) {
				for i, at := range points {
					got := e.restore(t, "clicks", at, fmt.Sprintf("clicks-%s-%d", when, i))
					if !maps.Equal(got, states[i]) {
						t.Fatalf("%s: restore to point %d: %v, want %v", when, i, got, states[i])
					}
				}
			}
			check("overlapping")
			if err := e.svc.reconcile(bg); err != nil {
				t.Fatal(err)
			}
			_, segs, err = e.svc.objects(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(segs) != 1 || segs[0].id != merged {
				t.Fatalf("after start-up: %d segments (%v), want only the merged one", len(segs), segs)
			}
			check("repaired")
		})
	}
}
