package engine

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// indexState is the in-memory form of one maintained secondary index.
// It lives as long as the index: layouts built for later catalog changes
// share it.
type indexState struct {
	id       uint32
	name     string
	local    bool
	keys     keySpace // 'x' + tableId + indexId; keys then the table's keys
	keyNames []string // keys.keyAttrNames()
	proj     Projection
	statsKey []byte // 's' + tableId + indexId

	// backfilling is true while the index is being built from the items
	// already in the table: until then an item may lack its entry, so
	// writes check whether an old entry exists before counting its removal.
	backfilling atomic.Bool
	stats       liveStats
}

func newIndexState(id [tableIDLen]byte, tableKeys []KeyAttr, ix Index) *indexState {
	s := &indexState{
		id:    ix.ID,
		name:  ix.Name,
		local: ix.Local,
		keys: keySpace{
			prefix:    indexPrefix(id, ix.ID),
			hash:      ix.KeySchema.Hash,
			rng:       ix.KeySchema.Range,
			tableKeys: tableKeys,
		},
		proj:     ix.Projection,
		statsKey: indexStatsKey(id, ix.ID),
	}
	s.keyNames = s.keys.keyAttrNames()
	s.backfilling.Store(ix.Backfilling)
	return s
}

// indexPrefix returns 'x' + tableId + indexId: the prefix of an index's
// entries.
func indexPrefix(id [tableIDLen]byte, ix uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{prefixIndex}, id[:]...), ix)
}

// indexStatsKey returns the key of an index's stats counters.
func indexStatsKey(id [tableIDLen]byte, ix uint32) []byte {
	return binary.BigEndian.AppendUint32(statsKey(id), ix)
}

// indexEntry is an item's entry in one index.
type indexEntry struct {
	key  []byte
	proj attr.Item // the projected item
}

// size returns the entry's size as IndexStats counts it.
func (en indexEntry) size() int64 {
	return int64(attr.ItemSize(en.proj)) + indexEntryOverhead
}

// entry returns item's entry in the index; ok is false if item is nil or
// lacks (or mistypes) an index key attribute.
func (ix *indexState) entry(item attr.Item) (en indexEntry, ok bool) {
	if item == nil {
		return indexEntry{}, false
	}
	k, ok := ix.keys.entryKey(item)
	if !ok {
		return indexEntry{}, false
	}
	return indexEntry{key: k, proj: ix.project(item)}, true
}

// project returns the attributes of item the index holds: every one for
// ALL; otherwise the table's and the index's key attributes, plus the
// NonKeyAttributes for INCLUDE.
func (ix *indexState) project(item attr.Item) attr.Item {
	if ix.proj.Type == ProjectionAll {
		return item
	}
	out := make(attr.Item, len(ix.keyNames)+len(ix.proj.NonKeyAttributes))
	for _, n := range ix.keyNames {
		out[n] = item[n]
	}
	if ix.proj.Type == ProjectionInclude {
		for _, n := range ix.proj.NonKeyAttributes {
			if v, ok := item[n]; ok {
				out[n] = v
			}
		}
	}
	return out
}
