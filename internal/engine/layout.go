package engine

// tableLayout is what a write needs of a table's changeable configuration:
// the indexes to maintain and the TTL attribute. A layout is never
// modified: a catalog change publishes a new one while holding the table's
// life lock exclusively, so every write sees one layout from its first
// read to its commit.
type tableLayout struct {
	indexes []*indexState // maintained indexes, in catalog order
	ttl     *ttlConfig    // nil when TTL is off
}

// ttlConfig is one enabling of TTL. Each UpdateTTL that enables TTL makes a
// new one, so a TTL backfill can tell whether it is still wanted.
type ttlConfig struct {
	attr string // the TTL attribute
}

// withIndexes returns a copy of l maintaining the given indexes.
func (l *tableLayout) withIndexes(ixs []*indexState) *tableLayout {
	return &tableLayout{indexes: ixs, ttl: l.ttl}
}

// index returns the maintained index of that name, or nil.
func (l *tableLayout) index(name string) *indexState {
	for _, ix := range l.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}
