package model

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// LoadGGUFConfig reads the model configuration from a .gguf file's header.
// For a model split with gguf-split, path is the first split; the others
// are read for their tensor names only.
func LoadGGUFConfig(path string) (Config, error) {
	file, err := filepath.Abs(path)
	if err != nil {
		return Config{}, fmt.Errorf("gguf %s: %w", path, err)
	}
	g, err := readGGUFFile(file)
	if err != nil {
		return Config{}, err
	}
	c, err := configFromGGUF(g, file)
	if err != nil {
		return Config{}, err
	}
	if !c.TiedEmbeddings {
		return c, nil
	}
	// gguf-split puts output.weight in whichever split it falls into, so
	// "no output.weight" only means tied once every split has been seen.
	others, err := otherSplits(g, file)
	if err != nil {
		return Config{}, fmt.Errorf("gguf %s: %w", file, err)
	}
	tensors := len(g.Tensors)
	for _, p := range others {
		s, err := readGGUFFile(p)
		if err != nil {
			return Config{}, err
		}
		if hasTensor(s, "output.weight") {
			c.TiedEmbeddings = false
			return c, nil
		}
		tensors += len(s.Tensors)
	}
	if tensors == 0 {
		return Config{}, fmt.Errorf("gguf %s: no tensors (a vocab-only file?)", file)
	}
	return c, nil
}

func readGGUFFile(path string) (*GGUF, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer f.Close()
	g, err := ReadGGUF(f)
	if err != nil {
		return nil, fmt.Errorf("gguf %s: %w", path, err)
	}
	return g, nil
}

// configFromGGUF builds a validated Config from GGUF metadata; embeddings
// count as tied when this file has no output.weight tensor.
func configFromGGUF(g *GGUF, source string) (Config, error) {
	f := ggufFields{g: g, source: source}
	archValue, ok := g.Metadata["general.architecture"]
	if !ok {
		// gguf-split writes the model's metadata into the first split only.
		if no, _ := ggufInt(g.Metadata["split.no"]); no > 0 {
			return Config{}, fmt.Errorf("gguf %s: this is split %d of a split model; load the first split instead", source, no+1)
		}
		return Config{}, fmt.Errorf("gguf %s: missing metadata %q", source, "general.architecture")
	}
	arch, ok := archValue.(string)
	if !ok {
		return Config{}, fmt.Errorf("gguf %s: metadata %q: want a string, got %s", source, "general.architecture", ggufKind(archValue))
	}
	p := arch + "."
	c := Config{
		Name:             ggufModelName(g, source),
		Architecture:     strings.ToLower(arch),
		HiddenSize:       f.int(p + "embedding_length"),
		Layers:           f.int(p + "block_count"),
		Heads:            f.int(p + "attention.head_count"),
		IntermediateSize: f.int(p + "feed_forward_length"),
		MaxPositions:     f.int(p + "context_length"),
		TiedEmbeddings:   !hasTensor(g, "output.weight"),
		Source:           source,
	}
	kvHeads, hasKV := f.optInt(p + "attention.head_count_kv")
	headDim, hasHeadDim := f.optInt(p + "attention.key_length")
	vocab, hasVocab := f.optInt(p + "vocab_size")
	// llama.cpp's defaults.
	c.RopeTheta = f.float(p+"rope.freq_base", 10000)
	c.NormEps = f.float(p+"attention.layer_norm_rms_epsilon", 1e-5)
	c.RopeScaling = f.ropeScaling(p)
	if hasTensor(g, "rope_freqs.weight") {
		c.RopeFreqs = "rope_freqs.weight"
	}
	if !hasVocab {
		vocab = f.tokenCount(p + "vocab_size")
	}
	if f.err != nil {
		return Config{}, f.err
	}
	c.VocabSize = vocab
	if err := c.setAttention(kvHeads, hasKV, headDim, hasHeadDim); err != nil {
		return Config{}, fmt.Errorf("gguf %s: %w", source, err)
	}
	f.variants(&c, p)
	if f.err != nil {
		return Config{}, f.err
	}
	return c, c.Validate()
}

