package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// plan is everything Parse needs to read a file the way detection saw it.
type plan struct {
	Detection
	path    string
	size    int64
	bom     int64    // bytes of UTF-8 byte-order mark to skip
	literal bool     // CSV: quotes are plain characters (TSV as IANA defines it)
	names   []string // CSV and Parquet column names
	reason  string   // how the format was chosen, for Why
	// Parquet columns with their types, for "no usable columns"
	described string
}

func (p *plan) fail(format string, args ...any) error {
	return &FileError{File: p.path, Reason: fmt.Sprintf(format, args...)}
}

// section reads the file from after the BOM, independently of other readers.
func (p *plan) section(f *os.File) io.Reader {
	return io.NewSectionReader(f, p.bom, p.size-p.bom)
}

func (p *plan) open(f *os.File) (source, error) {
	switch p.Container {
	case JSONL:
		return &jsonlSource{lines: newLineReader(p.section(f)), base: p.bom}, nil
	case JSON:
		return p.openJSON(p.section(f))
	case CSV:
		return p.openCSV(f), nil
	}
	return p.openParquet(f)
}

var (
	utf8BOM      = []byte{0xEF, 0xBB, 0xBF}
	parquetMagic = []byte("PAR1")
)

func detect(path string, opts Options) (*plan, error) {
	switch opts.Container {
	case "", JSONL, JSON, CSV, Parquet:
	default:
		return nil, fmt.Errorf("unknown container %q: want jsonl, json, csv or parquet", opts.Container)
	}
	switch opts.Format {
	case "", Alpaca, ShareGPT, OpenAI, PromptCompletion, Text, Table:
	default:
		return nil, fmt.Errorf("unknown format %q", opts.Format)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	p := &plan{path: path, size: st.Size()}
	if st.IsDir() {
		return nil, p.fail("a folder, not a file")
	}
	if p.size == 0 {
		return nil, p.fail("empty file")
	}
	head := make([]byte, 8<<10)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, err
	}
	head = head[:n]

	p.Container = opts.Container
	if p.Container == "" && bytes.HasPrefix(head, parquetMagic) {
		p.Container = Parquet
	}
	if p.Container == Parquet {
		return p, p.detectParquet(f, opts)
	}
	if why := notText(head); why != "" {
		return nil, p.fail("%s", why)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		p.bom = int64(len(utf8BOM))
	}
	ext := strings.ToLower(filepath.Ext(path))
	if p.Container == "" {
		if p.Container, err = p.sniffContainer(f, head, ext); err != nil {
			return nil, err
		}
	}
	if p.Container == CSV {
		return p, p.detectCSV(f, ext, opts)
	}
	src, err := p.open(f)
	if err != nil {
		return nil, err
	}
	why := "JSON Lines"
	if js, ok := src.(*jsonSource); ok {
		why = "a JSON array"
		if js.key != "" {
			why = fmt.Sprintf("a JSON object with the rows in %q", js.key)
		}
	}
	return p, p.finish(src, nil, opts, why)
}

// binaries names common non-text files by their first bytes, to say what a
// dropped file is rather than only that it is not text.
var binaries = []struct{ magic, what string }{
	{"\x89PNG\r\n\x1a\n", "a PNG image, not a dataset"},
	{"\xFF\xD8\xFF", "a JPEG image, not a dataset"},
	{"GIF8", "a GIF image, not a dataset"},
	{"PK\x03\x04", "a ZIP archive (an .xlsx workbook?): unzip it, or export the sheet as CSV"},
	{"\x1F\x8B", "gzip-compressed: decompress it first"},
	{"\x28\xB5\x2F\xFD", "zstd-compressed: decompress it first"},
	{"\xFD7zXZ\x00", "xz-compressed: decompress it first"},
	{"7z\xBC\xAF\x27\x1C", "a 7-Zip archive: extract it first"},
	{"%PDF-", "a PDF document, not a dataset"},
	{"SQLite format 3\x00", "an SQLite database: export a table as CSV or JSONL"},
	{"\xD0\xCF\x11\xE0", "an old Office file (.xls?): export it as CSV"},
	{"ARROW1", "an Arrow/Feather file: save it as Parquet"},
}

