package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// errLongRecord stops a reader that would otherwise buffer one row without
// bound (a runaway CSV quote, a giant JSON element).
var errLongRecord = fmt.Errorf("a single row is longer than %d MiB", MaxRowBytes>>20)

// lineTracker sits between the file and json.Decoder and keeps the bytes the
// decoder has read but whose lines are not counted yet, so the line of any
// later offset is exact. It holds no more than the decoder's own buffer, and
// refuses to hold more than one row's worth.
type lineTracker struct {
	r         io.Reader
	kept      []byte // the bytes from offset base on
	base      int64
	line      int   // the line of offset base
	lineStart int64 // the offset where that line starts
}

func (t *lineTracker) Read(p []byte) (int, error) {
	const limit = MaxRowBytes + 1<<20 // a row plus the decoder's read-ahead
	if len(t.kept) >= limit {
		return 0, errLongRecord
	}
	p = p[:min(len(p), limit-len(t.kept))]
	n, err := t.r.Read(p)
	t.kept = append(t.kept, p[:n]...)
	return n, err
}

// at returns the 1-based line and column of off, which must not be before the
// previous call's, and forgets the bytes before it.
func (t *lineTracker) at(off int64) (line, col int) {
	k := min(max(int(off-t.base), 0), len(t.kept))
	seg := t.kept[:k]
	if n := bytes.Count(seg, []byte{'\n'}); n > 0 {
		t.line += n
		t.lineStart = t.base + int64(bytes.LastIndexByte(seg, '\n')) + 1
	}
	t.kept = t.kept[k:]
	t.base += int64(k)
	return t.line, int(t.base-t.lineStart) + 1
}

// skipGap returns the offset of the first byte from off on that is neither
// white space nor a comma, as far as the decoder has read: where the value
// after off starts.
func (t *lineTracker) skipGap(off int64) int64 {
	i := max(int(off-t.base), 0)
	for i < len(t.kept) && bytes.IndexByte([]byte(" \t\r\n,"), t.kept[i]) >= 0 {
		i++
	}
	return t.base + int64(i)
}

// jsonSource reads the elements of a JSON array one by one with json.Decoder,
// so a file of any size needs only one element in memory.
type jsonSource struct {
	dec   *json.Decoder
	lines *lineTracker
	base  int64   // bytes before the decoder's start (a BOM)
	key   string  // the field holding the rows; "" for a top-level array
	first *record // the element read while looking for the rows
	done  bool
}

// openJSON positions a decoder on the first row: inside a top-level array, or
// inside the first field of a top-level object that holds an array of objects.
func (p *plan) openJSON(r io.Reader) (*jsonSource, error) {
	t := &lineTracker{r: r, line: 1}
	s := &jsonSource{dec: json.NewDecoder(t), lines: t, base: p.bom}
	tok, err := s.dec.Token()
	if err != nil {
		return nil, s.fileError(p, err)
	}
	switch tok {
	case json.Delim('['):
		return s, nil
	case json.Delim('{'):
	default:
		return nil, p.fail("the top-level JSON value is %s: want an array of objects, an object such as {\"data\": [...]}, or JSON Lines", tokenKind(tok))
	}
	var keys []string
	for s.dec.More() {
		tok, err := s.dec.Token()
		if err != nil {
			return nil, s.fileError(p, err)
		}
		key, _ := tok.(string) // object keys are always strings
		keys = append(keys, key)
		found, err := s.rowsIn(key)
		if err != nil {
			return nil, s.fileError(p, err)
		}
		if found {
			return s, nil
		}
	}
	return nil, p.fail("the JSON object has no array of objects to read rows from (keys: %s): want an array of objects, an object such as {\"data\": [...]}, or JSON Lines", list(keys, 12))
}

func tokenKind(tok json.Token) kind {
	switch tok.(type) {
	case string:
		return str
	case bool:
		return boolean
	case nil:
		return null
	}
	return number
}

