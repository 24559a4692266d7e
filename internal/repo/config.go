package repo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ebbtide/ebbtide/internal/blob"
	"github.com/ebbtide/ebbtide/internal/keys"
	"github.com/restic/chunker"
)

// configFormat names the config object's format; configVersion its version.
const (
	configFormat  = "ebbtide-repository"
	configVersion = 1
)

// configFile is the config object as stored: clear JSON. The wrapped data
// key and the key id must be readable before any key is available; the rest
// is sealed with the data key.
type configFile struct {
	Format     string `json:"format"`
	Version    int    `json:"version"`
	ID         string `json:"id"`
	KeyID      string `json:"key_id"`
	WrappedKey string `json:"wrapped_key"` // base64
	Sealed     string `json:"sealed"`      // base64 of seal(configSealed)
}

// configSealed is the secret part of the config.
type configSealed struct {
	Created    time.Time   `json:"created"`
	Polynomial chunker.Pol `json:"polynomial"`
	Chunking   ChunkParams `json:"chunking"`
}

// config is the decoded, checked repository configuration.
type config struct {
	ID       string
	KeyID    string
	Created  time.Time
	Pol      chunker.Pol
	Chunking ChunkParams
}

// wrapContext binds a wrapped data key to its repository.
func wrapContext(id string) string { return "ebbtide-repo:" + id }

// loadOrInitConfig opens the config, or creates one in an empty store.
func loadOrInitConfig(ctx context.Context, store blob.Store, kw keys.KeyWrapper, opts Options) (*config, []byte, error) {
	data, err := store.Get(ctx, configKey)
	if errors.Is(err, blob.ErrNotFound) {
		if err := initConfig(ctx, store, kw, opts); err != nil {
			return nil, nil, err
		}
		// Read back what is there: if another server initialized the same
		// store at the same moment, both continue with the winner's config.
		data, err = store.Get(ctx, configKey)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("repo: reading config of %s: %w", store, err)
	}
	return decodeConfig(data, kw)
}

func initConfig(ctx context.Context, store blob.Store, kw keys.KeyWrapper, opts Options) error {
	// Refuse to initialize over existing data whose config is missing.
	var foreign string
	err := store.List(ctx, "", func(key string, _ int64) error {
		foreign = key
		return errStopList
	})
	if err != nil && !errors.Is(err, errStopList) {
		return fmt.Errorf("repo: listing %s: %w", store, err)
	}
	if foreign != "" {
		return fmt.Errorf("%w: %s has objects (%s) but no config; refusing to initialize a repository over them",
			ErrMissing, store, foreign)
	}
	params := opts.Chunking.withDefaults()
	if err := params.validate(); err != nil {
		return err
	}
	pol, err := chunker.RandomPolynomial()
	if err != nil {
		return fmt.Errorf("repo: chunker polynomial: %w", err)
	}
	idb := make([]byte, 16)
	rand.Read(idb)
	id := hex.EncodeToString(idb)
	dataKey := keys.RandomKey()
	wrapped, err := kw.Wrap(dataKey, wrapContext(id))
	if err != nil {
		return fmt.Errorf("repo: wrapping the data key: %w", err)
	}
	sub, err := keys.DeriveSubkeys(dataKey, []byte(id))
	if err != nil {
		return err
	}
	aead, err := newAEAD(sub.Encryption)
	if err != nil {
		return err
	}
	secret, _ := json.Marshal(configSealed{Created: opts.Clock().UTC(), Polynomial: pol, Chunking: params})
	cf := configFile{
		Format: configFormat, Version: configVersion, ID: id, KeyID: kw.KeyID(),
		WrappedKey: base64.StdEncoding.EncodeToString(wrapped),
		Sealed:     base64.StdEncoding.EncodeToString(seal(aead, []byte(aadConfig+id), secret)),
	}
	out, _ := json.MarshalIndent(cf, "", "  ")
	if err := store.Put(ctx, configKey, append(out, '\n')); err != nil {
		return fmt.Errorf("repo: writing config to %s: %w", store, err)
	}
	opts.Logger.Info("initialized backup repository", "store", store.String(), "repository", id, "root_key", kw.KeyID())
	return nil
}

var errStopList = errors.New("stop listing")

// decodeConfig parses and authenticates a config object; it returns the
// config and the unwrapped data key.
func decodeConfig(data []byte, kw keys.KeyWrapper) (*config, []byte, error) {
	var cf configFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cf); err != nil {
		return nil, nil, fmt.Errorf("%w: config: not a repository config: %v", ErrCorrupt, err)
	}
	if cf.Format != configFormat {
		return nil, nil, fmt.Errorf("%w: config: format %q, want %q", ErrCorrupt, cf.Format, configFormat)
	}
	if cf.Version != configVersion {
		return nil, nil, fmt.Errorf("repo: config: unsupported repository version %d (this server reads %d)", cf.Version, configVersion)
	}
	if len(cf.ID) != 32 {
		return nil, nil, fmt.Errorf("%w: config: bad repository id %q", ErrCorrupt, cf.ID)
	}
	if _, err := hex.DecodeString(cf.ID); err != nil {
		return nil, nil, fmt.Errorf("%w: config: bad repository id %q", ErrCorrupt, cf.ID)
	}
	if kw != nil && cf.KeyID != kw.KeyID() {
		return nil, nil, fmt.Errorf("%w: repository %s was created with root key %s, but the server has %s",
			ErrWrongKey, cf.ID, cf.KeyID, kw.KeyID())
	}
	wrapped, err := base64.StdEncoding.DecodeString(cf.WrappedKey)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: config: wrapped key: %v", ErrCorrupt, err)
	}
	sealed, err := base64.StdEncoding.DecodeString(cf.Sealed)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: config: sealed part: %v", ErrCorrupt, err)
	}
	if kw == nil {
		return nil, nil, errors.New("repo: no key wrapper")
	}
	dataKey, err := kw.Unwrap(wrapped, wrapContext(cf.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: config: cannot unwrap the data key of repository %s with root key %s "+
			"(the config was altered or the key is not the one it was created with): %v",
			ErrCorrupt, cf.ID, kw.KeyID(), err)
	}
	if len(dataKey) != keys.KeySize {
		return nil, nil, fmt.Errorf("%w: config: data key has %d bytes", ErrCorrupt, len(dataKey))
	}
	sub, err := keys.DeriveSubkeys(dataKey, []byte(cf.ID))
	if err != nil {
		return nil, nil, err
	}
	aead, err := newAEAD(sub.Encryption)
	if err != nil {
		return nil, nil, err
	}
	pt, err := open(aead, []byte(aadConfig+cf.ID), sealed)
	if err != nil {
		return nil, nil, fmt.Errorf("repo: config: sealed part: %w", err)
	}
	var cs configSealed
	if err := json.Unmarshal(pt, &cs); err != nil {
		return nil, nil, fmt.Errorf("%w: config: sealed part: %v", ErrCorrupt, err)
	}
	if err := cs.Chunking.validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: config: %v", ErrCorrupt, err)
	}
	if cs.Polynomial == 0 || cs.Polynomial.Deg() != 53 || !cs.Polynomial.Irreducible() {
		return nil, nil, fmt.Errorf("%w: config: invalid chunker polynomial %v", ErrCorrupt, cs.Polynomial)
	}
	return &config{ID: cf.ID, KeyID: cf.KeyID, Created: cs.Created, Pol: cs.Polynomial, Chunking: cs.Chunking}, dataKey, nil
}
