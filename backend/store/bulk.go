package store

import (
	"errors"
	"fmt"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"
)

// Bulk is a second connection to the store's file, for writing many rows
// fast. The driver behind gorm (glebarez/go-sqlite over modernc.org/sqlite)
// prepares a statement anew on every execution, even a "prepared" one, and
// copies every argument into C memory with an allocation of its own; Bulk
// calls the same SQLite library (modernc.org/sqlite/lib, pure Go) directly:
// a statement is prepared once and each row is bound from one reused buffer,
// which makes an insert several times cheaper. It has the store's settings
// (busy timeout, foreign keys, synchronous=NORMAL, WAL through the file).
// A Bulk and its statements are for one goroutine at a time.
type Bulk struct {
	tls  *libc.TLS
	db   uintptr // sqlite3*
	slot uintptr // C memory for out-parameters
	path string
	pins []uintptr
}

// BulkBusyTimeout is how long a Bulk waits for another writer, as the store does.
const BulkBusyTimeout = 5000 // ms

// OpenBulk opens a Bulk on the store's file.
func (s *Store) OpenBulk() (*Bulk, error) {
	b := &Bulk{tls: libc.NewTLS(), path: s.Path}
	b.slot = libc.Xmalloc(b.tls, 8)
	if b.slot == 0 {
		b.tls.Close()
		return nil, errors.New("bulk connection: out of memory")
	}
	name, err := libc.CString(s.Path)
	if err != nil {
		b.free()
		return nil, err
	}
	rc := sqlite3.Xsqlite3_open_v2(b.tls, name, b.slot, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	libc.Xfree(b.tls, name)
	b.db = b.out()
	if rc != sqlite3.SQLITE_OK {
		err := b.err(rc, "open")
		b.Close()
		return nil, err
	}
	// modernc's allocator gives each size class 1 MiB pages and unmaps a page
	// the moment its last block is freed. SQLite's page splits allocate and
	// free a scratch block of tens of KiB every few rows, which then costs
	// an mmap, an munmap and fresh page faults each time. A block held in
	// each class (1 KiB .. 256 KiB; larger blocks get pages of their own)
	// keeps its page mapped for as long as the Bulk lives.
	for size := 1 << 10; size <= 1<<18; size <<= 1 {
		if p := libc.Xmalloc(b.tls, types.Size_t(size)); p != 0 {
			b.pins = append(b.pins, p)
		}
	}
	sqlite3.Xsqlite3_busy_timeout(b.tls, b.db, BulkBusyTimeout)
	if err := b.Exec("PRAGMA foreign_keys=1; PRAGMA synchronous=NORMAL"); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// cmem views n bytes of C memory at p as a slice.
func cmem(p uintptr, n int) []byte { return unsafe.Slice((*byte)(unsafe.Add(nil, p)), n) }

// out reads the pointer an out-parameter call left in slot.
func (b *Bulk) out() uintptr { return *(*uintptr)(unsafe.Add(nil, b.slot)) }

// err turns a result code into an error with SQLite's message.
func (b *Bulk) err(rc int32, what string) error {
	msg := ""
	if b.db != 0 {
		msg = libc.GoString(sqlite3.Xsqlite3_errmsg(b.tls, b.db))
	} else {
		msg = libc.GoString(sqlite3.Xsqlite3_errstr(b.tls, rc))
	}
	return fmt.Errorf("database %s: %s: %s (%d)", b.path, what, msg, rc)
}

// Exec runs statements without arguments ("BEGIN IMMEDIATE", "COMMIT", pragmas).
func (b *Bulk) Exec(query string) error {
	q, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(b.tls, q)
	if rc := sqlite3.Xsqlite3_exec(b.tls, b.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return b.err(rc, query)
	}
	return nil
}

// InTx says whether a transaction is open.
func (b *Bulk) InTx() bool { return sqlite3.Xsqlite3_get_autocommit(b.tls, b.db) == 0 }

// Rollback ends an open transaction, keeping nothing of it; without one it does nothing.
func (b *Bulk) Rollback() error {
	if !b.InTx() {
		return nil
	}
	return b.Exec("ROLLBACK")
}

// LastInsertID is the rowid of the last inserted row.
func (b *Bulk) LastInsertID() int64 { return sqlite3.Xsqlite3_last_insert_rowid(b.tls, b.db) }

// Changes is the number of rows the last statement changed.
func (b *Bulk) Changes() int64 { return int64(sqlite3.Xsqlite3_changes(b.tls, b.db)) }

func (b *Bulk) free() {
	for _, p := range b.pins {
		libc.Xfree(b.tls, p)
	}
	b.pins = nil
	if b.slot != 0 {
		libc.Xfree(b.tls, b.slot)
		b.slot = 0
	}
	if b.tls != nil {
		b.tls.Close()
		b.tls = nil
	}
}

// Close closes the connection; an open transaction is rolled back. Close the
// statements first.
func (b *Bulk) Close() error {
	if b.tls == nil {
		return nil
	}
	var err error
	if b.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(b.tls, b.db); rc != sqlite3.SQLITE_OK {
			err = b.err(rc, "close")
		}
		b.db = 0
	}
	b.free()
	return err
}

// Stmt is a statement prepared once and run many times: bind the
// parameters (1-based, as in SQL's ?1), then Exec, which also clears them.
type Stmt struct {
	b     *Bulk
	p     uintptr // sqlite3_stmt*
	query string
	buf   uintptr // C buffer holding the bound text and blobs of one row
	size  int
	used  int
	extra []uintptr // values that did not fit in buf, freed after Exec
	err   error     // the first bind error since the last Exec
}

const stmtBuf = 64 << 10

// Prepare compiles one statement.
func (b *Bulk) Prepare(query string) (*Stmt, error) {
	q, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(b.tls, q)
	if rc := sqlite3.Xsqlite3_prepare_v2(b.tls, b.db, q, -1, b.slot, 0); rc != sqlite3.SQLITE_OK {
		return nil, b.err(rc, "prepare "+query)
	}
	s := &Stmt{b: b, p: b.out(), query: query, size: stmtBuf}
	if s.buf = libc.Xmalloc(b.tls, stmtBuf); s.buf == 0 {
		sqlite3.Xsqlite3_finalize(b.tls, s.p)
		return nil, errors.New("bulk statement: out of memory")
	}
	return s, nil
}

func (s *Stmt) check(rc int32, i int) {
	if rc != sqlite3.SQLITE_OK && s.err == nil {
		s.err = s.b.err(rc, fmt.Sprintf("bind parameter %d of %s", i, s.query))
	}
}

// place copies v into C memory that stays put until Exec.
func (s *Stmt) place(v string) uintptr {
	n := len(v)
	if n <= s.size-s.used {
		p := s.buf + uintptr(s.used)
		copy(cmem(p, n), v)
		s.used += n
		return p
	}
	p := libc.Xmalloc(s.b.tls, types.Size_t(n))
	if p == 0 {
		return 0
	}
	s.extra = append(s.extra, p)
	copy(cmem(p, n), v)
	return p
}

// Int64 binds an integer.
func (s *Stmt) Int64(i int, v int64) {
	s.check(sqlite3.Xsqlite3_bind_int64(s.b.tls, s.p, int32(i), v), i)
}

// Bool binds 1 or 0.
func (s *Stmt) Bool(i int, v bool) {
	var n int64
	if v {
		n = 1
	}
	s.Int64(i, n)
}

// Null binds NULL.
func (s *Stmt) Null(i int) { s.check(sqlite3.Xsqlite3_bind_null(s.b.tls, s.p, int32(i)), i) }

// Text binds a string (UTF-8).
func (s *Stmt) Text(i int, v string) {
	p := s.place(v)
	if p == 0 {
		s.check(sqlite3.SQLITE_NOMEM, i)
		return
	}
	s.check(sqlite3.Xsqlite3_bind_text64(s.b.tls, s.p, int32(i), p, uint64(len(v)), 0, sqlite3.SQLITE_UTF8), i)
}

// TextBytes binds bytes holding UTF-8 as a string.
func (s *Stmt) TextBytes(i int, v []byte) { s.Text(i, unsafe.String(unsafe.SliceData(v), len(v))) }

// Blob binds bytes as a blob.
func (s *Stmt) Blob(i int, v []byte) {
	p := s.place(unsafe.String(unsafe.SliceData(v), len(v)))
	if p == 0 {
		s.check(sqlite3.SQLITE_NOMEM, i)
		return
	}
	s.check(sqlite3.Xsqlite3_bind_blob64(s.b.tls, s.p, int32(i), p, uint64(len(v)), 0), i)
}

// Exec runs the statement with the bound parameters, which it then clears.
func (s *Stmt) Exec() error {
	err := s.err
	if err == nil {
		if rc := sqlite3.Xsqlite3_step(s.b.tls, s.p); rc != sqlite3.SQLITE_DONE && rc != sqlite3.SQLITE_ROW {
			err = s.b.err(rc, s.query)
		}
	}
	sqlite3.Xsqlite3_reset(s.b.tls, s.p)
	sqlite3.Xsqlite3_clear_bindings(s.b.tls, s.p)
	s.used, s.err = 0, nil
	for _, p := range s.extra {
		libc.Xfree(s.b.tls, p)
	}
	s.extra = s.extra[:0]
	return err
}

// Close finalizes the statement.
func (s *Stmt) Close() error {
	if s.p == 0 {
		return nil
	}
	sqlite3.Xsqlite3_finalize(s.b.tls, s.p)
	libc.Xfree(s.b.tls, s.buf)
	for _, p := range s.extra {
		libc.Xfree(s.b.tls, p)
	}
	s.p, s.buf, s.extra = 0, 0, nil
	return nil
}
