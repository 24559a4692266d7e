package expr

import (
	"strconv"
	"strings"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// pathElem is one resolved element of a document path: an attribute or map
// key name, or a list index.
type pathElem struct {
	name    string
	index   int
	isIndex bool
}

// docPath is a resolved document path. Its first element is always a name.
type docPath []pathElem

// topPath returns the one-element path of a top-level attribute.
func topPath(name string) docPath { return docPath{{name: name}} }

// lookup returns the value at p in item and whether it exists.
func (p docPath) lookup(item attr.Item) (attr.Value, bool) {
	v, ok := item[p[0].name]
	if !ok {
		return attr.Value{}, false
	}
	for _, e := range p[1:] {
		if e.isIndex {
			if v.Kind != attr.KindL || e.index >= len(v.List) {
				return attr.Value{}, false
			}
			v = v.List[e.index]
		} else {
			if v.Kind != attr.KindM {
				return attr.Value{}, false
			}
			if v, ok = v.Map[e.name]; !ok {
				return attr.Value{}, false
			}
		}
	}
	return v, true
}

// String renders p the way DynamoDB's messages do: "[a, b, [1], c]".
func (p docPath) String() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range p {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.isIndex {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(e.index))
			b.WriteByte(']')
		} else {
			b.WriteString(e.name)
		}
	}
	b.WriteByte(']')
	return b.String()
}

// equal reports whether two paths are identical.
func (p docPath) equal(q docPath) bool {
	if len(p) != len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

// pathClash compares two paths of one update or projection expression the
// way DynamoDB does: on their common prefix, an element that is a name in one
// path and an index in the other is a conflict; if no element differs the
// paths overlap (one is a prefix of the other, or they are equal).
func pathClash(p, q docPath) (overlap, conflict bool) {
	for i := 0; i < len(p) && i < len(q); i++ {
		if p[i].isIndex != q[i].isIndex {
			return false, true
		}
		if p[i] != q[i] {
			return false, false
		}
	}
	return true, false
}

// checkPathClashes returns DynamoDB's overlap error for the first pair of
// overlapping paths or, when none overlap, its conflict error for the first
// conflicting pair ("" if the paths are independent). Paths are compared in
// order, each with every earlier one; "path one" is the earlier path.
func checkPathClashes(paths []docPath) string {
	conflict := ""
	for j := 1; j < len(paths); j++ {
		for i := 0; i < j; i++ {
			o, c := pathClash(paths[i], paths[j])
			if o {
				return "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: " +
					paths[i].String() + ", path two: " + paths[j].String()
			}
			if c && conflict == "" {
				conflict = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: " +
					paths[i].String() + ", path two: " + paths[j].String()
			}
		}
	}
	return conflict
}
