package jinja

import (
	"fmt"
	"strconv"
	"strings"
)

// Statements.
type (
	node interface{ exec(*state) error }

	textNode   struct{ text string }
	outputNode struct{ x expr }
	ifNode     struct {
		conds  []expr
		bodies [][]node
		orElse []node
	}
	forNode struct {
		targets []string
		iter    expr
		filter  expr // nil: none
		body    []node
		orElse  []node
		line    int
	}
	setNode struct {
		targets []string // one name, or several to unpack
		attrOf  string   // set ns.attr: attrOf is "ns", targets[0] "attr"
		x       expr
		line    int
	}
	setBlockNode struct {
		name string
		body []node
	}
	macroNode struct {
		name     string
		params   []string
		defaults []expr // aligned with the last params
		body     []node
	}
	filterBlockNode struct {
		filter *filterExpr // applied to the rendered body, x unset
		body   []node
	}
	breakNode    struct{}
	continueNode struct{}
)

// Expressions.
type (
	expr interface{ eval(*state) (any, error) }

	literal  struct{ v any }
	nameExpr struct {
		name string
		line int
	}
	listExpr struct{ items []expr }
	dictExpr struct{ keys, vals []expr }
	attrExpr struct {
		x    expr
		name string
		line int
	}
	itemExpr struct {
		x, key expr
		line   int
	}
	sliceExpr struct {
		x                 expr
		start, stop, step expr // nil when omitted
	}
	callExpr struct {
		fn     expr
		args   []expr
		kwargs []kwarg
		line   int
	}
	filterExpr struct {
		x      expr
		name   string
		args   []expr
		kwargs []kwarg
		line   int
	}
	testExpr struct {
		x      expr
		name   string
		args   []expr
		negate bool
		line   int
	}
	unaryExpr struct {
		op   string // "not", "-", "+"
		x    expr
		line int
	}
	binaryExpr struct {
		op   string
		a, b expr
		line int
	}
	compareExpr struct {
		first expr
		ops   []string // ==, !=, <, <=, >, >=, in, not in
		rest  []expr
		line  int
	}
	condExpr struct{ cond, yes, no expr } // no may be nil
	kwarg    struct {
		name string
		x    expr
	}
)

type parser struct {
	toks []token
	pos  int
}

func parse(toks []token) ([]node, error) {
	p := &parser{toks: toks}
	body, end, err := p.body()
	if err != nil {
		return nil, err
	}
	if end != "" {
		return nil, p.errorf("unexpected {%% %s %%}", end)
	}
	return body, nil
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) errorf(format string, args ...any) error {
	return fmt.Errorf("line %d: %s", p.peek().line, fmt.Sprintf(format, args...))
}

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.val == op
}

func (p *parser) isName(name string) bool {
	t := p.peek()
	return t.kind == tName && t.val == name
}

func (p *parser) skipOp(op string) bool {
	if p.isOp(op) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) skipName(name string) bool {
	if p.isName(name) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) expectOp(op string) error {
	if !p.skipOp(op) {
		return p.errorf("expected '%s', got %v", op, p.peek())
	}
	return nil
}

func (p *parser) expectKind(kind int) error {
	if p.peek().kind != kind {
		want := token{kind: kind}
		return p.errorf("expected %v, got %v", want, p.peek())
	}
	p.pos++
	return nil
}

func (p *parser) ident() (string, error) {
	t := p.peek()
	if t.kind != tName {
		return "", p.errorf("expected a name, got %v", t)
	}
	p.pos++
	return t.val, nil
}

// body parses nodes up to a block tag it does not own (endfor, else, ...)
// and returns that tag's name, "" at the end of the template. The tag's
// "{% name" has been consumed.
func (p *parser) body() ([]node, string, error) {
	var nodes []node
	for {
		t := p.next()
		switch t.kind {
		case tEOF:
			return nodes, "", nil
		case tData:
			nodes = append(nodes, &textNode{t.val})
		case tVarBegin:
			x, err := p.expr()
			if err != nil {
				return nil, "", err
			}
			if err := p.expectKind(tVarEnd); err != nil {
				return nil, "", err
			}
			nodes = append(nodes, &outputNode{x})
		case tBlockBegin:
			name, err := p.ident()
			if err != nil {
				return nil, "", err
			}
			n, err := p.statement(name)
			if err != nil {
				return nil, "", err
			}
			if n == nil {
				return nodes, name, nil
			}
			nodes = append(nodes, n...)
		default:
			return nil, "", fmt.Errorf("line %d: unexpected %v", t.line, t)
		}
	}
}

