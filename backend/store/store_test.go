package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestOpenNewAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	s := open(t, path)
	v, err := s.Version(ctx)
	if err != nil || v != SchemaVersion() {
		t.Fatalf("version %d, %v; want %d", v, err, SchemaVersion())
	}
	var mode string
	s.DB.Raw("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	var pageSize int
	s.DB.Raw("PRAGMA page_size").Scan(&pageSize)
	if pageSize != PageSize {
		t.Errorf("page_size %d, want %d", pageSize, PageSize)
	}
	var timeout int
	s.DB.Raw("PRAGMA busy_timeout").Scan(&timeout)
	if timeout != 5000 {
		t.Errorf("busy_timeout %d, want 5000", timeout)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateJob(ctx, &Job{Kind: "k", State: JobRunning}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening runs no migration twice and keeps the data.
	s2 := open(t, path)
	js, err := s2.Jobs(ctx, 10)
	if err != nil || len(js) != 1 {
		t.Fatalf("jobs after reopen: %v, %v", js, err)
	}
	var runs int
	s2.DB.Raw("SELECT count(*) FROM schema_migrations").Scan(&runs)
	if runs != SchemaVersion() {
		t.Errorf("%d migration rows, want %d", runs, SchemaVersion())
	}
}

func TestEmptyFileIsANewDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(path, nil, 0o644)
	open(t, path)
}

// Bad files are refused with the right error and left byte for byte as they were.
func TestRefusesBadFilesUntouched(t *testing.T) {
	newer := func(t *testing.T, path string) {
		s := open(t, path)
		if err := s.DB.Exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, 'future', CURRENT_TIMESTAMP)", SchemaVersion()+5).Error; err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	truncated := func(t *testing.T, path string) {
		s := open(t, path)
		s.Close()
		b, _ := os.ReadFile(path)
		// Keep the header, wreck the rest of the first page and drop the others.
		b = append(b[:100], bytes.Repeat([]byte{0xAB}, 4000)...)
		os.WriteFile(path, b, 0o644)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  error
	}{
		{"text file", func(t *testing.T, p string) { os.WriteFile(p, []byte("hello, not a database\n"), 0o644) }, ErrCorrupt},
		{"random bytes", func(t *testing.T, p string) { os.WriteFile(p, bytes.Repeat([]byte{1, 2, 3, 250}, 3000), 0o644) }, ErrCorrupt},
		{"damaged pages", truncated, ErrCorrupt},
		{"newer schema", newer, ErrNewerSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), FileName)
			tt.setup(t, path)
			before, _ := os.ReadFile(path)
			s, err := Open(context.Background(), path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			after, rerr := os.ReadFile(path)
			if rerr != nil || !bytes.Equal(before, after) {
				t.Fatalf("the file changed (read error %v)", rerr)
			}
		})
	}
}

func TestMigrationsNumberedInOrder(t *testing.T) {
	for i, m := range migrations {
		if m.Version != i+1 || m.Name == "" || len(m.SQL) == 0 {
			t.Errorf("migration %d: %+v", i, m)
		}
	}
}
