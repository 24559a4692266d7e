package expr

import (
	"sort"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Projection is a compiled ProjectionExpression (or AttributesToGet).
type Projection struct {
	paths    []docPath
	topLevel bool // every path is a single top-level name
}

// parsedProjection is the cached, request-independent result of parsing a
// projection expression.
type parsedProjection struct {
	paths []*node
	err   string
}

func parseProjectionCached(src string) *parsedProjection {
	return cache.get(cacheKey{kindProjection, src}, func() any {
		paths, reserved, msg := parseProjectionSrc(src)
		if msg != "" {
			return &parsedProjection{err: msg}
		}
		pp := &parsedProjection{paths: paths}
		if reserved != "" {
			pp.err = "Attribute name is a reserved keyword; reserved keyword: " + reserved
		}
		return pp
	}).(*parsedProjection)
}

// ParseProjection compiles a ProjectionExpression.
func (c *Context) ParseProjection(s string) (*Projection, error) {
	const what = "ProjectionExpression"
	if err := checkText(what, s); err != nil {
		return nil, err
	}
	pp := parseProjectionCached(s)
	if pp.err != "" {
		return nil, invalid(what, pp.err)
	}
	p := &Projection{paths: make([]docPath, len(pp.paths))}
	for i, n := range pp.paths {
		path, undefined := c.resolvePath(n.path)
		if undefined != "" {
			return nil, invalid(what, "An expression attribute name used in the document path is not defined; attribute name: "+undefined)
		}
		p.paths[i] = path
	}
	if msg := checkPathClashes(p.paths); msg != "" {
		return nil, invalid(what, msg)
	}
	p.init()
	return p, nil
}

// FromAttributesToGet builds a projection of top-level names.
func FromAttributesToGet(names []string) *Projection {
	p := &Projection{paths: make([]docPath, len(names))}
	for i, n := range names {
		p.paths[i] = topPath(n)
	}
	p.init()
	return p
}

func (p *Projection) init() {
	p.topLevel = true
	for _, path := range p.paths {
		if len(path) > 1 {
			p.topLevel = false
		}
	}
}

// Attributes returns the top-level attribute names the projection reads, in
// order and without duplicates (e.g. to check them against an index's
// projected attributes).
func (p *Projection) Attributes() []string {
	var out []string
	seen := make(map[string]bool, len(p.paths))
	for _, path := range p.paths {
		if !seen[path[0].name] {
			seen[path[0].name] = true
			out = append(out, path[0].name)
		}
	}
	return out
}

// Apply returns a new item holding only the projected paths. Nested maps keep
// only the requested keys; the requested elements of a list are returned as
// a list in index order (compacted). Paths that do not exist are skipped.
// The result shares unmodified values with item.
func (p *Projection) Apply(item attr.Item) attr.Item {
	out := make(attr.Item, len(p.paths))
	if p.topLevel {
		for _, path := range p.paths {
			if v, ok := item[path[0].name]; ok {
				out[path[0].name] = v
			}
		}
		return out
	}
	root := &projNode{}
	for _, path := range p.paths {
		if v, ok := path.lookup(item); ok {
			root.insert(path, v)
		}
	}
	for name, n := range root.fields {
		out[name] = n.value()
	}
	return out
}

// projNode collects the projected parts of one value.
type projNode struct {
	leaf   *attr.Value
	fields map[string]*projNode
	elems  map[int]*projNode
}

func (n *projNode) insert(path docPath, v attr.Value) {
	for _, e := range path {
		n = n.child(e)
	}
	n.leaf = &v
}

func (n *projNode) child(e pathElem) *projNode {
	if e.isIndex {
		if n.elems == nil {
			n.elems = make(map[int]*projNode)
		}
		c := n.elems[e.index]
		if c == nil {
			c = &projNode{}
			n.elems[e.index] = c
		}
		return c
	}
	if n.fields == nil {
		n.fields = make(map[string]*projNode)
	}
	c := n.fields[e.name]
	if c == nil {
		c = &projNode{}
		n.fields[e.name] = c
	}
	return c
}

// value builds the projected value of n.
func (n *projNode) value() attr.Value {
	if n.leaf != nil {
		return *n.leaf
	}
	if n.fields != nil {
		m := make(map[string]attr.Value, len(n.fields))
		for k, c := range n.fields {
			m[k] = c.value()
		}
		return attr.Value{Kind: attr.KindM, Map: m}
	}
	idx := make([]int, 0, len(n.elems))
	for i := range n.elems {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	list := make([]attr.Value, len(idx))
	for j, i := range idx {
		list[j] = n.elems[i].value()
	}
	return attr.Value{Kind: attr.KindL, List: list}
}
