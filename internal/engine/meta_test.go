package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
)

func TestMetaRecords(t *testing.T) {
	e, fc := openTTL(t)
	exp := testEpoch.Add(10 * time.Minute)
	if err := e.PutMeta(bg, MetaRecord{Key: "tok/a", Value: []byte("A"), ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := e.GetMeta(bg, "tok/a"); err != nil || !ok || string(v) != "A" {
		t.Fatalf("GetMeta = %q %v %v", v, ok, err)
	}
	if _, ok, _ := e.GetMeta(bg, "tok/none"); ok {
		t.Fatal("missing record found")
	}
	// Replaced with a later expiry: the first queue entry must not remove it.
	if err := e.PutMeta(bg, MetaRecord{Key: "tok/b", Value: []byte("B1"), ExpiresAt: exp}); err != nil {
		t.Fatal(err)
	}
	if err := e.PutMeta(bg, MetaRecord{Key: "tok/b", Value: []byte("B2"), ExpiresAt: exp.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	fc.Set(exp)
	if _, ok, _ := e.GetMeta(bg, "tok/a"); ok {
		t.Fatal("expired record still readable")
	}
	expireNow(t, e)
	if v, ok, _ := e.GetMeta(bg, "tok/b"); !ok || string(v) != "B2" {
		t.Fatalf("replaced record = %q %v", v, ok)
	}
	if n := rawKeys(t, e, []byte{prefixMeta}); n != 2 {
		t.Fatalf("%d meta keys, want 2 (tok/b and its queue entry)", n)
	}
	fc.Advance(time.Hour)
	expireNow(t, e)
	if n := rawKeys(t, e, []byte{prefixMeta}); n != 0 {
		t.Fatalf("%d meta keys left after every record expired", n)
	}
}

// MutateManyWith creates meta records atomically with the mutations, and
// refuses (writing nothing) when one exists.
func TestMutateManyWithMeta(t *testing.T) {
	e, fc := openTTL(t)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	k := key(attr.S("a"))
	opts := MutateOptions{Meta: []MetaRecord{{Key: "tx/1", Value: []byte("h1"), ExpiresAt: testEpoch.Add(10 * time.Minute)}}}
	res, _, err := e.MutateManyWith(bg, []Mutation{{Table: "T", Key: k, Fn: func(attr.Item) (attr.Item, error) {
		return withAttrs(k, "v", num(1)), nil
	}}}, opts)
	if err != nil || res[0].CommitTS == 0 {
		t.Fatalf("MutateManyWith = %+v, %v", res, err)
	}
	if v, ok, _ := e.GetMeta(bg, "tx/1"); !ok || string(v) != "h1" {
		t.Fatalf("meta = %q %v", v, ok)
	}
	_, _, err = e.MutateManyWith(bg, []Mutation{{Table: "T", Key: k, Fn: func(attr.Item) (attr.Item, error) {
		return withAttrs(k, "v", num(2)), nil
	}}}, opts)
	if !errors.Is(err, ErrMetaExists) {
		t.Fatalf("second use of the token: %v", err)
	}
	if it, _ := e.GetItem(bg, "T", k); it["v"].Str != "1" {
		t.Fatalf("refused commit wrote %s", fmtItem(it))
	}
	// Only condition checks (no-op mutations): the record is still written.
	opts.Meta[0].Key = "tx/2"
	res, _, err = e.MutateManyWith(bg, []Mutation{{Table: "T", Key: k, Fn: func(old attr.Item) (attr.Item, error) { return old, nil }}}, opts)
	if err != nil || res[0].CommitTS == 0 {
		t.Fatalf("no-op commit with meta: %+v, %v", res, err)
	}
	if _, ok, _ := e.GetMeta(bg, "tx/2"); !ok {
		t.Fatal("meta of a no-op commit missing")
	}
	// After expiry the token can be used again.
	fc.Advance(10 * time.Minute)
	opts.Meta[0].Key = "tx/1"
	opts.Meta[0].ExpiresAt = fc.Now().Add(10 * time.Minute)
	if _, _, err := e.MutateManyWith(bg, nil, opts); err != nil {
		t.Fatalf("reuse after expiry: %v", err)
	}
	if _, _, err := e.MutateManyWith(bg, nil, MutateOptions{Meta: []MetaRecord{{}}}); err == nil {
		t.Fatal("meta record with an empty key accepted")
	}
}
