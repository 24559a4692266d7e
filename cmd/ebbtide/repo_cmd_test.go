package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/ebbtide/ebbtide/internal/repo"
)

// testRepo is a repository in a temporary server data directory:
// <dataDir>/repository with its root key at <dataDir>/keys/root.key.
type testRepo struct {
	dataDir string
	key     *keys.RootKey
}

func (tr *testRepo) dir() string { return filepath.Join(tr.dataDir, "repository") }

// newTestRepo creates a repository holding two overlapping backup
// snapshots (so chunks are shared) and one pitr snapshot.
func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	tr := &testRepo{dataDir: filepath.Join(t.TempDir(), "data")}
	key, err := keys.GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	tr.key = key
	keyFile := filepath.Join(tr.dataDir, "keys", "root.key")
	if err := os.MkdirAll(filepath.Dir(keyFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keys.MarshalRootKey(key), 0o600); err != nil {
		t.Fatal(err)
	}
	r := tr.open(t)
	defer r.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	records := make([][]byte, 300)
	for i := range records {
		rec := make([]byte, 1024)
		for j := range rec {
			rec[j] = byte('a' + rng.IntN(16)) // compressible, not repetitive
		}
		records[i] = rec
	}
	tr.write(t, r, "backup", "b1", records[:200])
	tr.write(t, r, "backup", "b2", records) // shares b1's chunks
	tr.write(t, r, "pitr", "seg1", records[200:210])
	return tr
}

