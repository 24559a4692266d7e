package expr

import (
	"strconv"
	"strings"
)

// parser is a recursive-descent parser over the token stream of one
// expression. Syntax errors abort the parse through a panic carrying a
// syntaxAbort value, recovered by run.
type parser struct {
	src      string
	toks     []token
	pos      int
	keywords []string // words that are grammar keywords here (case-insensitive)
	// notes records request-independent problems found while parsing.
	notes parseNotes
}

// parseNotes are the request-independent problems a successful parse found.
type parseNotes struct {
	// reserved is the first bare path identifier, in source order, that is a
	// DynamoDB reserved word ("" if none).
	reserved string
	// deep is the error for the first document path nested too deeply.
	deep string
}

// maxPathDepth is DynamoDB's limit on the elements of a document path.
const maxPathDepth = 32

// syntaxAbort carries a syntax error message out of the parser.
type syntaxAbort struct{ msg string }

var (
	conditionKeywords = []string{"AND", "OR", "NOT", "BETWEEN", "IN"}
	updateKeywords    = []string{"SET", "REMOVE", "ADD", "DELETE"}
)

func newParser(src string, keywords []string) *parser {
	return &parser{src: src, toks: lex(src), keywords: keywords}
}

// run calls f, turning a syntax abort into its message.
func (p *parser) run(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			a, ok := r.(syntaxAbort)
			if !ok {
				panic(r)
			}
			msg = a.msg
		}
	}()
	f()
	return ""
}

// fail aborts the parse with a syntax error at token i.
func (p *parser) fail(i int) {
	panic(syntaxAbort{syntaxError(p.src, p.toks, i)})
}

func (p *parser) cur() token        { return p.toks[p.pos] }
func (p *parser) at(k tokKind) bool { return p.toks[p.pos].kind == k }
func (p *parser) text(i int) string { return p.src[p.toks[i].start:p.toks[i].end] }

// expect consumes a token of kind k or fails on the current token.
func (p *parser) expect(k tokKind) {
	if !p.at(k) {
		p.fail(p.pos)
	}
	p.pos++
}

// keywordAt returns the upper-case keyword at token i, or "".
func (p *parser) keywordAt(i int) string {
	if p.toks[i].kind != tIdent {
		return ""
	}
	t := p.text(i)
	for _, k := range p.keywords {
		if strings.EqualFold(t, k) {
			return k
		}
	}
	return ""
}

// isKeyword reports whether the current token is keyword kw.
func (p *parser) isKeyword(kw string) bool { return p.keywordAt(p.pos) == kw }

// parsePath parses a document path: a name followed by any number of
// ".name" and "[index]" elements.
func (p *parser) parsePath() *node {
	n := &node{kind: nPath, tok: int32(p.pos)}
	n.path = append(n.path, p.pathName())
	for {
		switch {
		case p.at(tDot):
			p.pos++
			n.path = append(n.path, p.pathName())
		case p.at(tLBrack):
			p.pos++
			if !p.at(tNumber) {
				p.fail(p.pos)
			}
			ix, err := strconv.Atoi(p.text(p.pos))
			if err != nil || ix > maxListIndex {
				p.fail(p.pos)
			}
			p.pos++
			p.expect(tRBrack)
			n.path = append(n.path, rawPart{kind: partIndex, index: ix})
		default:
			if len(n.path) > maxPathDepth && p.notes.deep == "" {
				p.notes.deep = "The document path has too many nesting levels; nesting levels: " + strconv.Itoa(len(n.path))
			}
			return n
		}
	}
}

// maxListIndex bounds list indexes so index arithmetic cannot overflow.
const maxListIndex = 1<<31 - 1

// pathName parses one name element of a path: a bare identifier (not a
// grammar keyword) or a #placeholder.
func (p *parser) pathName() rawPart {
	t := p.cur()
	switch {
	case t.kind == tName:
		p.pos++
		return rawPart{kind: partPlaceholder, name: p.text(p.pos - 1)}
	case t.kind == tIdent && p.keywordAt(p.pos) == "":
		name := p.text(p.pos)
		if p.notes.reserved == "" && isReserved(name) {
			p.notes.reserved = name
		}
		p.pos++
		return rawPart{kind: partIdent, name: name}
	}
	p.fail(p.pos)
	return rawPart{}
}

// ---- condition expressions ----

// parseConditionSrc parses a condition, filter or key-condition expression.
// It returns the AST and notes, or the syntax error message.
func parseConditionSrc(src string) (root *node, notes parseNotes, syntaxMsg string) {
	p := newParser(src, conditionKeywords)
	syntaxMsg = p.run(func() {
		root = p.parseOr()
		p.requireCond(root)
		if !p.at(tEOF) {
			p.fail(p.pos)
		}
	})
	return root, p.notes, syntaxMsg
}