// statement parses the block tag name (already consumed); it returns nil
// nodes for the tags that end or divide an enclosing block.
func (p *parser) statement(name string) ([]node, error) {
	line := p.toks[p.pos-1].line
	switch name {
	case "if":
		n, err := p.ifStatement()
		return []node{n}, err
	case "for":
		n, err := p.forStatement(line)
		return []node{n}, err
	case "set":
		n, err := p.setStatement(line)
		return []node{n}, err
	case "macro":
		n, err := p.macroStatement()
		return []node{n}, err
	case "break", "continue":
		if err := p.expectKind(tBlockEnd); err != nil {
			return nil, err
		}
		if name == "break" {
			return []node{&breakNode{}}, nil
		}
		return []node{&continueNode{}}, nil
	case "filter":
		name, err := p.dottedName()
		if err != nil {
			return nil, err
		}
		f := &filterExpr{name: name, line: line}
		if p.isOp("(") {
			if f.args, f.kwargs, err = p.callArgs(); err != nil {
				return nil, err
			}
		}
		if err := p.expectKind(tBlockEnd); err != nil {
			return nil, err
		}
		body, err := p.block("endfilter")
		return []node{&filterBlockNode{filter: f, body: body}}, err
	case "generation":
		// transformers' marker around assistant output: render the body.
		if err := p.expectKind(tBlockEnd); err != nil {
			return nil, err
		}
		body, err := p.block("endgeneration")
		return body, err
	case "elif", "else", "endif", "endfor", "endset", "endmacro", "endfilter", "endgeneration":
		return nil, nil
	}
	return nil, fmt.Errorf("line %d: unsupported tag {%% %s %%}", line, name)
}

// block parses a body that must end with {% end %}.
func (p *parser) block(end string) ([]node, error) {
	body, got, err := p.body()
	if err != nil {
		return nil, err
	}
	if got != end {
		return nil, p.unexpectedEnd(got, end)
	}
	return body, p.expectKind(tBlockEnd)
}

func (p *parser) unexpectedEnd(got, want string) error {
	if got == "" {
		return p.errorf("missing {%% %s %%}", want)
	}
	return p.errorf("unexpected {%% %s %%}, expected {%% %s %%}", got, want)
}

func (p *parser) ifStatement() (node, error) {
	n := &ifNode{}
	for {
		cond, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectKind(tBlockEnd); err != nil {
			return nil, err
		}
		body, end, err := p.body()
		if err != nil {
			return nil, err
		}
		n.conds, n.bodies = append(n.conds, cond), append(n.bodies, body)
		switch end {
		case "elif":
			continue
		case "else":
			if err := p.expectKind(tBlockEnd); err != nil {
				return nil, err
			}
			n.orElse, err = p.block("endif")
			return n, err
		case "endif":
			return n, p.expectKind(tBlockEnd)
		}
		return nil, p.unexpectedEnd(end, "endif")
	}
}

func (p *parser) forStatement(line int) (node, error) {
	n := &forNode{line: line}
	for {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		n.targets = append(n.targets, name)
		if !p.skipOp(",") {
			break
		}
	}
	if !p.skipName("in") {
		return nil, p.errorf("expected 'in' in for loop, got %v", p.peek())
	}
	var err error
	if n.iter, err = p.orExpr(); err != nil {
		return nil, err
	}
	if p.skipName("if") {
		if n.filter, err = p.orExpr(); err != nil {
			return nil, err
		}
	}
	if p.isName("recursive") {
		return nil, p.errorf("recursive loops are not supported")
	}
	if err := p.expectKind(tBlockEnd); err != nil {
		return nil, err
	}
	body, end, err := p.body()
	if err != nil {
		return nil, err
	}
	n.body = body
	switch end {
	case "else":
		if err := p.expectKind(tBlockEnd); err != nil {
			return nil, err
		}
		n.orElse, err = p.block("endfor")
		return n, err
	case "endfor":
		return n, p.expectKind(tBlockEnd)
	}
	return nil, p.unexpectedEnd(end, "endfor")
}

