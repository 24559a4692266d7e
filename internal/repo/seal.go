package repo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
)

// objectVersion is the first byte of every sealed object (chunks, manifests,
// the config's sealed part): version ‖ 12-byte nonce ‖ AES-256-GCM output.
const objectVersion = 1

// maxObjectPlain bounds the decompressed size of any object (chunks are at
// most MaxChunkLimit; manifests of very large snapshots are the biggest).
const maxObjectPlain = 256 << 20

// Additional-data domains keep one kind of sealed object from being passed
// off as another.
const (
	aadChunk    = "ebbtide chunk v1\x00"
	aadManifest = "ebbtide manifest v1\x00"
	aadConfig   = "ebbtide config v1\x00"
)

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal returns version ‖ nonce ‖ GCM(plaintext) with a fresh random nonce.
// A 96-bit random nonce per object is safe far beyond any repository's
// object count (collision odds ~2⁻³² only after 2³² objects per key).
func seal(aead cipher.AEAD, aad, plaintext []byte) []byte {
	ns := aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+aead.Overhead())
	out[0] = objectVersion
	rand.Read(out[1:])
	return aead.Seal(out, out[1:1+ns], plaintext, aad)
}

// errAuth is the cause reported when an object fails GCM authentication.
var errAuth = corrupt("authentication failed (corrupted or tampered)")

// open reverses seal.
func open(aead cipher.AEAD, aad, obj []byte) ([]byte, error) {
	ns := aead.NonceSize()
	if len(obj) < 1+ns+aead.Overhead() {
		return nil, corrupt(fmt.Sprintf("object truncated (%d bytes)", len(obj)))
	}
	if obj[0] != objectVersion {
		return nil, corrupt(fmt.Sprintf("unknown object format version %d (corrupted or tampered)", obj[0]))
	}
	pt, err := aead.Open(nil, obj[1:1+ns], obj[1+ns:], aad)
	if err != nil {
		return nil, errAuth
	}
	return pt, nil
}
