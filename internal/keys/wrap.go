package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the size in bytes of root keys and data keys (AES-256).
const KeySize = 32

// ErrUnwrap is returned (wrapped) when a wrapped key cannot be opened: it was
// wrapped under another key or context, or it has been altered.
var ErrUnwrap = errors.New("keys: cannot unwrap data key (wrong key, wrong context or tampered data)")

// KeyWrapper wraps and unwraps data keys under a key-encryption key. The
// server-owned RootKey implements it; customer-managed KMS keys will too.
// Implementations are safe for concurrent use.
type KeyWrapper interface {
	// KeyID identifies the key-encryption key (safe to log and store in clear).
	KeyID() string
	// Wrap encrypts dataKey, binding it to context (for example a repository
	// id): Unwrap succeeds only with the same key and the same context.
	Wrap(dataKey []byte, context string) ([]byte, error)
	// Unwrap reverses Wrap; it fails with ErrUnwrap on any mismatch.
	Unwrap(wrapped []byte, context string) ([]byte, error)
}

// wrapVersion is the first byte of a wrapped key: version ‖ nonce ‖ sealed.
const wrapVersion = 1

// RootKey is a server-owned 256-bit key-encryption key. It is safe for
// concurrent use.
type RootKey struct {
	id   string
	aead cipher.AEAD
	// raw is kept only to serialize the key file.
	raw []byte
}

var _ KeyWrapper = (*RootKey)(nil)

// NewRootKey returns a RootKey for the 32 raw key bytes (copied).
func NewRootKey(key []byte) (*RootKey, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("keys: root key must be %d bytes, got %d", KeySize, len(key))
	}
	raw := append([]byte(nil), key...)
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &RootKey{id: KeyID(raw), aead: aead, raw: raw}, nil
}

// GenerateRootKey returns a new random root key from crypto/rand.
func GenerateRootKey() (*RootKey, error) {
	return NewRootKey(RandomKey())
}

// RandomKey returns KeySize fresh random bytes from crypto/rand.
func RandomKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k) // never fails (Go ≥ 1.24 crashes the program instead)
	return k
}

// KeyID returns the id of a key: hex of the first 8 bytes of
// SHA-256("ebbtide key id v1\x00" ‖ key). It reveals nothing useful about
// the key and tells two keys apart.
func KeyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte("ebbtide key id v1\x00"))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// KeyID returns the root key's id.
func (k *RootKey) KeyID() string { return k.id }

// aad binds a wrapped key to the wrapping key's id and the caller's context.
func (k *RootKey) aad(context string) []byte {
	return []byte("ebbtide wrap v1\x00" + k.id + "\x00" + context)
}

// Wrap encrypts dataKey with AES-256-GCM under the root key, a random nonce
// and AAD = key id ‖ context.
func (k *RootKey) Wrap(dataKey []byte, context string) ([]byte, error) {
	if len(dataKey) == 0 {
		return nil, errors.New("keys: empty data key")
	}
	out := make([]byte, 1+k.aead.NonceSize(), 1+k.aead.NonceSize()+len(dataKey)+k.aead.Overhead())
	out[0] = wrapVersion
	rand.Read(out[1:])
	return k.aead.Seal(out, out[1:], dataKey, k.aad(context)), nil
}

// Unwrap opens a key wrapped by Wrap with the same root key and context.
func (k *RootKey) Unwrap(wrapped []byte, context string) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(wrapped) < 1+ns+k.aead.Overhead() {
		return nil, fmt.Errorf("%w: wrapped key too short (%d bytes)", ErrUnwrap, len(wrapped))
	}
	if wrapped[0] != wrapVersion {
		return nil, fmt.Errorf("%w: unknown wrapped-key version %d", ErrUnwrap, wrapped[0])
	}
	pt, err := k.aead.Open(nil, wrapped[1:1+ns], wrapped[1+ns:], k.aad(context))
	if err != nil {
		return nil, fmt.Errorf("%w (root key %s, context %q)", ErrUnwrap, k.id, context)
	}
	return pt, nil
}

// DeriveKey derives a KeySize subkey for one purpose from a data key with
// HKDF-SHA256 (salt may be nil; purpose is the HKDF info and must differ per
// use, e.g. "ebbtide repo chunk encryption v1").
func DeriveKey(secret, salt []byte, purpose string) ([]byte, error) {
	if len(secret) < KeySize {
		return nil, fmt.Errorf("keys: secret must be at least %d bytes", KeySize)
	}
	if purpose == "" {
		return nil, errors.New("keys: empty purpose")
	}
	return hkdf.Key(sha256.New, secret, salt, purpose, KeySize)
}

// Subkeys are the keys derived from one data key.
type Subkeys struct {
	// Encryption is the AES-256-GCM key for chunks and manifests.
	Encryption []byte
	// ChunkID is the HMAC-SHA256 key that names chunks by their content.
	ChunkID []byte
}

// DeriveSubkeys derives the encryption and chunk-id keys from a data key
// (salt: for example the repository id; may be nil).
func DeriveSubkeys(dataKey, salt []byte) (Subkeys, error) {
	enc, err := DeriveKey(dataKey, salt, "ebbtide encryption key v1")
	if err != nil {
		return Subkeys{}, err
	}
	mac, err := DeriveKey(dataKey, salt, "ebbtide chunk id key v1")
	if err != nil {
		return Subkeys{}, err
	}
	return Subkeys{Encryption: enc, ChunkID: mac}, nil
}