func (p *parser) setStatement(line int) (node, error) {
	n := &setNode{line: line}
	first, err := p.ident()
	if err != nil {
		return nil, err
	}
	switch {
	case p.skipOp("."):
		attr, err := p.ident()
		if err != nil {
			return nil, err
		}
		n.attrOf, n.targets = first, []string{attr}
	case p.peek().kind == tBlockEnd:
		p.pos++
		body, err := p.block("endset")
		return &setBlockNode{name: first, body: body}, err
	default:
		n.targets = []string{first}
		for p.skipOp(",") {
			name, err := p.ident()
			if err != nil {
				return nil, err
			}
			n.targets = append(n.targets, name)
		}
	}
	if err := p.expectOp("="); err != nil {
		return nil, err
	}
	if n.x, err = p.tupleOrExpr(); err != nil {
		return nil, err
	}
	return n, p.expectKind(tBlockEnd)
}

func (p *parser) macroStatement() (node, error) {
	n := &macroNode{}
	var err error
	if n.name, err = p.ident(); err != nil {
		return nil, err
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	for !p.skipOp(")") {
		if len(n.params) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, err
			}
		}
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		n.params = append(n.params, name)
		if p.skipOp("=") {
			d, err := p.expr()
			if err != nil {
				return nil, err
			}
			n.defaults = append(n.defaults, d)
		} else if len(n.defaults) > 0 {
			return nil, p.errorf("macro %s: parameter %s without a default follows one with a default", n.name, name)
		}
	}
	if err := p.expectKind(tBlockEnd); err != nil {
		return nil, err
	}
	n.body, err = p.block("endmacro")
	return n, err
}

