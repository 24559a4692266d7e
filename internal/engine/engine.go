package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// Options configure an Engine.
type Options struct {
	Dir       string // Pebble directory
	Region    string // for ARNs and the catalog namespace
	AccountID string // for ARNs and the catalog namespace
	// Clock is the time source for CreatedAt, commit timestamps, TTL
	// expiry and meta record expiry; nil means the real clock.
	Clock clock.Clock
	// Logger receives the engine's and Pebble's logs; nil means slog.Default().
	Logger *slog.Logger
	// CacheSize is Pebble's block cache size in bytes; 0 means kv's default.
	CacheSize int64
	// TTLInterval is the period of the background expiry pass, in the
	// Clock's time; 0 means DefaultTTLInterval, and a negative value turns
	// the background pass off (tests then call ExpireNow).
	TTLInterval time.Duration
	// TTLMaxPerPass caps the items one expiry pass deletes (the rest wait
	// for the next pass), so expiry never floods the store; 0 means
	// DefaultTTLMaxPerPass.
	TTLMaxPerPass int
}

// Defaults for Options fields left zero.
const (
	DefaultTTLInterval   = time.Second
	DefaultTTLMaxPerPass = 10_000
)

// Engine is the table store. Safe for concurrent use.
type Engine struct {
	db      *kv.DB
	log     *slog.Logger
	clock   clock.Clock
	hlc     *clock.HLC
	region  string
	account string

	catMu  sync.RWMutex
	tables map[string]*tableState // by name; guarded by catMu
	// catChanged is closed (and replaced) when a background job or a
	// DeleteTable changes the catalog; guarded by catMu.
	catChanged chan struct{}

	locks    lockTable
	inflight inflightCommits
	// trimMu serialises TrimChanges, whose trim mark only grows.
	trimMu sync.Mutex

	ttlInterval   time.Duration
	ttlMaxPerPass int
	expired       atomic.Int64 // items deleted by TTL since Open

	bgCtx  context.Context // canceled by Close
	bgStop context.CancelFunc
	bg     sync.WaitGroup // background goroutines (backfills, expirer)

	// captureChange, when set, is called for every changed item of a
	// commit with the commit's batch and timestamp, after its change
	// record (if captured) joined the batch: tests use it to observe
	// commits.
	captureChange func(b *kv.Batch, ts clock.Timestamp, w *pendingWrite) error
	// afterBackfillBatch, when set, is called after each committed
	// backfill batch (tests use it to interrupt a backfill).
	afterBackfillBatch func(ctx context.Context)
}

// Open opens (creating if needed) the store in opts.Dir, loads the
// catalog, resumes index and TTL backfills that were interrupted, and
// starts the background expirer.
func Open(opts Options) (*Engine, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Region == "" || opts.AccountID == "" {
		return nil, errors.New("engine: Options.Region and Options.AccountID are required")
	}
	if opts.TTLInterval == 0 {
		opts.TTLInterval = DefaultTTLInterval
	}
	if opts.TTLMaxPerPass <= 0 {
		opts.TTLMaxPerPass = DefaultTTLMaxPerPass
	}
	db, err := kv.Open(kv.Options{Dir: opts.Dir, Logger: opts.Logger, CacheSize: opts.CacheSize})
	if err != nil {
		return nil, err
	}
	e := &Engine{
		db:            db,
		log:           opts.Logger,
		clock:         clock.OrReal(opts.Clock),
		region:        opts.Region,
		account:       opts.AccountID,
		tables:        map[string]*tableState{},
		catChanged:    make(chan struct{}),
		ttlInterval:   opts.TTLInterval,
		ttlMaxPerPass: opts.TTLMaxPerPass,
	}
	e.bgCtx, e.bgStop = context.WithCancel(context.Background())
	e.hlc = clock.NewHLC(e.clock)
	e.inflight.init()
	if err := e.loadCatalog(); err != nil {
		e.bgStop()
		return nil, errors.Join(err, db.Close())
	}
	e.resumeBackfills()
	if e.ttlInterval > 0 {
		e.startExpirer()
	}
	e.log.Info("engine opened", "dir", opts.Dir, "tables", len(e.tables))
	return e, nil
}

// Close stops the background work (an unfinished backfill resumes at the
// next Open) and closes the store. Every acknowledged write is already
// durable; calls still running may fail.
func (e *Engine) Close() error {
	e.bgStop()
	e.bg.Wait()
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("engine: close: %w", err)
	}
	return nil
}

// goBackground runs f on a background goroutine that Close waits for.
func (e *Engine) goBackground(f func(ctx context.Context)) {
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		f(e.bgCtx)
	}()
}

// notifyCatalog wakes the waiters of catalog changes. Callers hold catMu.
func (e *Engine) notifyCatalog() {
	close(e.catChanged)
	e.catChanged = make(chan struct{})
}

// Now is the engine's clock reading: the time source callers use for
// timestamps they store through the engine (injectable in tests).
func (e *Engine) Now() time.Time { return e.clock.Now() }
