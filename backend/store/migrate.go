package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Migration is one step of the schema. Steps are never edited once released:
// a change is a new step at the end of the list.
type Migration struct {
	Version int
	Name    string
	SQL     []string
}

// migrations is the schema, oldest first; Version must equal index+1.
var migrations = []Migration{
	{Version: 1, Name: "jobs", SQL: []string{`
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT    NOT NULL,
	title       TEXT    NOT NULL DEFAULT '',
	state       TEXT    NOT NULL,
	progress    REAL    NOT NULL DEFAULT 0,
	message     TEXT    NOT NULL DEFAULT '',
	error       TEXT    NOT NULL DEFAULT '',
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL,
	finished_at DATETIME
)`, `CREATE INDEX jobs_state ON jobs(state)`}},
	{Version: 2, Name: "datasets", SQL: []string{`
CREATE TABLE datasets (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT    NOT NULL,
	source     TEXT    NOT NULL DEFAULT '',
	format     TEXT    NOT NULL DEFAULT '',
	state      TEXT    NOT NULL,
	parent_id  INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
	recipe     TEXT    NOT NULL DEFAULT '',
	examples   INTEGER NOT NULL DEFAULT 0,
	errors     INTEGER NOT NULL DEFAULT 0,
	bytes      INTEGER NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL
)`, `
CREATE TABLE examples (
	id         INTEGER PRIMARY KEY,
	dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	messages   TEXT    NOT NULL,
	label      TEXT    NOT NULL DEFAULT '',
	text       INTEGER NOT NULL DEFAULT 0,
	line       INTEGER NOT NULL DEFAULT 0,
	hash       BLOB    NOT NULL,
	norm_hash  BLOB    NOT NULL,
	chars      INTEGER NOT NULL
)`, `CREATE INDEX examples_dataset ON examples(dataset_id, seq)`, `
CREATE TABLE import_errors (
	id         INTEGER PRIMARY KEY,
	dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
	file       TEXT    NOT NULL,
	line       INTEGER NOT NULL,
	field      TEXT    NOT NULL,
	reason     TEXT    NOT NULL
)`, `CREATE INDEX import_errors_dataset ON import_errors(dataset_id)`}},
	{Version: 3, Name: "model folders", SQL: []string{`
CREATE TABLE model_folders (
	path     TEXT PRIMARY KEY,
	added_at DATETIME NOT NULL
)`}},
	// Examples keyed by dataset: id is dataset_id<<32 | seq (ExampleID), so
	// a dataset's examples are one range of the table in order and need no
	// second index: an import appends each row to one b-tree instead of two,
	// which made the (dataset_id, seq) index a third of an import's SQLite
	// time. Without that index a cascade from datasets would scan the whole
	// table, so examples have no foreign key: the dataset package deletes a
	// dataset's range with the dataset row, in one transaction.
	{Version: 4, Name: "examples keyed by dataset", SQL: []string{`
CREATE TABLE examples_by_dataset (
	id         INTEGER PRIMARY KEY,
	dataset_id INTEGER NOT NULL,
	seq        INTEGER NOT NULL,
	messages   TEXT    NOT NULL,
	label      TEXT    NOT NULL DEFAULT '',
	text       INTEGER NOT NULL DEFAULT 0,
	line       INTEGER NOT NULL DEFAULT 0,
	hash       BLOB    NOT NULL,
	norm_hash  BLOB    NOT NULL,
	chars      INTEGER NOT NULL
)`, `
INSERT INTO examples_by_dataset(id, dataset_id, seq, messages, label, text, line, hash, norm_hash, chars)
SELECT (dataset_id << 32) | seq, dataset_id, seq, messages, label, text, line, hash, norm_hash, chars
FROM examples ORDER BY dataset_id, seq`,
		`DROP TABLE examples`,
		`ALTER TABLE examples_by_dataset RENAME TO examples`}},
	// Structured jobs: the latest step and metrics of a job's progress, its
	// result as JSON (the new dataset's id, final metrics), the input of a
	// job run in a child process (spec), and the process doing the work
	// (pid), so that a Hone starting beside another one interrupts only the
	// jobs whose process is gone. job_metrics keeps every step's metrics for
	// the training charts.
	{Version: 5, Name: "structured jobs", SQL: []string{
		`ALTER TABLE jobs ADD COLUMN step INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE jobs ADD COLUMN metrics TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN result TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN spec TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0`, `
CREATE TABLE job_metrics (
	job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
	step       INTEGER NOT NULL,
	metrics    TEXT    NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (job_id, step)
) WITHOUT ROWID`}},
	// Training runs (backend/train): a run outlives the jobs that run it
	// (paused and resumed, interrupted and resumed), so its per-step metrics
	// are its own; adapters are what finished runs made, with their
	// contract (base model and hash, template, hyperparameters) as JSON.
	{Version: 6, Name: "runs and adapters", SQL: []string{`
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT    NOT NULL,
	state       TEXT    NOT NULL,
	spec        TEXT    NOT NULL,
	job_id      INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
	out_dir     TEXT    NOT NULL,
	step        INTEGER NOT NULL DEFAULT 0,
	total_steps INTEGER NOT NULL DEFAULT 0,
	summary     TEXT    NOT NULL DEFAULT '',
	error       TEXT    NOT NULL DEFAULT '',
	suggestion  TEXT    NOT NULL DEFAULT '',
	created_at  DATETIME NOT NULL,
	updated_at  DATETIME NOT NULL
)`, `CREATE INDEX runs_state ON runs(state)`, `
CREATE TABLE run_metrics (
	run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
	step    INTEGER NOT NULL,
	metrics TEXT    NOT NULL,
	PRIMARY KEY (run_id, step)
) WITHOUT ROWID`, `
CREATE TABLE adapters (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT    NOT NULL,
	run_id     INTEGER REFERENCES runs(id) ON DELETE SET NULL,
	path       TEXT    NOT NULL,
	contract   TEXT    NOT NULL,
	metrics    TEXT    NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL
)`}},
	// Chat (backend/core/chat.go): conversations with a base model, whose
	// messages belong to a pane (the model id that wrote an answer; "" for
	// a user turn, which every pane shares); arena votes, a blind match of
	// two of a base model's candidates (winner "" until the vote).
	{Version: 7, Name: "chat and arena", SQL: []string{`
CREATE TABLE conversations (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	title      TEXT    NOT NULL DEFAULT '',
	model_path TEXT    NOT NULL,
	system     TEXT    NOT NULL DEFAULT '',
	sampling   TEXT    NOT NULL DEFAULT '',
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL
)`, `
CREATE TABLE chat_messages (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
	pane            TEXT    NOT NULL DEFAULT '',
	role            TEXT    NOT NULL,
	content         TEXT    NOT NULL,
	stats           TEXT    NOT NULL DEFAULT '',
	created_at      DATETIME NOT NULL
)`, `CREATE INDEX chat_messages_conversation ON chat_messages(conversation_id, id)`, `
CREATE TABLE arena_votes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	model_path  TEXT    NOT NULL,
	prompt      TEXT    NOT NULL,
	candidate_a TEXT    NOT NULL,
	candidate_b TEXT    NOT NULL,
	answer_a    TEXT    NOT NULL,
	answer_b    TEXT    NOT NULL,
	winner      TEXT    NOT NULL DEFAULT '',
	seed        INTEGER NOT NULL,
	created_at  DATETIME NOT NULL,
	voted_at    DATETIME
)`, `CREATE INDEX arena_votes_model ON arena_votes(model_path, id)`}},
}

