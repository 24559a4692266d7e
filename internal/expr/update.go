package expr

import (
	"errors"
	"slices"
	"sort"

	"github.com/ebbtide/ebbtide/internal/attr"
)

// Update expressions: checking, binding and application.
//
// Error order (DynamoDB's): document path too deep, reserved word, unknown function, clause used
// twice (request-independent, cached with the AST), undefined #name,
// undefined :value, overlapping paths, conflicting paths, ADD/DELETE operand
// type, function operand count/type.

// updateFuncs maps the functions of update expressions to their arity.
var updateFuncs = map[string]int{"if_not_exists": 2, "list_append": 2}

// DynamoDB's runtime messages for updates.
const (
	msgInvalidPath   = "The document path provided in the update expression is invalid for update"
	msgIncorrectType = "An operand in the update expression has an incorrect data type"
	msgMissingAttr   = "The provided expression refers to an attribute that does not exist in the item"
	msgTypeMismatch  = "Type mismatch for attribute to update" // legacy AttributeUpdates
)

// parsedUpdate is the cached, request-independent result of parsing an
// update expression.
type parsedUpdate struct {
	actions []rawAction
	err     string
}

func parseUpdateCached(src string) *parsedUpdate {
	return cache.get(cacheKey{kindUpdate, src}, func() any {
		actions, notes, dup, msg := parseUpdateSrc(src)
		if msg != "" {
			return &parsedUpdate{err: msg}
		}
		pu := &parsedUpdate{actions: actions}
		unknown := ""
		for _, a := range actions {
			if a.kind != uSet {
				continue
			}
			walkPost(a.val, func(n *node) {
				if _, ok := updateFuncs[n.name]; n.kind == nFunc && !ok && unknown == "" {
					unknown = n.name
				}
			})
		}
		switch {
		case notes.deep != "":
			pu.err = notes.deep
		case notes.reserved != "":
			pu.err = "Attribute name is a reserved keyword; reserved keyword: " + notes.reserved
		case unknown != "":
			pu.err = "Invalid function name; function: " + unknown
		case dup != "":
			pu.err = `The "` + dup + `" section can only be used once in an update expression;`
		}
		return pu
	}).(*parsedUpdate)
}

// Update is a compiled UpdateExpression (or AttributeUpdates).
type Update struct {
	actions []updAction
	root    *updNode // the actions arranged by path
	top     []string // top-level attributes touched, in action order
	legacy  bool     // AttributeUpdates semantics
}

// updAction is one bound action.
type updAction struct {
	kind updKind
	path docPath
	set  *setExpr   // SET value
	val  attr.Value // ADD/DELETE operand
}

// setExprKind is the kind of a SET value expression.
type setExprKind uint8

const (
	sePath setExprKind = iota
	seConst
	seIfNotExists
	seListAppend
	sePlus
	seMinus
)

// setExpr is a bound SET value.
type setExpr struct {
	kind setExprKind
	path docPath
	val  attr.Value
	args []*setExpr
}

// updBinder resolves placeholders of an update in source order.
type updBinder struct {
	ctx             *Context
	nameErr, valErr string
	function        string
}

// bindUpdate binds a parsed update; the error has no prefix.
func (c *Context) bindUpdate(actions []rawAction) (*Update, string) {
	b := updBinder{ctx: c}
	u := &Update{actions: make([]updAction, len(actions))}
	paths := make([]docPath, len(actions))
	for i, a := range actions {
		p, undefined := c.resolvePath(a.path.path)
		if undefined != "" && b.nameErr == "" {
			b.nameErr = "An expression attribute name used in the document path is not defined; attribute name: " + undefined
		}
		paths[i] = p
		ua := updAction{kind: a.kind, path: p}
		switch a.kind {
		case uSet:
			ua.set = b.setExpr(a.val)
		case uAdd, uDelete:
			v, ok := c.value(a.val.name)
			if !ok && b.valErr == "" {
				b.valErr = "An expression attribute value used in expression is not defined; attribute value: " + a.val.name
			}
			ua.val = v
		}
		u.actions[i] = ua
	}
	if b.nameErr != "" {
		return nil, b.nameErr
	}
	if b.valErr != "" {
		return nil, b.valErr
	}
	if msg := checkPathClashes(paths); msg != "" {
		return nil, msg
	}
	for _, a := range u.actions {
		if a.kind == uAdd || a.kind == uDelete {
			k := a.val.Kind
			if !isSet(k) && !(a.kind == uAdd && k == attr.KindN) {
				return nil, "Incorrect operand type for operator or function; operator: " +
					updKindName[a.kind] + ", operand type: " + longTypeName(k)
			}
		}
	}
	for _, a := range actions {
		if a.kind == uSet {
			walkPost(a.val, b.checkFunction)
		}
	}
	if b.function != "" {
		return nil, b.function
	}
	u.index()
	return u, ""
}

