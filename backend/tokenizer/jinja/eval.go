// Package jinja renders the Jinja2 subset that chat templates use, with the
// behaviour of transformers' renderer (Python jinja2 with trim_blocks,
// lstrip_blocks and loop controls, its tojson, raise_exception and
// strftime_now): if/elif/else, for with loop variables, filters and else,
// break/continue, set (names, tuples, namespace attributes, blocks), macros,
// whitespace control, raw blocks, Python-style expressions with slicing and
// string/dict methods, and the common filters and tests. Template
// inheritance, include/import, call and filter blocks and recursive loops
// are not supported and fail to parse.
package jinja

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Template is a parsed Jinja template.
type Template struct {
	body []node
}

// Parse parses a template with the settings transformers renders chat
// templates with: trim_blocks and lstrip_blocks on, loop controls enabled.
func Parse(src string) (*Template, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	body, err := parse(toks)
	if err != nil {
		return nil, err
	}
	return &Template{body: body}, nil
}

// Exception is the error raise_exception() raises from inside a template.
type Exception struct{ Message string }

func (e *Exception) Error() string { return e.Message }

// Render renders the template with vars (converted with FromGo) and the
// usual chat-template globals: range, namespace, dict, raise_exception and
// strftime_now, which formats now.
func (t *Template) Render(vars map[string]any, now time.Time) (string, error) {
	s := &state{vars: map[string]any{}, scopes: []map[string]any{{}}, now: now}
	for k, v := range vars {
		s.vars[k] = FromGo(v)
	}
	var b strings.Builder
	s.out = &b
	if err := s.execAll(t.body); err != nil {
		if errors.Is(err, errBreak) || errors.Is(err, errContinue) {
			return "", errors.New("{% break %} or {% continue %} outside a loop")
		}
		return "", err
	}
	return b.String(), nil
}

var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

type state struct {
	out    *strings.Builder
	vars   map[string]any
	scopes []map[string]any // innermost last
	now    time.Time
}

func (s *state) lookup(name string) any {
	for i := len(s.scopes) - 1; i >= 0; i-- {
		if v, ok := s.scopes[i][name]; ok {
			return v
		}
	}
	if v, ok := s.vars[name]; ok {
		return v
	}
	if f := s.global(name); f != nil {
		return f
	}
	return Undefined{Name: name}
}

func (s *state) assign(name string, v any) { s.scopes[len(s.scopes)-1][name] = v }

func (s *state) execAll(nodes []node) error {
	for _, n := range nodes {
		if err := n.exec(s); err != nil {
			return err
		}
	}
	return nil
}

func (n *textNode) exec(s *state) error {
	s.out.WriteString(n.text)
	return nil
}

func (n *outputNode) exec(s *state) error {
	v, err := n.x.eval(s)
	if err != nil {
		return err
	}
	s.out.WriteString(str(v))
	return nil
}

func (n *ifNode) exec(s *state) error {
	for i, c := range n.conds {
		v, err := c.eval(s)
		if err != nil {
			return err
		}
		if truthy(v) {
			return s.execAll(n.bodies[i])
		}
	}
	return s.execAll(n.orElse)
}

// loopInfo is the "loop" variable of a for loop.
type loopInfo struct {
	items []any
	i     int
}

func (l *loopInfo) attr(name string) any {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.i + 1)
	case "index0":
		return int64(l.i)
	case "revindex":
		return int64(n - l.i)
	case "revindex0":
		return int64(n - l.i - 1)
	case "first":
		return l.i == 0
	case "last":
		return l.i == n-1
	case "length":
		return int64(n)
	case "depth":
		return int64(1)
	case "depth0":
		return int64(0)
	case "previtem":
		if l.i > 0 {
			return l.items[l.i-1]
		}
	case "nextitem":
		if l.i+1 < n {
			return l.items[l.i+1]
		}
	case "cycle":
		return function(func(args []any, _ *Dict) (any, error) {
			if len(args) == 0 {
				return nil, errors.New("loop.cycle needs at least one argument")
			}
			return args[l.i%len(args)], nil
		})
	}
	return Undefined{Name: "loop." + name}
}

