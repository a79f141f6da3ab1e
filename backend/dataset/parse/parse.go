// Package parse streams dataset files (JSONL, JSON, CSV/TSV, Parquet) into
// canonical chat examples and says exactly what is wrong with bad rows: file,
// line, field and reason. Memory stays bounded by the longest row (MaxRowBytes)
// or, for Parquet, by one row group, whatever the file size.
package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// Message is one chat turn.
type Message struct {
	Role    string `json:"role"` // "system", "user" or "assistant"
	Content string `json:"content"`
}

// Example is one normalised row.
type Example struct {
	Messages []Message `json:"messages"`
	Label    string    `json:"label,omitempty"` // classification label when the data has one
	Text     bool      `json:"text,omitempty"`  // plain-text (pre-training style) example: one assistant message holding the text
	Line     int       `json:"line"`            // 1-based line in the file where the row starts (Parquet: 1-based row number)
}

// Format is the shape of a row.
type Format string

const (
	Alpaca           Format = "alpaca"            // {instruction, input?, output, system?}
	ShareGPT         Format = "sharegpt"          // {conversations: [{from, value}]} (also key "messages" with from/value), optional top-level "system"
	OpenAI           Format = "openai"            // {messages: [{role, content}]}; content may be a string or an array of {type:"text", text}
	PromptCompletion Format = "prompt-completion" // {prompt, completion}
	Text             Format = "text"              // {text}; in a table, the column named by Columns.Prompt
	Table            Format = "table"             // columns (CSV/TSV/Parquet columns or JSON keys) mapped by Columns
)

// Container is the file's outer syntax.
type Container string

const (
	JSONL   Container = "jsonl"
	JSON    Container = "json" // a top-level array, or an object whose first array-of-objects field holds the rows ({"data": [...]})
	CSV     Container = "csv"  // also TSV and other delimiters
	Parquet Container = "parquet"
)

// Columns names the columns (or JSON keys) of a Table; for a headerless CSV
// the names are "1", "2", ... (1-based).
type Columns struct {
	Prompt, Response, System, Label string
}

// Options steer detection; every zero value means "detect".
type Options struct {
	Container Container // "" = detect from content (and extension as a hint)
	Format    Format    // "" = detect from the first rows
	Delimiter rune      // CSV: 0 = detect among , \t ; |
	Header    *bool     // CSV: nil = detect
	Columns   Columns   // Table: zero = detect from header names
	Strict    bool      // stop at the first bad row
}

// Detection says how a file was read.
type Detection struct {
	Container Container
	Format    Format
	Delimiter rune
	Header    bool
	Columns   Columns
	Preview   []Example // the first few (≤ 5) normalised examples
	Why       string    // one sentence: how it was detected, for the UI
}

const (
	// MaxRowBytes bounds one line, CSV record or JSON array element: a longer
	// one means the file is not a line-based dataset, and the bound is what
	// keeps memory constant.
	MaxRowBytes = 16 << 20

	previewRows = 5
	sampleRows  = 20      // rows read to detect the format
	sampleBytes = 4 << 20 // ... unless they add up to more than this
	progressGap = 1 << 20 // report progress every MiB, not every row
)

// record is one row as a source read it: either a usable row or a problem.
type record struct {
	line int
	row  row
	bad  *problem
	stop bool // the source cannot go on after this record (truncated JSON, runaway quote)
}

// source reads the records of one container.
type source interface {
	next() (record, error) // io.EOF after the last record
	offset() int64         // bytes consumed so far
}

// Detect reads the start of the file and says how Parse would read it.
func Detect(path string, opts Options) (Detection, error) {
	p, err := detect(path, opts)
	if err != nil {
		return Detection{}, err
	}
	return p.Detection, nil
}

// Parse streams the file: yield gets each good example in file order; bad rows
// go to onRow (nil ignores them) and are skipped, except that with
// opts.Strict the first bad row, after going to onRow, ends Parse with that
// *RowError. progress (may be nil) gets the bytes consumed so far. A non-nil
// error from yield stops Parse and is returned; a cancelled ctx stops it with
// ctx.Err(). Whole-file problems are a *FileError and nothing is yielded.
func Parse(ctx context.Context, path string, opts Options, yield func(Example) error, onRow func(RowError), progress func(bytesRead int64)) (Detection, error) {
	p, err := detect(path, opts)
	if err != nil {
		return Detection{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return p.Detection, err
	}
	defer f.Close()
	src, err := p.open(f)
	if err != nil {
		return p.Detection, err
	}
	done := ctx.Done()
	var reported int64
	for {
		select {
		case <-done:
			return p.Detection, ctx.Err()
		default:
		}
		rec, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p.Detection, fmt.Errorf("%s: %w", path, err)
		}
		if progress != nil {
			if off := src.offset(); off-reported >= progressGap {
				progress(off)
				reported = off
			}
		}
		bad := rec.bad
		var ex Example
		if bad == nil {
			ex, bad = p.normalize(rec.row)
		}
		if bad != nil {
			re := RowError{File: path, Line: rec.line, Field: bad.field, Reason: bad.reason}
			if onRow != nil {
				onRow(re)
			}
			if opts.Strict {
				return p.Detection, &re
			}
			if rec.stop {
				break
			}
			continue
		}
		ex.Line = rec.line
		if yield != nil {
			if err := yield(ex); err != nil {
				return p.Detection, err
			}
		}
	}
	if progress != nil {
		progress(src.offset())
	}
	return p.Detection, nil
}
