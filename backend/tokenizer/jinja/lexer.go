package jinja

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Token kinds.
const (
	tData       = iota // template text
	tVarBegin          // {{
	tVarEnd            // }}
	tBlockBegin        // {%
	tBlockEnd          // %}
	tName
	tString
	tInt
	tFloat
	tOp
	tEOF
)

type token struct {
	kind int
	val  string // text, name, operator, decoded string, number literal
	line int
}

func (t token) String() string {
	switch t.kind {
	case tData:
		return "template text"
	case tEOF:
		return "end of template"
	case tVarBegin:
		return "'{{'"
	case tVarEnd:
		return "'}}'"
	case tBlockBegin:
		return "'{%'"
	case tBlockEnd:
		return "'%}'"
	case tString:
		return fmt.Sprintf("string %q", t.val)
	}
	return fmt.Sprintf("'%s'", t.val)
}

// operators, longest first so that "//" wins over "/".
var operators = []string{"**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"}

var rawBegin = regexp.MustCompile(`^\{%[-+]?\s*raw\s*([-+]?)%\}`)
var rawEnd = regexp.MustCompile(`\{%([-+]?)\s*endraw\s*([-+]?)%\}`)

// lexer splits a template as Jinja2 does with trim_blocks and
// lstrip_blocks on (transformers' settings): the newline after a block or
// comment tag is dropped, spaces and tabs before one on its line too, and
// "-" / "+" inside a delimiter strip or keep the whitespace next to it.
type lexer struct {
	src          string
	pos, line    int
	toks         []token
	lineStarting bool // the last thing consumed ended with a newline
}

func lex(src string) ([]token, error) {
	// Jinja2 reads every newline as \n and drops one trailing newline.
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	src = strings.TrimSuffix(src, "\n")
	l := &lexer{src: src, line: 1, lineStarting: true}
	for l.pos < len(l.src) {
		if err := l.next(); err != nil {
			return nil, err
		}
	}
	l.emit(tEOF, "")
	return l.toks, nil
}

func (l *lexer) emit(kind int, val string) {
	l.toks = append(l.toks, token{kind: kind, val: val, line: l.line})
}

func (l *lexer) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", l.line, fmt.Sprintf(format, args...))
}

// next consumes template text up to and including the next tag.
func (l *lexer) next() error {
	rest := l.src[l.pos:]
	start := tagStart(rest)
	if start < 0 {
		l.data(rest)
		l.pos = len(l.src)
		return nil
	}
	text, open := rest[:start], rest[start:start+2]
	sign := byte(0)
	if len(rest) > start+2 && (rest[start+2] == '-' || rest[start+2] == '+') {
		sign = rest[start+2]
	}
	text = l.stripBefore(text, sign, open == "{{")
	l.data(text)
	l.line += strings.Count(rest[len(text):start], "\n")
	l.pos += start
	if open == "{%" {
		if m := rawBegin.FindStringSubmatch(l.src[l.pos:]); m != nil {
			return l.raw(m)
		}
	}
	l.pos += 2
	if sign != 0 {
		l.pos++
	}
	switch open {
	case "{#":
		return l.comment()
	case "{{":
		l.emit(tVarBegin, "")
		return l.tag("}}")
	}
	l.emit(tBlockBegin, "")
	return l.tag("%}")
}

// tagStart finds the next "{{", "{%" or "{#".
func tagStart(s string) int {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && (s[i+1] == '{' || s[i+1] == '%' || s[i+1] == '#') {
			return i
		}
	}
	return -1
}

func (l *lexer) data(text string) {
	if text != "" {
		l.emit(tData, text)
		l.line += strings.Count(text, "\n")
	}
}

// afterTag consumes what follows a tag's closing delimiter: all whitespace
// after "-", the newline after a block or comment tag (trim_blocks) unless
// "+" asked to keep it.
func (l *lexer) afterTag(sign byte, block bool) {
	start := l.pos
	switch {
	case sign == '-':
		for l.pos < len(l.src) {
			r, w := utf8.DecodeRuneInString(l.src[l.pos:])
			if !unicode.IsSpace(r) {
				break
			}
			l.pos += w
		}
	case sign != '+' && block && l.pos < len(l.src) && l.src[l.pos] == '\n':
		l.pos++
	}
	consumed := l.src[start:l.pos]
	l.line += strings.Count(consumed, "\n")
	l.lineStarting = strings.HasSuffix(consumed, "\n")
}

func (l *lexer) comment() error {
	end := strings.Index(l.src[l.pos:], "#}")
	if end < 0 {
		return l.errorf("comment is not closed with #}")
	}
	body := l.src[l.pos : l.pos+end]
	l.line += strings.Count(body, "\n")
	l.pos += end + 2
	sign := byte(0)
	if body != "" && (body[len(body)-1] == '-' || body[len(body)-1] == '+') {
		sign = body[len(body)-1]
	}
	l.afterTag(sign, true)
	return nil
}

// stripBefore applies whitespace control to the text before a tag: "-"
// strips all whitespace; otherwise lstrip_blocks drops the spaces and tabs
// between the line start and a block or comment tag.
func (l *lexer) stripBefore(text string, sign byte, variable bool) string {
	if sign == '-' {
		return strings.TrimRightFunc(text, unicode.IsSpace)
	}
	if sign == '+' || variable {
		return text
	}
	lineStart := strings.LastIndexByte(text, '\n') + 1
	if (lineStart > 0 || l.lineStarting) && lineStart < len(text) && strings.TrimLeft(text[lineStart:], " \t") == "" {
		return text[:lineStart]
	}
	return text
}

