package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func scanKeyID(it attr.Item) string { return encKey(it["pk"]) + "/" + encKey(it["sk"]) }

func TestScanSegmentsPartitionTable(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("S", attr.KindS, attr.KindN))
	var items []attr.Item
	for p := range 150 {
		for s := range 2 {
			items = append(items, withAttrs(key(attr.S(fmt.Sprintf("user%d", p)), num(s)), "x", num(p)))
		}
	}
	putMany(t, e, "S", items)
	all := scanAll(t, e, "S")
	if len(all) != len(items) {
		t.Fatalf("scan found %d items, want %d", len(all), len(items))
	}
	// Storage order is hash order, and a partition's items are adjacent and sorted.
	ts, _ := e.lookup("S")
	var prev []byte
	for _, it := range all {
		k, _ := ts.itemKey(key(it["pk"], it["sk"]))
		if prev != nil && string(prev) >= string(k) {
			t.Fatal("scan not in storage order")
		}
		prev = k
	}

	for _, total := range []int{1, 2, 3, 4, 7, 16, 1000} {
		seen := map[string]int{}
		empty := 0
		for seg := range total {
			got := collect(t, func(v VisitFunc) error {
				return e.Scan(bg, "S", ScanSpec{Segment: seg, TotalSegments: total}, v)
			})
			if len(got) == 0 {
				empty++
			}
			for _, it := range got {
				seen[scanKeyID(it)]++
			}
		}
		if len(seen) != len(items) {
			t.Fatalf("%d segments cover %d items, want %d", total, len(seen), len(items))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("%d segments: item %q seen %d times", total, id, n)
			}
		}
		if total <= 16 && empty > 0 {
			t.Errorf("%d segments: %d empty (hash spread too uneven)", total, empty)
		}
	}
}

func TestScanPagination(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("S", attr.KindN, attr.KindInvalid))
	var items []attr.Item
	for i := range 100 {
		items = append(items, key(num(i)))
	}
	putMany(t, e, "S", items)
	for _, spec := range []ScanSpec{{}, {Segment: 1, TotalSegments: 3}} {
		want := collect(t, func(v VisitFunc) error { return e.Scan(bg, "S", spec, v) })
		var got []attr.Item
		s := spec
		for {
			var page []attr.Item
			err := e.Scan(bg, "S", s, func(it attr.Item) (bool, error) {
				page = append(page, it)
				return len(page) < 7, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, page...)
			if len(page) < 7 {
				break
			}
			s.ExclusiveStart = page[len(page)-1]
		}
		checkSame(t, fmt.Sprintf("paged scan %+v", spec), got, want)
	}
}

func TestScanErrors(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("S", attr.KindN, attr.KindInvalid))
	put(t, e, "S", key(num(1)))
	visit := func(attr.Item) (bool, error) { return true, nil }
	for _, s := range []ScanSpec{{Segment: 1}, {Segment: -1, TotalSegments: 2}, {Segment: 2, TotalSegments: 2}} {
		if err := e.Scan(bg, "S", s, visit); !errors.Is(err, ErrInvalidSegment) {
			t.Errorf("%+v: %v", s, err)
		}
	}
	if err := e.Scan(bg, "S", ScanSpec{ExclusiveStart: key(attr.S("x"))}, visit); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad ExclusiveStart: %v", err)
	}
	if err := e.Scan(bg, "nope", ScanSpec{}, visit); !errors.Is(err, ErrTableNotFound) {
		t.Errorf("unknown table: %v", err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := e.Scan(ctx, "S", ScanSpec{}, visit); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

// A scan sees the table as of its start, even while it is being written.
func TestScanIsConsistentView(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("S", attr.KindN, attr.KindInvalid))
	var items []attr.Item
	for i := range 50 {
		items = append(items, key(num(i)))
	}
	putMany(t, e, "S", items)
	n := 0
	err := e.Scan(bg, "S", ScanSpec{}, func(attr.Item) (bool, error) {
		if n == 0 { // write after the scan started: invisible to it
			put(t, e, "S", key(num(1000)))
			del(t, e, "S", key(num(0)))
		}
		n++
		return true, nil
	})
	if err != nil || n != 50 {
		t.Fatalf("scan saw %d items (err %v), want 50", n, err)
	}
}