func (n *forNode) exec(s *state) error {
	v, err := n.iter.eval(s)
	if err != nil {
		return err
	}
	all, err := iterate(v)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.line, err)
	}
	s.scopes = append(s.scopes, map[string]any{})
	defer func() { s.scopes = s.scopes[:len(s.scopes)-1] }()
	items := all
	if n.filter != nil {
		items = nil
		for _, it := range all {
			if err := n.bind(s, it); err != nil {
				return err
			}
			ok, err := n.filter.eval(s)
			if err != nil {
				return err
			}
			if truthy(ok) {
				items = append(items, it)
			}
		}
	}
	if len(items) == 0 {
		return s.execAll(n.orElse)
	}
	loop := &loopInfo{items: items}
	for i, it := range items {
		loop.i = i
		s.assign("loop", loop)
		if err := n.bind(s, it); err != nil {
			return err
		}
		err := s.execAll(n.body)
		if errors.Is(err, errBreak) {
			break
		}
		if err != nil && !errors.Is(err, errContinue) {
			return err
		}
	}
	return nil
}

// bind assigns a loop item to the loop's target names, unpacking it when
// there are several.
func (n *forNode) bind(s *state, item any) error {
	if len(n.targets) == 1 {
		s.assign(n.targets[0], item)
		return nil
	}
	return unpack(s, n.targets, item, n.line)
}

func unpack(s *state, names []string, v any, line int) error {
	items, ok := v.([]any)
	if !ok || len(items) != len(names) {
		return fmt.Errorf("line %d: cannot unpack %s into %d names", line, typeName(v), len(names))
	}
	for i, name := range names {
		s.assign(name, items[i])
	}
	return nil
}

func (n *setNode) exec(s *state) error {
	v, err := n.x.eval(s)
	if err != nil {
		return err
	}
	if n.attrOf != "" {
		ns, ok := s.lookup(n.attrOf).(*namespace)
		if !ok {
			return fmt.Errorf("line %d: cannot assign attribute on non-namespace object %s", n.line, n.attrOf)
		}
		ns.attrs.Set(n.targets[0], v)
		return nil
	}
	if len(n.targets) == 1 {
		s.assign(n.targets[0], v)
		return nil
	}
	return unpack(s, n.targets, v, n.line)
}

// capture renders nodes into a string instead of the output.
func (s *state) capture(nodes []node) (string, error) {
	out := s.out
	var b strings.Builder
	s.out = &b
	err := s.execAll(nodes)
	s.out = out
	return b.String(), err
}

func (n *setBlockNode) exec(s *state) error {
	text, err := s.capture(n.body)
	if err != nil {
		return err
	}
	s.assign(n.name, text)
	return nil
}

// exec defines the macro: a function rendering its body in a scope of its
// own on top of the scopes where it was defined.
func (n *macroNode) exec(s *state) error {
	defScopes := s.scopes
	s.assign(n.name, function(func(args []any, kwargs *Dict) (any, error) {
		if len(args) > len(n.params) {
			return nil, fmt.Errorf("macro %s takes %d arguments, got %d", n.name, len(n.params), len(args))
		}
		local := map[string]any{}
		firstDefault := len(n.params) - len(n.defaults)
		inner := &state{vars: s.vars, scopes: append(defScopes[:len(defScopes):len(defScopes)], local), now: s.now}
		for i, p := range n.params {
			switch v, ok := kwargs.Get(p); {
			case i < len(args):
				local[p] = args[i]
			case ok:
				local[p] = v
			case i >= firstDefault:
				d, err := n.defaults[i-firstDefault].eval(inner)
				if err != nil {
					return nil, err
				}
				local[p] = d
			default:
				local[p] = Undefined{Name: p}
			}
		}
		var b strings.Builder
		inner.out = &b
		if err := inner.execAll(n.body); err != nil {
			return nil, err
		}
		return b.String(), nil
	}))
	return nil
}

