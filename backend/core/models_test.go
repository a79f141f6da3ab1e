package core

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
)

func TestModelFolders(t *testing.T) {
	src := testfiles.Shared(t, "models", "stories260K")
	b, err := os.ReadFile(filepath.Join(src, "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := os.ReadFile(filepath.Join(src, "tok512.bin"))
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "stories260K.bin"), b, 0o644)
	os.WriteFile(filepath.Join(folder, "tok512.bin"), tok, 0o644)

	ctx := context.Background()
	h, err := Open(ctx, Options{DataDir: t.TempDir(), FakeGPUs: "rtx4090", Events: drop{},
		Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if err := h.AddModelFolder(ctx, filepath.Join(folder, "stories260K.bin")); err == nil {
		t.Error("a file was added as a folder")
	}
	if err := h.AddModelFolder(ctx, folder); err != nil {
		t.Fatal(err)
	}
	if err := h.AddModelFolder(ctx, folder); err != nil {
		t.Fatalf("adding it twice: %v", err)
	}
	found, err := h.Models(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hit bool
	for _, f := range found {
		if filepath.Dir(f.Path) == folder || f.Path == folder {
			hit = f.Architecture == "llama" && f.Params > 250000 && f.Params < 270000 && f.Error == ""
			if !hit {
				t.Errorf("stories260K found as %+v", f)
			}
		}
	}
	if !hit {
		t.Fatalf("stories260K not found in %+v", found)
	}
	if err := h.RemoveModelFolder(ctx, folder); err != nil {
		t.Fatal(err)
	}
	if err := h.RemoveModelFolder(ctx, folder); err == nil {
		t.Error("removed a folder that was not in the list")
	}
	if _, err := h.DownloadModel(ctx, "../etc", "", "", nil); err == nil {
		t.Error("a bad repository id was accepted")
	}
}
