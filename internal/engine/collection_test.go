package engine

import (
	"errors"
	"testing"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Writes that would grow an item collection beyond the limit fail with
// ErrItemCollectionTooLarge and write nothing; results carry the size.
func TestItemCollectionLimit(t *testing.T) {
	e, _ := openTest(t)
	defer func(old int64) { ItemCollectionSizeLimit = old }(ItemCollectionSizeLimit)
	ItemCollectionSizeLimit = 400
	mustCreate(t, e, idxTableSpec("C"))
	mustCreate(t, e, spec("Plain", attr.KindS, attr.KindN))
	item := func(sk int) attr.Item {
		return withAttrs(key(attr.S("p0"), num(sk)), "l", attr.S("m"), "pad", attr.S("0123456789012345678901234567890123456789"))
	}
	var size int64
	n := 0
	for ; ; n++ {
		it := item(n)
		res, err := e.Mutate(bg, "C", key(it["pk"], it["sk"]), func(attr.Item) (attr.Item, error) { return it, nil })
		if errors.Is(err, ErrItemCollectionTooLarge) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.ItemCollectionSize <= size || res.ItemCollectionSize > ItemCollectionSizeLimit {
			t.Fatalf("write %d: collection size %d after %d", n, res.ItemCollectionSize, size)
		}
		size = res.ItemCollectionSize
	}
	if n == 0 {
		t.Fatal("the first write was refused")
	}
	if got, _ := e.ItemCollectionSize(bg, "C", attr.S("p0")); got != size {
		t.Fatalf("ItemCollectionSize = %d, want %d", got, size)
	}
	if it, _ := e.GetItem(bg, "C", key(attr.S("p0"), num(n))); it != nil {
		t.Fatal("the refused write was stored")
	}
	// Other collections are independent; shrinking is always allowed.
	other := withAttrs(key(attr.S("p1"), num(0)), "l", attr.S("m"))
	put(t, e, "C", other)
	res, err := e.Mutate(bg, "C", key(attr.S("p0"), num(0)), func(attr.Item) (attr.Item, error) { return nil, nil })
	if err != nil || res.ItemCollectionSize >= size {
		t.Fatalf("delete: %+v, %v", res, err)
	}
	// In a transaction, only the mutation growing the full collection fails.
	big := item(100)
	big["pad"] = attr.S(string(make([]byte, 300)))
	_, errs, err := e.MutateMany(bg, []Mutation{
		{Table: "C", Key: key(attr.S("p1"), num(1)), Fn: func(attr.Item) (attr.Item, error) { return withAttrs(key(attr.S("p1"), num(1))), nil }},
		{Table: "C", Key: key(attr.S("p0"), num(100)), Fn: func(attr.Item) (attr.Item, error) { return big, nil }},
	})
	if !errors.Is(err, ErrTransactionCanceled) || errs[0] != nil || !errors.Is(errs[1], ErrItemCollectionTooLarge) {
		t.Fatalf("MutateMany = %v, %v", err, errs)
	}
	if it, _ := e.GetItem(bg, "C", key(attr.S("p1"), num(1))); it != nil {
		t.Fatal("a canceled transaction wrote")
	}
	checkCollections(t, e, "C", scanAll(t, e, "C"))
	// Tables without LSIs have no collections.
	pk := key(attr.S("a"), num(1))
	res, err = e.Mutate(bg, "Plain", pk, func(attr.Item) (attr.Item, error) { return withAttrs(pk, "pad", big["pad"]), nil })
	if err != nil || res.ItemCollectionSize != 0 {
		t.Fatalf("write to a table without LSIs: %+v, %v", res, err)
	}
	if n, err := e.ItemCollectionSize(bg, "Plain", attr.S("a")); err != nil || n != 0 {
		t.Fatalf("ItemCollectionSize of a table without LSIs = %d, %v", n, err)
	}
}