func (n *filterBlockNode) exec(s *state) error {
	text, err := s.capture(n.body)
	if err != nil {
		return err
	}
	f := *n.filter
	f.x = &literal{text}
	v, err := f.eval(s)
	if err != nil {
		return err
	}
	s.out.WriteString(str(v))
	return nil
}

func (*breakNode) exec(*state) error    { return errBreak }
func (*continueNode) exec(*state) error { return errContinue }

func (x *literal) eval(*state) (any, error) { return x.v, nil }

func (x *nameExpr) eval(s *state) (any, error) { return s.lookup(x.name), nil }

func (x *listExpr) eval(s *state) (any, error) {
	out := make([]any, len(x.items))
	for i, it := range x.items {
		v, err := it.eval(s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (x *dictExpr) eval(s *state) (any, error) {
	d := NewDict()
	for i := range x.keys {
		k, err := x.keys[i].eval(s)
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case string, int64, bool, nil:
		default:
			return nil, fmt.Errorf("unsupported dict key type %s", typeName(k))
		}
		v, err := x.vals[i].eval(s)
		if err != nil {
			return nil, err
		}
		d.set(k, v)
	}
	return d, nil
}

func (x *attrExpr) eval(s *state) (any, error) {
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	if u, ok := v.(Undefined); ok {
		return nil, fmt.Errorf("line %d: '%s' is undefined", x.line, u.Name)
	}
	return s.attr(v, x.name), nil
}

// attr is Jinja2's getattr: methods and attributes first, then items.
func (s *state) attr(v any, name string) any {
	switch o := v.(type) {
	case *loopInfo:
		return o.attr(name)
	case *namespace:
		if a, ok := o.attrs.Get(name); ok {
			return a
		}
		return Undefined{Name: name}
	}
	if m, ok := method(v, name); ok {
		return m
	}
	if d, ok := v.(*Dict); ok {
		if a, ok := d.Get(name); ok {
			return a
		}
	}
	return Undefined{Name: name}
}

func (x *itemExpr) eval(s *state) (any, error) {
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	k, err := x.key.eval(s)
	if err != nil {
		return nil, err
	}
	if u, ok := v.(Undefined); ok {
		return nil, fmt.Errorf("line %d: '%s' is undefined", x.line, u.Name)
	}
	return s.item(v, k), nil
}

// item is Jinja2's getitem: items first, then attributes for string keys.
func (s *state) item(v, k any) any {
	if d, ok := v.(*Dict); ok {
		if a, ok := d.get(k); ok {
			return a
		}
		if name, ok := k.(string); ok {
			return s.attr(v, name)
		}
		return Undefined{Name: repr(k)}
	}
	if i, ok := k.(int64); ok {
		switch o := v.(type) {
		case []any:
			if i < 0 {
				i += int64(len(o))
			}
			if i >= 0 && i < int64(len(o)) {
				return o[i]
			}
			return Undefined{Name: fmt.Sprint(k)}
		case string:
			r := []rune(o)
			if i < 0 {
				i += int64(len(r))
			}
			if i >= 0 && i < int64(len(r)) {
				return string(r[i])
			}
			return Undefined{Name: fmt.Sprint(k)}
		}
	}
	name, ok := k.(string)
	if !ok {
		return Undefined{Name: repr(k)}
	}
	return s.attr(v, name)
}

func (x *sliceExpr) eval(s *state) (any, error) {
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	bound := func(e expr) (*int64, error) {
		if e == nil {
			return nil, nil
		}
		b, err := e.eval(s)
		if err != nil || b == nil {
			return nil, err
		}
		i, ok := b.(int64)
		if !ok {
			return nil, fmt.Errorf("slice indices must be integers or None, got %s", typeName(b))
		}
		return &i, nil
	}
	start, err := bound(x.start)
	if err != nil {
		return nil, err
	}
	stop, err := bound(x.stop)
	if err != nil {
		return nil, err
	}
	step, err := bound(x.step)
	if err != nil {
		return nil, err
	}
	switch o := v.(type) {
	case []any:
		idx, err := sliceIndices(len(o), start, stop, step)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(idx))
		for i, j := range idx {
			out[i] = o[j]
		}
		return out, nil
	case string:
		r := []rune(o)
		idx, err := sliceIndices(len(r), start, stop, step)
		if err != nil {
			return nil, err
		}
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = r[j]
		}
		return string(out), nil
	}
	return nil, fmt.Errorf("'%s' object is not subscriptable", typeName(v))
}

