package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
)

func TestForModelFolder(t *testing.T) {
	testfiles.ReferenceTokenizers(t, "@lenml")
	src := filepath.Join(refDir, "node_modules", "@lenml", "tokenizer-llama3", "models")
	tok, tmpl, err := ForModel(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("Hello world, this is a test.", false); len(got) != 8 || got[0] != 9906 {
		t.Errorf("encode: %v", got)
	}
	out, err := tmpl.Render([]Message{{Role: "user", Content: "Hi"}}, RenderOptions{AddGenerationPrompt: true})
	if err != nil || !strings.Contains(out, "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>") {
		t.Fatalf("render %q, %v", out, err)
	}

	// A base model: tokenizer.json only, no template.
	base := t.TempDir()
	b, _ := os.ReadFile(filepath.Join(src, "tokenizer.json"))
	os.WriteFile(filepath.Join(base, "tokenizer.json"), b, 0o644)
	if tok, tmpl, err := ForModel(base); err != nil || tok == nil || tmpl != nil {
		t.Fatalf("base model: %v, %v, %v", tok, tmpl, err)
	}
	if _, _, err := ForModel(filepath.Join(t.TempDir(), "nothing")); err == nil {
		t.Fatal("a missing model loaded")
	}
}

// A llama2.c checkpoint's tokenizer is the tok*.bin beside it: dataset
// token counts and training take the model's path alone.
func TestForModelLlama2C(t *testing.T) {
	tok, tmpl, err := ForModel(testfiles.Shared(t, "models", "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if tmpl != nil || tok.BOS() != 1 || len(tok.Encode("Once upon a time", true)) < 3 {
		t.Errorf("stories260K tokenizer: BOS %d, template %v", tok.BOS(), tmpl)
	}
}
