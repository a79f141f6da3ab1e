package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestResolve(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG rules are Linux's")
	}
	home, _ := os.UserHomeDir()
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"flag wins", "/tmp/a", map[string]string{"HONE_HOME": "/tmp/b", "XDG_DATA_HOME": "/tmp/c"}, "/tmp/a"},
		{"HONE_HOME next", "", map[string]string{"HONE_HOME": "/tmp/b", "XDG_DATA_HOME": "/tmp/c"}, "/tmp/b"},
		{"XDG next", "", map[string]string{"XDG_DATA_HOME": "/tmp/c"}, "/tmp/c/hone"},
		{"default", "", nil, filepath.Join(home, ".local/share/hone")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Resolve(tt.flag, func(k string) string { return tt.env[k] })
			if err != nil || got != tt.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := Prepare(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("probe file left behind: %v", entries)
	}

	// A path below a regular file can never be created, even by root.
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	err := Prepare(filepath.Join(file, "data"))
	if !errors.Is(err, ErrNotWritable) {
		t.Fatalf("Prepare under a file: %v, want ErrNotWritable", err)
	}
}

func TestPrepareReadOnly(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes through permission bits")
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	if err := Prepare(dir); !errors.Is(err, ErrNotWritable) {
		t.Fatalf("Prepare on a read-only folder: %v, want ErrNotWritable", err)
	}
}
