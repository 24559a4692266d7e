package engine

import (
	"errors"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

// Indexes and the TTL setting are catalog data: CreateTable numbers the
// indexes, UpdateTable may change only their throughput, and everything
// survives a reopen; DeleteTable removes every key of the table.
func TestIndexCatalog(t *testing.T) {
	dir := t.TempDir()
	fc := clock.NewFake(testEpoch)
	e := openWith(t, Options{Dir: dir, Clock: fc, TTLInterval: -1})
	s := idxTableSpec("C")
	s.Indexes[0].ReadCapacityUnits = 5
	created := mustCreate(t, e, s)
	if len(created.Indexes) != 3 || created.TableSpec.Indexes != nil {
		t.Fatalf("CreateTable: %+v", created)
	}
	for i, ix := range created.Indexes {
		if ix.ID != uint32(i+1) || ix.Status != IndexCreating || ix.Backfilling || ix.ARN != created.ARN+"/index/"+ix.Name || !ix.CreatedAt.Equal(testEpoch) {
			t.Fatalf("created index %d: %+v", i, ix)
		}
	}
	got, _ := e.Table(bg, "C")
	if got.Indexes[0].Status != IndexActive || got.Indexes[2].Projection.NonKeyAttributes[0] != "a" || !got.Indexes[2].Local {
		t.Fatalf("stored indexes: %+v", got.Indexes)
	}
	got.Indexes[2].Projection.NonKeyAttributes[0] = "changed"
	if again, _ := e.Table(bg, "C"); again.Indexes[2].Projection.NonKeyAttributes[0] != "a" {
		t.Fatal("Table returned shared index data")
	}

	upd, err := e.UpdateTable(bg, "C", func(tb *Table) error {
		tb.Indexes[0].ReadCapacityUnits = 9
		tb.Indexes[0].Status = IndexUpdating
		return nil
	})
	if err != nil || upd.Indexes[0].Status != IndexUpdating || upd.Indexes[0].ReadCapacityUnits != 9 {
		t.Fatalf("UpdateTable = %+v, %v", upd, err)
	}
	for name, fn := range map[string]func(*Table){
		"projection": func(tb *Table) { tb.Indexes[1].Projection.Type = ProjectionAll },
		"drop index": func(tb *Table) { tb.Indexes = tb.Indexes[:2] },
		"ttl":        func(tb *Table) { tb.TTL = &TTLSpec{AttributeName: "x", Enabled: true} },
	} {
		if _, err := e.UpdateTable(bg, "C", func(tb *Table) error { fn(tb); return nil }); err == nil {
			t.Errorf("UpdateTable changing %s succeeded", name)
		}
	}
	if _, err := e.UpdateTTL(bg, "C", TTLSpec{AttributeName: "exp", Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIndexesActive(bg, "C"); err != nil {
		t.Fatal(err)
	}
	fc.Advance(time.Hour)
	if _, err := e.AddIndex(bg, "C", gIndex); err != nil {
		t.Fatal(err)
	}
	if err := e.WaitIndexesActive(bg, "C"); err != nil {
		t.Fatal(err)
	}
	put(t, e, "C", withAttrs(key(attr.S("p0"), num(1)), "g1", attr.S("x"), "g1s", num(1), "g2", num(2), "l", attr.S("m"), "g", attr.S("h"), "r", num(1), "exp", epoch(time.Hour)))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	e = openWith(t, Options{Dir: dir, Clock: fc, TTLInterval: -1})
	defer e.Close()
	got, err = e.Table(bg, "C")
	if err != nil || len(got.Indexes) != 4 || got.Indexes[0].ReadCapacityUnits != 9 || got.Indexes[0].Status != IndexActive ||
		got.Indexes[3].ID != 4 || got.Indexes[3].Name != "G" || !got.Indexes[3].CreatedAt.Equal(testEpoch.Add(time.Hour)) ||
		got.TTL == nil || *got.TTL != (TTLSpec{AttributeName: "exp", Enabled: true}) || got.TTLBackfilling {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	checkIndexes(t, e, "C", scanAll(t, e, "C"))
	checkCollections(t, e, "C", scanAll(t, e, "C"))

	id := got.ts(t, e).id
	if _, err := e.DeleteTable(bg, "C"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []byte{prefixItems, prefixIndex, prefixTTL, prefixCollection, prefixStats} {
		if n := rawKeys(t, e, tablePrefix(p, id)); n != 0 {
			t.Errorf("%d keys with prefix %q of the deleted table remain", n, p)
		}
	}
	if _, err := e.IndexStats(bg, got, "G1"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("IndexStats of a deleted table: %v", err)
	}
}
