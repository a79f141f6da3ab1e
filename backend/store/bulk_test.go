package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A database from before migration 4 keeps its examples, renumbered to
// ExampleID, in order, and loses the (dataset_id, seq) index.
func TestMigrateExamplesKeyedByDataset(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	s, err := openSchema(context.Background(), path, migrations[:3])
	if err != nil {
		t.Fatal(err)
	}
	db := s.DB
	now := time.Now().UTC()
	for _, d := range []int64{1, 2} {
		if err := db.Exec(`INSERT INTO datasets(id, name, state, created_at) VALUES (?, ?, 'ready', ?)`, d, "d", now).Error; err != nil {
			t.Fatal(err)
		}
	}
	// Rows of two datasets, interleaved by id as concurrent imports left them.
	for i, r := range [][2]int64{{1, 1}, {2, 1}, {1, 2}, {2, 2}, {1, 3}} {
		if err := db.Exec(`INSERT INTO examples(id, dataset_id, seq, messages, hash, norm_hash, chars) VALUES (?, ?, ?, ?, x'00', x'01', 1)`,
			i+1, r[0], r[1], "m"+string(rune('a'+i))).Error; err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	s = open(t, path)
	if v, _ := s.Version(context.Background()); v != SchemaVersion() {
		t.Fatalf("version %d after reopening, want %d", v, SchemaVersion())
	}
	type ex struct {
		ID, DatasetID, Seq int64
		Messages           string
	}
	var got []ex
	s.DB.Raw(`SELECT id, dataset_id, seq, messages FROM examples ORDER BY id`).Scan(&got)
	want := []ex{{ExampleID(1, 1), 1, 1, "ma"}, {ExampleID(1, 2), 1, 2, "mc"}, {ExampleID(1, 3), 1, 3, "me"}, {ExampleID(2, 1), 2, 1, "mb"}, {ExampleID(2, 2), 2, 2, "md"}}
	if len(got) != len(want) {
		t.Fatalf("examples %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("examples %+v, want %+v", got, want)
		}
	}
	var indexes int
	s.DB.Raw(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'examples'`).Scan(&indexes)
	if indexes != 0 {
		t.Errorf("examples has %d indexes, want none", indexes)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Bulk writes rows that the store's own connection sees once committed, and
// rolls back what it does not commit.
func TestBulk(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), FileName))
	if err := s.DB.Exec(`CREATE TABLE t (i INTEGER, s TEXT, b BLOB, n INTEGER)`).Error; err != nil {
		t.Fatal(err)
	}
	b, err := s.OpenBulk()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := b.Prepare(`INSERT INTO t(i, s, b, n) VALUES (?1, ?2, ?3, ?4)`)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := b.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 3*stmtBuf) // larger than the statement's buffer
	for i, v := range []string{"", "héllo", big, "last"} {
		st.Int64(1, int64(i))
		st.Text(2, v)
		st.Blob(3, []byte{byte(i), 0, 255})
		if i%2 == 0 {
			st.Null(4)
		} else {
			st.Bool(4, true)
		}
		if err := st.Exec(); err != nil {
			t.Fatal(err)
		}
	}
	if !b.InTx() {
		t.Fatal("no transaction open")
	}
	var n int64
	s.DB.Raw(`SELECT count(*) FROM t`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d uncommitted rows visible", n)
	}
	if err := b.Exec("COMMIT"); err != nil {
		t.Fatal(err)
	}
	type r struct {
		I int64
		S string
		B []byte
		N *int64
	}
	var rows []r
	s.DB.Raw(`SELECT i, s, b, n FROM t ORDER BY i`).Scan(&rows)
	if len(rows) != 4 || rows[0].S != "" || rows[1].S != "héllo" || rows[2].S != big || rows[3].S != "last" ||
		string(rows[2].B) != "\x02\x00\xff" || rows[0].N != nil || rows[1].N == nil || *rows[1].N != 1 {
		t.Fatalf("rows %+v", rows)
	}
	var empty int64
	s.DB.Raw(`SELECT count(*) FROM t WHERE s = '' AND s IS NOT NULL`).Scan(&empty)
	if empty != 1 {
		t.Fatal("an empty string was stored as NULL")
	}

	// An uncommitted transaction is rolled back, and errors name the statement.
	if err := b.Exec("BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	st.Int64(1, 99)
	st.Text(2, "gone")
	st.Blob(3, nil)
	st.Null(4)
	if err := st.Exec(); err != nil {
		t.Fatal(err)
	}
	if err := b.Rollback(); err != nil {
		t.Fatal(err)
	}
	s.DB.Raw(`SELECT count(*) FROM t`).Scan(&n)
	if n != 4 {
		t.Fatalf("%d rows after a rollback, want 4", n)
	}
	if _, err := b.Prepare(`INSERT INTO nowhere VALUES (1)`); err == nil || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("prepare error %v", err)
	}
	if err := b.Exec(`INSERT INTO t(i) VALUES ('a', 'b')`); err == nil {
		t.Fatal("a bad statement ran")
	}
}