// rowsIn reads the value of key: if it is an array whose first element is an
// object, that element is kept and the array holds the rows; otherwise the
// value is skipped.
func (s *jsonSource) rowsIn(key string) (bool, error) {
	tok, err := s.dec.Token()
	if err != nil {
		return false, err
	}
	switch tok {
	case json.Delim('{'):
		return false, s.skip()
	case json.Delim('['):
	default:
		return false, nil
	}
	if !s.dec.More() {
		_, err := s.dec.Token()
		return false, err
	}
	rec, isObject, err := s.element()
	if err != nil {
		return false, err
	}
	if !isObject {
		return false, s.skip()
	}
	s.key, s.first = key, &rec
	return true, nil
}

// skip reads tokens to the end of the array or object just opened.
func (s *jsonSource) skip() error {
	for depth := 1; depth > 0; {
		tok, err := s.dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		s.lines.at(s.dec.InputOffset()) // let the tracker forget what was skipped
	}
	return nil
}

func (s *jsonSource) next() (record, error) {
	if s.first != nil {
		rec := *s.first
		s.first = nil
		return rec, nil
	}
	if s.done {
		return record{}, io.EOF
	}
	if !s.dec.More() {
		s.done = true
		if _, err := s.dec.Token(); err != nil { // the closing bracket
			return s.broken(err)
		}
		if s.key == "" { // after a top-level array there must be nothing
			if _, err := s.dec.Token(); !errors.Is(err, io.EOF) {
				line, col := s.lines.at(s.dec.InputOffset())
				return record{line: line, bad: rowProblem("", "unexpected content after the closing ] at column %d", col), stop: true}, nil
			}
		}
		return record{}, io.EOF
	}
	rec, _, err := s.element()
	if err != nil {
		s.done = true
		return s.broken(err)
	}
	return rec, nil
}

// element decodes the next array element straight into a row, and says
// whether it was an object at all.
func (s *jsonSource) element() (rec record, isObject bool, err error) {
	from := s.dec.InputOffset()
	var r jsonRow
	err = s.dec.Decode(&r)
	var te *json.UnmarshalTypeError
	if err != nil && !errors.As(err, &te) {
		return record{}, false, err
	}
	end := s.dec.InputOffset()
	start := s.lines.skipGap(from)
	rec.line, _ = s.lines.at(start)
	s.lines.at(end) // forget the element, so the tracker holds one at most
	switch {
	case te != nil: // the decoder skipped the whole value
		rec.bad = rowProblem("", "want a JSON object, got %s", map[string]kind{"array": array, "string": str, "number": number, "bool": boolean}[te.Value])
		return rec, false, nil
	case r == nil:
		rec.bad = rowProblem("", "want a JSON object, got null")
		return rec, false, nil
	case end-start > MaxRowBytes: // within the tracker's slack: same limit as a line
		rec.bad = rowProblem("", "the element is %s long: rows are limited to %d MiB", humanSize(end-start), MaxRowBytes>>20)
	default:
		rec.bad = r.utf8Problem()
	}
	if rec.bad == nil {
		rec.row = r
	}
	return rec, true, nil
}

// broken reports a decoder error: nothing after it can be read.
func (s *jsonSource) broken(err error) (record, error) {
	reason, ok := s.reason(err)
	if !ok {
		return record{}, err
	}
	line, col := s.lines.at(s.lines.skipGap(s.dec.InputOffset()))
	return record{line: line, bad: rowProblem("", "%s at column %d; the rest of the file cannot be read", reason, col), stop: true}, nil
}

// fileError reports a decoder error before the first row.
func (s *jsonSource) fileError(p *plan, err error) error {
	reason, ok := s.reason(err)
	if !ok {
		return err
	}
	line, col := s.lines.at(s.lines.skipGap(s.dec.InputOffset()))
	return p.fail("%s at line %d, column %d", reason, line, col)
}

func (s *jsonSource) reason(err error) (string, bool) {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return "invalid JSON: " + se.Error(), true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends in the middle of a value (a truncated file?)", true
	case errors.Is(err, errLongRecord):
		return fmt.Sprintf("an element longer than %d MiB", MaxRowBytes>>20), true
	}
	return "", false
}

func (s *jsonSource) offset() int64 { return s.base + s.dec.InputOffset() }