// setExpr binds a SET value, recording the first undefined name and value.
func (b *updBinder) setExpr(n *node) *setExpr {
	switch n.kind {
	case nPath:
		p, undefined := b.ctx.resolvePath(n.path)
		if undefined != "" && b.nameErr == "" {
			b.nameErr = "An expression attribute name used in the document path is not defined; attribute name: " + undefined
		}
		return &setExpr{kind: sePath, path: p}
	case nValue:
		v, ok := b.ctx.value(n.name)
		if !ok && b.valErr == "" {
			b.valErr = "An expression attribute value used in expression is not defined; attribute value: " + n.name
		}
		return &setExpr{kind: seConst, val: v}
	}
	e := &setExpr{kind: sePlus}
	switch {
	case n.kind == nMinus:
		e.kind = seMinus
	case n.kind == nFunc && n.name == "if_not_exists":
		e.kind = seIfNotExists
	case n.kind == nFunc:
		e.kind = seListAppend
	}
	for _, a := range n.args {
		e.args = append(e.args, b.setExpr(a))
	}
	return e
}

// checkFunction checks one function or arithmetic node (visited post-order).
func (b *updBinder) checkFunction(n *node) {
	if b.function != "" {
		return
	}
	var name string
	switch n.kind {
	case nFunc:
		name = n.name
		if len(n.args) != updateFuncs[name] {
			b.function = "Incorrect number of operands for operator or function; operator or function: " +
				name + ", number of operands: " + itoa(len(n.args))
			return
		}
	case nPlus:
		name = "+"
	case nMinus:
		name = "-"
	default:
		return
	}
	if name == "if_not_exists" {
		if n.args[0].kind != nPath {
			b.function = "Operator or function requires a document path; operator or function: " + name
		}
		return
	}
	want := attr.KindN
	if name == "list_append" {
		want = attr.KindL
	}
	for _, a := range n.args {
		if a.kind != nValue {
			continue
		}
		if v, ok := b.ctx.Values[a.name]; ok && v.Kind != want {
			b.function = incorrectOperand(name, v.Kind.String())
			return
		}
	}
}

// ParseUpdate compiles an UpdateExpression.
func (c *Context) ParseUpdate(s string) (*Update, error) {
	const what = "UpdateExpression"
	if err := checkText(what, s); err != nil {
		return nil, err
	}
	pu := parseUpdateCached(s)
	if pu.err != "" {
		return nil, invalid(what, pu.err)
	}
	u, msg := c.bindUpdate(pu.actions)
	if msg != "" {
		return nil, invalid(what, msg)
	}
	return u, nil
}

// updNode arranges the actions by path: a leaf holds one action, an inner
// node the children of one map (fields) or one list (elems, by index).
type updNode struct {
	action int // index into Update.actions, or -1
	fields []updField
	elems  []updElem
}

type updField struct {
	name string
	n    *updNode
}

type updElem struct {
	index int
	n     *updNode
}

// index builds u.root and u.top from u.actions. Paths never overlap (that
// is checked first), so every action gets its own leaf.
func (u *Update) index() {
	u.root = &updNode{action: -1}
	for i, a := range u.actions {
		if !slices.Contains(u.top, a.path[0].name) {
			u.top = append(u.top, a.path[0].name)
		}
		n := u.root
		for _, e := range a.path {
			n = n.child(e)
		}
		n.action = i
	}
	u.root.sortElems()
}

// child returns (creating it if needed) the child of n for e.
func (n *updNode) child(e pathElem) *updNode {
	if e.isIndex {
		for _, c := range n.elems {
			if c.index == e.index {
				return c.n
			}
		}
		c := &updNode{action: -1}
		n.elems = append(n.elems, updElem{e.index, c})
		return c
	}
	for _, c := range n.fields {
		if c.name == e.name {
			return c.n
		}
	}
	c := &updNode{action: -1}
	n.fields = append(n.fields, updField{e.name, c})
	return c
}

