package parse

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"
)

// flatRow is a JSON object read by scanObject: its fields in file order,
// values still raw, all in one copy of the line. A key given twice counts
// with its last value, as encoding/json decodes it into a map.
type flatRow struct {
	line   string
	fields []field
	inline [3]field // fields, for rows with few
}

type field struct {
	name     string
	from, to int // the value is line[from:to]
}

func (r *flatRow) names() []string {
	names := make([]string, 0, len(r.fields))
	for _, f := range r.fields {
		if !slices.Contains(names, f.name) {
			names = append(names, f.name)
		}
	}
	slices.Sort(names)
	return names
}

func (r *flatRow) get(name string) value {
	for i := len(r.fields) - 1; i >= 0; i-- {
		if f := r.fields[i]; f.name == name {
			raw := r.line[f.from:f.to]
			// Strings without escapes are the line's own bytes: no copy.
			if raw[0] == '"' && strings.IndexByte(raw, '\\') < 0 {
				return value{kind: str, text: raw[1 : len(raw)-1]}
			}
			return jsonValue(json.RawMessage(raw))
		}
	}
	return value{}
}

// scanObject is decodeObject's fast path for what rows almost always are:
// a valid JSON object, in UTF-8, whose keys have no escapes. It returns
// false for anything else, which encoding/json then reads (and explains);
// whatever it accepts, encoding/json would accept with the same fields.
// It allocates twice per row (the row and one copy of the line) where a
// map of json.RawMessage takes a dozen.
func scanObject(b []byte) (*flatRow, bool) {
	if !utf8.Valid(b) {
		return nil, false
	}
	s := scanner{b: b}
	s.space()
	if !s.byte('{') {
		return nil, false
	}
	type span struct{ name, from, to int } // name: the key's opening quote
	var spans [8]span
	fields := spans[:0]
	s.space()
	if !s.byte('}') {
		for {
			s.space()
			k := s.i
			if !s.str() || bytes.IndexByte(b[k:s.i], '\\') >= 0 {
				return nil, false
			}
			s.space()
			if !s.byte(':') {
				return nil, false
			}
			s.space()
			from := s.i
			if !s.value(0) {
				return nil, false
			}
			fields = append(fields, span{k, from, s.i})
			s.space()
			if s.byte('}') {
				break
			}
			if !s.byte(',') {
				return nil, false
			}
		}
	}
	s.space()
	if s.i != len(b) {
		return nil, false
	}
	// One copy of the line holds the names and values: the line buffer is
	// reused, and detection keeps its first rows.
	r := &flatRow{line: string(b)}
	r.fields = r.inline[:0]
	if len(fields) > len(r.inline) {
		r.fields = make([]field, len(fields))
	}
	r.fields = r.fields[:len(fields)]
	for i, f := range fields {
		end := f.name + 1 + strings.IndexByte(r.line[f.name+1:], '"') // keys have no escapes
		r.fields[i] = field{name: r.line[f.name+1 : end], from: f.from, to: f.to}
	}
	return r, true
}

// scanner validates JSON values (RFC 8259, as encoding/json reads them).
type scanner struct {
	b []byte
	i int
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) byte(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scanner) lit(w string) bool {
	if len(s.b)-s.i >= len(w) && string(s.b[s.i:s.i+len(w)]) == w {
		s.i += len(w)
		return true
	}
	return false
}

const maxScanDepth = 64 // deeper values go to encoding/json

func (s *scanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxScanDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{':
		s.i++
		s.space()
		if s.byte('}') {
			return true
		}
		for {
			s.space()
			if !s.str() {
				return false
			}
			s.space()
			if !s.byte(':') {
				return false
			}
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.byte('}') {
				return true
			}
			if !s.byte(',') {
				return false
			}
		}
	case c == '[':
		s.i++
		s.space()
		if s.byte(']') {
			return true
		}
		for {
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.byte(']') {
				return true
			}
			if !s.byte(',') {
				return false
			}
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

// str reads a string; the input is already known to be UTF-8.
func (s *scanner) str() bool {
	if !s.byte('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			s.i++
			if s.i >= len(s.b) {
				return false
			}
			switch s.b[s.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i++
			case 'u':
				if len(s.b)-s.i < 5 {
					return false
				}
				for _, h := range s.b[s.i+1 : s.i+5] {
					if !(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F') {
						return false
					}
				}
				s.i += 5
			default:
				return false
			}
		default:
			s.i++
		}
	}
	return false
}

func (s *scanner) digits() int {
	n := 0
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
		n++
	}
	return n
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() bool {
	s.byte('-')
	switch {
	case s.byte('0'):
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.byte('.') && s.digits() == 0 {
		return false
	}
	if s.byte('e') || s.byte('E') {
		if !s.byte('+') {
			s.byte('-')
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}
