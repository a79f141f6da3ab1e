package jinja

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// method returns a bound method of a string or dict.
func method(v any, name string) (function, bool) {
	switch o := v.(type) {
	case string:
		return stringMethod(o, name)
	case *Dict:
		return dictMethod(o, name)
	}
	return nil, false
}

func dictMethod(d *Dict, name string) (function, bool) {
	switch name {
	case "items":
		return func([]any, *Dict) (any, error) { return dictItems(d), nil }, true
	case "keys":
		return func([]any, *Dict) (any, error) { return iterate(d) }, true
	case "values":
		return func([]any, *Dict) (any, error) {
			out := make([]any, len(d.keys))
			for i, k := range d.keys {
				out[i] = d.vals[k]
			}
			return out, nil
		}, true
	case "get":
		return func(args []any, _ *Dict) (any, error) {
			if len(args) == 0 {
				return nil, errors.New("get expected at least 1 argument")
			}
			if v, ok := d.get(args[0]); ok {
				return v, nil
			}
			return arg(args, nil, 1, "", nil), nil
		}, true
	}
	return nil, false
}

func stringMethod(s, name string) (function, bool) {
	unary := func(f func(string) any) (function, bool) {
		return func([]any, *Dict) (any, error) { return f(s), nil }, true
	}
	switch name {
	case "strip", "lstrip", "rstrip":
		return func(args []any, _ *Dict) (any, error) {
			return pyStrip(s, arg(args, nil, 0, "", nil), name != "rstrip", name != "lstrip"), nil
		}, true
	case "upper":
		return unary(func(s string) any { return strings.ToUpper(s) })
	case "lower":
		return unary(func(s string) any { return strings.ToLower(s) })
	case "title":
		return unary(func(s string) any { return title(s) })
	case "capitalize":
		return unary(func(s string) any { return capitalize(s) })
	case "isdigit":
		return unary(func(s string) any {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0
		})
	case "isspace":
		return unary(func(s string) any {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !pyIsSpace(r) }) < 0
		})
	case "splitlines":
		return unary(func(s string) any {
			lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
			if len(lines) > 0 && lines[len(lines)-1] == "" {
				lines = lines[:len(lines)-1]
			}
			return FromGo(lines)
		})
	case "startswith", "endswith":
		return func(args []any, _ *Dict) (any, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("%s takes at least 1 argument", name)
			}
			cands := []any{args[0]}
			if l, ok := args[0].([]any); ok {
				cands = l
			}
			for _, c := range cands {
				p, ok := c.(string)
				if !ok {
					return nil, fmt.Errorf("%s arg must be str or a tuple of str, not %s", name, typeName(c))
				}
				if name == "startswith" && strings.HasPrefix(s, p) || name == "endswith" && strings.HasSuffix(s, p) {
					return true, nil
				}
			}
			return false, nil
		}, true
	case "split", "rsplit":
		return func(args []any, kw *Dict) (any, error) {
			sep := arg(args, kw, 0, "sep", nil)
			n := int64(-1)
			if m, ok := asInt(arg(args, kw, 1, "maxsplit", nil)); ok {
				n = m
			}
			return FromGo(pySplit(s, sep, int(n), name == "rsplit")), nil
		}, true
	case "replace":
		return func(args []any, _ *Dict) (any, error) {
			if len(args) < 2 {
				return nil, errors.New("replace takes at least 2 arguments")
			}
			n := int64(-1)
			if c, ok := asInt(arg(args, nil, 2, "", nil)); ok {
				n = c
			}
			return strings.Replace(s, str(args[0]), str(args[1]), int(n)), nil
		}, true
	case "find", "count":
		return func(args []any, _ *Dict) (any, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("%s takes at least 1 argument", name)
			}
			sub := str(args[0])
			if name == "count" {
				return int64(strings.Count(s, sub)), nil
			}
			i := strings.Index(s, sub)
			if i < 0 {
				return int64(-1), nil
			}
			return int64(len([]rune(s[:i]))), nil
		}, true
	case "join":
		return func(args []any, _ *Dict) (any, error) {
			items, err := iterate(arg(args, nil, 0, "", []any{}))
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = str(it)
			}
			return strings.Join(parts, s), nil
		}, true
	case "format":
		return func(args []any, kw *Dict) (any, error) { return strFormat(s, args, kw) }, true
	case "removeprefix", "removesuffix":
		return func(args []any, _ *Dict) (any, error) {
			x := str(arg(args, nil, 0, "", ""))
			if name == "removeprefix" {
				return strings.TrimPrefix(s, x), nil
			}
			return strings.TrimSuffix(s, x), nil
		}, true
	}
	return nil, false
}

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f }

