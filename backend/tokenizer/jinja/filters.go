package jinja

import (
	"errors"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
)

// filterFunc implements a filter ("v | name(args, kw=...)").
type filterFunc func(s *state, v any, args []any, kw *Dict) (any, error)

// filters are Jinja2's built-in filters with transformers' tojson; filled
// once by init (map refers to the table), read-only after.
var filters map[string]filterFunc

func init() {
	strFilter := func(f func(string) string) filterFunc {
		return func(_ *state, v any, _ []any, _ *Dict) (any, error) { return f(str(v)), nil }
	}
	filters = map[string]filterFunc{
		"trim": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			return pyStrip(str(v), arg(args, kw, 0, "chars", nil), true, true), nil
		},
		"upper":      strFilter(strings.ToUpper),
		"lower":      strFilter(strings.ToLower),
		"capitalize": strFilter(capitalize),
		"title":      strFilter(title),
		"string":     strFilter(func(s string) string { return s }),
		"safe":       func(_ *state, v any, _ []any, _ *Dict) (any, error) { return v, nil },
		"escape":     strFilter(html.EscapeString),
		"e":          strFilter(html.EscapeString),
		"length": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			return length(v)
		},
		"first": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			items, err := iterate(v)
			if err != nil || len(items) == 0 {
				return Undefined{Name: "first"}, err
			}
			return items[0], nil
		},
		"last": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			items, err := iterate(v)
			if err != nil || len(items) == 0 {
				return Undefined{Name: "last"}, err
			}
			return items[len(items)-1], nil
		},
		"join": func(s *state, v any, args []any, kw *Dict) (any, error) {
			items, err := iterate(v)
			if err != nil {
				return nil, err
			}
			attr := arg(args, kw, 1, "attribute", nil)
			parts := make([]string, len(items))
			for i, it := range items {
				if attr != nil {
					it = s.item(it, attr)
				}
				parts[i] = str(it)
			}
			return strings.Join(parts, str(arg(args, kw, 0, "d", ""))), nil
		},
		"default": defaultFilter,
		"d":       defaultFilter,
		"list": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			return iterate(v)
		},
		"int": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			switch x := v.(type) {
			case int64:
				return x, nil
			case bool:
				n, _ := asInt(x)
				return n, nil
			case float64:
				return int64(x), nil
			case string:
				if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
					return n, nil
				}
				if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
					return int64(f), nil
				}
			}
			return arg(args, kw, 0, "default", int64(0)), nil
		},
		"float": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			if f, ok := number(v); ok {
				return f, nil
			}
			if x, ok := v.(string); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
					return f, nil
				}
			}
			return arg(args, kw, 0, "default", 0.0), nil
		},
		"abs": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			switch x := v.(type) {
			case int64:
				return max(x, -x), nil
			case float64:
				return math.Abs(x), nil
			}
			return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(v))
		},
		"round": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			f, ok := number(v)
			if !ok {
				return nil, fmt.Errorf("cannot round %s", typeName(v))
			}
			prec, _ := asInt(arg(args, kw, 0, "precision", int64(0)))
			p := math.Pow(10, float64(prec))
			switch arg(args, kw, 1, "method", "common") {
			case "floor":
				return math.Floor(f*p) / p, nil
			case "ceil":
				return math.Ceil(f*p) / p, nil
			}
			return math.Round(f*p) / p, nil
		},
		"replace": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			n := int64(-1)
			if c, ok := asInt(arg(args, kw, 2, "count", nil)); ok {
				n = c
			}
			return strings.Replace(str(v), str(arg(args, kw, 0, "old", "")), str(arg(args, kw, 1, "new", "")), int(n)), nil
		},
		"items": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			if _, ok := v.(Undefined); ok {
				return []any{}, nil
			}
			d, ok := v.(*Dict)
			if !ok {
				return nil, fmt.Errorf("items needs a dict, got %s", typeName(v))
			}
			return dictItems(d), nil
		},
		"dictsort": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			d, ok := v.(*Dict)
			if !ok {
				return nil, fmt.Errorf("dictsort needs a dict, got %s", typeName(v))
			}
			items := dictItems(d)
			var cmpErr error
			slices.SortStableFunc(items, func(a, b any) int {
				ka, kb := a.([]any)[0], b.([]any)[0]
				if sa, ok := ka.(string); ok {
					ka = strings.ToLower(sa)
				}
				if sb, ok := kb.(string); ok {
					kb = strings.ToLower(sb)
				}
				c, err := compare(ka, kb)
				if err != nil {
					cmpErr = err
				}
				return c
			})
			return items, cmpErr
		},
		"tojson": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			indent := int64(-1)
			if n, ok := asInt(arg(args, kw, 0, "indent", nil)); ok {
				indent = n
			}
			return toJSON(v, int(indent), truthy(arg(nil, kw, 0, "sort_keys", false)))
		},
		"reverse": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			if x, ok := v.(string); ok {
				r := []rune(x)
				slices.Reverse(r)
				return string(r), nil
			}
			items, err := iterate(v)
			if err != nil {
				return nil, err
			}
			out := slices.Clone(items)
			slices.Reverse(out)
			return out, nil
		},
		"sort": sortFilter,
		"unique": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			items, err := iterate(v)
			if err != nil {
				return nil, err
			}
			var out []any
			for _, it := range items {
				if !slices.ContainsFunc(out, func(o any) bool { return equal(o, it) }) {
					out = append(out, it)
				}
			}
			return out, nil
		},
		"map":        mapFilter,
		"select":     selectFilter(false, false),
		"reject":     selectFilter(true, false),
		"selectattr": selectFilter(false, true),
		"rejectattr": selectFilter(true, true),
		"indent": func(_ *state, v any, args []any, kw *Dict) (any, error) {
			width := str(arg(args, kw, 0, "width", int64(4)))
			if n, ok := asInt(arg(args, kw, 0, "width", int64(4))); ok {
				width = strings.Repeat(" ", int(n))
			}
			first, blank := truthy(arg(args, kw, 1, "first", false)), truthy(arg(args, kw, 2, "blank", false))
			lines := strings.Split(str(v), "\n")
			for i, l := range lines {
				if (i > 0 || first) && (blank || strings.TrimSpace(l) != "") {
					lines[i] = width + l
				}
			}
			return strings.Join(lines, "\n"), nil
		},
		"wordcount": func(_ *state, v any, _ []any, _ *Dict) (any, error) {
			return int64(len(strings.Fields(str(v)))), nil
		},
		"sum": func(s *state, v any, args []any, kw *Dict) (any, error) {
			items, err := iterate(v)
			if err != nil {
				return nil, err
			}
			attr := arg(args, kw, 0, "attribute", nil)
			total := arg(args, kw, 1, "start", int64(0))
			for _, it := range items {
				if attr != nil {
					it = s.item(it, attr)
				}
				if total, err = arith("+", total, it); err != nil {
					return nil, err
				}
			}
			return total, nil
		},
		"min": minMax(-1),
		"max": minMax(1),
		"format": func(_ *state, v any, args []any, _ *Dict) (any, error) {
			return percentFormat(str(v), args)
		},
	}
}