// requireCond fails on the current token unless n can be a condition (the
// parser wanted a comparator after an operand).
func (p *parser) requireCond(n *node) {
	if !n.kind.isCondition() && n.kind != nFunc {
		p.fail(p.pos)
	}
}

func (p *parser) parseOr() *node {
	l := p.parseAnd()
	for p.isKeyword("OR") {
		p.requireCond(l)
		tok := p.pos
		p.pos++
		r := p.parseAnd()
		p.requireCond(r)
		l = &node{kind: nOr, tok: int32(tok), args: []*node{l, r}}
	}
	return l
}

func (p *parser) parseAnd() *node {
	l := p.parseNot()
	for p.isKeyword("AND") {
		p.requireCond(l)
		tok := p.pos
		p.pos++
		r := p.parseNot()
		p.requireCond(r)
		l = &node{kind: nAnd, tok: int32(tok), args: []*node{l, r}}
	}
	return l
}

func (p *parser) parseNot() *node {
	if p.isKeyword("NOT") {
		tok := p.pos
		p.pos++
		c := p.parseNot()
		p.requireCond(c)
		return &node{kind: nNot, tok: int32(tok), args: []*node{c}}
	}
	return p.parseCmp()
}

// parseCmp parses an operand optionally followed by a comparator, BETWEEN
// or IN; a lone operand is returned as is for the caller to judge.
func (p *parser) parseCmp() *node {
	l := p.parseOperand()
	tok := p.pos
	var op cmpOp
	switch p.cur().kind {
	case tEq:
		op = opEQ
	case tNe:
		op = opNE
	case tLt:
		op = opLT
	case tLe:
		op = opLE
	case tGt:
		op = opGT
	case tGe:
		op = opGE
	default:
		switch p.keywordAt(p.pos) {
		case "BETWEEN":
			p.operandOnly(l)
			p.pos++
			lo := p.parseOperandStrict()
			if !p.isKeyword("AND") {
				p.fail(p.pos)
			}
			p.pos++
			hi := p.parseOperandStrict()
			return &node{kind: nBetween, tok: int32(tok), args: []*node{l, lo, hi}}
		case "IN":
			p.operandOnly(l)
			p.pos++
			p.expect(tLParen)
			args := []*node{l, p.parseOperandStrict()}
			for p.at(tComma) {
				p.pos++
				args = append(args, p.parseOperandStrict())
			}
			p.expect(tRParen)
			return &node{kind: nIn, tok: int32(tok), args: args}
		}
		return l
	}
	p.operandOnly(l)
	p.pos++
	r := p.parseOperandStrict()
	return &node{kind: nCompare, op: op, tok: int32(tok), args: []*node{l, r}}
}

// operandOnly fails on the current (operator) token if l is a condition.
func (p *parser) operandOnly(l *node) {
	if l.kind.isCondition() {
		p.fail(p.pos)
	}
}

// parseOperandStrict parses an operand that may not be a condition.
func (p *parser) parseOperandStrict() *node {
	n := p.parseOperand()
	if n.kind.isCondition() {
		p.fail(int(n.tok))
	}
	return n
}

// parseOperand parses a parenthesised expression, a function call, a
// :value or a path.
func (p *parser) parseOperand() *node {
	t := p.cur()
	switch t.kind {
	case tLParen:
		p.pos++
		n := p.parseOr()
		p.expect(tRParen)
		if n.parens < 255 {
			n.parens++
		}
		return n
	case tValue:
		p.pos++
		return &node{kind: nValue, tok: int32(p.pos - 1), name: p.text(p.pos - 1)}
	case tIdent:
		if p.keywordAt(p.pos) != "" {
			p.fail(p.pos)
		}
		if p.toks[p.pos+1].kind == tLParen {
			return p.parseCall(p.parseOperandStrict)
		}
		return p.parsePath()
	case tName:
		return p.parsePath()
	}
	p.fail(p.pos)
	return nil
}

// parseCall parses name(arg, ...), each argument parsed by arg.
func (p *parser) parseCall(arg func() *node) *node {
	n := &node{kind: nFunc, tok: int32(p.pos), name: p.text(p.pos)}
	p.pos += 2 // name and '('
	n.args = append(n.args, arg())
	for p.at(tComma) {
		p.pos++
		n.args = append(n.args, arg())
	}
	p.expect(tRParen)
	return n
}

// ---- projection expressions ----

// parseProjectionSrc parses a projection expression: paths separated by commas.
func parseProjectionSrc(src string) (paths []*node, notes parseNotes, syntaxMsg string) {
	p := newParser(src, nil)
	syntaxMsg = p.run(func() {
		paths = append(paths, p.parsePath())
		for p.at(tComma) {
			p.pos++
			paths = append(paths, p.parsePath())
		}
		if !p.at(tEOF) {
			p.fail(p.pos)
		}
	})
	return paths, p.notes, syntaxMsg
}
