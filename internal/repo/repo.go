package repo

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"runtime"
	"sync"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/klauspost/compress/zstd"
)

// Errors callers may test for with errors.Is.
var (
	// ErrWrongKey: the repository was created with another root key.
	ErrWrongKey = errors.New("repo: wrong root key")
	// ErrCorrupt: an object failed authentication or a consistency check.
	ErrCorrupt = errors.New("repo: corrupted or tampered data")
	// ErrNotFound: the snapshot (manifest) does not exist.
	ErrNotFound = errors.New("repo: snapshot not found")
	// ErrMissing: an object a manifest or the repository needs is missing.
	ErrMissing = errors.New("repo: object missing")
	// ErrExists: a snapshot of that kind and id already exists.
	ErrExists = errors.New("repo: snapshot already exists")
	// ErrLocked: garbage collection cannot run while writers are active.
	ErrLocked = errors.New("repo: repository is locked")
	// ErrLockLost: a writer's lock expired or was removed; it cannot commit.
	ErrLockLost = errors.New("repo: writer lock lost")
	// ErrInvalidName: a kind or id is not a valid object-key component.
	ErrInvalidName = errors.New("repo: invalid kind or id")
)

// Compression levels for new chunks: zstd levels, and S2 for writers
// (WithCompression) whose CPU matters more than their size.
const (
	CompressionFastest = 1 // zstd.SpeedFastest
	CompressionDefault = 2 // zstd.SpeedDefault (the default)
	CompressionBetter  = 3 // zstd.SpeedBetterCompression
	// CompressionS2 is klauspost/compress's S2: about 4× zstd-fastest's
	// speed for about 25 % more stored bytes on item data. Writers only
	// (Options.Compression is a zstd level: manifests are zstd).
	CompressionS2 = 4
)

// Options tune a Repo. The zero value is usable.
type Options struct {
	// Clock returns the current time (manifest times, locks); time.Now if nil.
	Clock func() time.Time
	// Logger receives operational messages; slog.Default if nil.
	Logger *slog.Logger
	// Workers bounds concurrent compress/encrypt/upload and read-ahead
	// fetches per stream; GOMAXPROCS (at least 2) if 0.
	Workers int
	// Compression is the zstd level (CompressionFastest … CompressionBetter)
	// for new chunks and manifests; CompressionDefault if 0.
	Compression int
	// LockRefresh is how often a writer rewrites its lock; 5 min if 0.
	LockRefresh time.Duration
	// LockStale is the age after which another process treats a lock as
	// abandoned; 30 min if 0. Must exceed 2×LockRefresh.
	LockStale time.Duration
	// LockPoll is how often a new writer re-checks a running GC; 1 s if 0.
	LockPoll time.Duration
	// Chunking applies only when Open initializes a new repository; zero
	// fields take the defaults (DefaultChunking).
	Chunking ChunkParams
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = max(runtime.GOMAXPROCS(0), 2)
	}
	if o.Compression == 0 {
		o.Compression = CompressionDefault
	}
	if o.LockRefresh <= 0 {
		o.LockRefresh = 5 * time.Minute
	}
	if o.LockStale <= 0 {
		o.LockStale = 30 * time.Minute
	}
	if o.LockStale < 2*o.LockRefresh {
		o.LockStale = 2 * o.LockRefresh
	}
	if o.LockPoll <= 0 {
		o.LockPoll = time.Second
	}
	return o
}

// Repo is an open repository. It is safe for concurrent use.
type Repo struct {
	store  blob.Store
	kw     keys.KeyWrapper
	opts   Options
	log    *slog.Logger
	cfg    *config
	aead   cipher.AEAD
	macKey []byte
	enc    *zstd.Encoder
	dec    *zstd.Decoder
	encMu  sync.Mutex
	encs   map[int]*zstd.Encoder // other zstd levels (WithCompression)

	knownMu  sync.Mutex
	known    map[ChunkID]int64 // chunk id → stored size; nil until listed
	pending  map[ChunkID]*pendingChunk
	knownGen string // GC generation the set was listed under
}

