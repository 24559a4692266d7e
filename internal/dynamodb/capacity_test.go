package dynamodb

import (
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestCapacityUnits(t *testing.T) {
	item := func(size int) attr.Item { // "pk" + 1-byte value + "v" + the rest
		return attr.Item{"pk": attr.S("a"), "v": attr.S(strings.Repeat("x", size-4))}
	}
	for _, c := range []struct {
		name     string
		old, new attr.Item
		want     float64
	}{
		{"nothing", nil, nil, 1},
		{"small", nil, item(10), 1},
		{"1 KB", item(1024), nil, 1},
		{"just over 1 KB", nil, item(1025), 2},
		{"larger side", item(3000), item(10), 3},
	} {
		if got := writeUnits(c.old, c.new); got != c.want {
			t.Errorf("writeUnits %s = %v, want %v", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		size       int
		consistent bool
		want       float64
	}{
		{0, false, 0.5}, {0, true, 1}, {4096, false, 0.5}, {4097, false, 1}, {4097, true, 2}, {1 << 20, true, 256},
	} {
		if got := readUnits(c.size, c.consistent); got != c.want {
			t.Errorf("readUnits(%d, %v) = %v, want %v", c.size, c.consistent, got, c.want)
		}
	}
	if capacity("NONE", "t", tableUsage(1)) != nil || capacity("", "t", tableUsage(1)) != nil {
		t.Error("capacity reported without being asked for")
	}
	tally := capacityTally{}
	tally.add("b", tableUsage(2))
	tally.add("a", tableUsage(0.5))
	if got := mustJSON(t, tally.list("TOTAL")); got != `[{"TableName":"a","CapacityUnits":0.5},{"TableName":"b","CapacityUnits":2}]` {
		t.Errorf("tally %s", got)
	}
	u := tableUsage(1)
	u.addIndex(false, "g", 2)
	u.addIndex(true, "l", 0.5)
	tally.add("a", u)
	if got := mustJSON(t, tally.list("INDEXES")[0]); got != `{"TableName":"a","CapacityUnits":4,"Table":{"CapacityUnits":1.5},`+
		`"LocalSecondaryIndexes":{"l":{"CapacityUnits":0.5}},"GlobalSecondaryIndexes":{"g":{"CapacityUnits":2}}}` {
		t.Errorf("tally with indexes %s", got)
	}
}
