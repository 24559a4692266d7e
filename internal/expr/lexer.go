package expr

import "unicode/utf8"

// tokKind is the lexical class of a token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIdent           // bare name or keyword: [A-Za-z][A-Za-z0-9_]*
	tName            // #placeholder: '#' [A-Za-z0-9_]+
	tValue           // :placeholder: ':' [A-Za-z0-9_]+
	tNumber          // [0-9]+ (only valid as a list index)
	tEq              // =
	tNe              // <>
	tLt              // <
	tLe              // <=
	tGt              // >
	tGe              // >=
	tPlus            // +
	tMinus           // -
	tLParen          // (
	tRParen          // )
	tLBrack          // [
	tRBrack          // ]
	tDot             // .
	tComma           // ,
	tInvalid         // any other character (one rune); always a syntax error
)

// token is one lexeme: its class and its byte span in the source.
type token struct {
	kind       tokKind
	start, end int32
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_'
}
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lex splits src into tokens. It never fails: characters that start no valid
// token become tInvalid tokens, which the parser reports as syntax errors at
// the position DynamoDB does. The result always ends with a tEOF token.
func lex(src string) []token {
	toks := make([]token, 0, len(src)/3+2)
	i := 0
	for i < len(src) {
		c := src[i]
		if isSpace(c) {
			i++
			continue
		}
		start := i
		kind := tInvalid
		switch {
		case isLetter(c):
			i++
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			kind = tIdent
		case isDigit(c):
			i++
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			kind = tNumber
		case c == '#' || c == ':':
			i++
			for i < len(src) && isWordByte(src[i]) {
				i++
			}
			if i == start+1 {
				kind = tInvalid // a lone '#' or ':'
			} else if c == '#' {
				kind = tName
			} else {
				kind = tValue
			}
		case c == '<':
			i++
			kind = tLt
			if i < len(src) && src[i] == '>' {
				i++
				kind = tNe
			} else if i < len(src) && src[i] == '=' {
				i++
				kind = tLe
			}
		case c == '>':
			i++
			kind = tGt
			if i < len(src) && src[i] == '=' {
				i++
				kind = tGe
			}
		default:
			i++
			switch c {
			case '=':
				kind = tEq
			case '+':
				kind = tPlus
			case '-':
				kind = tMinus
			case '(':
				kind = tLParen
			case ')':
				kind = tRParen
			case '[':
				kind = tLBrack
			case ']':
				kind = tRBrack
			case '.':
				kind = tDot
			case ',':
				kind = tComma
			default:
				// One whole rune, so the message quotes a readable character.
				_, size := utf8.DecodeRuneInString(src[start:])
				i = start + size
			}
		}
		toks = append(toks, token{kind: kind, start: int32(start), end: int32(i)})
	}
	toks = append(toks, token{kind: tEOF, start: int32(len(src)), end: int32(len(src))})
	return toks
}

// syntaxError builds DynamoDB's syntax error for the token at index i:
//
//	Syntax error; token: "<text>", near: "<previous token … next token>"
//
// "near" is the source text from the start of the previous token to the end
// of the following token (the following token is absent at the end of the
// input, where the rest of the text, usually trailing blanks, is used).
func syntaxError(src string, toks []token, i int) string {
	t := toks[i]
	text := src[t.start:t.end]
	if t.kind == tEOF {
		text = "<EOF>"
	}
	start := 0
	if i > 0 {
		start = int(toks[i-1].start)
	}
	end := len(src)
	if t.kind != tEOF && i+1 < len(toks) && toks[i+1].kind != tEOF {
		end = int(toks[i+1].end)
	}
	return `Syntax error; token: "` + text + `", near: "` + src[start:end] + `"`
}