// raw copies the text up to {% endraw %} as it is. The {% raw %} tag itself
// keeps the newline after it unless it ends with "-%}".
func (l *lexer) raw(begin []string) error {
	l.pos += len(begin[0])
	l.lineStarting = false
	if begin[1] == "-" {
		l.afterTag('-', true)
	}
	loc := rawEnd.FindStringSubmatchIndex(l.src[l.pos:])
	if loc == nil {
		return l.errorf("raw block is not closed with {%% endraw %%}")
	}
	at := func(i int) string { return l.src[l.pos+loc[2*i] : l.pos+loc[2*i+1]] }
	text := l.stripBefore(l.src[l.pos:l.pos+loc[0]], signByte(at(1)), false)
	endSign := signByte(at(2))
	l.data(text)
	l.line += strings.Count(l.src[l.pos+len(text):l.pos+loc[1]], "\n")
	l.pos += loc[1]
	l.afterTag(endSign, true)
	return nil
}

func signByte(s string) byte {
	if s == "" {
		return 0
	}
	return s[0]
}

// tag lexes the expression tokens of a {{ }} or {% %} tag up to its end
// delimiter, which counts only outside brackets.
func (l *lexer) tag(end string) error {
	var depth []byte
	block := end == "%}"
	for {
		for l.pos < len(l.src) && strings.IndexByte(" \t\n\r", l.src[l.pos]) >= 0 {
			if l.src[l.pos] == '\n' {
				l.line++
			}
			l.pos++
		}
		if l.pos >= len(l.src) {
			return l.errorf("tag is not closed with %s", end)
		}
		rest := l.src[l.pos:]
		if len(depth) == 0 {
			for _, sign := range []string{"-", "+", ""} {
				if sign == "+" && !block {
					continue
				}
				if strings.HasPrefix(rest, sign+end) {
					l.pos += len(sign) + len(end)
					if block {
						l.emit(tBlockEnd, "")
					} else {
						l.emit(tVarEnd, "")
					}
					l.afterTag(signByte(sign), block)
					return nil
				}
			}
		}
		c := rest[0]
		switch {
		case c == '\'' || c == '"':
			s, n, err := lexString(rest)
			if err != nil {
				return l.errorf("%v", err)
			}
			l.emit(tString, s)
			l.line += strings.Count(rest[:n], "\n")
			l.pos += n
		case '0' <= c && c <= '9':
			kind, n := lexNumber(rest)
			l.emit(kind, strings.ReplaceAll(rest[:n], "_", ""))
			l.pos += n
		case c == '_' || isNameStart(rest):
			n := 0
			for n < len(rest) {
				r, w := utf8.DecodeRuneInString(rest[n:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				n += w
			}
			l.emit(tName, rest[:n])
			l.pos += n
		default:
			op := ""
			for _, o := range operators {
				if strings.HasPrefix(rest, o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(rest)
				return l.errorf("unexpected character %q", r)
			}
			switch op {
			case "(", "[", "{":
				depth = append(depth, op[0])
			case ")", "]", "}":
				want := map[string]byte{")": '(', "]": '[', "}": '{'}[op]
				if len(depth) == 0 || depth[len(depth)-1] != want {
					return l.errorf("unexpected '%s'", op)
				}
				depth = depth[:len(depth)-1]
			}
			l.emit(tOp, op)
			l.pos += len(op)
		}
	}
}

func isNameStart(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// lexNumber scans an integer or float literal (digits may hold "_").
func lexNumber(s string) (int, int) {
	digits := func(i int) int {
		for i < len(s) && ('0' <= s[i] && s[i] <= '9' || s[i] == '_') {
			i++
		}
		return i
	}
	n := digits(0)
	kind := tInt
	if n+1 < len(s) && s[n] == '.' && '0' <= s[n+1] && s[n+1] <= '9' {
		n = digits(n + 1)
		kind = tFloat
	}
	if n < len(s) && (s[n] == 'e' || s[n] == 'E') {
		m := n + 1
		if m < len(s) && (s[m] == '+' || s[m] == '-') {
			m++
		}
		if m < len(s) && '0' <= s[m] && s[m] <= '9' {
			n = digits(m)
			kind = tFloat
		}
	}
	return kind, n
}

// lexString decodes a quoted string literal with Python's escapes and
// returns it with the length consumed.
func lexString(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			n, err := unescape(&b, s[i:])
			if err != nil {
				return "", 0, err
			}
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, fmt.Errorf("string is not closed")
}

// unescape decodes one backslash escape at the start of s into b, as
// Python's unicode-escape codec does; unknown escapes stay as written.
func unescape(b *strings.Builder, s string) (int, error) {
	simple := map[byte]string{'n': "\n", 't': "\t", 'r': "\r", '\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'f': "\f", 'v': "\v", '\n': ""}
	if r, ok := simple[s[1]]; ok {
		b.WriteString(r)
		return 2, nil
	}
	hexLen := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[1]]
	if hexLen > 0 {
		if len(s) < 2+hexLen {
			return 0, fmt.Errorf("truncated \\%c escape", s[1])
		}
		var v rune
		for _, c := range s[2 : 2+hexLen] {
			d := strings.IndexRune("0123456789abcdef", unicode.ToLower(c))
			if d < 0 {
				return 0, fmt.Errorf("bad \\%c escape %q", s[1], s[:2+hexLen])
			}
			v = v*16 + rune(d)
		}
		b.WriteRune(v)
		return 2 + hexLen, nil
	}
	if '0' <= s[1] && s[1] <= '7' {
		n, v := 1, rune(0)
		for n < 4 && n < len(s) && '0' <= s[n] && s[n] <= '7' {
			v = v*8 + rune(s[n]-'0')
			n++
		}
		b.WriteRune(v)
		return n, nil
	}
	b.WriteByte('\\')
	return 1, nil
}
