package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/store"
)

func runHone(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, Env{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }, Version: "test"})
	return code, out.String(), errb.String()
}

func TestDoctorJSONWithoutNVIDIA(t *testing.T) {
	if _, err := os.Stat("/dev/nvidiactl"); err == nil {
		t.Skip("this machine has an NVIDIA driver")
	}
	code, out, errs := runHone(t, nil, "doctor", "--json", "--data-dir", t.TempDir())
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if string(raw["gpus"]) != "[]" {
		t.Errorf(`"gpus" = %s, want []`, raw["gpus"])
	}
	var d struct {
		GPUNote string `json:"gpuNote"`
		Backend struct{ Name, Reason string }
		CPU     struct{ Model string }
	}
	json.Unmarshal([]byte(out), &d)
	if !strings.HasPrefix(d.GPUNote, "CPU only: ") || d.Backend.Name != "cpu" || d.Backend.Reason == "" || d.CPU.Model == "" {
		t.Errorf("report %+v", d)
	}
}

func TestDoctorWithTwoFakeGPUs(t *testing.T) {
	env := map[string]string{"HONE_FAKE_GPUS": "2xrtx4090", "HONE_HOME": t.TempDir()}
	code, out, errs := runHone(t, env, "doctor", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var d struct {
		GPUs []struct {
			Name        string
			MemoryTotal uint64 `json:"memoryTotal"`
		}
		DataDir string `json:"dataDir"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.GPUs) != 2 || d.GPUs[1].Name != "NVIDIA GeForce RTX 4090" || d.GPUs[1].MemoryTotal != 24564<<20 {
		t.Fatalf("GPUs %+v", d.GPUs)
	}
	if d.DataDir != env["HONE_HOME"] {
		t.Errorf("data dir %q, want HONE_HOME %q", d.DataDir, env["HONE_HOME"])
	}
	_, text, _ := runHone(t, env, "doctor")
	if strings.Count(text, "24.0 GiB total") != 2 || !strings.Contains(text, "fake: 2xrtx4090") {
		t.Errorf("text report:\n%s", text)
	}
}

// Bad data folders and databases: a clear message, a distinct exit code,
// and the user's file exactly as it was.
func TestBadInput(t *testing.T) {
	newerDB := func(t *testing.T, dir string) {
		s, err := store.Open(context.Background(), filepath.Join(dir, store.FileName))
		if err != nil {
			t.Fatal(err)
		}
		s.DB.Exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES (99, 'future', CURRENT_TIMESTAMP)")
		s.Close()
	}
	tests := []struct {
		name     string
		setup    func(t *testing.T, dir string)
		dataDir  func(dir string) string
		wantCode int
		wantMsg  string
	}{
		{"data folder below a file", func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, "f"), nil, 0o644) },
			func(dir string) string { return filepath.Join(dir, "f", "hone") }, ExitNotWritable, "not writable"},
		{"corrupt database", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, store.FileName), []byte("this is my thesis, not a database"), 0o644)
		}, nil, ExitCorruptDB, "damaged or not a SQLite database"},
		{"database from a newer Hone", newerDB, nil, ExitNewerDB, "newer version of Hone"},
		{"unknown command", nil, nil, ExitUsage, `unknown command "frobnicate"`},
		{"bad flag", nil, nil, ExitUsage, "doctor: unknown flag: --gpus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			dataDir := dir
			if tt.dataDir != nil {
				dataDir = tt.dataDir(dir)
			}
			dbPath := filepath.Join(dir, store.FileName)
			before, _ := os.ReadFile(dbPath)
			args := []string{"doctor", "--data-dir", dataDir}
			switch tt.name {
			case "unknown command":
				args = []string{"frobnicate"}
			case "bad flag":
				args = []string{"doctor", "--gpus=9"}
			}
			code, _, errs := runHone(t, nil, args...)
			if code != tt.wantCode || !strings.Contains(errs, tt.wantMsg) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tt.wantCode, tt.wantMsg)
			}
			if after, _ := os.ReadFile(dbPath); !bytes.Equal(before, after) {
				t.Error("the database file changed")
			}
		})
	}
}
