package expr

import (
	"cmp"
	"slices"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Projection is a compiled ProjectionExpression (or AttributesToGet).
type Projection struct {
	paths []docPath
	tree  *projTree // the paths merged into one tree, built by init
}

// parsedProjection is the cached, request-independent result of parsing a
// projection expression.
type parsedProjection struct {
	paths []*node
	err   string
}

func parseProjectionCached(src string) *parsedProjection {
	return cache.get(cacheKey{kindProjection, src}, func() any {
		paths, notes, msg := parseProjectionSrc(src)
		if msg != "" {
			return &parsedProjection{err: msg}
		}
		pp := &parsedProjection{paths: paths}
		switch {
		case notes.deep != "":
			pp.err = notes.deep
		case notes.reserved != "":
			pp.err = "Attribute name is a reserved keyword; reserved keyword: " + notes.reserved
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

// init merges the paths into p.tree. A path that covers another (only
// possible for inputs that skipped the overlap check) keeps the whole value.
func (p *Projection) init() {
	p.tree = &projTree{}
	for _, path := range p.paths {
		n := p.tree
		for _, e := range path {
			if n.leaf {
				break
			}
			n = n.child(e)
		}
		n.leaf, n.fields, n.elems = true, nil, nil
	}
	p.tree.sortElems()
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
	out := make(attr.Item, len(p.tree.fields))
	for _, f := range p.tree.fields {
		v, ok := item[f.name]
		if !ok {
			continue
		}
		if v, ok = f.n.project(v); ok {
			out[f.name] = v
		}
	}
	return out
}

// projTree is the compiled shape of a projection: a leaf keeps a whole
// value; an inner node keeps the listed map keys or list elements.
type projTree struct {
	leaf   bool
	fields []projField
	elems  []projElem // by index
}

type projField struct {
	name string
	n    *projTree
}

type projElem struct {
	index int
	n     *projTree
}

func (t *projTree) child(e pathElem) *projTree {
	if e.isIndex {
		for _, c := range t.elems {
			if c.index == e.index {
				return c.n
			}
		}
		c := &projTree{}
		t.elems = append(t.elems, projElem{e.index, c})
		return c
	}
	for _, c := range t.fields {
		if c.name == e.name {
			return c.n
		}
	}
	c := &projTree{}
	t.fields = append(t.fields, projField{e.name, c})
	return c
}

func (t *projTree) sortElems() {
	slices.SortFunc(t.elems, func(a, b projElem) int { return cmp.Compare(a.index, b.index) })
	for _, c := range t.fields {
		c.n.sortElems()
	}
	for _, c := range t.elems {
		c.n.sortElems()
	}
}

// project returns the parts of v that t selects, and false when none of
// them exists.
func (t *projTree) project(v attr.Value) (attr.Value, bool) {
	if t.leaf {
		return v, true
	}
	if len(t.fields) > 0 {
		if v.Kind != attr.KindM {
			return attr.Value{}, false
		}
		var m map[string]attr.Value
		for _, f := range t.fields {
			c, ok := v.Map[f.name]
			if !ok {
				continue
			}
			if c, ok = f.n.project(c); ok {
				if m == nil {
					m = make(map[string]attr.Value, len(t.fields))
				}
				m[f.name] = c
			}
		}
		return attr.Value{Kind: attr.KindM, Map: m}, m != nil
	}
	if v.Kind != attr.KindL {
		return attr.Value{}, false
	}
	var list []attr.Value
	for _, e := range t.elems {
		if e.index >= len(v.List) {
			break
		}
		if c, ok := e.n.project(v.List[e.index]); ok {
			list = append(list, c)
		}
	}
	return attr.Value{Kind: attr.KindL, List: list}, list != nil
}
