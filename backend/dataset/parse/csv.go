package parse

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// csvSniffBytes is how much of a CSV file detection looks at.
const csvSniffBytes = 256 << 10

func (p *plan) detectCSV(f *os.File, ext string, opts Options) error {
	if d := opts.Delimiter; d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || d < 0 {
		return fmt.Errorf("%q cannot be a CSV delimiter", d)
	}
	buf := make([]byte, csvSniffBytes)
	n, err := io.ReadFull(p.section(f), buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	head := buf[:n]
	cut := int64(n) < p.size-p.bom
	if i := bytes.LastIndexByte(head, '\n'); cut && i >= 0 {
		head = head[:i+1] // whole lines only
	}
	p.Delimiter = opts.Delimiter
	if p.Delimiter == 0 {
		p.Delimiter = sniffDelimiter(head, cut, ext)
	}
	p.literal = p.Delimiter == '\t' && !quotedTSV(head, cut)
	recs := sampleRecords(head, p.Delimiter, p.literal, 200)
	if len(recs) == 0 {
		return p.fail("no CSV records in the first %s", humanSize(int64(len(head))))
	}
	if opts.Header != nil {
		p.Header = *opts.Header
	} else {
		p.Header = guessHeader(recs, opts.Columns)
	}
	if p.Header {
		p.names = recs[0]
	} else {
		cols, _ := modalCount(recs)
		for i := range cols {
			p.names = append(p.names, strconv.Itoa(i+1))
		}
	}
	return p.finish(p.openCSV(f), p.names, opts, p.csvWhy())
}

func (p *plan) csvWhy() string {
	d, ok := map[rune]string{',': "comma", '\t': "tab", ';': "semicolon", '|': "pipe"}[p.Delimiter]
	if !ok {
		d = strconv.QuoteRune(p.Delimiter)
	}
	why := d + "-separated values with a header row"
	if !p.Header {
		why = d + "-separated values without a header"
	}
	if p.literal {
		why += " (quotes are plain text)"
	}
	return why
}

// sniffDelimiter picks the candidate that splits the sample into the most
// consistent number of fields (at least two); the extension breaks ties.
func sniffDelimiter(head []byte, cut bool, ext string) rune {
	best, bestShare := ',', 0.0
	for _, d := range []rune{',', '\t', ';', '|'} {
		mode, share := modalCount(sampleRecords(head, d, d == '\t' && !quotedTSV(head, cut), 100))
		if mode < 2 {
			continue
		}
		hinted := ext == ".tsv" && d == '\t' || ext == ".csv" && d == ','
		if share > bestShare || share == bestShare && hinted {
			best, bestShare = d, share
		}
	}
	return best
}

// modalCount returns the most common number of fields and the share of
// records that have it.
func modalCount(recs [][]string) (int, float64) {
	count := map[int]int{}
	mode := 0
	for _, r := range recs {
		count[len(r)]++
		if count[len(r)] > count[mode] {
			mode = len(r)
		}
	}
	if len(recs) == 0 {
		return 0, 0
	}
	return mode, float64(count[mode]) / float64(len(recs))
}

// quotedTSV tells whether a tab-separated sample uses CSV quoting: some field
// starts with a quote and the sample parses as strict CSV. Otherwise quotes
// are plain text, as in the SMS Spam Collection ("Gimme a few" was ...).
func quotedTSV(head []byte, cut bool) bool {
	if !bytes.HasPrefix(head, []byte{'"'}) && !bytes.Contains(head, []byte("\t\"")) && !bytes.Contains(head, []byte("\n\"")) {
		return false
	}
	r := csv.NewReader(bytes.NewReader(head))
	r.Comma = '\t'
	r.FieldsPerRecord = -1
	for {
		_, err := r.Read()
		switch {
		case errors.Is(err, io.EOF):
			return true
		case err != nil:
			// A quoted field cut off by the end of the sample is fine.
			_, err = r.Read()
			return cut && errors.Is(err, io.EOF)
		}
	}
}

// sampleRecords splits the start of a file leniently, for detection only.
func sampleRecords(head []byte, d rune, literal bool, limit int) [][]string {
	var recs [][]string
	if literal {
		for line := range bytes.SplitSeq(head, []byte{'\n'}) {
			line = bytes.TrimSuffix(line, []byte{'\r'})
			if len(bytes.TrimSpace(line)) > 0 && len(recs) < limit {
				recs = append(recs, strings.Split(string(line), string(d)))
			}
		}
		return recs
	}
	r := csv.NewReader(bytes.NewReader(head))
	r.Comma = d
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for len(recs) < limit {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil {
			recs = append(recs, rec)
		}
	}
	return recs
}

// guessHeader says whether the first record names the columns: it holds a
// known column name, or identifier-like names none of which recur as a
// value further down (headerless SMS data starts "ham", which does recur).
func guessHeader(recs [][]string, c Columns) bool {
	for _, col := range []string{c.Prompt, c.Response, c.System, c.Label} {
		if _, err := strconv.Atoi(col); col != "" && err != nil {
			return true // columns chosen by name
		}
	}
	first := recs[0]
	if mapColumns(first) != (Columns{}) {
		return true
	}
	if f, _ := shapeOf(csvRow{cols: first}); f != "" {
		return true
	}
	if len(recs) < 2 {
		return false
	}
	for i, name := range first {
		if !identLike(name) {
			return false
		}
		for _, r := range recs[1:] {
			if i < len(r) && r[i] == name {
				return false
			}
		}
	}
	return true
}

func identLike(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i, r := range s {
		ok := unicode.IsLetter(r) || r == '_' || i > 0 && (unicode.IsDigit(r) || strings.ContainsRune(" -.", r))
		if !ok {
			return false
		}
	}
	return true
}

// csvRow is one record seen through the header.
type csvRow struct {
	cols []string
	vals []string
}

func (r csvRow) names() []string { return r.cols }

func (r csvRow) get(name string) value {
	for i, c := range r.cols { // a handful of columns: a scan beats a map
		if c == name {
			if i < len(r.vals) {
				return value{kind: str, text: r.vals[i]}
			}
			break
		}
	}
	return value{}
}

// guard stops csv.Reader from buffering a runaway quoted field without bound.
type guard struct {
	r       io.Reader
	n, mark int64 // bytes read; bytes read when the last record ended
}

func (g *guard) Read(b []byte) (int, error) {
	if g.n-g.mark > MaxRowBytes {
		return 0, errLongRecord
	}
	n, err := g.r.Read(b)
	g.n += int64(n)
	return n, err
}

// csvSource reads records with encoding/csv, or line by line when quotes are
// plain text.
type csvSource struct {
	cr     *csv.Reader
	guard  *guard
	lines  *lineReader // literal mode
	delim  string
	cols   []string
	base   int64
	ended  int  // the line the last record ended on
	header bool // the next record is the header, to skip
}

func (p *plan) openCSV(f *os.File) *csvSource {
	s := &csvSource{delim: string(p.Delimiter), cols: p.names, base: p.bom, header: p.Header}
	if p.literal {
		s.lines = newLineReader(p.section(f))
		return s
	}
	s.guard = &guard{r: p.section(f)}
	s.cr = csv.NewReader(s.guard)
	s.cr.Comma = p.Delimiter
	s.cr.FieldsPerRecord = -1 // counted here, to say which row is ragged
	return s
}

func (s *csvSource) next() (record, error) {
	for {
		rec, vals, err := s.read()
		if err != nil || rec.bad != nil {
			s.header = false
			return rec, err
		}
		switch {
		case s.header:
			s.header = false
			continue
		case len(vals) == 1 && len(s.cols) > 1 && blank(vals[0]):
			continue // a line of spaces
		case len(vals) != len(s.cols):
			rec.bad = rowProblem("", "%d field%s, want %d", len(vals), plural(len(vals)), len(s.cols))
			return rec, nil
		}
		for i, v := range vals {
			if !utf8.ValidString(v) {
				rec.bad = rowProblem(s.cols[i], "%s", badUTF8([]byte(v)))
				return rec, nil
			}
		}
		rec.row = csvRow{cols: s.cols, vals: vals}
		return rec, nil
	}
}

// read returns the next record's start line and fields.
func (s *csvSource) read() (record, []string, error) {
	if s.lines != nil {
		for {
			b, err := s.lines.next()
			var long *longLineError
			if errors.As(err, &long) {
				return record{line: long.line, bad: rowProblem("", "the line is %s long: rows are limited to %d MiB", humanSize(long.size), MaxRowBytes>>20)}, nil, nil
			}
			if err != nil {
				return record{}, nil, err
			}
			if len(bytes.TrimSpace(b)) > 0 {
				return record{line: s.lines.line}, strings.Split(string(b), s.delim), nil
			}
		}
	}
	vals, err := s.cr.Read()
	s.guard.mark = s.cr.InputOffset()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, errLongRecord):
		return record{line: s.ended + 1, bad: rowProblem("", "a record longer than %d MiB: is a closing quote missing?", MaxRowBytes>>20), stop: true}, nil, nil
	case errors.As(err, &pe):
		return record{line: pe.StartLine, bad: rowProblem("", "%s", csvReason(pe))}, nil, nil
	case err != nil:
		return record{}, nil, err
	}
	line, _ := s.cr.FieldPos(0)
	last, _ := s.cr.FieldPos(len(vals) - 1)
	s.ended = last + strings.Count(vals[len(vals)-1], "\n")
	return record{line: line}, vals, nil
}

func csvReason(pe *csv.ParseError) string {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return fmt.Sprintf("a quote inside an unquoted field (line %d, column %d): quote the whole field and double the quotes inside it", pe.Line, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		return fmt.Sprintf("a quoted field is not closed properly (line %d, column %d): a closing quote is missing, or a quote inside it is not doubled", pe.Line, pe.Column)
	}
	return fmt.Sprintf("%v (line %d, column %d)", pe.Err, pe.Line, pe.Column)
}

func (s *csvSource) offset() int64 {
	if s.lines != nil {
		return s.base + s.lines.off
	}
	return s.base + s.cr.InputOffset()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
