package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
)

// row is an example on its way into the examples table.
type row struct {
	messages []byte // JSON
	label    string
	text     bool
	line     int64
	hash     []byte
	normHash []byte
	chars    int64
}

// Rows go in as one JSON array per batch, unpacked by SQLite's json_each:
// the pure-Go driver parses a statement on every execution, so one
// statement for many rows beats a prepared statement per row. Batches are
// committed every txRows rows: one transaction per batch keeps the WAL small,
// and the dataset stays invisible until finish marks it ready.
const (
	rowsPerInsert = 1000
	txRows        = 20000
)

const insertExamples = `INSERT INTO examples(dataset_id, seq, messages, label, text, line, hash, norm_hash, chars)
SELECT ?1, ?2 + key, value->'$[0]', value->>'$[1]', value->>'$[2]', value->>'$[3]',
	unhex(value->>'$[4]'), unhex(value->>'$[5]'), value->>'$[6]' FROM json_each(?3)`

// writer creates a dataset in state "importing" and appends examples to it.
type writer struct {
	ctx    context.Context
	cancel context.Context // the caller's, for cancellation
	db     *sql.DB
	id     int64
	tx     *sql.Tx
	buf    []row
	batch  []byte // the JSON array of buf
	n      int64  // rows written
	inTx   int
	errs   int64
}

func newWriter(ctx context.Context, st *store.Store, d Dataset) (*writer, error) {
	db, err := sqlDB(st)
	if err != nil {
		return nil, err
	}
	var parent any
	if d.ParentID != 0 {
		parent = d.ParentID
	}
	res, err := db.ExecContext(ctx, `INSERT INTO datasets(name, source, format, state, parent_id, recipe, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.Name, d.Source, d.Format, importing, parent, d.Recipe, time.Now().UTC())
	if err != nil {
		return nil, fmt.Errorf("create dataset %q: %w", d.Name, err)
	}
	// The driver watches a cancellable context with a goroutine per
	// statement; the writer checks ctx itself once per batch instead.
	w := &writer{ctx: context.WithoutCancel(ctx), cancel: ctx, db: db}
	w.id, err = res.LastInsertId()
	return w, err
}

func (w *writer) begin() error {
	if w.tx != nil {
		return nil
	}
	tx, err := w.db.BeginTx(w.ctx, nil)
	if err != nil {
		return err
	}
	w.tx = tx
	return nil
}

// add appends one example.
func (w *writer) add(r row) error {
	w.buf = append(w.buf, r)
	if len(w.buf) == rowsPerInsert {
		return w.flush()
	}
	return nil
}

// flush writes the buffered rows.
func (w *writer) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	if err := w.cancel.Err(); err != nil {
		return err
	}
	if err := w.begin(); err != nil {
		return fmt.Errorf("dataset %d: %w", w.id, err)
	}
	b := append(w.batch[:0], '[')
	for i, r := range w.buf {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = append(b, r.messages...)
		b = append(b, ',')
		label, _ := json.Marshal(r.label)
		b = append(b, label...)
		b = append(b, ',')
		b = strconv.AppendBool(b, r.text)
		b = append(b, ',')
		b = strconv.AppendInt(b, r.line, 10)
		b = append(b, ',', '"')
		b = hex.AppendEncode(b, r.hash)
		b = append(b, '"', ',', '"')
		b = hex.AppendEncode(b, r.normHash)
		b = append(b, '"', ',')
		b = strconv.AppendInt(b, r.chars, 10)
		b = append(b, ']')
	}
	w.batch = append(b, ']')
	if _, err := w.tx.ExecContext(w.ctx, insertExamples, w.id, w.n+1, string(w.batch)); err != nil {
		return fmt.Errorf("dataset %d: write examples: %w", w.id, err)
	}
	w.n += int64(len(w.buf))
	w.inTx += len(w.buf)
	w.buf = w.buf[:0]
	if w.inTx >= txRows {
		return w.commit()
	}
	return nil
}

func (w *writer) commit() error {
	if w.tx == nil {
		return nil
	}
	err := w.tx.Commit()
	w.tx, w.inTx = nil, 0
	if err != nil {
		return fmt.Errorf("dataset %d: commit: %w", w.id, err)
	}
	return nil
}

// addError records a skipped row.
func (w *writer) addError(e ImportError) error {
	if err := w.begin(); err != nil {
		return err
	}
	w.errs++
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO import_errors(dataset_id, file, line, field, reason) VALUES (?, ?, ?, ?, ?)`,
		w.id, e.File, e.Line, e.Field, e.Reason)
	return err
}

// finish writes what is buffered and makes the dataset visible.
func (w *writer) finish(bytes int64, format string) (int64, error) {
	if err := w.flush(); err != nil {
		return 0, err
	}
	if err := w.begin(); err != nil {
		return 0, err
	}
	if _, err := w.tx.ExecContext(w.ctx, `UPDATE datasets SET state = ?, examples = ?, errors = ?, bytes = ?, format = ? WHERE id = ?`,
		ready, w.n, w.errs, bytes, format, w.id); err != nil {
		return 0, fmt.Errorf("dataset %d: %w", w.id, err)
	}
	return w.id, w.commit()
}

// abort rolls back and removes the unfinished dataset. It uses a fresh
// context: the job's own may be the reason for aborting.
func (w *writer) abort() {
	if w.tx != nil {
		w.tx.Rollback()
		w.tx = nil
	}
	w.db.ExecContext(context.Background(), `DELETE FROM datasets WHERE id = ?`, w.id)
}

// newRow hashes and measures an example.
func newRow(ex parse.Example) (row, error) {
	msgs, err := json.Marshal(ex.Messages)
	if err != nil {
		return row{}, err
	}
	h := sha256.New()
	n := sha256.New()
	var chars int64
	var norm []byte
	for _, m := range ex.Messages {
		h.Write([]byte(m.Role))
		h.Write([]byte{0})
		h.Write([]byte(m.Content))
		h.Write([]byte{1})
		norm = appendNormalized(append(norm[:0], m.Role...), m.Content)
		n.Write(norm)
		n.Write([]byte{1})
		chars += int64(utf8.RuneCountInString(m.Content))
	}
	return row{messages: msgs, label: ex.Label, text: ex.Text, line: int64(ex.Line),
		hash: h.Sum(nil)[:16], normHash: n.Sum(nil)[:16], chars: chars}, nil
}

// appendNormalized appends s lower-cased, with punctuation dropped and runs
// of spaces collapsed: "Hello,  World!" and "hello world" are the same text.
func appendNormalized(dst []byte, s string) []byte {
	dst = append(dst, ' ')
	space := true
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			dst = utf8.AppendRune(dst, unicode.ToLower(r))
			space = false
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			if !space {
				dst = append(dst, ' ')
				space = true
			}
		default:
			dst = utf8.AppendRune(dst, r)
			space = false
		}
	}
	if space && len(dst) > 0 && dst[len(dst)-1] == ' ' {
		dst = dst[:len(dst)-1] // "France?" and "France" end alike
	}
	return dst
}
