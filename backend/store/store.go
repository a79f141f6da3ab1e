// Package store keeps Hone's state in one SQLite file (pure Go driver, WAL
// mode, busy timeout). The schema grows by numbered migrations; the file
// records which ran, and a file from a newer Hone is refused, untouched.
package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

var (
	// ErrCorrupt marks a database file that is not a readable SQLite database.
	ErrCorrupt = errors.New("database file is damaged or not a SQLite database")
	// ErrNewerSchema marks a database written by a newer Hone.
	ErrNewerSchema = errors.New("database was written by a newer version of Hone")
)

// Store is an open Hone database.
type Store struct {
	DB   *gorm.DB
	Path string
}

// PageSize is the page size of a new database file; older files keep theirs.
const PageSize = 16384

// FileName is the database's name inside the data folder.
const FileName = "hone.db"

const sqliteMagic = "SQLite format 3\x00"

// Open opens (creating if needed) the database at path and brings its
// schema up to date. A damaged file or one from a newer Hone is left exactly
// as it was and reported with ErrCorrupt or ErrNewerSchema.
func Open(ctx context.Context, path string) (*Store, error) { return openSchema(ctx, path, migrations) }

func openSchema(ctx context.Context, path string, ms []Migration) (*Store, error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	// journal_mode is not in the DSN: it writes to the file, and nothing may
	// be written before the checks below have passed. page_size writes
	// nothing and counts only for a file without tables yet: new files get
	// 16 KiB pages, not 4 KiB, because an import writes each page twice (to
	// the WAL, then by the checkpoint) with one system call per page, and the
	// calls were a fifth of its time.
	db, err := gorm.Open(sqlite.Open(path+"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=page_size("+strconv.Itoa(PageSize)+")"),
		&gorm.Config{Logger: logger.Discard, NowFunc: func() time.Time { return time.Now().UTC() }})
	if err != nil {
		return nil, corrupt(path, err)
	}
	s := &Store{DB: db.WithContext(ctx), Path: path}
	if err := s.migrateTo(ctx, ms); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// checkHeader rejects a non-empty file that does not start like SQLite,
// before the driver sees it.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	if n == 0 && (err == io.EOF) {
		return nil // an empty file is an empty database
	}
	if err != nil || !bytes.Equal(head, []byte(sqliteMagic)) {
		return fmt.Errorf("%w: %s does not start with the SQLite header (the file was left untouched; move it away to start afresh)", ErrCorrupt, path)
	}
	return nil
}

// corrupt turns SQLite's "not a database" and "malformed" errors into ErrCorrupt.
func corrupt(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "not a database") || strings.Contains(msg, "malformed") || strings.Contains(msg, "corrupt") {
		return fmt.Errorf("%w: %s: %v (the file was left untouched; move it away to start afresh)", ErrCorrupt, path, err)
	}
	return fmt.Errorf("database %s: %w", path, err)
}

// Close closes the database.
func (s *Store) Close() error {
	sqlDB, err := s.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Check runs SQLite's quick_check over the whole file.
func (s *Store) Check(ctx context.Context) error {
	var result string
	if err := s.DB.WithContext(ctx).Raw("PRAGMA quick_check").Scan(&result).Error; err != nil {
		return corrupt(s.Path, err)
	}
	if result != "ok" {
		return fmt.Errorf("%w: %s: quick_check: %s", ErrCorrupt, s.Path, result)
	}
	return nil
}
