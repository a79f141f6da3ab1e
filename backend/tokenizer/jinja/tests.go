package jinja

import (
	"errors"
	"fmt"
	"strings"
)

// testFunc implements a Jinja test ("x is name(args)").
type testFunc func(v any, args []any) (bool, error)

// tests are Jinja2's built-in tests; filled once by init, read-only after.
var tests map[string]testFunc

func init() {
	is := func(f func(any) bool) testFunc {
		return func(v any, _ []any) (bool, error) { return f(v), nil }
	}
	cmp := func(op string) testFunc {
		return func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, fmt.Errorf("needs one argument")
			}
			return compareOp(op, v, args[0])
		}
	}
	tests = map[string]testFunc{
		"defined":   is(func(v any) bool { _, u := v.(Undefined); return !u }),
		"undefined": is(func(v any) bool { _, u := v.(Undefined); return u }),
		"none":      is(func(v any) bool { return v == nil }),
		"boolean":   is(func(v any) bool { _, ok := v.(bool); return ok }),
		"true":      is(func(v any) bool { b, ok := v.(bool); return ok && b }),
		"false":     is(func(v any) bool { b, ok := v.(bool); return ok && !b }),
		"integer":   is(func(v any) bool { _, ok := v.(int64); return ok }),
		"float":     is(func(v any) bool { _, ok := v.(float64); return ok }),
		"number":    is(func(v any) bool { _, ok := number(v); return ok }),
		"string":    is(func(v any) bool { _, ok := v.(string); return ok }),
		"mapping":   is(func(v any) bool { _, ok := v.(*Dict); return ok }),
		"sequence": is(func(v any) bool {
			switch v.(type) {
			case string, []any, *Dict:
				return true
			}
			return false
		}),
		"iterable": is(func(v any) bool {
			switch v.(type) {
			case string, []any, *Dict:
				return true
			}
			return false
		}),
		"callable": is(func(v any) bool { _, ok := v.(function); return ok }),
		"lower":    is(func(v any) bool { s, ok := v.(string); return ok && s == strings.ToLower(s) }),
		"upper":    is(func(v any) bool { s, ok := v.(string); return ok && s == strings.ToUpper(s) }),
		"odd":      is(func(v any) bool { n, ok := v.(int64); return ok && n%2 != 0 }),
		"even":     is(func(v any) bool { n, ok := v.(int64); return ok && n%2 == 0 }),
		"divisibleby": func(v any, args []any) (bool, error) {
			n, ok1 := asInt(v)
			d, ok2 := asInt(arg(args, nil, 0, "", nil))
			if !ok1 || !ok2 || d == 0 {
				return false, errors.New("needs two integers, the second not zero")
			}
			return n%d == 0, nil
		},
		"sameas": func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, errors.New("needs one argument")
			}
			if v == nil || args[0] == nil {
				return v == args[0], nil
			}
			b1, ok1 := v.(bool)
			b2, ok2 := args[0].(bool)
			return ok1 && ok2 && b1 == b2, nil
		},
		"in": func(v any, args []any) (bool, error) {
			if len(args) != 1 {
				return false, errors.New("needs one argument")
			}
			return contains(args[0], v)
		},
		"eq": cmp("=="), "equalto": cmp("=="), "==": cmp("=="),
		"ne": cmp("!="), "!=": cmp("!="),
		"lt": cmp("<"), "lessthan": cmp("<"), "<": cmp("<"),
		"le": cmp("<="), "<=": cmp("<="),
		"gt": cmp(">"), "greaterthan": cmp(">"), ">": cmp(">"),
		"ge": cmp(">="), ">=": cmp(">="),
	}
}
