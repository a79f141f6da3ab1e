package testfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB whose Fatalf and Skipf record the message and
// return, so a test can see what Require would have done to its caller.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Fatalf(format string, args ...any) { r.fatal = fmt.Sprintf(format, args...) }
func (r *recorder) Skipf(format string, args ...any)  { r.skip = fmt.Sprintf(format, args...) }

func TestRequire(t *testing.T) {
	present := filepath.Join(t.TempDir(), "model.bin")
	if err := os.WriteFile(present, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(t.TempDir(), "absent.bin")
	tests := []struct {
		name, ci, path string
		fatal, skip    bool
	}{
		{"missing under CI fails", "true", absent, true, false},
		{"missing under CI=1 fails", "1", absent, true, false},
		{"missing off CI skips", "", absent, false, true},
		{"missing with CI=false skips", "false", absent, false, true},
		{"present under CI passes", "true", present, false, false},
		{"present off CI passes", "", present, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			if got := Require(r, tt.path, "make it"); got != tt.path {
				t.Errorf("returned %q, want %q", got, tt.path)
			}
			if (r.fatal != "") != tt.fatal || (r.skip != "") != tt.skip {
				t.Fatalf("Fatalf %q, Skipf %q; want fatal %v, skip %v", r.fatal, r.skip, tt.fatal, tt.skip)
			}
			// The message names the missing file and how to get it.
			if msg := r.fatal + r.skip; msg != "" && (!strings.Contains(msg, tt.path) || !strings.Contains(msg, "make it")) {
				t.Errorf("message %q does not name %s and the fix", msg, tt.path)
			}
		})
	}
}

func TestSmolLM2GGUFUnset(t *testing.T) {
	t.Setenv("CI", "true")
	t.Setenv("HONE_SMOLLM2_GGUF", "")
	r := &recorder{TB: t}
	SmolLM2GGUF(r)
	if !strings.Contains(r.fatal, "HONE_SMOLLM2_GGUF is unset") || r.skip != "" {
		t.Errorf("Fatalf %q, Skipf %q", r.fatal, r.skip)
	}
}

func TestSharedDir(t *testing.T) {
	// This file is backend/testfiles in the repository, whose
	// parent holds shared/testdata.
	want, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HONE_TESTDATA", "")
	if got := SharedDir(t); got != want {
		t.Errorf("SharedDir = %q, want %q", got, want)
	}
	t.Setenv("HONE_TESTDATA", "/elsewhere")
	if got := SharedDir(t); got != "/elsewhere" {
		t.Errorf("with HONE_TESTDATA: %q", got)
	}
}

func TestReferenceTokenizers(t *testing.T) {
	t.Setenv("CI", "true")
	want, err := filepath.Abs(filepath.Join("..", "tokenizer", "testdata", "reference", "node_modules", "no-such-package"))
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	if got := ReferenceTokenizers(r, "no-such-package"); got != want || !strings.Contains(r.fatal, want) {
		t.Errorf("returned %q, Fatalf %q; want %q", got, r.fatal, want)
	}
}