// sliceIndices lists the indices Python's seq[start:stop:step] selects.
func sliceIndices(n int, start, stop, step *int64) ([]int, error) {
	st := int64(1)
	if step != nil {
		st = *step
	}
	if st == 0 {
		return nil, errors.New("slice step cannot be zero")
	}
	clamp := func(p *int64, def int64) int64 {
		if p == nil {
			return def
		}
		i := *p
		if i < 0 {
			i += int64(n)
		}
		lo, hi := int64(0), int64(n)
		if st < 0 {
			lo, hi = -1, int64(n)-1
		}
		return max(lo, min(i, hi))
	}
	var idx []int
	if st > 0 {
		for i := clamp(start, 0); i < clamp(stop, int64(n)); i += st {
			idx = append(idx, int(i))
		}
	} else {
		for i := clamp(start, int64(n)-1); i > clamp(stop, -1); i += st {
			idx = append(idx, int(i))
		}
	}
	return idx, nil
}

func (s *state) args(args []expr, kwargs []kwarg) ([]any, *Dict, error) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := a.eval(s)
		if err != nil {
			return nil, nil, err
		}
		vals[i] = v
	}
	kw := NewDict()
	for _, k := range kwargs {
		v, err := k.x.eval(s)
		if err != nil {
			return nil, nil, err
		}
		kw.Set(k.name, v)
	}
	return vals, kw, nil
}

func (x *callExpr) eval(s *state) (any, error) {
	fn, err := x.fn.eval(s)
	if err != nil {
		return nil, err
	}
	f, ok := fn.(function)
	if !ok {
		if u, isU := fn.(Undefined); isU {
			return nil, fmt.Errorf("line %d: '%s' is undefined", x.line, u.Name)
		}
		return nil, fmt.Errorf("line %d: '%s' object is not callable", x.line, typeName(fn))
	}
	args, kwargs, err := s.args(x.args, x.kwargs)
	if err != nil {
		return nil, err
	}
	v, err := f(args, kwargs)
	if err != nil {
		var ex *Exception
		if errors.As(err, &ex) {
			return nil, err
		}
		return nil, fmt.Errorf("line %d: %w", x.line, err)
	}
	return v, nil
}

func (x *filterExpr) eval(s *state) (any, error) {
	f, ok := filters[x.name]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown filter %q", x.line, x.name)
	}
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	args, kwargs, err := s.args(x.args, x.kwargs)
	if err != nil {
		return nil, err
	}
	out, err := f(s, v, args, kwargs)
	if err != nil {
		return nil, fmt.Errorf("line %d: filter %s: %w", x.line, x.name, err)
	}
	return out, nil
}

func (x *testExpr) eval(s *state) (any, error) {
	t, ok := tests[x.name]
	if !ok {
		return nil, fmt.Errorf("line %d: unknown test %q", x.line, x.name)
	}
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	args, _, err := s.args(x.args, nil)
	if err != nil {
		return nil, err
	}
	r, err := t(v, args)
	if err != nil {
		return nil, fmt.Errorf("line %d: test %s: %w", x.line, x.name, err)
	}
	return r != x.negate, nil
}

func (x *unaryExpr) eval(s *state) (any, error) {
	v, err := x.x.eval(s)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "not":
		return !truthy(v), nil
	case "-":
		switch n := v.(type) {
		case int64:
			return -n, nil
		case float64:
			return -n, nil
		case bool:
			if n {
				return int64(-1), nil
			}
			return int64(0), nil
		}
	case "+":
		switch v.(type) {
		case int64, float64:
			return v, nil
		}
	}
	return nil, fmt.Errorf("line %d: bad operand type for unary %s: '%s'", x.line, x.op, typeName(v))
}