func (n *updNode) sortElems() {
	sort.Slice(n.elems, func(i, j int) bool { return n.elems[i].index < n.elems[j].index })
	for _, c := range n.fields {
		c.n.sortElems()
	}
	for _, c := range n.elems {
		c.n.sortElems()
	}
}

// onlyRemoves reports whether every action under n is a REMOVE.
func (u *Update) onlyRemoves(n *updNode) bool {
	if n.action >= 0 {
		return u.actions[n.action].kind == uRemove
	}
	for _, c := range n.fields {
		if !u.onlyRemoves(c.n) {
			return false
		}
	}
	for _, c := range n.elems {
		if !u.onlyRemoves(c.n) {
			return false
		}
	}
	return true
}

// Apply returns the updated copy of item (item may be nil: a new item, which
// Apply starts from the key). It never modifies its input. updated lists the
// top-level attribute names the update touched (for UPDATED_OLD/UPDATED_NEW).
// Runtime errors (wrong operand types, ...) are *Error values.
//
// A nil item is an absent item: Apply starts from an empty item, and the
// caller adds the key attributes to the result. Callers that want SET values
// to read the key of a new item (SET a = pk) pass the key as item instead.
//
// As in DynamoDB, every SET value is computed from the original item before
// any action applies, and list indexes refer to positions in the original
// lists; SET of an index past the end appends (in index order), REMOVE of
// one is ignored.
func (u *Update) Apply(item attr.Item) (result attr.Item, updated []string, err error) {
	vals := make([]attr.Value, len(u.actions))
	for i, a := range u.actions {
		if a.set != nil {
			if vals[i], err = a.set.eval(item); err != nil {
				return nil, nil, err
			}
		}
	}
	st := applyState{u: u, vals: vals, missingItem: item == nil}
	out := make(attr.Item, len(item)+len(u.root.fields))
	for k, v := range item {
		out[k] = v
	}
	for _, f := range u.root.fields {
		cur, ok := item[f.name]
		nv, keep, err := st.apply(cur, ok, f.n)
		if err != nil {
			return nil, nil, err
		}
		if keep {
			out[f.name] = nv
		} else {
			delete(out, f.name)
		}
	}
	return out, slices.Clone(u.top), nil
}

// TouchesTopLevel reports whether the update targets any of the given
// attribute names at top level, returning the first such name in the order
// given (DynamoDB refuses updates of key attributes: "Cannot update attribute
// pk. This attribute is part of the key").
func (u *Update) TouchesTopLevel(names ...string) (string, bool) {
	for _, n := range names {
		if slices.Contains(u.top, n) {
			return n, true
		}
	}
	return "", false
}

// UpdatedPaths returns a projection of the document paths the update
// targets, for ReturnValues UPDATED_OLD (applied to the old item) and
// UPDATED_NEW (applied to the new one).
func (u *Update) UpdatedPaths() *Projection {
	p := &Projection{paths: make([]docPath, len(u.actions))}
	for i, a := range u.actions {
		p.paths[i] = a.path
	}
	p.init()
	return p
}

// applyState carries one Apply call.
type applyState struct {
	u           *Update
	vals        []attr.Value // computed SET values, by action
	missingItem bool
}

// apply returns the new value at node n given the current one, and whether
// the attribute still exists.
func (st *applyState) apply(cur attr.Value, exists bool, n *updNode) (attr.Value, bool, error) {
	if n.action >= 0 {
		return st.leaf(n.action, cur, exists)
	}
	if len(n.fields) > 0 {
		if !exists || cur.Kind != attr.KindM {
			return st.badParent(cur, exists, n)
		}
		m := make(map[string]attr.Value, len(cur.Map)+len(n.fields))
		for k, v := range cur.Map {
			m[k] = v
		}
		for _, f := range n.fields {
			v, ok := cur.Map[f.name]
			nv, keep, err := st.apply(v, ok, f.n)
			if err != nil {
				return attr.Value{}, false, err
			}
			if keep {
				m[f.name] = nv
			} else {
				delete(m, f.name)
			}
		}
		return attr.Value{Kind: attr.KindM, Map: m}, true, nil
	}
	if !exists || cur.Kind != attr.KindL {
		return st.badParent(cur, exists, n)
	}
	out := make([]attr.Value, 0, len(cur.List)+len(n.elems))
	j := 0
	for i, v := range cur.List {
		if j < len(n.elems) && n.elems[j].index == i {
			nv, keep, err := st.apply(v, true, n.elems[j].n)
			if err != nil {
				return attr.Value{}, false, err
			}
			if keep {
				out = append(out, nv)
			}
			j++
			continue
		}
		out = append(out, v)
	}
	for ; j < len(n.elems); j++ { // past the end: appended in index order
		nv, keep, err := st.apply(attr.Value{}, false, n.elems[j].n)
		if err != nil {
			return attr.Value{}, false, err
		}
		if keep {
			out = append(out, nv)
		}
	}
	return attr.Value{Kind: attr.KindL, List: out}, true, nil
}

