package expr

// Update expression grammar (clause keywords are case-insensitive, function
// names are not):
//
//	update   := clause+                      each of SET/REMOVE/ADD/DELETE at most once
//	clause   := SET    path '=' setvalue (',' path '=' setvalue)*
//	          | REMOVE path (',' path)*
//	          | ADD    path :value (',' path :value)*
//	          | DELETE path :value (',' path :value)*
//	setvalue := '(' arith ')' | arith | '(' operand ')' ('+'|'-') operandp
//	arith    := operandp [('+'|'-') operandp]
//	operandp := '(' operand ')' | operand
//	operand  := name '(' operandp (',' operandp)* ')' | :value | path

// updKind is the kind of an update action (and of its clause).
type updKind uint8

const (
	uSet updKind = iota
	uRemove
	uAdd
	uDelete
)

var updKindName = [...]string{"SET", "REMOVE", "ADD", "DELETE"}

// rawAction is one parsed action of an update expression.
type rawAction struct {
	kind updKind
	path *node
	val  *node // SET value, or the :value of ADD/DELETE; nil for REMOVE
}

// parseUpdateSrc parses an update expression. dupSection is the first clause
// keyword used twice ("" if none).
func parseUpdateSrc(src string) (actions []rawAction, notes parseNotes, dupSection, syntaxMsg string) {
	p := newParser(src, updateKeywords)
	syntaxMsg = p.run(func() {
		var seen [4]bool
		for {
			kw := p.keywordAt(p.pos)
			if kw == "" {
				p.fail(p.pos)
			}
			p.pos++
			var kind updKind
			for i, n := range updKindName {
				if n == kw {
					kind = updKind(i)
				}
			}
			for {
				actions = append(actions, p.parseAction(kind))
				if !p.at(tComma) {
					break
				}
				p.pos++
			}
			if seen[kind] && dupSection == "" {
				dupSection = kw
			}
			seen[kind] = true
			if p.at(tEOF) {
				return
			}
		}
	})
	return actions, p.notes, dupSection, syntaxMsg
}

func (p *parser) parseAction(kind updKind) rawAction {
	a := rawAction{kind: kind, path: p.parsePath()}
	switch kind {
	case uSet:
		p.expect(tEq)
		a.val = p.parseSetValue()
	case uAdd, uDelete:
		if !p.at(tValue) {
			p.fail(p.pos)
		}
		a.val = &node{kind: nValue, tok: int32(p.pos), name: p.text(p.pos)}
		p.pos++
	}
	return a
}

func (p *parser) parseSetValue() *node {
	if !p.at(tLParen) {
		return p.parseArith()
	}
	p.pos++
	inner := p.parseArith()
	p.expect(tRParen)
	if p.at(tPlus) || p.at(tMinus) {
		// "(operand) + operand": the parentheses belonged to the first operand.
		if inner.kind == nPlus || inner.kind == nMinus || inner.parens > 0 {
			p.fail(p.pos)
		}
		inner.parens++
		return p.arithRest(inner)
	}
	inner.parens++
	return inner
}

func (p *parser) parseArith() *node {
	l := p.parseUpdOperandP()
	if p.at(tPlus) || p.at(tMinus) {
		return p.arithRest(l)
	}
	return l
}

// arithRest parses "+ operand" or "- operand" after l.
func (p *parser) arithRest(l *node) *node {
	n := &node{kind: nPlus, tok: int32(p.pos)}
	if p.at(tMinus) {
		n.kind = nMinus
	}
	p.pos++
	n.args = []*node{l, p.parseUpdOperandP()}
	return n
}

func (p *parser) parseUpdOperandP() *node {
	if p.at(tLParen) {
		p.pos++
		n := p.parseUpdOperand()
		p.expect(tRParen)
		n.parens = 1
		return n
	}
	return p.parseUpdOperand()
}

func (p *parser) parseUpdOperand() *node {
	switch p.cur().kind {
	case tValue:
		p.pos++
		return &node{kind: nValue, tok: int32(p.pos - 1), name: p.text(p.pos - 1)}
	case tIdent:
		if p.keywordAt(p.pos) != "" {
			p.fail(p.pos)
		}
		if p.toks[p.pos+1].kind == tLParen {
			return p.parseCall(p.parseUpdOperandP)
		}
		return p.parsePath()
	case tName:
		return p.parsePath()
	}
	p.fail(p.pos)
	return nil
}