// tupleOrExpr parses "a, b, c" as a tuple (a list), or a single expression.
func (p *parser) tupleOrExpr() (expr, error) {
	x, err := p.expr()
	if err != nil || !p.isOp(",") {
		return x, err
	}
	items := []expr{x}
	for p.skipOp(",") {
		if p.peek().kind == tBlockEnd {
			break
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	return &listExpr{items}, nil
}

// expr parses a full expression, conditional expressions included.
func (p *parser) expr() (expr, error) {
	x, err := p.orExpr()
	if err != nil {
		return nil, err
	}
	for p.skipName("if") {
		cond, err := p.orExpr()
		if err != nil {
			return nil, err
		}
		var no expr
		if p.skipName("else") {
			if no, err = p.expr(); err != nil {
				return nil, err
			}
		}
		x = &condExpr{cond: cond, yes: x, no: no}
	}
	return x, nil
}

func (p *parser) orExpr() (expr, error) {
	return p.binaryLevel(p.andExpr, "or")
}

func (p *parser) andExpr() (expr, error) {
	return p.binaryLevel(p.notExpr, "and")
}

// binaryLevel parses left-associative operators of one precedence; names
// ("and", "or") and operators both work.
func (p *parser) binaryLevel(operand func() (expr, error), ops ...string) (expr, error) {
	x, err := operand()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if (t.kind != tOp && t.kind != tName) || !contains1(ops, t.val) {
			return x, nil
		}
		p.pos++
		y, err := operand()
		if err != nil {
			return nil, err
		}
		x = &binaryExpr{op: t.val, a: x, b: y, line: t.line}
	}
}

func contains1(ops []string, s string) bool {
	for _, o := range ops {
		if o == s {
			return true
		}
	}
	return false
}

func (p *parser) notExpr() (expr, error) {
	if t := p.peek(); p.skipName("not") {
		x, err := p.notExpr()
		return &unaryExpr{op: "not", x: x, line: t.line}, err
	}
	return p.compareExpr()
}

func (p *parser) compareExpr() (expr, error) {
	line := p.peek().line
	x, err := p.mathExpr1()
	if err != nil {
		return nil, err
	}
	c := &compareExpr{first: x, line: line}
	for {
		t := p.peek()
		op := ""
		switch {
		case t.kind == tOp && contains1([]string{"==", "!=", "<", "<=", ">", ">="}, t.val):
			op = t.val
			p.pos++
		case p.isName("in"):
			op = "in"
			p.pos++
		case p.isName("not") && p.toks[p.pos+1].kind == tName && p.toks[p.pos+1].val == "in":
			op = "not in"
			p.pos += 2
		}
		if op == "" {
			break
		}
		y, err := p.mathExpr1()
		if err != nil {
			return nil, err
		}
		c.ops, c.rest = append(c.ops, op), append(c.rest, y)
	}
	if len(c.ops) == 0 {
		return x, nil
	}
	return c, nil
}

func (p *parser) mathExpr1() (expr, error)  { return p.binaryLevel(p.concatExpr, "+", "-") }
func (p *parser) concatExpr() (expr, error) { return p.binaryLevel(p.mathExpr2, "~") }
func (p *parser) mathExpr2() (expr, error) {
	return p.binaryLevel(p.powExpr, "*", "/", "//", "%")
}
func (p *parser) powExpr() (expr, error) {
	return p.binaryLevel(func() (expr, error) { return p.unaryExpr(true) }, "**")
}

// unaryExpr parses a signed primary with its postfixes; filters and tests
// apply to the whole signed value, as in Jinja2.
func (p *parser) unaryExpr(withFilters bool) (expr, error) {
	t := p.peek()
	var x expr
	var err error
	if p.skipOp("-") || p.skipOp("+") {
		if x, err = p.unaryExpr(false); err != nil {
			return nil, err
		}
		x = &unaryExpr{op: t.val, x: x, line: t.line}
	} else {
		if x, err = p.primary(); err != nil {
			return nil, err
		}
		if x, err = p.postfix(x); err != nil {
			return nil, err
		}
	}
	if !withFilters {
		return x, nil
	}
	return p.filters(x)
}

func (p *parser) primary() (expr, error) {
	t := p.next()
	switch t.kind {
	case tName:
		switch t.val {
		case "true", "True":
			return &literal{true}, nil
		case "false", "False":
			return &literal{false}, nil
		case "none", "None":
			return &literal{nil}, nil
		}
		return &nameExpr{name: t.val, line: t.line}, nil
	case tString:
		s := t.val
		for p.peek().kind == tString { // adjacent literals concatenate
			s += p.next().val
		}
		return &literal{s}, nil
	case tInt:
		v, err := strconv.ParseInt(t.val, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad integer %s", t.line, t.val)
		}
		return &literal{v}, nil
	case tFloat:
		v, err := strconv.ParseFloat(t.val, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: bad number %s", t.line, t.val)
		}
		return &literal{v}, nil
	case tOp:
		switch t.val {
		case "(":
			if p.skipOp(")") {
				return &listExpr{}, nil
			}
			x, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(",") {
				items := []expr{x}
				for p.skipOp(",") && !p.isOp(")") {
					y, err := p.expr()
					if err != nil {
						return nil, err
					}
					items = append(items, y)
				}
				x = &listExpr{items}
			}
			return x, p.expectOp(")")
		case "[":
			var items []expr
			for !p.skipOp("]") {
				if len(items) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.skipOp("]") {
						break
					}
				}
				x, err := p.expr()
				if err != nil {
					return nil, err
				}
				items = append(items, x)
			}
			return &listExpr{items}, nil
		case "{":
			d := &dictExpr{}
			for !p.skipOp("}") {
				if len(d.keys) > 0 {
					if err := p.expectOp(","); err != nil {
						return nil, err
					}
					if p.skipOp("}") {
						break
					}
				}
				k, err := p.expr()
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(":"); err != nil {
					return nil, err
				}
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				d.keys, d.vals = append(d.keys, k), append(d.vals, v)
			}
			return d, nil
		}
	}
	return nil, fmt.Errorf("line %d: unexpected %v", t.line, t)
}

