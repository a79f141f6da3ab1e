package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strings"
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

// Rows go in through a store.Bulk connection: INSERTs prepared once and run
// for rowsPerInsert rows at a time, which the pure-Go driver behind
// database/sql cannot do (it prepares every statement anew, and its binding
// slows down with the number of parameters). Rows are committed every txRows
// rows: one transaction per batch keeps the WAL small, and the dataset stays
// invisible until finish marks it ready.
const (
	txRows        = 20000 // a multiple of rowsPerInsert
	rowsPerInsert = 32    // each run of a statement costs as much as a few rows
)

// insertExamples is the INSERT of n rows; row k's parameters are 10k+1 .. 10k+10.
func insertExamples(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO examples(id, dataset_id, seq, messages, label, text, line, hash, norm_hash, chars) VALUES `)
	for k := range n {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := range 10 {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "?%d", 10*k+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// writer creates a dataset in state "importing" and appends examples to it.
type writer struct {
	cancel context.Context // the caller's, for cancellation
	db     *sql.DB         // the store's pool, for reads and for removing an aborted dataset
	bulk   *store.Bulk
	ins    *store.Stmt // rowsPerInsert rows
	ins1   *store.Stmt // one row, for the rest at a commit
	insErr *store.Stmt // prepared at the first skipped row
	pend   []row       // rows added and not yet inserted; their bytes are in pbuf
	pbuf   []byte
	ckpt   *checkpointer
	id     int64
	n      int64 // rows written
	inTx   int
	wal    int64 // bytes written since the last complete checkpoint, about
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
	w := &writer{cancel: ctx, db: db}
	if w.id, err = res.LastInsertId(); err != nil {
		return nil, err
	}
	if w.bulk, err = st.OpenBulk(); err == nil {
		if w.ins, err = w.bulk.Prepare(insertExamples(rowsPerInsert)); err == nil {
			w.ins1, err = w.bulk.Prepare(insertExamples(1))
		}
	}
	if err == nil {
		// The writer leaves checkpoints to a goroutine of their own.
		// A transaction's pages (txRows rows) fit in its cache: no spilling
		// to the WAL before the commit.
		if err = w.bulk.Exec("PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-16384"); err == nil {
			w.ckpt, err = newCheckpointer(st)
		}
	}
	if err != nil {
		w.abort()
		return nil, fmt.Errorf("create dataset %q: %w", d.Name, err)
	}
	return w, nil
}

func (w *writer) begin() error {
	if w.bulk.InTx() {
		return nil
	}
	if err := w.cancel.Err(); err != nil {
		return err
	}
	if err := w.bulk.Exec("BEGIN IMMEDIATE"); err != nil {
		return fmt.Errorf("dataset %d: %w", w.id, err)
	}
	return nil
}

// add appends one example.
func (w *writer) add(r row) error {
	if w.n >= store.MaxSeq {
		return fmt.Errorf("dataset %d: more than %d examples", w.id, int64(store.MaxSeq))
	}
	if w.n%1024 == 0 {
		if err := w.cancel.Err(); err != nil {
			return err
		}
	}
	if err := w.begin(); err != nil {
		return err
	}
	// r's bytes belong to the caller: keep a copy until the insert.
	start := len(w.pbuf)
	w.pbuf = append(append(append(w.pbuf, r.messages...), r.hash...), r.normHash...)
	b := w.pbuf[start:]
	m := len(r.messages)
	r.messages, r.hash, r.normHash = b[:m:m], b[m:m+len(r.hash):m+len(r.hash)], b[m+len(r.hash):]
	w.pend = append(w.pend, r)
	w.n++
	w.inTx++
	w.wal += int64(len(r.messages) + len(r.label) + 64)
	if len(w.pend) == rowsPerInsert {
		if err := w.flush(); err != nil {
			return err
		}
	}
	if w.inTx >= txRows {
		return w.commit()
	}
	return nil
}

// insert writes rows, numbered from seq on, with s, a statement for len(rows) rows.
func (w *writer) insert(s *store.Stmt, rows []row, seq int64) error {
	for k, r := range rows {
		p := 10 * k
		s.Int64(p+1, store.ExampleID(w.id, seq))
		s.Int64(p+2, w.id)
		s.Int64(p+3, seq)
		s.TextBytes(p+4, r.messages)
		s.Text(p+5, r.label)
		s.Bool(p+6, r.text)
		s.Int64(p+7, r.line)
		s.Blob(p+8, r.hash)
		s.Blob(p+9, r.normHash)
		s.Int64(p+10, r.chars)
		seq++
	}
	if err := s.Exec(); err != nil {
		return fmt.Errorf("dataset %d: write examples: %w", w.id, err)
	}
	return nil
}

// flush inserts the pending rows: rowsPerInsert at a time, the rest one by one.
func (w *writer) flush() error {
	seq := w.n - int64(len(w.pend)) + 1 // of the first pending row
	for i := 0; i < len(w.pend); {
		s, n := w.ins1, 1
		if len(w.pend)-i >= rowsPerInsert {
			s, n = w.ins, rowsPerInsert
		}
		if err := w.insert(s, w.pend[i:i+n], seq+int64(i)); err != nil {
			return err
		}
		i += n
	}
	w.pend, w.pbuf = w.pend[:0], w.pbuf[:0]
	return nil
}

func (w *writer) commit() error {
	if !w.bulk.InTx() {
		return nil
	}
	if err := w.flush(); err != nil {
		return err
	}
	w.inTx = 0
	if err := w.bulk.Exec("COMMIT"); err != nil {
		return fmt.Errorf("dataset %d: commit: %w", w.id, err)
	}
	if w.wal >= walBytes {
		w.ckpt.sync()
		w.wal = 0
	} else {
		w.ckpt.kick()
	}
	return nil
}

// addError records a skipped row.
func (w *writer) addError(e ImportError) error {
	if err := w.begin(); err != nil {
		return err
	}
	w.errs++
	if w.insErr == nil {
		s, err := w.bulk.Prepare(`INSERT INTO import_errors(dataset_id, file, line, field, reason) VALUES (?1, ?2, ?3, ?4, ?5)`)
		if err != nil {
			return err
		}
		w.insErr = s
	}
	s := w.insErr
	s.Int64(1, w.id)
	s.Text(2, e.File)
	s.Int64(3, e.Line)
	s.Text(4, e.Field)
	s.Text(5, e.Reason)
	return s.Exec()
}

// finish makes the dataset visible, in the transaction of the last rows.
func (w *writer) finish(bytes int64, format string) (int64, error) {
	if err := w.begin(); err != nil {
		return 0, err
	}
	if err := w.flush(); err != nil {
		return 0, err
	}
	s, err := w.bulk.Prepare(`UPDATE datasets SET state = ?1, examples = ?2, errors = ?3, bytes = ?4, format = ?5 WHERE id = ?6 AND state = ?7`)
	if err != nil {
		return 0, fmt.Errorf("dataset %d: %w", w.id, err)
	}
	s.Text(1, ready)
	s.Int64(2, w.n)
	s.Int64(3, w.errs)
	s.Int64(4, bytes)
	s.Text(5, format)
	s.Int64(6, w.id)
	s.Text(7, importing)
	err = s.Exec()
	s.Close()
	if err == nil && w.bulk.Changes() != 1 {
		err = errors.New("the unfinished dataset was removed meanwhile")
	}
	if err != nil {
		return 0, fmt.Errorf("dataset %d: %w", w.id, err)
	}
	if err := w.commit(); err != nil {
		return 0, err
	}
	w.close()
	return w.id, nil
}

// close ends the bulk connection; an open transaction is rolled back.
func (w *writer) close() {
	if w.ckpt != nil {
		w.ckpt.close()
		w.ckpt = nil
	}
	for _, s := range []*store.Stmt{w.ins, w.ins1, w.insErr} {
		if s != nil {
			s.Close()
		}
	}
	w.ins, w.ins1, w.insErr = nil, nil, nil
	if w.bulk != nil {
		w.bulk.Rollback()
		w.bulk.Close()
		w.bulk = nil
	}
}

// abort rolls back and removes the unfinished dataset. It uses a fresh
// context: the job's own may be the reason for aborting.
func (w *writer) abort() {
	w.close()
	remove(context.Background(), w.db, []int64{w.id})
}

// checkpointer copies the WAL into the database file on a connection and
// goroutine of its own, while the writer goes on appending: a checkpoint
// after each commit (PASSIVE: it never blocks the writer) takes a third of
// the writer's time off it. SQLite starts the WAL over only when a write
// begins with every frame checkpointed, which a checkpoint running beside
// the writer never lets happen, so every walBytes the writer waits for one
// complete checkpoint: the WAL stays within about walBytes.
type checkpointer struct {
	bulk  *store.Bulk
	kicks chan chan struct{} // nil: checkpoint; else also close it once done
	done  chan struct{}
}

const walBytes = 32 << 20

func newCheckpointer(st *store.Store) (*checkpointer, error) {
	b, err := st.OpenBulk()
	if err != nil {
		return nil, err
	}
	c := &checkpointer{bulk: b, kicks: make(chan chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for reply := range c.kicks {
			// A failure (SQLITE_BUSY: another connection checkpoints) only
			// leaves the frames to the next checkpoint.
			b.Exec("PRAGMA wal_checkpoint(PASSIVE)")
			if reply != nil {
				close(reply)
			}
		}
	}()
	return c, nil
}

// kick asks for a checkpoint, unless one is already asked for.
func (c *checkpointer) kick() {
	select {
	case c.kicks <- nil:
	default:
	}
}

// sync waits for a checkpoint of everything committed so far.
func (c *checkpointer) sync() {
	reply := make(chan struct{})
	c.kicks <- reply
	<-reply
}

func (c *checkpointer) close() {
	close(c.kicks)
	<-c.done
	c.bulk.Close()
}

// rowMaker turns parsed examples into rows; one per goroutine.
type rowMaker struct {
	h, n      hash.Hash
	raw, norm []byte
	sum       []byte
}

func newRowMaker() *rowMaker { return &rowMaker{h: sha256.New(), n: sha256.New()} }

// newRow hashes and measures an example.
func newRow(ex parse.Example) (row, error) {
	r, _, err := newRowMaker().row(nil, ex)
	return r, err
}

// row hashes and measures an example: hash is over the messages as they
// are, normHash over them lower-cased without punctuation (appendNormalized).
// The row's bytes (messages JSON, both hashes) are appended to arena, or to
// a new arena when it is full, which row returns: the import reuses the
// arena of a chunk of rows once they are written.
func (m *rowMaker) row(arena []byte, ex parse.Example) (row, []byte, error) {
	size := 2 + 2*hashLen
	for _, msg := range ex.Messages {
		size += len(msg.Role) + len(msg.Content) + 32
	}
	if cap(arena)-len(arena) < size {
		arena = make([]byte, 0, max(size, 128<<10))
	}
	start := len(arena)
	arena, err := appendMessages(arena, ex.Messages)
	if err != nil {
		return row{}, arena, err
	}
	msgs := arena[start:len(arena):len(arena)]
	buf := arena
	m.h.Reset()
	m.n.Reset()
	var chars int64
	// Each hash reads one buffer: writing strings to a hash.Hash would copy them.
	m.raw, m.norm = m.raw[:0], m.norm[:0]
	for _, msg := range ex.Messages {
		m.raw = append(append(append(append(m.raw, msg.Role...), 0), msg.Content...), 1)
		m.norm = append(appendNormalized(append(m.norm, msg.Role...), msg.Content), 1)
		chars += int64(utf8.RuneCountInString(msg.Content))
	}
	m.h.Write(m.raw)
	m.n.Write(m.norm)
	m.sum = m.h.Sum(m.sum[:0])
	buf = append(buf, m.sum[:hashLen]...)
	m.sum = m.n.Sum(m.sum[:0])
	buf = append(buf, m.sum[:hashLen]...)
	n := start + len(msgs)
	return row{messages: msgs, label: ex.Label, text: ex.Text, line: int64(ex.Line),
		hash: buf[n : n+hashLen : n+hashLen], normHash: buf[n+hashLen : n+2*hashLen : n+2*hashLen], chars: chars}, buf, nil
}

// hashLen is how much of a SHA-256 the hashes keep.
const hashLen = 16

// appendMessages appends msgs as json.Marshal writes them.
func appendMessages(b []byte, msgs []parse.Message) ([]byte, error) {
	b = append(b, '[')
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"role":`...)
		b = appendJSONString(b, m.Role)
		b = append(b, `,"content":`...)
		b = appendJSONString(b, m.Content)
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendJSONString appends s quoted as json.Marshal quotes it: text that
// needs no escape is copied, anything else goes to encoding/json.
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			plain = false
			break
		}
	}
	if !plain {
		q, _ := json.Marshal(s) // a string always marshals
		return append(b, q...)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// asciiClass says what appendNormalized does with each ASCII byte, from
// the same unicode tests: keep lower-cased, separate, or keep as is.
var asciiClass, asciiLower = func() (class, lower [128]byte) {
	for c := range 128 {
		r := rune(c)
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			class[c] = 'k'
		case unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r):
			class[c] = 's'
		}
		lower[c] = byte(unicode.ToLower(r))
	}
	return
}()

// appendNormalized appends s lower-cased, with punctuation dropped and runs
// of spaces collapsed: "Hello,  World!" and "hello world" are the same text.
func appendNormalized(dst []byte, s string) []byte {
	dst = append(dst, ' ')
	space := true
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			i++
			switch asciiClass[c] {
			case 'k':
				dst = append(dst, asciiLower[c])
				space = false
			case 's':
				if !space {
					dst = append(dst, ' ')
					space = true
				}
			default:
				dst = append(dst, c)
				space = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
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
