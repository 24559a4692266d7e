package keys

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestLoadOrCreateRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	path := filepath.Join(dir, "root.key")
	var logbuf bytes.Buffer
	k1, created, err := LoadOrCreateRootKey(path, slog.New(slog.NewTextHandler(&logbuf, nil)))
	if err != nil || !created {
		t.Fatalf("create: %v created=%v", err, created)
	}
	if !strings.Contains(logbuf.String(), "keep a copy") || !strings.Contains(logbuf.String(), k1.KeyID()) {
		t.Errorf("creation warning missing: %q", logbuf.String())
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %#o, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("key dir mode %#o, want 0700", dst.Mode().Perm())
	}
	k2, created, err := LoadOrCreateRootKey(path, quietLog())
	if err != nil || created {
		t.Fatalf("load: %v created=%v", err, created)
	}
	if k1.KeyID() != k2.KeyID() || !bytes.Equal(k1.raw, k2.raw) {
		t.Fatal("reloaded key differs")
	}
	w, err := k1.Wrap([]byte("0123456789abcdef0123456789abcdef"), "ctx")
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k2.Unwrap(w, "ctx")
	if err != nil || string(pt) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("unwrap after reload: %q %v", pt, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestRefusesBroadPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "root.key")
	if _, _, err := LoadOrCreateRootKey(path, quietLog()); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o640, 0o604, 0o644, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateRootKey(path, quietLog())
		if err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %#o: got %v, want permissions error", mode, err)
		}
	}
	os.Chmod(path, 0o400) // narrower is fine
	if _, err := LoadRootKey(path); err != nil {
		t.Errorf("mode 0400: %v", err)
	}
}

func TestRefusesCorruptFiles(t *testing.T) {
	good := MarshalRootKey(mustKey(t))
	cases := map[string][]byte{
		"empty":       {},
		"garbage":     []byte("not a key at all"),
		"raw bytes":   bytes.Repeat([]byte{7}, 32),
		"huge":        bytes.Repeat([]byte("x"), 10000),
		"short key":   []byte(`{"format":"ebbtide-root-key","version":1,"key_id":"00","key":"AAAA"}`),
		"wrong id":    bytes.Replace(good, []byte(`"key_id": "`), []byte(`"key_id": "f`), 1),
		"bad version": bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 9`), 1),
		"flipped key": flipInKey(good),
	}
	for name, data := range cases {
		path := filepath.Join(t.TempDir(), "root.key")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateRootKey(path, quietLog())
		if err == nil {
			t.Errorf("%s: loaded a corrupt key file", name)
			continue
		}
		if !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
		// The corrupt file must be left alone, never replaced by a new key.
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, data) {
			t.Errorf("%s: corrupt key file was rewritten", name)
		}
	}
}

func flipInKey(good []byte) []byte {
	b := append([]byte(nil), good...)
	i := bytes.Index(b, []byte(`"key": "`)) + len(`"key": "`)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return b
}

func mustKey(t *testing.T) *RootKey {
	t.Helper()
	k, err := GenerateRootKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestWrongKeyAndContext(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	if k1.KeyID() == k2.KeyID() {
		t.Fatal("two random keys share an id")
	}
	dk := RandomKey()
	w, err := k1.Wrap(dk, "repo:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k2.Unwrap(w, "repo:1"); !errors.Is(err, ErrUnwrap) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := k1.Unwrap(w, "repo:2"); !errors.Is(err, ErrUnwrap) {
		t.Errorf("wrong context: %v", err)
	}
	got, err := k1.Unwrap(w, "repo:1")
	if err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("unwrap: %v", err)
	}
}

func TestTamperedWrappedKey(t *testing.T) {
	k := mustKey(t)
	w, _ := k.Wrap(RandomKey(), "c")
	for i := range w {
		for _, bit := range []byte{1, 0x80} {
			bad := append([]byte(nil), w...)
			bad[i] ^= bit
			if _, err := k.Unwrap(bad, "c"); !errors.Is(err, ErrUnwrap) {
				t.Fatalf("flip byte %d bit %#x: %v", i, bit, err)
			}
		}
	}
	if _, err := k.Unwrap(w[:len(w)-1], "c"); !errors.Is(err, ErrUnwrap) {
		t.Errorf("truncated: %v", err)
	}
	if _, err := k.Unwrap(nil, "c"); !errors.Is(err, ErrUnwrap) {
		t.Errorf("empty: %v", err)
	}
}

func TestDeriveSubkeys(t *testing.T) {
	dk := RandomKey()
	a, err := DeriveSubkeys(dk, []byte("salt"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DeriveSubkeys(dk, []byte("salt"))
	c, _ := DeriveSubkeys(dk, []byte("other"))
	if len(a.Encryption) != KeySize || len(a.ChunkID) != KeySize {
		t.Fatal("wrong subkey size")
	}
	if bytes.Equal(a.Encryption, a.ChunkID) || bytes.Equal(a.Encryption, dk) {
		t.Error("subkeys not independent")
	}
	if !bytes.Equal(a.Encryption, b.Encryption) || !bytes.Equal(a.ChunkID, b.ChunkID) {
		t.Error("derivation not deterministic")
	}
	if bytes.Equal(a.Encryption, c.Encryption) {
		t.Error("salt ignored")
	}
	if _, err := DeriveKey(dk[:8], nil, "x"); err == nil {
		t.Error("short secret accepted")
	}
}
