package tokenizer

import (
	"slices"
	"strings"
	"testing"
)

// tinyJSON is a SentencePiece-style tokenizer.json small enough to reason
// about: merges, byte fallback, fused unknowns, an added token with lstrip
// and rstrip, BOS/EOS from TemplateProcessing.
const tinyJSON = `{
  "added_tokens": [
    {"id": 0, "content": "<unk>", "special": true, "normalized": false},
    {"id": 1, "content": "<s>", "special": true, "normalized": false},
    {"id": 2, "content": "</s>", "special": true, "normalized": false},
    {"id": 12, "content": "[X]", "special": false, "normalized": false, "lstrip": true, "rstrip": true}
  ],
  "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
  "pre_tokenizer": null,
  "model": {
    "type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true,
    "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "<0xC3>": 3, "<0xA9>": 4, "▁": 5, "a": 6, "b": 7, "ab": 8, "▁ab": 9, "c": 10, "▁c": 11},
    "merges": ["a b", "▁ ab", "▁ c"]
  },
  "post_processor": {"type": "TemplateProcessing",
    "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
    "pair": [],
    "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
  "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
}`

// Expected ids and decodings from @huggingface/tokenizers.
func TestTinyTokenizer(t *testing.T) {
	tok, err := FromHF([]byte(tinyJSON), []byte(`{"bos_token": "<s>", "eos_token": {"content": "</s>"}}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		ids     []int
		special []int
		decoded string
	}{
		{"ab c", []int{9, 11}, []int{1, 9, 11, 2}, "ab c"},
		{"abé", []int{9, 3, 4}, []int{1, 9, 3, 4, 2}, "abé"},
		{"ab  [X]  c", []int{9, 12, 11}, []int{1, 9, 12, 11, 2}, "ab[X] c"},
		{"zzab", []int{5, 0, 8}, []int{1, 5, 0, 8, 2}, "<unk>ab"},
		{"a</s>b", []int{5, 6, 2, 5, 7}, []int{1, 5, 6, 2, 5, 7, 2}, "a</s> b"},
		{"", nil, []int{1, 2}, ""},
		{"cab", []int{11, 8}, []int{1, 11, 8, 2}, "cab"},
	}
	for _, tt := range tests {
		if got := tok.Encode(tt.text, false); !slices.Equal(got, tt.ids) {
			t.Errorf("Encode(%q) = %v, want %v", tt.text, got, tt.ids)
		}
		if got := tok.Encode(tt.text, true); !slices.Equal(got, tt.special) {
			t.Errorf("Encode(%q, special) = %v, want %v", tt.text, got, tt.special)
		}
		if got := tok.Decode(tt.ids); got != tt.decoded {
			t.Errorf("Decode(%v) = %q, want %q", tt.ids, got, tt.decoded)
		}
	}
	if tok.BOS() != 1 || tok.EOS() != 2 || tok.VocabSize() != 13 || !tok.IsSpecial(2) || tok.IsSpecial(12) {
		t.Errorf("BOS %d EOS %d vocab %d: want 1, 2, 13, </s> special, [X] not", tok.BOS(), tok.EOS(), tok.VocabSize())
	}
	if id, ok := tok.TokenID("[X]"); !ok || id != 12 || tok.Token(12) != "[X]" {
		t.Errorf("TokenID([X]) = %d, %v", id, ok)
	}

	// Explicit add_bos_token / add_eos_token win over the post-processor.
	tok, err = FromHF([]byte(tinyJSON), []byte(`{"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": false, "add_eos_token": true}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("c", true); !slices.Equal(got, []int{11, 2}) {
		t.Errorf("with add_bos_token false: %v, want [11 2]", got)
	}
}

func TestFromHFErrors(t *testing.T) {
	tests := []struct {
		name, from, to, config, want string
	}{
		{"bad json", `"model"`, `"model`, "", "tokenizer.json:"},
		{"unigram", `"type": "BPE"`, `"type": "Unigram"`, "", `model type "Unigram" is not supported`},
		{"unknown merge", `"a b"`, `"a q"`, "", `merge 0 ("a" "q") uses a token that is not in the vocabulary`},
		{"unknown normalizer", `"type": "Prepend"`, `"type": "Precompiled"`, "", `normalizer: unsupported normalizer "Precompiled"`},
		{"unknown pre-tokenizer", `"pre_tokenizer": null`, `"pre_tokenizer": {"type": "Whitespace"}`, "", `unsupported pre-tokenizer "Whitespace"`},
		{"unknown decoder", `"type": "Fuse"`, `"type": "CTC"`, "", `unsupported decoder "CTC"`},
		{"unknown bos", "", "", `{"bos_token": "<bos>"}`, `bos_token "<bos>" is not in the vocabulary`},
	}
	for _, tt := range tests {
		var cfg []byte
		if tt.config != "" {
			cfg = []byte(tt.config)
		}
		_, err := FromHF([]byte(strings.Replace(tinyJSON, tt.from, tt.to, 1)), cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// The same model behind a Metaspace pre-tokenizer that prepends ▁ to the
// first section only; expected values from @huggingface/tokenizers.
func TestTinyMetaspace(t *testing.T) {
	js := tinyJSON
	for _, r := range [][2]string{
		{`"normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}`, `"normalizer": null`},
		{`"pre_tokenizer": null`, `"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}`},
		{`{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}`, `{"type": "ByteFallback"}, {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false}`},
	} {
		if !strings.Contains(js, r[0]) {
			t.Fatalf("tinyJSON lacks %s", r[0])
		}
		js = strings.Replace(js, r[0], r[1], 1)
	}
	tok, err := FromHF([]byte(js), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text    string
		ids     []int
		decoded string
	}{
		{"</s>ab c", []int{2, 8, 11}, "</s>ab c"},
		{"ab [X]ab", []int{9, 12, 8}, "ab[X]ab"},
		{"ab  [X]  c", []int{9, 12, 10}, "ab[X]c"},
		{"a</s>b", []int{5, 6, 2, 7}, "a</s>b"},
	}
	for _, tt := range tests {
		if got := tok.Encode(tt.text, false); !slices.Equal(got, tt.ids) {
			t.Errorf("Encode(%q) = %v, want %v", tt.text, got, tt.ids)
		}
		if got := tok.Decode(tt.ids); got != tt.decoded {
			t.Errorf("Decode(%v) = %q, want %q", tt.ids, got, tt.decoded)
		}
	}
}

// Metaspace with split cuts before each ▁, as the Rust tokenizers'
// MergedWithNext does.
func TestSplitBefore(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"▁Hey▁friend▁", []string{"▁Hey", "▁friend", "▁"}},
		{"▁▁a", []string{"▁", "▁a"}},
		{"ab▁cd", []string{"ab", "▁cd"}},
		{"abc", []string{"abc"}},
	}
	for _, tt := range tests {
		var got []string
		splitBefore("▁")(tt.text, func(p string) { got = append(got, p) })
		if !slices.Equal(got, tt.want) {
			t.Errorf("splitBefore(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// Encode and Decode are safe to call from many goroutines (go test -race).
func TestConcurrentUse(t *testing.T) {
	tok, err := FromHF([]byte(tinyJSON), nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	for range 8 {
		go func() {
			for range 200 {
				if got := tok.Decode(tok.Encode("ab cab abé", false)); got != "ab cab abé" {
					t.Errorf("round trip = %q", got)
				}
			}
			done <- true
		}()
	}
	for range 8 {
		<-done
	}
}