func defaultFilter(_ *state, v any, args []any, kw *Dict) (any, error) {
	_, undefined := v.(Undefined)
	if undefined || (truthy(arg(args, kw, 1, "boolean", false)) && !truthy(v)) {
		return arg(args, kw, 0, "default_value", ""), nil
	}
	return v, nil
}

func sortFilter(s *state, v any, args []any, kw *Dict) (any, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	reverse := truthy(arg(args, kw, 0, "reverse", false))
	caseSensitive := truthy(arg(args, kw, 1, "case_sensitive", false))
	attr := arg(args, kw, 2, "attribute", nil)
	key := func(x any) any {
		if attr != nil {
			x = s.item(x, attr)
		}
		if str, ok := x.(string); ok && !caseSensitive {
			return strings.ToLower(str)
		}
		return x
	}
	out := slices.Clone(items)
	var cmpErr error
	slices.SortStableFunc(out, func(a, b any) int {
		c, err := compare(key(a), key(b))
		if err != nil {
			cmpErr = err
		}
		if reverse {
			return -c
		}
		return c
	})
	return out, cmpErr
}

func minMax(sign int) filterFunc {
	return func(_ *state, v any, _ []any, _ *Dict) (any, error) {
		items, err := iterate(v)
		if err != nil || len(items) == 0 {
			return Undefined{}, err
		}
		best := items[0]
		for _, it := range items[1:] {
			c, err := compare(it, best)
			if err != nil {
				return nil, err
			}
			if c*sign > 0 {
				best = it
			}
		}
		return best, nil
	}
}

