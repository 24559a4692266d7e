package keys

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
)

// rootKeyFormat names the root key file's format.
const rootKeyFormat = "ebbtide-root-key"

// rootKeyFile is the JSON envelope of a root key file.
type rootKeyFile struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	KeyID   string `json:"key_id"`
	Key     string `json:"key"` // base64 (standard encoding) of the 32 key bytes
}

// maxRootKeyFile bounds what LoadRootKey reads.
const maxRootKeyFile = 4096

// LoadOrCreateRootKey loads the root key from path, or creates it there
// (random, file mode 0600, missing parent directories 0700) when the file
// does not exist; created reports which. Creating a key logs a warning that
// the operator must keep a copy of the file apart from the data: backups
// cannot be decrypted without it. log may be nil.
func LoadOrCreateRootKey(path string, log *slog.Logger) (key *RootKey, created bool, err error) {
	k, err := LoadRootKey(path)
	if err == nil {
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	k, err = GenerateRootKey()
	if err != nil {
		return nil, false, err
	}
	if err := writeRootKey(path, k); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process won the race
			k, err := LoadRootKey(path)
			return k, false, err
		}
		return nil, false, err
	}
	if log == nil {
		log = slog.Default()
	}
	log.Warn("created a new root key: keep a copy of this file apart from the data; "+
		"backups and the backup repository cannot be decrypted without it",
		"path", path, "key_id", k.KeyID())
	return k, true, nil
}

// LoadRootKey reads a root key file. It refuses files readable or writable
// by anyone but the owner (permissions broader than 0600), files of the wrong
// size or format, and files whose key does not match their key id.
func LoadRootKey(path string) (*RootKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("keys: root key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("keys: root key file: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("keys: root key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keys: root key file %s has permissions %#o; it must be readable by its owner only (chmod 600 %s)",
			path, st.Mode().Perm(), path)
	}
	if st.Size() == 0 || st.Size() > maxRootKeyFile {
		return nil, fmt.Errorf("keys: root key file %s has the wrong size (%d bytes): not an Ebbtide root key", path, st.Size())
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("keys: root key file: %w", err)
	}
	k, err := parseRootKey(data)
	if err != nil {
		return nil, fmt.Errorf("keys: root key file %s: %w", path, err)
	}
	return k, nil
}

// parseRootKey decodes and checks a root key file's contents.
func parseRootKey(data []byte) (*RootKey, error) {
	var rf rootKeyFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rf); err != nil {
		return nil, fmt.Errorf("corrupt (not a root key envelope): %v", err)
	}
	if rf.Format != rootKeyFormat {
		return nil, fmt.Errorf("corrupt: format %q, want %q", rf.Format, rootKeyFormat)
	}
	if rf.Version != 1 {
		return nil, fmt.Errorf("unsupported version %d", rf.Version)
	}
	raw, err := base64.StdEncoding.DecodeString(rf.Key)
	if err != nil {
		return nil, fmt.Errorf("corrupt key encoding: %v", err)
	}
	if len(raw) != KeySize {
		return nil, fmt.Errorf("corrupt: key is %d bytes, want %d", len(raw), KeySize)
	}
	k, err := NewRootKey(raw)
	if err != nil {
		return nil, err
	}
	if k.KeyID() != rf.KeyID {
		return nil, fmt.Errorf("corrupt: key id %q does not match the key (%s)", rf.KeyID, k.KeyID())
	}
	return k, nil
}

// MarshalRootKey returns the root key file contents for k (the same format
// LoadRootKey reads). Treat the result as the secret it is.
func MarshalRootKey(k *RootKey) []byte {
	b, _ := json.MarshalIndent(rootKeyFile{
		Format:  rootKeyFormat,
		Version: 1,
		KeyID:   k.KeyID(),
		Key:     base64.StdEncoding.EncodeToString(k.raw),
	}, "", "  ")
	return append(b, '\n')
}

// writeRootKey writes the key file atomically and without replacing an
// existing one: a temporary file (0600, synced) is hard-linked to path, so a
// crash never leaves a half-written key file behind. It fails with
// fs.ErrExist when path already exists.
func writeRootKey(path string, k *RootKey) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("keys: root key directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".rootkey-*")
	if err != nil {
		return fmt.Errorf("keys: root key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: root key file: %w", err)
	}
	if _, err := tmp.Write(MarshalRootKey(k)); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: root key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("keys: root key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("keys: root key file: %w", err)
	}
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("keys: root key file: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
