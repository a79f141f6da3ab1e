package parse

import (
	"fmt"
	"unicode/utf8"
)

// RowError is one bad row: the rest of the file is still read unless
// Options.Strict is set.
type RowError struct {
	File   string
	Line   int    // 1-based line where the row starts (Parquet: row number)
	Field  string // the field or column at fault; "" when the row as a whole is
	Reason string
}

func (e RowError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%s line %d: %s", e.File, e.Line, e.Reason)
	}
	return fmt.Sprintf("%s line %d: field %q: %s", e.File, e.Line, e.Field, e.Reason)
}

// FileError means the file as a whole is not a dataset Hone can read.
type FileError struct {
	File   string
	Reason string
}

func (e FileError) Error() string { return e.File + ": " + e.Reason }

// problem is a RowError before the file and line are known.
type problem struct {
	field, reason string
	missing       bool // a required field is absent: worth saying which shape the row has instead
}

func rowProblem(field, format string, args ...any) *problem {
	return &problem{field: field, reason: fmt.Sprintf(format, args...)}
}

// badUTF8 describes where s stops being UTF-8; "" when it is valid.
func badUTF8(s []byte) string {
	if utf8.Valid(s) {
		return ""
	}
	i := 0
	for i < len(s) {
		r, n := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && n <= 1 {
			break
		}
		i += n
	}
	return fmt.Sprintf("invalid UTF-8 (byte 0x%02X at offset %d): Latin-1 or Windows-1252 text? save the file as UTF-8", s[i], i)
}

// humanSize writes a byte count for a message: "10 MB", "1.5 MB", "700 KB".
func humanSize(n int64) string {
	switch {
	case n >= 10e6:
		return fmt.Sprintf("%.0f MB", float64(n)/1e6)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	default:
		return fmt.Sprintf("%.0f KB", float64(n)/1e3)
	}
}
