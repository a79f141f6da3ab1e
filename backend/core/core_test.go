package core

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/datadir"
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