// postfix parses attribute access, subscripts, slices and calls.
func (p *parser) postfix(x expr) (expr, error) {
	for {
		t := p.peek()
		switch {
		case p.skipOp("."):
			n := p.next()
			if n.kind != tName && n.kind != tInt {
				return nil, fmt.Errorf("line %d: expected an attribute name after '.', got %v", n.line, n)
			}
			x = &attrExpr{x: x, name: n.val, line: n.line}
		case p.skipOp("["):
			var err error
			if x, err = p.subscript(x, t.line); err != nil {
				return nil, err
			}
		case p.isOp("("):
			var err error
			if x, err = p.call(x); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
	}
}

// subscript parses what follows "[": an index or a slice.
func (p *parser) subscript(x expr, line int) (expr, error) {
	var parts [3]expr
	colons := 0
	for {
		if p.skipOp("]") {
			break
		}
		if p.skipOp(":") {
			colons++
			if colons > 2 {
				return nil, p.errorf("too many ':' in a slice")
			}
			continue
		}
		if parts[colons] != nil {
			return nil, p.errorf("expected ':' or ']', got %v", p.peek())
		}
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		parts[colons] = e
	}
	if colons == 0 {
		if parts[0] == nil {
			return nil, p.errorf("empty subscript")
		}
		return &itemExpr{x: x, key: parts[0], line: line}, nil
	}
	return &sliceExpr{x: x, start: parts[0], stop: parts[1], step: parts[2]}, nil
}

// callArgs parses "(a, b, k=v)".
func (p *parser) callArgs() ([]expr, []kwarg, error) {
	if err := p.expectOp("("); err != nil {
		return nil, nil, err
	}
	var args []expr
	var kwargs []kwarg
	for !p.skipOp(")") {
		if len(args)+len(kwargs) > 0 {
			if err := p.expectOp(","); err != nil {
				return nil, nil, err
			}
			if p.skipOp(")") {
				break
			}
		}
		if t := p.peek(); t.kind == tName && p.toks[p.pos+1].kind == tOp && p.toks[p.pos+1].val == "=" {
			p.pos += 2
			x, err := p.expr()
			if err != nil {
				return nil, nil, err
			}
			kwargs = append(kwargs, kwarg{t.val, x})
			continue
		}
		if len(kwargs) > 0 {
			return nil, nil, p.errorf("positional argument follows keyword argument")
		}
		x, err := p.expr()
		if err != nil {
			return nil, nil, err
		}
		args = append(args, x)
	}
	return args, kwargs, nil
}

func (p *parser) call(fn expr) (expr, error) {
	line := p.peek().line
	args, kwargs, err := p.callArgs()
	return &callExpr{fn: fn, args: args, kwargs: kwargs, line: line}, err
}

// filters parses "| filter(args)", "is test" and calls after them.
func (p *parser) filters(x expr) (expr, error) {
	for {
		t := p.peek()
		switch {
		case p.skipOp("|"):
			name, err := p.dottedName()
			if err != nil {
				return nil, err
			}
			f := &filterExpr{x: x, name: name, line: t.line}
			if p.isOp("(") {
				if f.args, f.kwargs, err = p.callArgs(); err != nil {
					return nil, err
				}
			}
			x = f
		case p.skipName("is"):
			negate := p.skipName("not")
			name, err := p.dottedName()
			if err != nil {
				return nil, err
			}
			test := &testExpr{x: x, name: name, negate: negate, line: t.line}
			n := p.peek()
			switch {
			case p.isOp("("):
				if test.args, _, err = p.callArgs(); err != nil {
					return nil, err
				}
			case (n.kind == tName && !contains1([]string{"else", "or", "and", "is", "if"}, n.val)) ||
				n.kind == tString || n.kind == tInt || n.kind == tFloat || (n.kind == tOp && strings.Contains("([{", n.val)):
				arg, err := p.primary()
				if err != nil {
					return nil, err
				}
				if arg, err = p.postfix(arg); err != nil {
					return nil, err
				}
				test.args = []expr{arg}
			}
			x = test
		case p.isOp("("):
			var err error
			if x, err = p.call(x); err != nil {
				return nil, err
			}
		default:
			return x, nil
		}
	}
}

func (p *parser) dottedName() (string, error) {
	name, err := p.ident()
	for err == nil && p.skipOp(".") {
		var part string
		part, err = p.ident()
		name += "." + part
	}
	return name, err
}
