package tokenizer

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/backend/testfiles"
	"golang.org/x/text/unicode/norm"
)

// ggufKV is one metadata entry for writeGGUF: string, bool, uint32,
// []string, []int32 or []float32.
type ggufKV struct {
	key string
	val any
}

// writeGGUF writes a GGUF v3 file with metadata and no tensors.
func writeGGUF(t *testing.T, kvs []ggufKV) string {
	t.Helper()
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	str := func(s string) { le(uint64(len(s))); b.WriteString(s) }
	b.WriteString("GGUF")
	le(uint32(3))
	le(uint64(0))
	le(uint64(len(kvs)))
	for _, kv := range kvs {
		str(kv.key)
		switch v := kv.val.(type) {
		case string:
			le(uint32(8))
			str(v)
		case bool:
			le(uint32(7))
			le(v)
		case uint32:
			le(uint32(4))
			le(v)
		case []string:
			le(uint32(9))
			le(uint32(8))
			le(uint64(len(v)))
			for _, s := range v {
				str(s)
			}
		case []int32:
			le(uint32(9))
			le(uint32(5))
			le(uint64(len(v)))
			le(v)
		case []float32:
			le(uint32(9))
			le(uint32(6))
			le(uint64(len(v)))
			le(v)
		default:
			t.Fatalf("writeGGUF: unsupported %T", v)
		}
	}
	path := filepath.Join(t.TempDir(), "tok.gguf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hfAsGGUF writes a tokenizer.json byte-level tokenizer as llama.cpp's
// converter would: tokens by id, merges as "a b" by rank, added tokens as
// control (special) or user-defined tokens.
func hfAsGGUF(t *testing.T, name, pre string) string {
	tok, _ := loadHF(t, name)
	types := make([]int32, len(tok.vocab))
	for id := range types {
		types[id] = 1
		if a, ok := tok.added.byID[int32(id)]; ok {
			types[id] = ggufTokenUserDefined
			if a.special {
				types[id] = ggufTokenControl
			}
		}
	}
	merges := make([]string, len(tok.model.merges))
	for k, m := range tok.model.merges {
		merges[m.rank] = tok.vocab[k>>32] + " " + tok.vocab[uint32(k)]
	}
	return writeGGUF(t, []ggufKV{
		{"tokenizer.ggml.model", "gpt2"},
		{"tokenizer.ggml.pre", pre},
		{"tokenizer.ggml.tokens", tok.vocab},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.merges", merges},
		{"tokenizer.ggml.bos_token_id", uint32(0)},
		{"tokenizer.ggml.add_bos_token", false},
	})
}

// A GGUF holding a byte-level tokenizer encodes like its tokenizer.json.
// GGUF tokenizers have no normalizer, so Qwen's NFC is applied beforehand.
func TestGGUFByteLevel(t *testing.T) {
	tests := []struct {
		name, pre string
		nfc       bool
	}{
		{"llama3", "llama-bpe", false},
		{"qwen3", "qwen2", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := LoadGGUF(hfAsGGUF(t, tt.name, tt.pre))
			if err != nil {
				t.Fatal(err)
			}
			g := loadGolden(t, tt.name)
			for i, text := range loadCorpus(t) {
				if tt.nfc {
					text = norm.NFC.String(text)
				}
				if got := tok.Encode(text, false); !slices.Equal(got, g.Cases[i].IDs) {
					t.Fatalf("case %d %q:\n got %v\nwant %v", i, text, got, g.Cases[i].IDs)
				}
				if got := tok.Decode(g.Cases[i].IDs); got != text {
					t.Fatalf("case %d: Decode = %q, want %q", i, got, text)
				}
			}
		})
	}
}

// A GGUF "llama" tokenizer made from the Llama 2 tokenizer.model encodes as
// SentencePiece does.
func TestGGUFSentencePiece(t *testing.T) {
	dir := testfiles.Shared(t)
	data, err := os.ReadFile(filepath.Join(dir, "tokenizers", "llama2", "tokenizer.model"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseModelProto(data)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	var scores []float32
	var types []int32
	for _, p := range m.pieces {
		tokens, scores, types = append(tokens, p.text), append(scores, p.score), append(types, int32(p.typ))
	}
	path := writeGGUF(t, []ggufKV{
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(2)},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
	})
	tok, err := LoadGGUF(path)
	if err != nil {
		t.Fatal(err)
	}
	checkCorpus(t, tok, loadGolden(t, "llama2-sp"))
}

func TestGGUFErrors(t *testing.T) {
	base := []ggufKV{
		{"tokenizer.ggml.tokens", []string{"a", "b", "ab"}},
		{"tokenizer.ggml.token_type", []int32{1, 1, 1}},
		{"tokenizer.ggml.merges", []string{"a b"}},
	}
	tests := []struct {
		name  string
		extra []ggufKV
		want  string
	}{
		{"unknown model", []ggufKV{{"tokenizer.ggml.model", "bert"}}, `tokenizer.ggml.model "bert" is not supported`},
		{"unknown pre", []ggufKV{{"tokenizer.ggml.model", "gpt2"}, {"tokenizer.ggml.pre", "falcon"}}, `tokenizer.ggml.pre "falcon" is not supported`},
		{"no scores", []ggufKV{{"tokenizer.ggml.model", "llama"}}, `metadata "tokenizer.ggml.scores" is missing`},
	}
	for _, tt := range tests {
		path := writeGGUF(t, append(slices.Clone(base), tt.extra...))
		if _, err := LoadGGUF(path); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}

	// Read without keeping the arrays, a long token list is only a length.
	tokens := make([]string, 2000)
	for i := range tokens {
		tokens[i] = string(rune('a' + i%26))
	}
	path := writeGGUF(t, []ggufKV{{"tokenizer.ggml.model", "gpt2"}, {"tokenizer.ggml.tokens", tokens}})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := model.ReadGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromGGUF(g); err == nil || !strings.Contains(err.Error(), "ReadGGUFKeeping") {
		t.Errorf("FromGGUF on a header read without the arrays: error %v, want a hint at ReadGGUFKeeping", err)
	}
}
