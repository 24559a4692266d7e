package pitr

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/backup"
	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/engine"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// BenchmarkShip measures the shipper's CPU per captured change: reading
// the log (resolving references), framing, sealing the segment into a
// filesystem repository with the production chunking, and trimming. The
// writes themselves are outside the timer. Items are ~1 KB of order-like
// attributes (the shape bench/backup writes).
func BenchmarkShip(b *testing.B) {
	svc, write := benchService(b, 0)
	const batch = 4000
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		k := min(batch, b.N-done)
		write(done, k)
		st := svc.mustState(b, "orders")
		b.StartTimer()
		if err := svc.ship(bg, &st); err != nil {
			b.Fatal(err)
		}
		done += k
	}
}

// BenchmarkCompact measures compaction's cost per change: merging runs of
// 10 segments of 4,000 changes each (a second of a busy table) into one.
// Use a multiple of 40,000 for -benchtime.
func BenchmarkCompact(b *testing.B) {
	const batch, run = 4000, 10
	svc, write := benchService(b, run)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		b.StopTimer()
		for range run {
			write(done, batch)
			st := svc.mustState(b, "orders")
			if err := svc.ship(bg, &st); err != nil {
				b.Fatal(err)
			}
			done += batch
		}
		st := svc.mustState(b, "orders")
		b.StartTimer()
		if err := svc.compact(bg, &st); err != nil {
			b.Fatal(err)
		}
	}
}

// benchService opens a PITR service on a filesystem repository with PITR
// on for table "orders", and returns a function writing items
// [from, from+n) and waiting for them to be resolved. Passes are the
// caller's (the ship interval is never reached).
func benchService(b *testing.B, compactSegments int) (*Service, func(from, n int)) {
	log := slog.New(slog.DiscardHandler)
	eng, err := engine.Open(engine.Options{Dir: b.TempDir(), Region: "us-east-1", AccountID: "000000000000",
		Logger: log, TTLInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { eng.Close() })
	store, err := blob.NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	rk, err := keys.GenerateRootKey()
	if err != nil {
		b.Fatal(err)
	}
	rp, err := repo.Open(bg, store, rk, repo.Options{Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { rp.Close() })
	bk, err := backup.Open(bg, backup.Config{Engine: eng, Repo: rp, Region: "us-east-1", AccountID: "000000000000", Logger: log})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bk.Close(bg) })
	svc, err := Open(bg, Config{Engine: eng, Repo: rp, Backups: bk, Region: "us-east-1", AccountID: "000000000000",
		Logger: log, ShipInterval: 1000 * day, CompactSegments: compactSegments})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { svc.Close(bg) })
	_, err = eng.CreateTable(bg, engine.TableSpec{Name: "orders", BillingMode: "PAY_PER_REQUEST",
		KeySchema:            engine.KeySchema{Hash: engine.KeyAttr{Name: "pk", Type: attr.KindS}},
		AttributeDefinitions: []engine.AttributeDefinition{{Name: "pk", Type: attr.KindS}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Update(bg, "orders", true, nil); err != nil {
		b.Fatal(err)
	}
	svc.RunOnce(bg)

	words := strings.Fields("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa")
	r := rand.New(rand.NewPCG(1, 2))
	item := func(i int) attr.Item {
		var notes strings.Builder
		for notes.Len() < 800 {
			notes.WriteString(words[r.IntN(len(words))])
			notes.WriteByte(' ')
		}
		return attr.Item{
			"pk":     attr.S(fmt.Sprintf("cust#%010d#order#%06d", i/20, i%20)),
			"status": attr.S(words[r.IntN(4)]),
			"total":  attr.MustN(fmt.Sprintf("%d.%02d", r.IntN(9000)+100, r.IntN(100))),
			"email":  attr.S(fmt.Sprintf("customer%010d@example.com", i/20)),
			"notes":  attr.S(notes.String()),
		}
	}
	return svc, func(from, n int) {
		for i := from; i < from+n; i++ {
			it := item(i)
			if _, err := eng.Mutate(bg, "orders", attr.Item{"pk": it["pk"]}, func(attr.Item) (attr.Item, error) { return it, nil }); err != nil {
				b.Fatal(err)
			}
		}
		time.Sleep(time.Millisecond) // let the resolved timestamp pass the last write
	}
}