// pyStrip is str.strip/lstrip/rstrip: whitespace, or the characters of
// chars when it is a string.
func pyStrip(s string, chars any, left, right bool) string {
	cut := pyIsSpace
	if c, ok := chars.(string); ok {
		cut = func(r rune) bool { return strings.ContainsRune(c, r) }
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s
}

// pySplit is str.split and str.rsplit.
func pySplit(s string, sep any, maxsplit int, fromRight bool) []string {
	if sep == nil {
		fields := strings.FieldsFunc(s, pyIsSpace)
		if maxsplit < 0 || maxsplit >= len(fields)-1 {
			return fields
		}
		// Rare: keep the rest of the string whole after maxsplit fields.
		if fromRight {
			rest := strings.TrimRightFunc(s, pyIsSpace)
			for range maxsplit {
				i := strings.LastIndexFunc(rest, pyIsSpace)
				rest = strings.TrimRightFunc(rest[:i], pyIsSpace)
			}
			return append([]string{rest}, fields[len(fields)-maxsplit:]...)
		}
		rest := strings.TrimLeftFunc(s, pyIsSpace)
		for range maxsplit {
			i := strings.IndexFunc(rest, pyIsSpace)
			rest = strings.TrimLeftFunc(rest[i:], pyIsSpace)
		}
		return append(fields[:maxsplit:maxsplit], rest)
	}
	sp := str(sep)
	if maxsplit < 0 {
		return strings.Split(s, sp)
	}
	if !fromRight {
		return strings.SplitN(s, sp, maxsplit+1)
	}
	parts := strings.Split(s, sp)
	if len(parts) <= maxsplit+1 {
		return parts
	}
	head := strings.Join(parts[:len(parts)-maxsplit], sp)
	return append([]string{head}, parts[len(parts)-maxsplit:]...)
}

func capitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

var wordStart = regexp.MustCompile(`([-\s({\[<]+)`)

// title is Jinja2's title filter: each word capitalized.
func title(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range wordStart.FindAllStringIndex(s, -1) {
		b.WriteString(capitalize(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(capitalize(s[last:]))
	return b.String()
}

// strFormat is str.format for "{}", "{0}" and "{name}" fields with an
// optional !r or !s conversion; format specs are not supported.
func strFormat(format string, args []any, kw *Dict) (string, error) {
	var b strings.Builder
	next := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		switch {
		case (c == '{' || c == '}') && i+1 < len(format) && format[i+1] == c:
			b.WriteByte(c)
			i++
		case c == '}':
			return "", errors.New("single '}' encountered in format string")
		case c == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return "", errors.New("single '{' encountered in format string")
			}
			field := format[i+1 : i+end]
			i += end
			field, conv, _ := strings.Cut(field, "!")
			if strings.ContainsAny(field, ":.[") {
				return "", fmt.Errorf("format field {%s} is not supported", field)
			}
			var v any
			switch n, err := strconv.Atoi(field); {
			case field == "":
				if next >= len(args) {
					return "", errors.New("not enough arguments for format string")
				}
				v, next = args[next], next+1
			case err == nil:
				if n >= len(args) {
					return "", fmt.Errorf("format index %d out of range", n)
				}
				v = args[n]
			default:
				var ok bool
				if v, ok = kw.Get(field); !ok {
					return "", fmt.Errorf("format key %q missing", field)
				}
			}
			if conv == "r" {
				b.WriteString(repr(v))
			} else {
				b.WriteString(str(v))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
