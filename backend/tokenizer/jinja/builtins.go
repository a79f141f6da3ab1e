package jinja

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// global returns the built-in global functions of chat templates.
func (s *state) global(name string) any {
	switch name {
	case "range":
		return function(pyRange)
	case "namespace":
		return function(func(args []any, kw *Dict) (any, error) {
			ns := &namespace{attrs: NewDict()}
			for _, a := range args {
				d, ok := a.(*Dict)
				if !ok {
					return nil, fmt.Errorf("namespace() takes keyword arguments or a dict, got %s", typeName(a))
				}
				for _, k := range d.keys {
					ns.attrs.set(k, d.vals[k])
				}
			}
			for _, k := range kw.keys {
				ns.attrs.set(k, kw.vals[k])
			}
			return ns, nil
		})
	case "dict":
		return function(func(_ []any, kw *Dict) (any, error) {
			d := NewDict()
			for _, k := range kw.keys {
				d.set(k, kw.vals[k])
			}
			return d, nil
		})
	case "raise_exception":
		return function(func(args []any, _ *Dict) (any, error) {
			msg := ""
			if len(args) > 0 {
				msg = str(args[0])
			}
			return nil, &Exception{Message: msg}
		})
	case "strftime_now":
		return function(func(args []any, _ *Dict) (any, error) {
			if len(args) != 1 {
				return nil, errors.New("strftime_now takes one format argument")
			}
			return strftime(s.now, str(args[0])), nil
		})
	}
	return nil
}

func pyRange(args []any, _ *Dict) (any, error) {
	var n [3]int64
	for i, a := range args {
		v, ok := asInt(a)
		if !ok || i > 2 {
			return nil, fmt.Errorf("range() takes up to 3 integers")
		}
		n[i] = v
	}
	start, stop, step := int64(0), n[0], int64(1)
	switch len(args) {
	case 0:
		return nil, errors.New("range expected at least 1 argument")
	case 2, 3:
		start, stop = n[0], n[1]
		if len(args) == 3 {
			step = n[2]
		}
	}
	if step == 0 {
		return nil, errors.New("range() arg 3 must not be zero")
	}
	var out []any
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, i)
	}
	return out, nil
}

// strftime formats t with Python's (C locale) strftime directives; "%-d"
// style drops the zero padding as glibc does.
func strftime(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		i++
		pad := true
		if format[i] == '-' && i+1 < len(format) {
			pad = false
			i++
		}
		num := func(v, width int) {
			if pad {
				fmt.Fprintf(&b, "%0*d", width, v)
			} else {
				b.WriteString(strconv.Itoa(v))
			}
		}
		hour12 := t.Hour() % 12
		if hour12 == 0 {
			hour12 = 12
		}
		switch format[i] {
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'd':
			num(t.Day(), 2)
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'm':
			num(int(t.Month()), 2)
		case 'y':
			num(t.Year()%100, 2)
		case 'Y':
			b.WriteString(strconv.Itoa(t.Year()))
		case 'H':
			num(t.Hour(), 2)
		case 'I':
			num(hour12, 2)
		case 'M':
			num(t.Minute(), 2)
		case 'S':
			num(t.Second(), 2)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'j':
			num(t.YearDay(), 3)
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(format[i])
		}
	}
	return b.String()
}

// arg returns positional argument i or keyword name, else def.
func arg(args []any, kw *Dict, i int, name string, def any) any {
	if i < len(args) {
		return args[i]
	}
	if kw != nil {
		if v, ok := kw.Get(name); ok {
			return v
		}
	}
	return def
}
