// Package dataset keeps training data in SQLite: import from files (through
// package parse), a quality report, new versions (deduplicated, filtered,
// split, mixed) and export. A dataset is visible only once complete: an
// import that dies leaves a row in state "importing", which Cleanup removes
// at the next start.
package dataset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/store"
)

// States of a dataset row.
const (
	importing = "importing"
	ready     = "ready"
)

// Dataset is one imported or derived set of examples.
type Dataset struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Source    string    `json:"source"` // the file it was imported from
	Format    string    `json:"format"` // how it was read
	ParentID  int64     `json:"parentId"`
	Recipe    string    `json:"recipe"` // how it was derived from its parent(s)
	Examples  int64     `json:"examples"`
	Errors    int64     `json:"errors"`
	Bytes     int64     `json:"bytes"`
	CreatedAt time.Time `json:"createdAt"`
}

// Example is one stored example.
type Example struct {
	ID       int64           `json:"id"`
	Seq      int64           `json:"seq"`
	Messages []parse.Message `json:"messages"`
	Label    string          `json:"label,omitempty"`
	Text     bool            `json:"text,omitempty"`
	Line     int64           `json:"line"`
	Chars    int64           `json:"chars"`
}

// ImportError is a row that was not imported, and why.
type ImportError struct {
	File   string `json:"file"`
	Line   int64  `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// ErrNotFound is returned for a dataset that does not exist (or is not complete).
var ErrNotFound = errors.New("no such dataset")

func sqlDB(st *store.Store) (*sql.DB, error) { return st.DB.DB() }

// span is the range of ids that holds the examples of dataset id, in order
// (see store.ExampleID).
func span(id int64) (lo, hi int64) { return store.ExampleID(id, 1), store.ExampleID(id, store.MaxSeq) }

// remove deletes datasets and their examples (which have no foreign key to
// cascade from: see store.ExampleID) in one transaction.
func remove(ctx context.Context, db *sql.DB, ids []int64) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, id := range ids {
		lo, hi := span(id)
		if _, err := tx.ExecContext(ctx, `DELETE FROM examples WHERE id BETWEEN ? AND ?`, lo, hi); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM datasets WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Cleanup removes datasets whose import or derivation never finished,
// because Hone was killed while writing them.
func Cleanup(ctx context.Context, st *store.Store) (int64, error) {
	db, err := sqlDB(st)
	if err != nil {
		return 0, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM datasets WHERE state = ?`, importing)
	if err != nil {
		return 0, fmt.Errorf("remove unfinished datasets: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("remove unfinished datasets: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("remove unfinished datasets: %w", err)
	}
	if err := remove(ctx, db, ids); err != nil {
		return 0, fmt.Errorf("remove unfinished datasets: %w", err)
	}
	return int64(len(ids)), nil
}

const datasetColumns = `id, name, source, format, COALESCE(parent_id, 0), recipe, examples, errors, bytes, created_at`

func scanDataset(row interface{ Scan(...any) error }) (Dataset, error) {
	var d Dataset
	err := row.Scan(&d.ID, &d.Name, &d.Source, &d.Format, &d.ParentID, &d.Recipe, &d.Examples, &d.Errors, &d.Bytes, &d.CreatedAt)
	return d, err
}

// List returns the complete datasets, newest first.
func List(ctx context.Context, st *store.Store) ([]Dataset, error) {
	db, err := sqlDB(st)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT `+datasetColumns+` FROM datasets WHERE state = ? ORDER BY id DESC`, ready)
	if err != nil {
		return nil, fmt.Errorf("list datasets: %w", err)
	}
	defer rows.Close()
	out := []Dataset{}
	for rows.Next() {
		d, err := scanDataset(rows)
		if err != nil {
			return nil, fmt.Errorf("list datasets: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Get returns one complete dataset.
func Get(ctx context.Context, st *store.Store, id int64) (Dataset, error) {
	db, err := sqlDB(st)
	if err != nil {
		return Dataset{}, err
	}
	d, err := scanDataset(db.QueryRowContext(ctx, `SELECT `+datasetColumns+` FROM datasets WHERE id = ? AND state = ?`, id, ready))
	if errors.Is(err, sql.ErrNoRows) {
		return Dataset{}, fmt.Errorf("dataset %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Dataset{}, fmt.Errorf("dataset %d: %w", id, err)
	}
	return d, nil
}

// Delete removes a dataset and its examples. Versions made from it stay.
func Delete(ctx context.Context, st *store.Store, id int64) error {
	if _, err := Get(ctx, st, id); err != nil {
		return err
	}
	db, err := sqlDB(st)
	if err != nil {
		return err
	}
	if err := remove(ctx, db, []int64{id}); err != nil {
		return fmt.Errorf("delete dataset %d: %w", id, err)
	}
	return nil
}

// Errors returns the rows an import skipped, in file order, at most limit.
func Errors(ctx context.Context, st *store.Store, id int64, limit int) ([]ImportError, error) {
	db, err := sqlDB(st)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT file, line, field, reason FROM import_errors WHERE dataset_id = ? ORDER BY id LIMIT ?`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("dataset %d errors: %w", id, err)
	}
	defer rows.Close()
	out := []ImportError{}
	for rows.Next() {
		var e ImportError
		if err := rows.Scan(&e.File, &e.Line, &e.Field, &e.Reason); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
