package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ebbtide/ebbtide/internal/clock"
	"github.com/ebbtide/ebbtide/internal/kv"
)

// Options configure an Engine.
type Options struct {
	Dir       string // Pebble directory
	Region    string // for ARNs and the catalog namespace
	AccountID string // for ARNs and the catalog namespace
	// Clock is the time source for CreatedAt and commit timestamps; nil
	// means the real clock.
	Clock clock.Clock
	// Logger receives the engine's and Pebble's logs; nil means slog.Default().
	Logger *slog.Logger
	// CacheSize is Pebble's block cache size in bytes; 0 means kv's default.
	CacheSize int64
}

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

	locks    lockTable
	inflight inflightCommits
}

// Open opens (creating if needed) the store in opts.Dir and loads the catalog.
func Open(opts Options) (*Engine, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Region == "" || opts.AccountID == "" {
		return nil, errors.New("engine: Options.Region and Options.AccountID are required")
	}
	db, err := kv.Open(kv.Options{Dir: opts.Dir, Logger: opts.Logger, CacheSize: opts.CacheSize})
	if err != nil {
		return nil, err
	}
	e := &Engine{
		db:      db,
		log:     opts.Logger,
		clock:   clock.OrReal(opts.Clock),
		region:  opts.Region,
		account: opts.AccountID,
		tables:  map[string]*tableState{},
	}
	e.hlc = clock.NewHLC(e.clock)
	e.inflight.init()
	if err := e.loadCatalog(); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	e.log.Info("engine opened", "dir", opts.Dir, "tables", len(e.tables))
	return e, nil
}

// Close closes the store. Every acknowledged write is already durable;
// calls still running may fail.
func (e *Engine) Close() error {
	if err := e.db.Close(); err != nil {
		return fmt.Errorf("engine: close: %w", err)
	}
	return nil
}
