package expr

// The parser produces one AST shape for every expression kind. Nodes keep
// placeholders (#name, :value) unresolved so a parsed AST can be cached by
// expression text and shared by concurrent requests; the request's
// ExpressionAttributeNames/Values are applied when the AST is bound
// (bind.go, update.go, projection.go, keycond.go).

// nodeKind is the kind of an AST node.
type nodeKind uint8

const (
	nPath    nodeKind = iota // document path operand
	nValue                   // :placeholder operand
	nFunc                    // function call: name(args...)
	nCompare                 // args[0] <op> args[1]
	nBetween                 // args[0] BETWEEN args[1] AND args[2]
	nIn                      // args[0] IN (args[1:]...)
	nAnd                     // args[0] AND args[1]
	nOr                      // args[0] OR args[1]
	nNot                     // NOT args[0]
	nPlus                    // update SET value: args[0] + args[1]
	nMinus                   // update SET value: args[0] - args[1]
)

// isCondition reports whether a node can only be a boolean condition
// (functions may be either; the checker decides).
func (k nodeKind) isCondition() bool {
	return k >= nCompare && k <= nNot
}

// cmpOp is a comparison operator.
type cmpOp uint8

const (
	opEQ cmpOp = iota
	opNE
	opLT
	opLE
	opGT
	opGE
)

var cmpOpText = [...]string{"=", "<>", "<", "<=", ">", ">="}

// String returns the operator's text ("=", "<>", ...).
func (o cmpOp) String() string { return cmpOpText[o] }

// node is one AST node.
type node struct {
	kind   nodeKind
	op     cmpOp // nCompare
	parens uint8 // parentheses directly around this node
	tok    int32 // index of the node's operator, keyword or function-name token
	name   string
	path   []rawPart // nPath
	args   []*node
}

// rawPart is one element of an unresolved document path.
type rawPart struct {
	kind  partKind
	name  string // identifier, or "#placeholder"
	index int    // list index
}

// partKind says what a path element is.
type partKind uint8

const (
	partIdent       partKind = iota // bare attribute name
	partPlaceholder                 // #name, resolved through ExpressionAttributeNames
	partIndex                       // [n]
)

// walkPost visits n's subtree in post-order (children left to right, then
// the node), which is the order DynamoDB's parser completes constructs and
// hence the order in which it records first errors.
func walkPost(n *node, f func(*node)) {
	for _, a := range n.args {
		walkPost(a, f)
	}
	f(n)
}
