package tokenizer

import (
	"fmt"
	"os"

	"github.com/hone-ai/hone/backend/model"
)

// GGUFArrays are the metadata arrays FromGGUF needs whole: read the header
// with model.ReadGGUFKeeping(r, GGUFArrays...).
var GGUFArrays = []string{
	"tokenizer.ggml.tokens",
	"tokenizer.ggml.scores",
	"tokenizer.ggml.token_type",
	"tokenizer.ggml.merges",
}

// GGUF token types (llama.cpp's llama_token_type).
const (
	ggufTokenControl     = 3
	ggufTokenUserDefined = 4
)

// LoadGGUF reads the tokenizer of a .gguf file.
func LoadGGUF(path string) (*Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := model.ReadGGUFKeeping(f, GGUFArrays...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t, err := FromGGUF(g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// FromGGUF builds the tokenizer described by GGUF metadata: "gpt2"
// (byte-level BPE with merges and a pre-tokenizer named by
// tokenizer.ggml.pre) or "llama" (SentencePiece BPE by scores).
func FromGGUF(g *model.GGUF) (*Tokenizer, error) {
	md := ggufMeta(g.Metadata)
	kind, _ := md["tokenizer.ggml.model"].(string)
	tokens, err := md.strings("tokenizer.ggml.tokens")
	if err != nil {
		return nil, err
	}
	types, err := md.ints("tokenizer.ggml.token_type", len(tokens))
	if err != nil {
		return nil, err
	}
	switch kind {
	case "gpt2":
		return ggufBPE(md, tokens, types)
	case "llama":
		return ggufSentencePiece(md, tokens, types)
	}
	return nil, fmt.Errorf("tokenizer.ggml.model %q is not supported (gpt2 or llama)", kind)
}

func ggufBPE(md ggufMeta, tokens []string, types []int) (*Tokenizer, error) {
	merges, err := md.strings("tokenizer.ggml.merges")
	if err != nil {
		return nil, err
	}
	pre, _ := md["tokenizer.ggml.pre"].(string)
	var stages []splitter
	t := &Tokenizer{}
	switch pre {
	case "", "default", "gpt2", "gpt-2":
		stages = []splitter{splitGPT2}
	case "smollm":
		stages = []splitter{splitDigits(true), splitGPT2}
	case "llama-bpe", "llama3":
		stages = []splitter{func(s string, yield func(string)) { splitLlama3(s, 3, yield) }}
		t.ignoreMerges = true
	case "qwen2":
		stages = []splitter{func(s string, yield func(string)) { splitLlama3(s, 1, yield) }}
	default:
		return nil, fmt.Errorf("tokenizer.ggml.pre %q is not supported (gpt2, smollm, llama-bpe, qwen2)", pre)
	}
	t.setVocab(tokens)
	t.split = chain(stages)
	t.model = newBPE()
	pairs, err := splitMerges(merges)
	if err == nil {
		err = t.addMerges(pairs)
	}
	if err != nil {
		return nil, fmt.Errorf("tokenizer.ggml.merges: %w", err)
	}
	t.setByteLevel()
	t.decoder = []decodeStep{decodeByteLevel}
	for id, typ := range types {
		if typ == ggufTokenControl || typ == ggufTokenUserDefined {
			t.added.add(addedToken{content: tokens[id], id: int32(id), special: typ == ggufTokenControl})
		}
		if typ == ggufTokenControl {
			t.special[int32(id)] = true
		}
	}
	md.specials(t, false)
	return t, nil
}

func ggufSentencePiece(md ggufMeta, tokens []string, types []int) (*Tokenizer, error) {
	scores, err := md.floats("tokenizer.ggml.scores", len(tokens))
	if err != nil {
		return nil, err
	}
	m := &spModel{addDummyPrefix: md.flag("tokenizer.ggml.add_space_prefix", true), unk: -1, bos: -1, eos: -1}
	for i, text := range tokens {
		m.pieces = append(m.pieces, spPiece{text: text, score: scores[i], typ: types[i]})
		m.byteFallback = m.byteFallback || types[i] == pieceByte
	}
	if id, ok := md.id("tokenizer.ggml.unknown_token_id", len(tokens)); ok {
		m.unk = id
	}
	t, err := m.tokenizer()
	if err != nil {
		return nil, err
	}
	md.specials(t, true)
	return t, nil
}

// ggufMeta reads typed values out of GGUF metadata.
type ggufMeta map[string]any

// specials sets BOS/EOS and what Encode adds from the GGUF keys.
func (md ggufMeta) specials(t *Tokenizer, addBOSByDefault bool) {
	t.bos, t.eos = -1, -1
	if id, ok := md.id("tokenizer.ggml.bos_token_id", len(t.vocab)); ok {
		t.bos = id
	}
	if id, ok := md.id("tokenizer.ggml.eos_token_id", len(t.vocab)); ok {
		t.eos = id
	}
	t.prefix, t.suffix = nil, nil
	if md.flag("tokenizer.ggml.add_bos_token", addBOSByDefault) && t.bos >= 0 {
		t.prefix = []int{t.bos}
	}
	if md.flag("tokenizer.ggml.add_eos_token", false) && t.eos >= 0 {
		t.suffix = []int{t.eos}
	}
}

func (md ggufMeta) array(key string) ([]any, error) {
	switch v := md[key].(type) {
	case []any:
		return v, nil
	case model.GGUFArrayLen:
		return nil, fmt.Errorf("metadata %q holds only its length: read the file with model.ReadGGUFKeeping(r, tokenizer.GGUFArrays...)", key)
	case nil:
		return nil, fmt.Errorf("metadata %q is missing", key)
	default:
		return nil, fmt.Errorf("metadata %q: want an array, got %T", key, v)
	}
}

func (md ggufMeta) strings(key string) ([]string, error) {
	a, err := md.array(key)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(a))
	for i, v := range a {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("metadata %q element %d: want a string, got %T", key, i, v)
		}
		out[i] = s
	}
	return out, nil
}

func (md ggufMeta) ints(key string, n int) ([]int, error) {
	a, err := md.array(key)
	if err != nil {
		return nil, err
	}
	if len(a) != n {
		return nil, fmt.Errorf("metadata %q has %d elements for %d tokens", key, len(a), n)
	}
	out := make([]int, n)
	for i, v := range a {
		x, ok := toInt(v)
		if !ok {
			return nil, fmt.Errorf("metadata %q element %d: want an integer, got %T", key, i, v)
		}
		out[i] = x
	}
	return out, nil
}

func (md ggufMeta) floats(key string, n int) ([]float32, error) {
	a, err := md.array(key)
	if err != nil {
		return nil, err
	}
	if len(a) != n {
		return nil, fmt.Errorf("metadata %q has %d elements for %d tokens", key, len(a), n)
	}
	out := make([]float32, n)
	for i, v := range a {
		x, ok := v.(float32)
		if !ok {
			return nil, fmt.Errorf("metadata %q element %d: want a float32, got %T", key, i, v)
		}
		out[i] = x
	}
	return out, nil
}

// id returns a token id stored under key, if present and in range.
func (md ggufMeta) id(key string, n int) (int, bool) {
	x, ok := toInt(md[key])
	return x, ok && x >= 0 && x < n
}

func (md ggufMeta) flag(key string, def bool) bool {
	if b, ok := md[key].(bool); ok {
		return b
	}
	return def
}

func toInt(v any) (int, bool) {
	switch x := v.(type) {
	case int8:
		return int(x), true
	case uint8:
		return int(x), true
	case int16:
		return int(x), true
	case uint16:
		return int(x), true
	case int32:
		return int(x), true
	case uint32:
		return int(x), true
	case int64:
		return int(x), true
	case uint64:
		return int(x), true
	}
	return 0, false
}
