package core

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/datadir"
	"github.com/hone-ai/hone/backend/dataset"
	"github.com/hone-ai/hone/backend/store"
)

type drop struct{}

func (drop) Emit(string, any) {}

func TestOpenAndDoctor(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	h, err := Open(ctx, Options{DataDir: dir, FakeGPUs: "rtx4090", Version: "1.2.3", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	d, err := h.Doctor(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Version != "1.2.3" || d.DataDir != dir || len(d.GPUs) != 1 || d.Disk.Path != dir {
		t.Errorf("doctor %+v", d)
	}
	if d.Database.Path != filepath.Join(dir, store.FileName) || d.Database.SchemaVersion != store.SchemaVersion() || d.Database.Health != "ok" {
		t.Errorf("database %+v", d.Database)
	}
}

func TestOpenErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	tests := []struct {
		name string
		o    Options
		want error
	}{
		{"unwritable", Options{DataDir: filepath.Join(file, "x")}, datadir.ErrNotWritable},
		{"bad fake spec", Options{DataDir: t.TempDir(), FakeGPUs: "voodoo5"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Open(context.Background(), tt.o)
			if err == nil {
				h.Close()
				t.Fatal("Open succeeded")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
}

// A dataset left half-written is removed at start, unless a live Hone
// beside this one has a job running (it may be that very import); jobs of
// dead processes are interrupted either way.
func TestStartRepairsOnlyWhatNoLiveHoneOwns(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	seed := func(pid int) {
		st, err := store.Open(ctx, filepath.Join(dir, store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		st.DB.Exec(`DELETE FROM datasets`)
		st.DB.Exec(`DELETE FROM jobs`)
		st.DB.Exec(`INSERT INTO datasets(name, state, created_at) VALUES ('half', 'importing', CURRENT_TIMESTAMP)`)
		st.CreateJob(ctx, &store.Job{Kind: ImportKind, State: store.JobRunning, PID: pid})
	}
	count := func(h *Hone) (datasets int) {
		h.Store.DB.Raw(`SELECT count(*) FROM datasets`).Scan(&datasets)
		return datasets
	}
	seed(os.Getppid()) // a live process: the window importing
	h, err := Open(ctx, Options{DataDir: dir, FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(h); n != 1 {
		t.Errorf("%d datasets: the live Hone's import was removed", n)
	}
	if js, _ := h.Jobs.List(ctx, 10); len(js) != 1 || js[0].State != store.JobRunning {
		t.Errorf("jobs %+v: the live Hone's job was interrupted", js)
	}
	h.Close()

	seed(0) // no process: a Hone that was killed
	h, err = Open(ctx, Options{DataDir: dir, FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if n := count(h); n != 0 {
		t.Errorf("%d datasets: the dead import's was kept", n)
	}
	js, _ := h.Jobs.List(ctx, 10)
	if len(js) != 1 || js[0].State != store.JobInterrupted {
		t.Errorf("jobs %+v: want the dead one interrupted", js)
	}
}

// An import job's result names the dataset it made.
func TestImportJobResult(t *testing.T) {
	ctx := context.Background()
	h, err := Open(ctx, Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", Events: drop{}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	file := filepath.Join(t.TempDir(), "two.jsonl")
	os.WriteFile(file, []byte("{\"text\": \"one\"}\n{\"text\": \"two\"}\n"), 0o644)
	id, err := h.StartImport(ctx, file, dataset.ImportOptions{Name: "two"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j, err := h.Jobs.Await(id)
	var r ImportResult
	if err != nil || j.State != store.JobSucceeded || json.Unmarshal(j.Result, &r) != nil {
		t.Fatalf("job %+v, %v", j, err)
	}
	d, err := h.Dataset(ctx, r.DatasetID)
	if err != nil || d.Name != "two" || r.Name != "two" || r.Examples != 2 || d.Examples != 2 || r.Skipped != 0 {
		t.Fatalf("result %+v, dataset %+v, %v", r, d, err)
	}
}
