package engine

import (
	"slices"
	"sync"
)

// numStripes is the number of item lock stripes. Two items contend only if
// their keys hash to the same stripe.
const numStripes = 4096

// lockTable is a striped set of item locks, indexed by a hash of the item's
// storage key.
type lockTable struct {
	stripes [numStripes]sync.Mutex
}

// stripeOf returns the stripe of a storage key.
func stripeOf(key []byte) int {
	return int(partitionHash(key) % numStripes)
}

// lock acquires the stripes in ascending order (so that concurrent callers
// cannot deadlock), each once, and returns the function releasing them.
// stripes is sorted and deduplicated in place.
func (l *lockTable) lock(stripes []int) (unlock func()) {
	slices.Sort(stripes)
	stripes = slices.Compact(stripes)
	for _, s := range stripes {
		l.stripes[s].Lock()
	}
	return func() {
		for _, s := range slices.Backward(stripes) {
			l.stripes[s].Unlock()
		}
	}
}
