// Package repo is Ebbtide's backup repository: a content-addressed,
// deduplicating, compressed and encrypted store of record streams
// (table snapshots, PITR log segments) on a blob.Store.
//
// # Streams, chunks and manifests
//
// A writer (Repo.NewWriter) takes opaque records; each is framed as
// uvarint(length) ‖ bytes into one byte stream, which content-defined
// chunking (restic's Rabin chunker, with a random per-repository polynomial
// kept sealed in the config) cuts into chunks of 512 KiB … 8 MiB, about
// 1 MiB on average. A chunk's id is HMAC-SHA256(chunk-id key, plaintext), so
// identical content is stored once — across snapshots, tables and kinds —
// while ids reveal nothing to someone without the key. A writer may cut
// fixed-size chunks instead (WithFixedChunks: streams that repeat nothing,
// such as log segments, gain nothing from the rolling hash). A new chunk is
// compressed — zstd, or S2 for writers that trade size for CPU
// (WithCompression) — kept raw when that does not help, and sealed with
// AES-256-GCM under a random 96-bit nonce with the chunk id as additional
// data, so a chunk cannot be altered or swapped for another undetected.
// Compression, encryption and upload run on a bounded pool of workers.
//
// Writer.Commit then writes the manifest, last: the ordered chunk list
// (id, plaintext length, stored length), counts, sizes, the caller's
// metadata and the SHA-256 of the whole framed stream; zstd-compressed and
// sealed with additional data "kind/id". A snapshot exists exactly when its
// manifest does. Readers (Repo.Read) fetch chunks concurrently, check each
// (GCM authentication, recomputed HMAC id, length) and the stream SHA-256,
// and name the object at fault in every error.
//
// Repo.Concat makes a snapshot whose stream is the concatenation of other
// snapshots' without reading or writing a chunk: its manifest lists their
// chunks and keeps each source's SHA-256 as a part (readers check each
// part as its last chunk arrives). PITR merges a busy table's log
// segments this way.
//
// # Layout
//
//	config                      clear JSON: format version, repository id, root key id,
//	                            wrapped data key, and a sealed part (chunker polynomial
//	                            and sizes, creation time)
//	chunks/<2 hex>/<64 hex>     one chunk: version ‖ nonce ‖ GCM(compression flag ‖ data),
//	                            the flag 0 raw, 1 zstd, 2 S2
//	manifests/<kind>/<id>       one snapshot: version ‖ nonce ‖ GCM(zstd(JSON manifest))
//	locks/<lock id>             clear JSON: one running writer (kind/id, times, host)
//	locks/gc                    clear JSON: the garbage collector's marker and generation
//
// Kinds and ids are restricted to [A-Za-z0-9._:@+=-] (no slashes), so
// object keys stay unambiguous on every store.
//
// # Keys
//
// The config holds a random 256-bit data key wrapped by a keys.KeyWrapper
// (the server's root key) with context "ebbtide-repo:<repository id>". HKDF
// derives from it the encryption key and the chunk-id key. The repository
// and the root key alone are enough to list and read everything: nothing
// lives in the server's database.
//
// # Garbage collection and locks
//
// Repo.Delete removes a manifest only; Repo.GC deletes chunks no manifest
// references. A writer that decided to reuse an existing chunk (dedup) must
// never see it deleted before its manifest is written. The protocol:
//
//  1. A writer first writes its lock locks/<id>, then reads locks/gc; if a
//     garbage collection is running (marker fresh) it removes its lock and
//     waits. GC first writes its running marker, then lists locks/ and
//     refuses (ErrLocked) if any writer lock is fresh. Both sides write
//     first and read second, so with a store whose listings see completed
//     writes (the filesystem; S3 since 2020), at least one of them sees the
//     other: they never run at the same time.
//  2. A writer refreshes its lock every LockRefresh and refuses to commit if
//     its last successful refresh is older than LockStale/2; GC treats a
//     lock as stale (crashed writer) only when it is older than LockStale.
//     So a live writer's lock is never stale while it can still commit
//     (assuming clocks agree to within LockStale/2 and a manifest Put takes
//     less than that). GC deletes stale locks it overrides; a writer that
//     finds its lock gone fails.
//  3. Each GC bumps a generation in locks/gc before deleting anything. The
//     in-memory set of known chunk ids (listed once, then kept) is reloaded
//     by the next writer whenever the generation changed, so no writer
//     dedups against a chunk a GC may have deleted; chunks missing from the
//     set are probed with Size before being skipped.
//
// Reads of a snapshot that is being deleted at the same time may fail; the
// backup layer does not delete snapshots it is restoring.
package repo