// badParent handles a nested path whose parent is missing or not a
// container: an error, except that DynamoDB ignores REMOVEs of nested paths
// of an absent item.
func (st *applyState) badParent(cur attr.Value, exists bool, n *updNode) (attr.Value, bool, error) {
	if st.missingItem && st.u.onlyRemoves(n) {
		return cur, exists, nil
	}
	return attr.Value{}, false, &Error{Message: msgInvalidPath}
}

// leaf applies action i to the current value.
func (st *applyState) leaf(i int, cur attr.Value, exists bool) (attr.Value, bool, error) {
	a := &st.u.actions[i]
	mismatch := msgIncorrectType
	if st.u.legacy {
		mismatch = msgTypeMismatch
	}
	switch a.kind {
	case uSet:
		return st.vals[i], true, nil
	case uRemove:
		return attr.Value{}, false, nil
	case uAdd:
		switch {
		case !exists:
			return a.val, true, nil
		case cur.Kind == attr.KindN && a.val.Kind == attr.KindN:
			s, err := attr.AddNumbers(cur.Str, a.val.Str)
			if err != nil {
				return attr.Value{}, false, wrapAttrError(err)
			}
			return attr.Value{Kind: attr.KindN, Str: s}, true, nil
		case isSet(cur.Kind) && cur.Kind == a.val.Kind:
			return setUnion(cur, a.val), true, nil
		case st.u.legacy && cur.Kind == attr.KindL && a.val.Kind == attr.KindL:
			return attr.Value{Kind: attr.KindL, List: slices.Concat(cur.List, a.val.List)}, true, nil
		}
		return attr.Value{}, false, &Error{Message: mismatch}
	default: // uDelete
		if !exists {
			return attr.Value{}, false, nil
		}
		if !isSet(cur.Kind) || cur.Kind != a.val.Kind {
			return attr.Value{}, false, &Error{Message: mismatch}
		}
		d := setDifference(cur, a.val)
		return d, setLen(d) > 0, nil
	}
}

// eval computes a SET value from the original item.
func (e *setExpr) eval(item attr.Item) (attr.Value, error) {
	switch e.kind {
	case sePath:
		v, ok := e.path.lookup(item)
		if !ok {
			return attr.Value{}, &Error{Message: msgMissingAttr}
		}
		return v, nil
	case seConst:
		return e.val, nil
	case seIfNotExists:
		if v, ok := e.args[0].path.lookup(item); ok {
			return v, nil
		}
		return e.args[1].eval(item)
	}
	a, err := e.args[0].eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	want := attr.KindN
	if e.kind == seListAppend {
		want = attr.KindL
	}
	if a.Kind != want {
		return attr.Value{}, &Error{Message: msgIncorrectType}
	}
	b, err := e.args[1].eval(item)
	if err != nil {
		return attr.Value{}, err
	}
	if b.Kind != want {
		return attr.Value{}, &Error{Message: msgIncorrectType}
	}
	var s string
	switch e.kind {
	case seListAppend:
		return attr.Value{Kind: attr.KindL, List: slices.Concat(a.List, b.List)}, nil
	case sePlus:
		s, err = attr.AddNumbers(a.Str, b.Str)
	default:
		s, err = attr.SubNumbers(a.Str, b.Str)
	}
	if err != nil {
		return attr.Value{}, wrapAttrError(err)
	}
	return attr.Value{Kind: attr.KindN, Str: s}, nil
}

// wrapAttrError turns an attr error into an expr *Error with the same text.
func wrapAttrError(err error) error {
	var ae *attr.Error
	if errors.As(err, &ae) {
		return &Error{Message: ae.Message}
	}
	return err
}
