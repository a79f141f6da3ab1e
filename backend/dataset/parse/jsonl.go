package parse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader returns lines without their line ending (LF or CRLF), buffering
// at most MaxRowBytes of any one line: a longer line is skipped whole and
// reported as a *longLineError.
type lineReader struct {
	br   *bufio.Reader
	line int   // number of the line last returned
	off  int64 // bytes consumed
	long []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

type longLineError struct {
	line int
	size int64
}

func (e *longLineError) Error() string {
	return fmt.Sprintf("line %d is %s long: not a line-based dataset", e.line, humanSize(e.size))
}

// next returns the next line, valid until the following call.
func (l *lineReader) next() ([]byte, error) {
	l.long = l.long[:0]
	var size int64
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.off += int64(len(chunk))
		size += int64(len(chunk))
		if errors.Is(err, bufio.ErrBufferFull) {
			if size <= MaxRowBytes {
				l.long = append(l.long, chunk...)
			}
			continue
		}
		if err != nil && (!errors.Is(err, io.EOF) || size == 0) {
			return nil, err
		}
		l.line++
		if size > MaxRowBytes {
			return nil, &longLineError{line: l.line, size: size}
		}
		if len(l.long) > 0 {
			chunk = append(l.long, chunk...)
			l.long = chunk
		}
		chunk = bytes.TrimSuffix(chunk, []byte{'\n'})
		return bytes.TrimSuffix(chunk, []byte{'\r'}), nil
	}
}

// nonBlank returns the next line that holds more than white space.
func (l *lineReader) nonBlank() ([]byte, error) {
	for {
		b, err := l.next()
		if err != nil || len(bytes.TrimSpace(b)) > 0 {
			return b, err
		}
	}
}

// jsonlSource reads one JSON object per line; blank lines are skipped.
type jsonlSource struct {
	lines *lineReader
	base  int64 // bytes before the reader's start (a BOM)
}

func (s *jsonlSource) next() (record, error) {
	b, err := s.lines.nonBlank()
	var long *longLineError
	if errors.As(err, &long) {
		return record{line: long.line, bad: rowProblem("", "the line is %s long: rows are limited to %d MiB", humanSize(long.size), MaxRowBytes>>20)}, nil
	}
	if err != nil {
		return record{}, err
	}
	r, bad := decodeObject(b)
	if bad != nil {
		return record{line: s.lines.line, bad: bad}, nil
	}
	return record{line: s.lines.line, row: r}, nil
}

func (s *jsonlSource) offset() int64 { return s.base + s.lines.off }