// mapFilter is map(attribute="x") or map("filter", args...).
func mapFilter(s *state, v any, args []any, kw *Dict) (any, error) {
	if !truthy(v) { // Jinja2 maps over None as over nothing
		return []any{}, nil
	}
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	if attr, ok := kw.Get("attribute"); ok {
		def, hasDef := kw.Get("default")
		for i, it := range items {
			out[i] = s.item(it, attr)
			if _, undef := out[i].(Undefined); undef && hasDef {
				out[i] = def
			}
		}
		return out, nil
	}
	if len(args) == 0 {
		return nil, errors.New("map needs a filter name or attribute=")
	}
	f, ok := filters[str(args[0])]
	if !ok {
		return nil, fmt.Errorf("unknown filter %q", str(args[0]))
	}
	for i, it := range items {
		if out[i], err = f(s, it, args[1:], kw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// selectFilter builds select/reject and selectattr/rejectattr.
func selectFilter(reject, byAttr bool) filterFunc {
	return func(s *state, v any, args []any, _ *Dict) (any, error) {
		if !truthy(v) { // Jinja2 selects from None as from nothing
			return []any{}, nil
		}
		items, err := iterate(v)
		if err != nil {
			return nil, err
		}
		var attr any
		if byAttr {
			if len(args) == 0 {
				return nil, errors.New("missing attribute name")
			}
			attr, args = args[0], args[1:]
		}
		test := func(x any, _ []any) (bool, error) { return truthy(x), nil }
		if len(args) > 0 {
			t, ok := tests[str(args[0])]
			if !ok {
				return nil, fmt.Errorf("unknown test %q", str(args[0]))
			}
			test, args = t, args[1:]
		}
		var out []any
		for _, it := range items {
			x := it
			if byAttr {
				x = s.item(it, attr)
			}
			ok, err := test(x, args)
			if err != nil {
				return nil, err
			}
			if ok != reject {
				out = append(out, it)
			}
		}
		return out, nil
	}
}

// percentFormat is Python's "%s" % args for %s, %d, %r and %%.
func percentFormat(format string, args []any) (string, error) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 >= len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		if n >= len(args) {
			return "", errors.New("not enough arguments for format string")
		}
		switch format[i] {
		case 's':
			b.WriteString(str(args[n]))
		case 'r':
			b.WriteString(repr(args[n]))
		case 'd':
			f, ok := number(args[n])
			if !ok {
				return "", fmt.Errorf("%%d format: a number is required, not %s", typeName(args[n]))
			}
			b.WriteString(strconv.FormatInt(int64(f), 10))
		default:
			return "", fmt.Errorf("unsupported format character %q", format[i])
		}
		n++
	}
	return b.String(), nil
}

func dictItems(d *Dict) []any {
	out := make([]any, len(d.keys))
	for i, k := range d.keys {
		out[i] = []any{k, d.vals[k]}
	}
	return out
}