// ggufModelName is general.name, else the file name without .gguf.
func ggufModelName(g *GGUF, source string) string {
	if name, ok := g.Metadata["general.name"].(string); ok && strings.TrimSpace(name) != "" {
		return name
	}
	base := filepath.Base(source)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func hasTensor(g *GGUF, name string) bool {
	for _, t := range g.Tensors {
		if t.Name == name {
			return true
		}
	}
	return false
}

// splitFileName is gguf-split's naming: PREFIX-00001-of-00003.gguf.
var splitFileName = regexp.MustCompile(`^(.*)-(\d{5})-of-(\d{5})\.gguf$`)

// otherSplits lists the other files of a split model, or nil for a model in
// one file.
func otherSplits(g *GGUF, path string) ([]string, error) {
	n, ok := ggufInt(g.Metadata["split.count"])
	if !ok || n <= 1 {
		return nil, nil
	}
	m := splitFileName.FindStringSubmatch(filepath.Base(path))
	if m == nil || m[3] != fmt.Sprintf("%05d", n) {
		return nil, fmt.Errorf("split.count is %d but the file is not named PREFIX-%05d-of-%05d.gguf, so the other splits cannot be found", n, 1, n)
	}
	var paths []string
	for i := int64(1); i <= n; i++ {
		p := filepath.Join(filepath.Dir(path), fmt.Sprintf("%s-%05d-of-%05d.gguf", m[1], i, n))
		if p != path {
			paths = append(paths, p)
		}
	}
	return paths, nil
}

// ggufFields reads integer metadata stored with any integer type,
// remembering the first error so the caller can check once.
type ggufFields struct {
	g      *GGUF
	source string
	err    error
}

func (f *ggufFields) fail(format string, args ...any) {
	if f.err == nil {
		f.err = fmt.Errorf("gguf %s: "+format, append([]any{f.source}, args...)...)
	}
}

func (f *ggufFields) int(key string) int {
	v, ok := f.optInt(key)
	if !ok {
		f.fail("missing metadata %q", key)
	}
	return v
}

func (f *ggufFields) optInt(key string) (int, bool) {
	v, ok := f.g.Metadata[key]
	if !ok {
		return 0, false
	}
	n, ok := ggufInt(v)
	if !ok {
		f.fail("metadata %q: want an integer, got %s", key, ggufKind(v))
		return 0, true
	}
	if int64(int(n)) != n {
		f.fail("metadata %q: %d is out of range", key, n)
		return 0, true
	}
	return int(n), true
}

// float reads a number stored with any numeric type, def when absent.
func (f *ggufFields) float(key string, def float64) float64 {
	switch v := f.g.Metadata[key].(type) {
	case nil:
		return def
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		if n, ok := ggufInt(v); ok {
			return float64(n)
		}
		f.fail("metadata %q: want a number, got %s", key, ggufKind(v))
	}
	return 0
}

// ropeScaling reads {arch}.rope.scaling.* or the older
// {arch}.rope.scale_linear. Llama 3's scaling is not here: llama.cpp bakes
// it into a rope_freqs.weight tensor (Config.RopeFreqs).
func (f *ggufFields) ropeScaling(p string) RopeScaling {
	typ, _ := f.g.Metadata[p+"rope.scaling.type"].(string)
	if typ == "" {
		if factor := f.float(p+"rope.scale_linear", 0); factor != 0 && factor != 1 {
			return RopeScaling{Type: "linear", Factor: factor}
		}
	}
	if typ == "" || typ == "none" {
		return RopeScaling{}
	}
	orig, _ := f.optInt(p + "rope.scaling.original_context_length")
	return RopeScaling{Type: typ, Factor: f.float(p+"rope.scaling.factor", 0), OriginalMaxPositions: orig,
		BetaFast: f.float(p+"rope.scaling.yarn_beta_fast", 0), BetaSlow: f.float(p+"rope.scaling.yarn_beta_slow", 0)}
}

// tokenCount is the length of the tokenizer's token list, the vocabulary
// size for files without {arch}.vocab_size.
func (f *ggufFields) tokenCount(vocabKey string) int {
	const key = "tokenizer.ggml.tokens"
	switch t := f.g.Metadata[key].(type) {
	case []any:
		return len(t)
	case GGUFArrayLen:
		return int(min(t.Len, math.MaxInt32))
	case nil:
		f.fail("missing metadata %q (or %q)", vocabKey, key)
	default:
		f.fail("metadata %q: want an array, got %s", key, ggufKind(t))
	}
	return 0
}

// ggufKind names the type of a metadata value for error messages.
func ggufKind(v any) string {
	switch v.(type) {
	case []any, GGUFArrayLen:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float32, float64:
		return "a float"
	}
	return fmt.Sprintf("%T", v)
}