func (x *binaryExpr) eval(s *state) (any, error) {
	a, err := x.a.eval(s)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "and":
		if !truthy(a) {
			return a, nil
		}
		return x.b.eval(s)
	case "or":
		if truthy(a) {
			return a, nil
		}
		return x.b.eval(s)
	}
	b, err := x.b.eval(s)
	if err != nil {
		return nil, err
	}
	if x.op == "~" {
		return str(a) + str(b), nil
	}
	v, err := arith(x.op, a, b)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", x.line, err)
	}
	return v, nil
}

// arith applies + - * / // % ** with Python's rules.
func arith(op string, a, b any) (any, error) {
	if ia, ok := asInt(a); ok {
		if ib, ok := asInt(b); ok {
			return intArith(op, ia, ib)
		}
	}
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			return floatArith(op, fa, fb)
		}
	}
	switch op {
	case "+":
		if sa, ok := a.(string); ok {
			if sb, ok := b.(string); ok {
				return sa + sb, nil
			}
		}
		if la, ok := a.([]any); ok {
			if lb, ok := b.([]any); ok {
				return append(append([]any{}, la...), lb...), nil
			}
		}
	case "*":
		if n, ok := asInt(b); ok {
			switch x := a.(type) {
			case string:
				return strings.Repeat(x, int(max(n, 0))), nil
			case []any:
				var out []any
				for range max(n, 0) {
					out = append(out, x...)
				}
				return out, nil
			}
		}
	}
	return nil, fmt.Errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func intArith(op string, a, b int64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return nil, errors.New("division by zero")
		}
		return float64(a) / float64(b), nil
	case "//", "%":
		if b == 0 {
			return nil, errors.New("integer division or modulo by zero")
		}
		q, r := a/b, a%b
		if r != 0 && (r < 0) != (b < 0) {
			q, r = q-1, r+b
		}
		if op == "//" {
			return q, nil
		}
		return r, nil
	case "**":
		if b < 0 {
			return math.Pow(float64(a), float64(b)), nil
		}
		r := int64(1)
		for range b {
			r *= a
		}
		return r, nil
	}
	return nil, fmt.Errorf("unknown operator %s", op)
}

func floatArith(op string, a, b float64) (any, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/", "//", "%":
		if b == 0 {
			return nil, errors.New("float division by zero")
		}
		switch op {
		case "/":
			return a / b, nil
		case "//":
			return math.Floor(a / b), nil
		}
		r := math.Mod(a, b)
		if r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r, nil
	case "**":
		return math.Pow(a, b), nil
	}
	return nil, fmt.Errorf("unknown operator %s", op)
}

func (x *compareExpr) eval(s *state) (any, error) {
	a, err := x.first.eval(s)
	if err != nil {
		return nil, err
	}
	for i, op := range x.ops {
		b, err := x.rest[i].eval(s)
		if err != nil {
			return nil, err
		}
		ok, err := compareOp(op, a, b)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", x.line, err)
		}
		if !ok {
			return false, nil
		}
		a = b
	}
	return true, nil
}

func compareOp(op string, a, b any) (bool, error) {
	switch op {
	case "==":
		return equal(a, b), nil
	case "!=":
		return !equal(a, b), nil
	case "in":
		return contains(b, a)
	case "not in":
		ok, err := contains(b, a)
		return !ok, err
	}
	c, err := compare(a, b)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	}
	return c >= 0, nil
}

func (x *condExpr) eval(s *state) (any, error) {
	c, err := x.cond.eval(s)
	if err != nil {
		return nil, err
	}
	if truthy(c) {
		return x.yes.eval(s)
	}
	if x.no == nil {
		return Undefined{}, nil
	}
	return x.no.eval(s)
}