// open opens the test repository directly (small chunks).
func (tr *testRepo) open(t *testing.T) *repo.Repo {
	t.Helper()
	store, err := blob.Open(context.Background(), tr.dir(), blob.S3Config{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := repo.Open(context.Background(), store, tr.key, repo.Options{
		Logger:   slog.New(slog.DiscardHandler),
		Chunking: repo.ChunkParams{MinSize: 4 << 10, MaxSize: 32 << 10, AverageBits: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// write commits one snapshot of records.
func (tr *testRepo) write(t *testing.T, r *repo.Repo, kind, id string, records [][]byte) {
	t.Helper()
	w, err := r.NewWriter(context.Background(), kind, id)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, rec := range records {
		if err := w.Add(rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Commit(nil); err != nil {
		t.Fatal(err)
	}
}

// chunkFiles lists the chunk files of the repository.
func (tr *testRepo) chunkFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(tr.dir(), "chunks"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no chunk files")
	}
	return files
}

// run runs the ebbtide command line in-process and returns stdout, stderr
// and the error Execute returned (non-nil means exit status 1).
func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := newRootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

// clearRepoEnv unsets the EBBTIDE_ variables of the repo flags.
func clearRepoEnv(t *testing.T) {
	for _, name := range repoEnvFlags {
		unsetenv(t, envName(name))
	}
}

func TestRepoStats(t *testing.T) {
	clearRepoEnv(t)
	tr := newTestRepo(t)
	out, _, err := run(t, "repo", "stats", "--data-dir", tr.dataDir)
	if err != nil {
		t.Fatalf("repo stats: %v", err)
	}
	t.Logf("repo stats:\n%s", out)
	for _, want := range []string{"snapshots:", "3 (backup 2, pitr 1)", "logical size:", "(522240 bytes)",
		"stored size:", "chunks:", "dedup ratio:", "x (logical / stored"} {
		if !strings.Contains(out, want) {
			t.Errorf("repo stats output lacks %q:\n%s", want, out)
		}
	}

	out, _, err = run(t, "repo", "stats", "--repository", "file://"+tr.dir(),
		"--root-key-file", filepath.Join(tr.dataDir, "keys", "root.key"), "--output", "json")
	if err != nil {
		t.Fatalf("repo stats --output json: %v", err)
	}
	var st statsJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("stats JSON: %v\n%s", err, out)
	}
	if st.Snapshots != 3 || st.ByKind["backup"] != 2 || st.ByKind["pitr"] != 1 ||
		st.LogicalBytes != (200+300+10)*1024 || st.Chunks == 0 ||
		st.StoredBytes != st.ChunkBytes+st.ManifestBytes || st.DedupRatio <= 1 {
		t.Errorf("stats JSON = %+v", st)
	}
}

func TestRepoVerify(t *testing.T) {
	clearRepoEnv(t)
	tr := newTestRepo(t)
	out, stderr, err := run(t, "repo", "verify", "--data-dir", tr.dataDir)
	if err != nil {
		t.Fatalf("repo verify: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "checked 3 manifests and") || !strings.Contains(out, "no problems found") {
		t.Errorf("repo verify output:\n%s", out)
	}
	if stderr == "" {
		t.Error("repo verify drew no progress on stderr")
	}
	_, stderr, err = run(t, "repo", "verify", "--data-dir", tr.dataDir, "--quiet")
	if err != nil || stderr != "" {
		t.Errorf("repo verify --quiet: err %v, stderr %q", err, stderr)
	}

	// Corrupt one chunk: verify names it and fails.
	victim := tr.chunkFiles(t)[0]
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x40
	if err := os.WriteFile(victim, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, "repo", "verify", "--data-dir", tr.dataDir, "-q")
	t.Logf("repo verify after corruption:\n%s", out)
	if err == nil || !strings.Contains(err.Error(), "1 problem(s)") {
		t.Errorf("repo verify of a corrupted chunk: err = %v", err)
	}
	rel := filepath.ToSlash(strings.TrimPrefix(victim, tr.dir()+string(filepath.Separator)))
	if !strings.Contains(out, "1 problem(s) found:") || !strings.Contains(out, rel) {
		t.Errorf("repo verify output does not name %s:\n%s", rel, out)
	}

	out, _, err = run(t, "repo", "verify", "--data-dir", tr.dataDir, "-q", "-o", "json")
	if err == nil {
		t.Error("repo verify --output json of a corrupted chunk succeeded")
	}
	var rep verifyJSON
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		t.Fatalf("verify JSON: %v\n%s", jerr, out)
	}
	if rep.OK || len(rep.Problems) != 1 || !strings.HasPrefix(rep.Problems[0].Object, rel) {
		t.Errorf("verify JSON = %+v", rep)
	}
}

func TestRepoGC(t *testing.T) {
	clearRepoEnv(t)
	tr := newTestRepo(t)
	r := tr.open(t)
	if err := r.Delete(context.Background(), "backup", "b2"); err != nil {
		t.Fatal(err)
	}
	r.Close()
	before := len(tr.chunkFiles(t))

	out, _, err := run(t, "repo", "gc", "--data-dir", tr.dataDir, "--dry-run")
	if err != nil {
		t.Fatalf("repo gc --dry-run: %v", err)
	}
	t.Logf("repo gc --dry-run:\n%s", out)
	if !strings.Contains(out, "dry run: nothing was deleted") || !strings.Contains(out, "chunks to delete:") {
		t.Errorf("repo gc --dry-run output:\n%s", out)
	}
	if n := len(tr.chunkFiles(t)); n != before {
		t.Errorf("dry run deleted chunks: %d → %d", before, n)
	}

	out, _, err = run(t, "repo", "gc", "--data-dir", tr.dataDir, "-o", "json")
	if err != nil {
		t.Fatalf("repo gc: %v", err)
	}
	var st gcJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("gc JSON: %v\n%s", err, out)
	}
	after := len(tr.chunkFiles(t))
	if st.DryRun || st.Snapshots != 2 || st.ChunksDeleted == 0 || st.BytesFreed == 0 ||
		st.ChunksTotal != before || after != before-st.ChunksDeleted {
		t.Errorf("gc JSON = %+v; chunk files %d → %d", st, before, after)
	}

	out, _, err = run(t, "repo", "verify", "--data-dir", tr.dataDir, "-q")
	if err != nil || !strings.Contains(out, "no problems found") {
		t.Errorf("verify after gc: %v\n%s", err, out)
	}
}

func TestRepoOpenErrors(t *testing.T) {
	clearRepoEnv(t)
	tr := newTestRepo(t)
	empty := t.TempDir()
	missing := filepath.Join(empty, "nope")
	otherKey := filepath.Join(empty, "other.key")
	k, _ := keys.GenerateRootKey()
	if err := os.WriteFile(otherKey, keys.MarshalRootKey(k), 0o600); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(tr.dataDir, "keys", "root.key")
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"missing directory", []string{"--repository", missing, "--root-key-file", keyFile}, "no repository at"},
		{"empty directory", []string{"--repository", empty, "--root-key-file", keyFile}, "no config object"},
		{"missing key", []string{"--repository", tr.dir(), "--root-key-file", missing}, "root key file"},
		{"wrong key", []string{"--repository", tr.dir(), "--root-key-file", otherKey}, "wrong root key"},
		{"half S3 credentials", []string{"--data-dir", tr.dataDir, "--s3-access-key-id", "AK"}, "--s3-secret-access-key"},
		{"bad output", []string{"--data-dir", tr.dataDir, "--output", "yaml"}, "--output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, append([]string{"repo", "stats"}, tt.args...)...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("repo stats created the missing repository directory")
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 1 { // other.key only
		t.Errorf("repo stats wrote into an empty directory: %v", ents)
	}
}

func TestRepoEnv(t *testing.T) {
	clearRepoEnv(t)
	tr := newTestRepo(t)
	t.Setenv("EBBTIDE_DATA_DIR", tr.dataDir)
	out, _, err := run(t, "repo", "stats")
	if err != nil || !strings.Contains(out, "3 (backup 2, pitr 1)") {
		t.Errorf("repo stats with EBBTIDE_DATA_DIR: %v\n%s", err, out)
	}
}

// TestHumanBytes checks the size formatting the commands use.
func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		20 << 20: "20.0 MiB", 3 << 40: "3.0 TiB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
