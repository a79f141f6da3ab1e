package tokenizer

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/testfiles"
)

func TestSentencePieceLlama2(t *testing.T) {
	dir := testfiles.Shared(t)
	tok, err := FromSentencePiece(filepath.Join(dir, "tokenizers", "llama2", "tokenizer.model"))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{1, 15043, 3186, 29892, 445, 338, 263, 1243, 29889}
	if got := tok.Encode("Hello world, this is a test.", true); !slices.Equal(got, want) {
		t.Errorf("Encode = %v, want %v", got, want)
	}
	if tok.BOS() != 1 || tok.EOS() != 2 || tok.VocabSize() != 32000 {
		t.Errorf("BOS %d, EOS %d, vocab %d; want 1, 2, 32000", tok.BOS(), tok.EOS(), tok.VocabSize())
	}
	// The reference is SentencePiece itself, which treats special tokens
	// written in the text as plain text.
	checkCorpus(t, tok, loadGolden(t, "llama2-sp"))
}

// The llama2.c export of the same model encodes like the model itself.
func TestLlama2CMatchesSentencePiece(t *testing.T) {
	dir := testfiles.Shared(t)
	sp, err := FromSentencePiece(filepath.Join(dir, "tokenizers", "llama2", "tokenizer.model"))
	if err != nil {
		t.Fatal(err)
	}
	bin, err := FromLlama2C(filepath.Join(dir, "tokenizers", "llama2", "tokenizer.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if sp.VocabSize() != bin.VocabSize() {
		t.Fatalf("vocab sizes %d and %d", sp.VocabSize(), bin.VocabSize())
	}
	for i, text := range loadCorpus(t) {
		a, b := sp.Encode(text, true), bin.Encode(text, true)
		if !slices.Equal(a, b) {
			t.Fatalf("case %d %q: tokenizer.model %v, tokenizer.bin %v", i, text, a, b)
		}
		if got := bin.Decode(b[1:]); got != text {
			t.Fatalf("case %d: Decode(Encode(%q)) = %q", i, text, got)
		}
	}
}

// Expected ids from a line-by-line Python port of llama2.c's encode().
func TestLlama2CStories(t *testing.T) {
	dir := testfiles.Shared(t)
	tok, err := FromLlama2C(filepath.Join(dir, "models", "stories260K", "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want []int
	}{
		{"Once upon a time, there was a little girl named Lily.", []int{1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}},
		{"She loved to play outside in the park.", []int{1, 338, 401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426}},
		{"Hello 世界 🙂", []int{1, 346, 306, 414, 410, 231, 187, 153, 234, 152, 143, 410, 243, 162, 156, 133}},
		{"  two  spaces", []int{1, 410, 410, 259, 424, 414, 410, 262, 427, 412, 331, 419}},
		{"x", []int{1, 410, 444}},
		{"", []int{1}},
	}
	for _, tt := range tests {
		got := tok.Encode(tt.text, true)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Encode(%q) = %v, want %v", tt.text, got, tt.want)
		}
		if back := tok.Decode(got[1:]); back != tt.text {
			t.Errorf("Decode(Encode(%q)) = %q", tt.text, back)
		}
	}
	if got := tok.Decode([]int{1, 403, 407}); !strings.HasPrefix(got, "<s>") {
		t.Errorf("Decode with BOS = %q, want it to start with <s>", got)
	}
}

func TestLlama2CErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"truncated header", []byte{8, 0, 0, 0, 1, 2}, "token 0: truncated header at byte 4"},
		{"bad length", []byte{8, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0}, "token 0: bad length 9"},
		{"too few tokens", []byte{8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a'}, "only 1 tokens"},
	}
	for _, tt := range tests {
		if _, err := parseLlama2C(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}