// ExampleID is the id of example seq (1-based) of a dataset; a dataset's
// examples are ids ExampleID(d, 0) < id <= ExampleID(d, MaxSeq).
func ExampleID(dataset, seq int64) int64 { return dataset<<32 | seq }

// MaxSeq is the most examples a dataset can hold.
const MaxSeq = 1<<32 - 1

// SchemaVersion is the newest schema this build knows.
func SchemaVersion() int { return len(migrations) }

type schemaMigration struct {
	Version   int `gorm:"primaryKey"`
	Name      string
	AppliedAt time.Time
}

// Version returns the schema version recorded in the database.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.DB.WithContext(ctx).Raw("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&v).Error
	return v, err
}

// migrateTo applies the steps of ms that the file lacks; tests pass a prefix
// of the schema to make an older file.
func (s *Store) migrateTo(ctx context.Context, ms []Migration) error {
	db := s.DB.WithContext(ctx)
	var exists int
	if err := db.Raw("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_migrations'").Scan(&exists).Error; err != nil {
		return corrupt(s.Path, err)
	}
	current := 0
	if exists > 0 {
		v, err := s.Version(ctx)
		if err != nil {
			return corrupt(s.Path, err)
		}
		current = v
	}
	if current > len(ms) {
		return fmt.Errorf("%w: %s has schema version %d, this Hone knows up to %d; install a newer Hone (the file was left untouched)",
			ErrNewerSchema, s.Path, current, len(ms))
	}
	// The checks passed: from here on the file may be written.
	if err := db.Exec("PRAGMA journal_mode=WAL").Error; err != nil {
		return corrupt(s.Path, err)
	}
	if err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)`).Error; err != nil {
		return fmt.Errorf("database %s: create schema table: %w", s.Path, err)
	}
	for _, m := range ms[current:] {
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, stmt := range m.SQL {
				if err := tx.Exec(stmt).Error; err != nil {
					return err
				}
			}
			return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("database %s: migration %d (%s): %w", s.Path, m.Version, m.Name, err)
		}
	}
	return nil
}
