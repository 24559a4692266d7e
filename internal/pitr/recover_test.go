package pitr

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/keys"
)

// TestRestoreLostTable: the data directory is lost; a fresh server on the
// same repository restores the table to any shipped instant, from the
// repository alone.
func TestRestoreLostTable(t *testing.T) {
	rk, err := keys.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, newFakeClock(), newStore(), rk)
	e.createTable(t, "orders")
	model := map[string]string{}
	for i := range 20 {
		e.put(t, "orders", fmt.Sprintf("o%02d", i), "v1", model)
	}
	if _, err := e.svc.Update(bg, "orders", true, nil); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	var points []time.Time
	var states []map[string]string
	for round := range 5 {
		e.clk.Advance(time.Minute)
		for i := range 6 {
			v := fmt.Sprintf("r%d", round)
			if i == 5 {
				v = ""
			}
			e.put(t, "orders", fmt.Sprintf("o%02d", round*3+i), v, model)
		}
		points = append(points, e.clk.Now()) // includes every write of this microsecond
		states = append(states, maps.Clone(model))
		e.clk.Advance(time.Millisecond)
		e.settle(t)
	}
	e.clk.Advance(time.Second)
	e.settle(t)

	// A new server: empty data directory, same repository and key.
	f := newEnvOn(t, e.clk, e.store, rk)
	if _, err := f.eng.Table(bg, "orders"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Fatalf("fresh server has the table: %v", err)
	}
	src, err := f.svc.Source(bg, "orders")
	if err != nil {
		t.Fatalf("Source of the lost table: %v", err)
	}
	if src.Name != "orders" || src.KeySchema.Hash.Name != "pk" {
		t.Fatalf("Source record: %+v", src)
	}
	for i, at := range points {
		got := f.restore(t, "orders", at, fmt.Sprintf("orders-at-%d", i))
		if !maps.Equal(got, states[i]) {
			t.Fatalf("restore to %s: %v, want %v", at, got, states[i])
		}
	}
	spec := engine.TableSpec{Name: "orders", KeySchema: src.KeySchema, AttributeDefinitions: src.AttributeDefinitions}
	tb, err := f.svc.Restore(bg, "orders", time.Time{}, true, spec)
	if err != nil {
		t.Fatalf("restore to the latest shipped instant: %v", err)
	}
	if tb.Restore.RestoreDateTime.Before(points[len(points)-1]) {
		t.Errorf("latest restorable instant %s is before the last shipped write %s", tb.Restore.RestoreDateTime, points[len(points)-1])
	}
	if _, err := f.svc.Source(bg, "no-such-table"); !errors.Is(err, engine.ErrTableNotFound) {
		t.Errorf("Source of an unknown table: %v", err)
	}
}
