package kv

import "github.com/cockroachdb/pebble/v2"

// Iter walks keys in order within its bounds. Key and Value return slices
// that stay valid only until the next positioning call; copy to keep them.
type Iter struct {
	it *pebble.Iterator
}

// First moves to the first key; it reports whether one exists.
func (i *Iter) First() bool { return i.it.First() }

// Last moves to the last key; it reports whether one exists.
func (i *Iter) Last() bool { return i.it.Last() }

// SeekGE moves to the first key >= key.
func (i *Iter) SeekGE(key []byte) bool { return i.it.SeekGE(key) }

// SeekLT moves to the last key < key.
func (i *Iter) SeekLT(key []byte) bool { return i.it.SeekLT(key) }

// Next moves forward one key.
func (i *Iter) Next() bool { return i.it.Next() }

// Prev moves back one key.
func (i *Iter) Prev() bool { return i.it.Prev() }

// Valid reports whether the iterator is positioned at a key.
func (i *Iter) Valid() bool { return i.it.Valid() }

// Key returns the current key.
func (i *Iter) Key() []byte { return i.it.Key() }

// Value returns the current value.
func (i *Iter) Value() ([]byte, error) { return i.it.ValueAndErr() }

// Error returns the error that stopped the iteration, if any.
func (i *Iter) Error() error { return i.it.Error() }

// Close releases the iterator and returns its accumulated error.
func (i *Iter) Close() error { return i.it.Close() }
