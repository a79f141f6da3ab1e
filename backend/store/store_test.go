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

// A version 4 file with a job gains the structured columns: the job keeps
// its fields and reads back with no step, metrics or result; a newer Hone's
// file is refused (TestRefusesBadFilesUntouched) before any of this runs.
func TestStructuredJobsMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	old, err := openSchema(ctx, path, migrations[:4])
	if err != nil {
		t.Fatal(err)
	}
	if err := old.DB.Exec(`INSERT INTO jobs(kind, title, state, progress, message, created_at, updated_at)
		VALUES ('import', 'Import a.csv', 'succeeded', 1, 'dataset 3: 10 examples', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`).Error; err != nil {
		t.Fatal(err)
	}
	old.Close()

	s := open(t, path)
	if v, _ := s.Version(ctx); v != SchemaVersion() {
		t.Fatalf("version %d after migrating, want %d", v, SchemaVersion())
	}
	js, err := s.Jobs(ctx, 10)
	if err != nil || len(js) != 1 {
		t.Fatalf("jobs %v, %v", js, err)
	}
	j := js[0]
	if j.Kind != "import" || j.Message != "dataset 3: 10 examples" || j.Step != 0 || len(j.Metrics) != 0 || len(j.Result) != 0 || j.PID != 0 {
		t.Errorf("migrated job %+v", j)
	}
}

// A job's structured progress and result go in and come out as they were,
// and per-step metrics keep the latest of a step recorded twice.
func TestJobResultAndMetrics(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), FileName))
	j := &Job{Kind: "train", State: JobRunning, Step: 12, Metrics: Metrics{"loss": 1.93, "lr": 2e-4},
		Result: JSON(`{"datasetId":7}`), Spec: JSON(`{"steps":100}`), PID: 4242}
	if err := s.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	got, err := s.Job(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Step != 12 || got.Metrics["loss"] != 1.93 || got.Metrics["lr"] != 2e-4 || string(got.Result) != `{"datasetId":7}` ||
		string(got.Spec) != `{"steps":100}` || got.PID != 4242 {
		t.Fatalf("job back %+v", got)
	}
	var text string
	s.DB.Raw("SELECT json_extract(result, '$.datasetId') FROM jobs WHERE id = ?", j.ID).Scan(&text)
	if text != "7" {
		t.Errorf("result is not JSON text to SQLite: json_extract gave %q", text)
	}
	ms := []JobMetric{{JobID: j.ID, Step: 1, Metrics: Metrics{"loss": 3}}, {JobID: j.ID, Step: 2, Metrics: Metrics{"loss": 2.5}}}
	if err := s.AddJobMetrics(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if err := s.AddJobMetrics(ctx, []JobMetric{{JobID: j.ID, Step: 2, Metrics: Metrics{"loss": 2.4}}}); err != nil {
		t.Fatal(err)
	}
	back, err := s.JobMetrics(ctx, j.ID)
	if err != nil || len(back) != 2 || back[0].Metrics["loss"] != 3 || back[1].Metrics["loss"] != 2.4 {
		t.Fatalf("metrics %+v, %v", back, err)
	}
}

// Only jobs whose process is gone are interrupted: a live other process's
// job is left running, as is nothing of this process's own pid.
func TestInterruptRunningJobs(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), FileName))
	const self, live, dead = 100, 200, 300
	pids := []int{0, self, live, dead}
	ids := make([]int64, len(pids))
	for i, pid := range pids {
		j := &Job{Kind: "k", State: JobRunning, PID: pid}
		s.CreateJob(ctx, j)
		ids[i] = j.ID
	}
	done := &Job{Kind: "k", State: JobSucceeded, PID: dead}
	s.CreateJob(ctx, done)
	alive := func(pid int) bool { return pid == live || pid == self }
	if n, _ := s.LiveJobs(ctx, self, alive); n != 1 {
		t.Errorf("LiveJobs %d, want 1 (the live process's)", n)
	}
	n, err := s.InterruptRunningJobs(ctx, self, alive)
	if err != nil || n != 3 {
		t.Fatalf("interrupted %d, %v; want 3", n, err)
	}
	for i, id := range ids {
		j, _ := s.Job(ctx, id)
		want := JobInterrupted
		if pids[i] == live {
			want = JobRunning
		}
		if j.State != want || (want == JobInterrupted && (j.FinishedAt == nil || j.Message == "")) {
			t.Errorf("job of pid %d: %+v, want %s", pids[i], j, want)
		}
	}
	if j, _ := s.Job(ctx, done.ID); j.State != JobSucceeded {
		t.Errorf("an ended job changed: %+v", j)
	}
}
