package engine

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ebbtide/ebbtide/internal/attr"
	"github.com/ebbtide/ebbtide/internal/clock"
)

func TestTableLifecycle(t *testing.T) {
	dir := t.TempDir()
	fc := clock.NewFake(testEpoch)
	e := openAt(t, dir, fc)

	s := spec("Music", attr.KindS, attr.KindN)
	s.Tags = []Tag{{"env", "test"}}
	s.SSE = &SSE{Enabled: true, SSEType: "KMS", KMSMasterKeyID: "alias/x"}
	s.DeletionProtection = false
	created := mustCreate(t, e, s)
	if created.Status != StatusCreating {
		t.Fatalf("CreateTable status %q, want CREATING", created.Status)
	}
	if want := "arn:aws:dynamodb:us-east-1:000000000000:table/Music"; created.ARN != want {
		t.Fatalf("ARN %q, want %q", created.ARN, want)
	}
	if !created.CreatedAt.Equal(testEpoch) || created.ID == "" {
		t.Fatalf("CreatedAt %v, ID %q", created.CreatedAt, created.ID)
	}
	got, err := e.Table(bg, "Music")
	if err != nil || got.Status != StatusActive || got.ID != created.ID {
		t.Fatalf("Table = %+v, %v; want ACTIVE with the same id", got, err)
	}
	// The returned record is a copy: changing it does not change the catalog.
	got.Tags[0].Value = "changed"
	got.KeySchema.Range.Name = "changed"
	if again, _ := e.Table(bg, "Music"); again.Tags[0].Value != "test" || again.KeySchema.Range.Name != "sk" {
		t.Fatal("Table returned a shared record")
	}

	if _, err := e.CreateTable(bg, s); !errors.Is(err, ErrTableExists) {
		t.Fatalf("second CreateTable: %v, want ErrTableExists", err)
	}
	mustCreate(t, e, spec("Albums", attr.KindS, attr.KindInvalid))
	mustCreate(t, e, spec("Zoo", attr.KindB, attr.KindInvalid))
	names, err := e.ListTables(bg)
	if err != nil || !slices.Equal(names, []string{"Albums", "Music", "Zoo"}) {
		t.Fatalf("ListTables = %v, %v", names, err)
	}

	// UpdateTable: the change is stored; Status stays ACTIVE in the catalog.
	fc.Advance(time.Hour)
	upd, err := e.UpdateTable(bg, "Music", func(tb *Table) error {
		tb.BillingMode = "PROVISIONED"
		tb.ReadCapacityUnits, tb.WriteCapacityUnits = 5, 7
		tb.LastIncreaseDateTime = fc.Now()
		tb.Status = StatusUpdating
		return nil
	})
	if err != nil || upd.Status != StatusUpdating || upd.ReadCapacityUnits != 5 {
		t.Fatalf("UpdateTable = %+v, %v", upd, err)
	}
	if got, _ := e.Table(bg, "Music"); got.Status != StatusActive || got.BillingMode != "PROVISIONED" {
		t.Fatalf("after update: %+v", got)
	}
	fnErr := errors.New("no")
	if _, err := e.UpdateTable(bg, "Music", func(*Table) error { return fnErr }); !errors.Is(err, fnErr) {
		t.Fatalf("UpdateTable fn error: %v", err)
	}
	if _, err := e.UpdateTable(bg, "Music", func(tb *Table) error { tb.KeySchema.Hash.Name = "x"; return nil }); err == nil {
		t.Fatal("UpdateTable changed the key schema")
	}
	if _, err := e.UpdateTable(bg, "Nope", func(*Table) error { return nil }); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("UpdateTable missing table: %v", err)
	}

	put(t, e, "Music", withAttrs(key(attr.S("a"), num(1)), "v", attr.S("old")))

	// Reopen: catalog, items and stats persist.
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e = openAt(t, dir, fc)
	defer e.Close()
	got, err = e.Table(bg, "Music")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.ReadCapacityUnits != 5 || got.KeySchema.Range == nil ||
		got.KeySchema.Range.Type != attr.KindN || got.SSE == nil || got.SSE.KMSMasterKeyID != "alias/x" ||
		len(got.Tags) != 1 || !got.LastIncreaseDateTime.Equal(testEpoch.Add(time.Hour)) ||
		len(got.AttributeDefinitions) != 2 || got.AttributeDefinitions[1].Type != attr.KindN {
		t.Fatalf("after reopen: %+v", got)
	}
	if st, _ := e.Stats(bg, got); st.ItemCount != 1 {
		t.Fatalf("stats after reopen: %+v", st)
	}

	// DeleteTable returns DELETING and removes everything.
	deleted, err := e.DeleteTable(bg, "Music")
	if err != nil || deleted.Status != StatusDeleting || deleted.ID != created.ID {
		t.Fatalf("DeleteTable = %+v, %v", deleted, err)
	}
	if _, err := e.Table(bg, "Music"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("Table after delete: %v", err)
	}
	if _, err := e.DeleteTable(bg, "Music"); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("second DeleteTable: %v", err)
	}
	if _, err := e.Stats(bg, got); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("Stats of deleted table: %v", err)
	}

	// Re-create: new id, no old data, the old record's stats are not served.
	re := mustCreate(t, e, spec("Music", attr.KindS, attr.KindN))
	if re.ID == created.ID {
		t.Fatal("re-created table kept its TableId")
	}
	if it, err := e.GetItem(bg, "Music", key(attr.S("a"), num(1))); err != nil || it != nil {
		t.Fatalf("re-created table sees old item %v (%v)", it, err)
	}
	if items := scanAll(t, e, "Music"); len(items) != 0 {
		t.Fatalf("re-created table scan: %d items", len(items))
	}
	if _, err := e.Stats(bg, got); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("Stats with the old record: %v", err)
	}
	if st, _ := e.Stats(bg, re); st != (TableStats{}) {
		t.Fatalf("re-created stats %+v", st)
	}
}

