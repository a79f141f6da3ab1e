package parse

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

func (p *plan) detectParquet(f *os.File, opts Options) error {
	src, err := p.openParquet(f)
	if err != nil {
		return err
	}
	p.names = src.cols
	why := fmt.Sprintf("Parquet with %d rows in %d row groups", src.total, len(src.groups))
	return p.finish(src, p.names, opts, why)
}

// parquetSource reads one row group at a time, a batch of rows at a time;
// nested columns (a list of {role, content} structs) come back as JSON so the
// chat normalisers serve them too.
type parquetSource struct {
	file    *parquet.File
	groups  []parquet.RowGroup
	group   int // the next row group to open
	rows    parquet.Rows
	drained bool // rows has no more rows, but buf still holds some of them
	buf     []parquet.Row
	n, i    int // rows in buf, and the next one to use
	line    int // 1-based number of the row last returned
	total   int64
	size    int64
	cols    []string
}

func (p *plan) openParquet(f *os.File) (s *parquetSource, err error) {
	defer func() {
		if r := recover(); r != nil { // parquet-go panics on some corrupt footers
			s, err = nil, p.fail("not a readable Parquet file: %v", r)
		}
	}()
	pf, err := parquet.OpenFile(f, p.size)
	if err != nil {
		return nil, p.fail("not a readable Parquet file: %v", err)
	}
	s = &parquetSource{file: pf, groups: pf.RowGroups(), buf: make([]parquet.Row, 64), total: pf.NumRows(), size: p.size}
	var desc []string
	for _, field := range pf.Schema().Fields() {
		s.cols = append(s.cols, field.Name())
		desc = append(desc, field.Name()+" ("+columnType(field)+")")
	}
	p.described = list(desc, 20)
	return s, nil
}

func columnType(field parquet.Field) string {
	switch {
	case !field.Leaf():
		return "nested"
	case field.Type().LogicalType() != nil:
		return field.Type().LogicalType().String()
	}
	return field.Type().Kind().String()
}

func (s *parquetSource) next() (rec record, err error) {
	defer func() {
		if r := recover(); r != nil {
			rec, err = record{}, fmt.Errorf("corrupt Parquet file near row %d: %v", s.line, r)
		}
	}()
	for s.i == s.n {
		if s.rows != nil && s.drained {
			// Closed only now: the rows in buf may point into its pages.
			if err := s.rows.Close(); err != nil {
				return record{}, err
			}
			s.rows = nil
		}
		if s.rows == nil {
			if s.group == len(s.groups) {
				return record{}, io.EOF
			}
			s.rows, s.drained = s.groups[s.group].Rows(), false
			s.group++
		}
		n, err := s.rows.ReadRows(s.buf)
		s.n, s.i = n, 0
		switch {
		case errors.Is(err, io.EOF), n == 0 && err == nil:
			s.drained = true
		case err != nil:
			return record{}, fmt.Errorf("corrupt Parquet file near row %d: %w", s.line, err)
		}
	}
	row := s.buf[s.i]
	s.i++
	s.line++
	m := map[string]any{}
	if err := s.file.Schema().Reconstruct(&m, row); err != nil {
		return record{line: s.line, bad: rowProblem("", "cannot read the row: %v", err)}, nil
	}
	for _, col := range s.cols {
		if msg := badText(m[col]); msg != "" {
			return record{line: s.line, bad: rowProblem(col, "%s", msg)}, nil
		}
	}
	return record{line: s.line, row: anyRow(m)}, nil
}

func (s *parquetSource) offset() int64 {
	if s.total == 0 {
		return s.size
	}
	return s.size * int64(s.line) / s.total
}

// badText describes the first string in v that is not UTF-8; "" when none is.
func badText(v any) string {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			return badUTF8([]byte(v))
		}
	case []any:
		for _, e := range v {
			if msg := badText(e); msg != "" {
				return msg
			}
		}
	case map[string]any:
		for _, e := range v {
			if msg := badText(e); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// anyRow is a Parquet row as parquet-go reconstructs it.
type anyRow map[string]any

func (r anyRow) names() []string {
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (r anyRow) get(name string) value {
	v, ok := r[name]
	if !ok {
		return value{}
	}
	switch v := v.(type) {
	case nil:
		return value{kind: null}
	case string:
		return value{kind: str, text: v}
	case []byte:
		return value{kind: str, text: string(v)}
	case bool:
		return value{kind: boolean, text: strconv.FormatBool(v)}
	case float32:
		return value{kind: number, text: strconv.FormatFloat(float64(v), 'g', -1, 32)}
	case float64:
		return value{kind: number, text: strconv.FormatFloat(v, 'g', -1, 64)}
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return value{kind: number, text: fmt.Sprint(v)}
	}
	raw, err := json.Marshal(v) // lists and structs (chat messages), dates
	if err != nil {
		return value{kind: str, text: strings.TrimSpace(fmt.Sprint(v))}
	}
	return jsonValue(raw)
}
