package engine

// tableLayout is what a write needs of a table's changeable configuration:
// the indexes to maintain, the TTL attribute and whether its changes are
// captured. A layout is never modified: a catalog change publishes a new
// one while holding the table's life lock exclusively, so every write sees
// one layout from its first read to its commit.
type tableLayout struct {
	indexes []*indexState // maintained indexes, in catalog order
	ttl     *ttlConfig    // nil when TTL is off
	// capture is true while the table's writes are captured in its change
	// log (SetChangeCapture).
	capture bool
}

// ttlConfig is one enabling of TTL. Each UpdateTTL that enables TTL makes a
// new one, so a TTL backfill can tell whether it is still wanted.
type ttlConfig struct {
	attr string // the TTL attribute
}

// withIndexes returns a copy of l maintaining the given indexes.
func (l *tableLayout) withIndexes(ixs []*indexState) *tableLayout {
	c := *l
	c.indexes = ixs
	return &c
}

// withTTL returns a copy of l with the TTL setting cfg (nil: off).
func (l *tableLayout) withTTL(cfg *ttlConfig) *tableLayout {
	c := *l
	c.ttl = cfg
	return &c
}

// withCapture returns a copy of l capturing changes or not.
func (l *tableLayout) withCapture(on bool) *tableLayout {
	c := *l
	c.capture = on
	return &c
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