func TestDeletionProtection(t *testing.T) {
	e, _ := openTest(t)
	s := spec("P", attr.KindS, attr.KindInvalid)
	s.DeletionProtection = true
	mustCreate(t, e, s)
	if _, err := e.DeleteTable(bg, "P"); !errors.Is(err, ErrDeletionProtected) {
		t.Fatalf("DeleteTable: %v, want ErrDeletionProtected", err)
	}
	if _, err := e.UpdateTable(bg, "P", func(tb *Table) error { tb.DeletionProtection = false; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteTable(bg, "P"); err != nil {
		t.Fatal(err)
	}
}

func TestCreateTableRejectsBadKeySchema(t *testing.T) {
	e, _ := openTest(t)
	if _, err := e.CreateTable(bg, spec("X", attr.KindBOOL, attr.KindInvalid)); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("BOOL hash key: %v", err)
	}
	s := spec("X", attr.KindS, attr.KindS)
	s.KeySchema.Range.Name = ""
	if _, err := e.CreateTable(bg, s); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("unnamed range key: %v", err)
	}
}

// Tables live in an (account, region) namespace.
func TestCatalogNamespace(t *testing.T) {
	dir := t.TempDir()
	e := openAt(t, dir, nil)
	mustCreate(t, e, spec("T", attr.KindS, attr.KindInvalid))
	e.Close()
	other, err := Open(Options{Dir: dir, Region: "eu-west-1", AccountID: testAccount, Logger: e.log})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if names, _ := other.ListTables(bg); len(names) != 0 {
		t.Fatalf("eu-west-1 sees %v", names)
	}
}

func TestOpenRequiresNamespace(t *testing.T) {
	if _, err := Open(Options{Dir: t.TempDir()}); err == nil {
		t.Fatal("Open without region/account succeeded")
	}
}

// Writers racing DeleteTable either land before it (and are deleted with
// the table) or fail with ErrTableNotFound: nothing survives into a table
// re-created with the same name.
func TestDeleteTableRacingWriters(t *testing.T) {
	e, _ := openTest(t)
	mustCreate(t, e, spec("R", attr.KindN, attr.KindInvalid))
	done := make(chan int)
	for w := range 4 {
		go func() {
			n := 0
			for i := 0; ; i++ {
				_, err := e.Mutate(bg, "R", key(num(w*100000+i)), func(attr.Item) (attr.Item, error) {
					return withAttrs(key(num(w*100000+i)), "x", attr.S("y")), nil
				})
				if errors.Is(err, ErrTableNotFound) {
					done <- n
					return
				}
				if err != nil {
					t.Error(err)
					done <- n
					return
				}
				n++
			}
		}()
	}
	for {
		tb, _ := e.Table(bg, "R")
		if st, _ := e.Stats(bg, tb); st.ItemCount >= 20 {
			break
		}
	}
	old, err := e.lookup("R")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteTable(bg, "R"); err != nil {
		t.Fatal(err)
	}
	total := 0
	for range 4 {
		total += <-done
	}
	if n := rawKeys(t, e, old.prefix); n != 0 {
		t.Fatalf("%d item keys of the deleted table survived", n)
	}
	if _, found, _ := e.db.Get(statsKey(old.id)); found {
		t.Fatal("stats of the deleted table survived")
	}
	if total < 20 {
		t.Fatalf("only %d writes before delete", total)
	}
}

// rawKeys counts the stored keys under a prefix.
func rawKeys(t tb, e *Engine, prefix []byte) int {
	t.Helper()
	it, err := e.db.NewIter(prefix, prefixEnd(prefix))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}
