// Package keys holds Ebbtide's key hierarchy for data at rest.
//
// At the top is a server-owned 256-bit root key (RootKey), kept in a file
// apart from the table data and the backup repository (LoadOrCreateRootKey).
// The root key never encrypts data itself: it wraps (envelope encryption,
// AES-256-GCM) the random per-repository data keys, which are stored wrapped
// next to the data they protect. Customer-managed keys (a KMS subset) slot in
// later behind the same KeyWrapper interface.
//
// From a data key, DeriveKey derives independent subkeys with HKDF-SHA256:
// one for AES-256-GCM encryption of chunks and manifests, one for the
// HMAC-SHA256 that names chunks. A subkey never leaks another.
//
// Every key has a key id (KeyID): a short hex digest of the key, safe to log
// and to store in clear, so a repository opened with the wrong root key is
// reported as such ("created with root key X, but the server has Y").
package keys