// notText says why head is not UTF-8 text; "" when it is.
func notText(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}), bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "UTF-32 text: save it as UTF-8"
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return "UTF-16 text (little-endian): save it as UTF-8"
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "UTF-16 text (big-endian): save it as UTF-8"
	}
	for _, b := range binaries {
		if bytes.HasPrefix(head, []byte(b.magic)) {
			return b.what
		}
	}
	if bytes.IndexByte(head, 0) >= 0 {
		// UTF-16 without a BOM has NULs in every other byte of ASCII text.
		var nul [2]int
		for i, c := range head {
			if c == 0 {
				nul[i%2]++
			}
		}
		half := len(head) / 2
		if half > 0 && (nul[0]*10 >= half*4 && nul[1]*20 < half || nul[1]*10 >= half*4 && nul[0]*20 < half) {
			return "UTF-16 text without a byte-order mark: save it as UTF-8"
		}
		return "a binary file (NUL bytes in the first 8 KiB), not text"
	}
	odd := 0
	for i := 0; i < len(head); {
		r, n := utf8.DecodeRune(head[i:])
		switch {
		case r == utf8.RuneError && n <= 1 && !utf8.FullRune(head[i:]): // cut at the end of head
		case r == utf8.RuneError && n <= 1, r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f':
			odd++
		}
		i += max(n, 1)
	}
	if odd*10 > len(head)*3 {
		return "a binary file (mostly non-text bytes in the first 8 KiB), not text"
	}
	return ""
}

// sniffContainer tells JSON, JSON Lines and CSV apart by the first bytes,
// parsing the first line where that is not enough.
func (p *plan) sniffContainer(f *os.File, head []byte, ext string) (Container, error) {
	lead := bytes.TrimLeft(head[p.bom:], " \t\r\n\f\v")
	if len(lead) > 0 && lead[0] == '[' {
		return JSON, nil // possibly one huge line: never read it as lines
	}
	lines := newLineReader(p.section(f))
	first, err := lines.nonBlank()
	var long *longLineError
	switch {
	case errors.Is(err, io.EOF):
		return "", p.fail("only white space")
	case errors.As(err, &long) && len(lead) > 0 && lead[0] == '{':
		return JSON, nil // one huge object: a minified JSON document
	case errors.As(err, &long):
		return "", p.fail("%s", long.Error())
	case err != nil:
		return "", err
	}
	first = bytes.TrimSpace(first)
	if first[0] == '{' {
		if json.Valid(first) {
			// One object that is not a row ({"data": [...]}, or junk) is a
			// JSON document: its message names the keys it lacks rows in.
			if isWrapper(first) {
				return JSON, nil
			}
			if _, err := lines.nonBlank(); errors.Is(err, io.EOF) && !isRow(first) {
				return JSON, nil
			}
			return JSONL, nil
		}
		switch ext {
		case ".jsonl", ".ndjson":
			return JSONL, nil
		case ".json":
			return JSON, nil
		}
		if p.spansLines(f) {
			return JSON, nil // the first line of a pretty-printed object
		}
		return JSONL, nil // JSON Lines whose first row is broken
	}
	if len(first) > 1<<20 {
		return "", p.fail("%s", (&longLineError{line: lines.line, size: int64(len(first))}).Error())
	}
	if ext != ".csv" && ext != ".tsv" && ext != ".txt" && json.Valid(first) {
		return "", p.fail("the file holds a single JSON value (%s), not rows: want JSON Lines, an array of objects or a table", kindOf(first))
	}
	return CSV, nil
}

// spansLines tells whether the file starts with one JSON value that goes on
// past its first line (a pretty-printed document): JSON Lines whose first row
// is broken fail with a syntax error where the next row starts instead. Only
// the first MiB is looked at.
func (p *plan) spansLines(f *os.File) bool {
	dec := json.NewDecoder(io.LimitReader(p.section(f), 1<<20))
	for {
		if _, err := dec.Token(); err != nil {
			var se *json.SyntaxError
			return !errors.As(err, &se)
		}
	}
}

// isRow tells whether a JSON object has a known row shape.
func isRow(line []byte) bool {
	var r jsonRow
	if json.Unmarshal(line, &r) != nil {
		return false
	}
	f, _ := shapeOf(r)
	return f != ""
}

// isWrapper tells a one-line {"data": [...]} document from a JSON Lines row.
func isWrapper(line []byte) bool {
	var r jsonRow
	if isRow(line) || json.Unmarshal(line, &r) != nil {
		return false
	}
	for _, raw := range r {
		var items []json.RawMessage
		if kindOf(raw) == array && json.Unmarshal(raw, &items) == nil && len(items) > 0 && kindOf(items[0]) == object {
			return true
		}
	}
	return false
}

// finish reads the first rows of src and decides the format from them.
func (p *plan) finish(src source, names []string, opts Options, why string) error {
	var sample []record
	for len(sample) < sampleRows && (len(sample) == 0 || src.offset() < sampleBytes) {
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		sample = append(sample, rec)
		if rec.stop {
			break
		}
	}
	if err := p.chooseFormat(sample, names, opts); err != nil {
		return err
	}
	for _, rec := range sample {
		if len(p.Preview) == previewRows {
			break
		}
		if rec.bad == nil {
			if ex, bad := p.normalize(rec.row); bad == nil {
				ex.Line = rec.line
				p.Preview = append(p.Preview, ex)
			}
		}
	}
	p.Why = why + "; " + p.formatWhy() + "."
	return nil
}
