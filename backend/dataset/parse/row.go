package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"
)

// kind is the JSON type of a field value; CSV fields are always strings.
type kind int

const (
	absent kind = iota
	null
	str
	number
	boolean
	array
	object
)

func (k kind) String() string {
	return [...]string{"nothing", "null", "a string", "a number", "a boolean", "an array", "an object"}[k]
}

// value is one field of a row.
type value struct {
	kind kind
	text string          // strings unquoted; numbers and booleans as written
	raw  json.RawMessage // arrays and objects, as JSON
}

// row is one record seen as named fields, whatever the container, so that one
// set of normalisers serves JSON, CSV and Parquet alike.
type row interface {
	names() []string
	get(name string) value
}

// jsonRow is a JSON object with its values still raw.
type jsonRow map[string]json.RawMessage

func (r jsonRow) names() []string {
	names := make([]string, 0, len(r))
	for k := range r {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func (r jsonRow) get(name string) value {
	raw, ok := r[name]
	if !ok || len(raw) == 0 {
		return value{}
	}
	return jsonValue(raw)
}

// jsonValue classifies raw, which must be valid JSON without leading space.
func jsonValue(raw json.RawMessage) value {
	switch raw[0] {
	case '"':
		// Fast path: without escapes the content is the bytes between the quotes.
		if bytes.IndexByte(raw, '\\') < 0 {
			return value{kind: str, text: string(raw[1 : len(raw)-1])}
		}
		var s string
		_ = json.Unmarshal(raw, &s) // cannot fail: raw is a valid JSON string
		return value{kind: str, text: s}
	case 'n':
		return value{kind: null}
	case 't', 'f':
		return value{kind: boolean, text: string(raw)}
	case '[':
		return value{kind: array, raw: raw}
	case '{':
		return value{kind: object, raw: raw}
	}
	return value{kind: number, text: string(raw)}
}

// kindOf names the JSON type of b (leading space allowed) for messages.
func kindOf(b []byte) kind {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return absent
	}
	return jsonValue(b).kind
}

// decodeObject parses one JSON row; the problem says why it is not a usable
// object: invalid JSON (with its column), another type, or invalid UTF-8
// (which encoding/json would otherwise replace silently).
func decodeObject(b []byte) (row, *problem) {
	if r, ok := scanObject(b); ok {
		return r, nil
	}
	var r jsonRow
	if err := json.Unmarshal(b, &r); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, rowProblem("", "invalid JSON at column %d: %s", se.Offset, se.Error())
		}
		return nil, rowProblem("", "want a JSON object, got %s", kindOf(b))
	}
	if r == nil {
		return nil, rowProblem("", "want a JSON object, got null")
	}
	if !utf8.Valid(b) {
		if bad := r.utf8Problem(); bad != nil {
			return nil, bad
		}
		return nil, rowProblem("", "%s", badUTF8(b)) // in a key
	}
	return r, nil
}

// utf8Problem names the first field (in name order) whose value is not UTF-8.
func (r jsonRow) utf8Problem() *problem {
	for _, v := range r {
		if utf8.Valid(v) {
			continue
		}
		for _, k := range r.names() {
			// Offsets count from inside the quotes, as the user sees the text.
			if msg := badUTF8(bytes.TrimPrefix(r[k], []byte{'"'})); msg != "" {
				return rowProblem(k, "%s", msg)
			}
		}
	}
	return nil
}
