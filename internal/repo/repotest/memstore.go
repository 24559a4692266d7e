// Package repotest provides test helpers for code built on the backup
// repository: an in-memory blob.Store with fault injection.
package repotest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ebbtide/ebbtide/internal/blob"
)

// MemStore is an in-memory blob.Store, safe for concurrent use. Put copies
// the data and Get returns a copy, like a real store.
type MemStore struct {
	mu   sync.Mutex
	objs map[string][]byte
	// Puts, Gets and Deletes count calls (for tests of I/O behaviour).
	Puts, Gets, Deletes int
}

var _ blob.Store = (*MemStore)(nil)

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{objs: map[string][]byte{}} }

// Put stores a copy of data.
func (m *MemStore) Put(ctx context.Context, key string, data []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Puts++
	m.objs[key] = append([]byte(nil), data...)
	return nil
}

// Get returns a copy of an object.
func (m *MemStore) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Gets++
	b, ok := m.objs[key]
	if !ok {
		return nil, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
	}
	return append([]byte(nil), b...), nil
}

// Size returns an object's size.
func (m *MemStore) Size(ctx context.Context, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[key]
	if !ok {
		return 0, fmt.Errorf("%w: %s", blob.ErrNotFound, key)
	}
	return int64(len(b)), nil
}

// List calls fn for the objects under prefix in key order (on a snapshot
// of the keys, so fn may modify the store).
func (m *MemStore) List(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	m.mu.Lock()
	type kv struct {
		k string
		n int64
	}
	var list []kv
	for k, v := range m.objs {
		if strings.HasPrefix(k, prefix) {
			list = append(list, kv{k, int64(len(v))})
		}
	}
	m.mu.Unlock()
	sort.Slice(list, func(i, j int) bool { return list[i].k < list[j].k })
	for _, e := range list {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(e.k, e.n); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes an object.
func (m *MemStore) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Deletes++
	delete(m.objs, key)
	return nil
}

// String describes the store.
func (m *MemStore) String() string { return "mem://" }

// Keys returns the keys under prefix, sorted.
func (m *MemStore) Keys(prefix string) []string {
	var out []string
	m.List(context.Background(), prefix, func(k string, _ int64) error {
		out = append(out, k)
		return nil
	})
	return out
}

// Raw returns the stored bytes of key (not a copy) and whether it exists.
func (m *MemStore) Raw(key string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[key]
	return b, ok
}

// FlipBit flips one bit of an object in place (tamper tests). It panics if
// the object does not exist or is shorter than byteIndex+1.
func (m *MemStore) FlipBit(key string, byteIndex int, bit uint) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[key]
	if !ok {
		panic("repotest: FlipBit: no object " + key)
	}
	b[byteIndex] ^= 1 << (bit % 8)
}

// Set replaces an object's bytes without going through Put's counters.
func (m *MemStore) Set(key string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.objs[key] = append([]byte(nil), data...)
}

// TotalBytes returns the sum of the sizes of the objects under prefix.
func (m *MemStore) TotalBytes(prefix string) int64 {
	var n int64
	m.List(context.Background(), prefix, func(_ string, size int64) error {
		n += size
		return nil
	})
	return n
}