// Open opens the repository on store, or initializes one when the store has
// no config: a random data key wrapped by kw, a random chunker polynomial,
// the config written last. Opening with another root key than the one the
// repository was created with fails with ErrWrongKey naming both key ids.
func Open(ctx context.Context, store blob.Store, kw keys.KeyWrapper, opts Options) (*Repo, error) {
	opts = opts.withDefaults()
	if opts.Compression < CompressionFastest || opts.Compression > CompressionBetter {
		return nil, fmt.Errorf("repo: Options.Compression %d is not a zstd level", opts.Compression)
	}
	cfg, dataKey, err := loadOrInitConfig(ctx, store, kw, opts)
	if err != nil {
		return nil, err
	}
	sub, err := keys.DeriveSubkeys(dataKey, []byte(cfg.ID))
	if err != nil {
		return nil, err
	}
	aead, err := newAEAD(sub.Encryption)
	if err != nil {
		return nil, err
	}
	enc, err := newEncoder(opts.Compression, opts.Workers)
	if err != nil {
		return nil, err
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(opts.Workers),
		zstd.WithDecoderMaxMemory(maxObjectPlain))
	if err != nil {
		return nil, err
	}
	return &Repo{
		store: store, kw: kw, opts: opts, log: opts.Logger, cfg: cfg,
		aead: aead, macKey: sub.ChunkID, enc: enc, dec: dec,
	}, nil
}

// newEncoder returns a zstd encoder at a Compression level.
func newEncoder(compression, workers int) (*zstd.Encoder, error) {
	level := zstd.SpeedDefault
	switch compression {
	case CompressionFastest:
		level = zstd.SpeedFastest
	case CompressionBetter:
		level = zstd.SpeedBetterCompression
	}
	return zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(workers))
}

// compressor returns the chunk compressor of a Compression level (0: the
// repository's); zstd encoders are made on first use and kept until Close.
func (r *Repo) compressor(level int) compressor {
	if level == CompressionS2 {
		return compressor{}
	}
	return compressor{zstd: r.encoder(level)}
}

func (r *Repo) encoder(level int) *zstd.Encoder {
	if level == 0 || level == r.opts.Compression {
		return r.enc
	}
	r.encMu.Lock()
	defer r.encMu.Unlock()
	if e := r.encs[level]; e != nil {
		return e
	}
	e, err := newEncoder(level, r.opts.Workers)
	if err != nil { // only for invalid options, which newEncoder never passes
		return r.enc
	}
	if r.encs == nil {
		r.encs = map[int]*zstd.Encoder{}
	}
	r.encs[level] = e
	return e
}

// ID returns the repository id (random, fixed at initialization).
func (r *Repo) ID() string { return r.cfg.ID }

// KeyID returns the id of the root key the repository was created with.
func (r *Repo) KeyID() string { return r.cfg.KeyID }

// Chunking returns the repository's chunk size parameters.
func (r *Repo) Chunking() ChunkParams { return r.cfg.Chunking }

// Store returns the underlying object store.
func (r *Repo) Store() blob.Store { return r.store }

// Close releases the repository's compressor resources. Writers and reads in
// progress must have finished.
func (r *Repo) Close() error {
	r.enc.Close()
	r.dec.Close()
	r.encMu.Lock()
	for _, e := range r.encs {
		e.Close()
	}
	r.encMu.Unlock()
	return nil
}

// nameRE is what kinds and ids may contain: object-key safe, no slashes.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9._:@+=-]{1,200}$`)

func checkName(kind, id string) error {
	for _, s := range []string{kind, id} {
		if !nameRE.MatchString(s) || s == "." || s == ".." {
			return fmt.Errorf("%w: %q (want 1-200 of A-Z a-z 0-9 . _ : @ + = -)", ErrInvalidName, s)
		}
	}
	return nil
}

// manifestKey is the object key of a manifest.
func manifestKey(kind, id string) string { return "manifests/" + kind + "/" + id }

// chunkKey is the object key of a chunk.
func chunkKey(id ChunkID) string {
	h := id.String()
	return "chunks/" + h[:2] + "/" + h
}

// Object-key prefixes and fixed keys.
const (
	configKey       = "config"
	chunksPrefix    = "chunks/"
	manifestsPrefix = "manifests/"
	locksPrefix     = "locks/"
	gcLockKey       = "locks/gc"
)
