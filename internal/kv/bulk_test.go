package kv

import (
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"
)

// Unsynced commits are visible at once, and SyncWAL syncs the WAL once
// for all of them.
func TestCommitNoSyncThenSyncWAL(t *testing.T) {
	fs := &syncCountingFS{FS: vfs.NewMem()}
	db := openTest(t, "db", fs)
	before := fs.walSyncs.Load()
	for _, k := range []string{"a", "b", "c"} {
		b := db.NewBatchSized(1 << 10)
		if err := b.Set([]byte(k), []byte(k+k)); err != nil {
			t.Fatal(err)
		}
		if b.Len() <= len(k)*3 {
			t.Fatalf("Len = %d, want the encoded write's size", b.Len())
		}
		if err := b.CommitNoSync(); err != nil {
			t.Fatal(err)
		}
	}
	if got := keys(t, db, "", ""); got != "a=aa b=bb c=cc" {
		t.Fatalf("after unsynced commits: %s", got)
	}
	if n := fs.walSyncs.Load() - before; n != 0 {
		t.Fatalf("unsynced commits synced the WAL %d times", n)
	}
	if err := db.SyncWAL(); err != nil {
		t.Fatal(err)
	}
	if n := fs.walSyncs.Load() - before; n != 1 {
		t.Fatalf("SyncWAL synced the WAL %d times, want 1", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openTest(t, "db", fs)
	defer db.Close()
	if got := keys(t, db, "", ""); got != "a=aa b=bb c=cc" {
		t.Fatalf("after reopen: %s", got)
	}
}
