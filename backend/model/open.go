package model

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
)

// Model is a local model opened for training or inference.
type Model struct {
	Path   string // the folder or file opened
	Format string // FormatHF, FormatGGUF or FormatLlama2C
	Config Config
	// Weights holds the tensors under Hugging Face names and layout, from
	// any format: model.embed_tokens.weight, model.layers.N.self_attn.q_proj.weight
	// (rows in rotate-half RoPE order), ..., lm_head.weight unless tied.
	Weights Weights
	// Tokenizer is the file the tokenizer comes from: tokenizer.json, the
	// GGUF file itself, or a llama2.c tokenizer.bin; "" when none is there.
	Tokenizer        string
	TokenizerConfig  string // tokenizer_config.json (chat template, special tokens), "" when absent
	GenerationConfig string // generation_config.json, "" when absent
	GGUF             *GGUF  // a GGUF model's header (tokenizer, chat template), else nil
}

// Close releases the weights.
func (m *Model) Close() error { return m.Weights.Close() }

// Trainable reports whether Hone's engine runs an architecture: the Llama
// family of RMSNorm, RoPE, grouped-query attention and gated MLPs
// (Architectures). A config of one may still use a variant it does not run
// (CheckSupported).
func Trainable(arch string) bool { return slices.Contains(Architectures, arch) }

// OpenModel opens a model for training or inference: a Hugging Face folder
// (or one of its files), a GGUF file or a llama2.c checkpoint. Only
// architectures Hone's engine runs open; tensors missing or of the wrong
// shape for the config are reported here, not at first use.
func OpenModel(path string) (*Model, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open model %s: %w", path, err)
	}
	format, target, err := detectFormat(abs)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	m := &Model{Path: target, Format: format}
	switch format {
	case FormatHF:
		err = m.openHF()
	case FormatGGUF:
		err = m.openGGUF()
	default:
		err = m.openLlama2C()
	}
	if err != nil {
		return nil, err
	}
	if err := checkWeights(m.Config, m.Weights); err != nil {
		m.Weights.Close()
		return nil, fmt.Errorf("model %s: %w", m.Path, err)
	}
	return m, nil
}

// checkTrainable fails for a config the engine cannot run.
func checkTrainable(c Config) error {
	if err := c.CheckSupported(); err != nil {
		return fmt.Errorf("model: %w", err)
	}
	if c.RopeTheta <= 0 || math.IsInf(c.RopeTheta, 0) || c.NormEps <= 0 || c.NormEps >= 1 {
		return fmt.Errorf("model %s: RoPE base %g or RMSNorm epsilon %g is out of range", c.Source, c.RopeTheta, c.NormEps)
	}
	return nil
}

func (m *Model) openHF() error {
	c, err := LoadHFConfig(m.Path)
	if err != nil {
		return err
	}
	if err := checkTrainable(c); err != nil {
		return err
	}
	w, err := OpenSafetensors(m.Path)
	if err != nil {
		return err
	}
	m.Config, m.Weights = c, w
	m.Tokenizer = existing(m.Path, "tokenizer.json")
	m.TokenizerConfig = existing(m.Path, "tokenizer_config.json")
	m.GenerationConfig = existing(m.Path, "generation_config.json")
	return nil
}

func (m *Model) openGGUF() error {
	c, err := LoadGGUFConfig(m.Path)
	if err != nil {
		return err
	}
	if err := checkTrainable(c); err != nil {
		return err
	}
	w, g, err := openGGUF(m.Path)
	if err != nil {
		return err
	}
	v, err := newHFView(w, c)
	if err != nil {
		w.Close()
		return fmt.Errorf("gguf %s: %w", m.Path, err)
	}
	m.Config, m.Weights, m.GGUF, m.Tokenizer = c, v, g, m.Path
	return nil
}

func (m *Model) openLlama2C() error {
	c, w, err := openLlama2C(m.Path)
	if err != nil {
		return err
	}
	v, err := newHFView(w, c)
	if err != nil {
		w.Close()
		return fmt.Errorf("llama2.c checkpoint %s: %w", m.Path, err)
	}
	m.Config, m.Weights = c, v
	m.Tokenizer = llama2cTokenizer(m.Path, c.VocabSize)
	return nil
}

// existing is dir/name when that file exists, else "".
func existing(dir, name string) string {
	p := filepath.Join(dir, name)
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}

// checkWeights checks that the weights hold every tensor the Llama family
// needs, in the shapes the config implies.
func checkWeights(c Config, w Weights) error {
	shapes := make(map[string][]int, len(w.Tensors()))
	for _, t := range w.Tensors() {
		shapes[t.Name] = t.Shape
	}
	var errs []error
	want := func(name string, shape ...int) {
		got, ok := shapes[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("tensor %s is missing", name))
		case !slices.Equal(got, shape):
			errs = append(errs, fmt.Errorf("tensor %s has shape %v, want %v for the config", name, got, shape))
		}
	}
	h, q, kv := c.HiddenSize, c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	used := biases(c)
	withBias := slices.Sorted(maps.Keys(used)) // in a stable order for the errors
	want("model.embed_tokens.weight", c.VocabSize, h)
	want("model.norm.weight", h)
	if !c.TiedEmbeddings {
		want("lm_head.weight", c.VocabSize, h)
	}
	for l := range c.Layers {
		p := "model.layers." + strconv.Itoa(l) + "."
		want(p+"input_layernorm.weight", h)
		want(p+"post_attention_layernorm.weight", h)
		want(p+"self_attn.q_proj.weight", q, h)
		want(p+"self_attn.k_proj.weight", kv, h)
		want(p+"self_attn.v_proj.weight", kv, h)
		want(p+"self_attn.o_proj.weight", h, q)
		want(p+"mlp.gate_proj.weight", c.IntermediateSize, h)
		want(p+"mlp.up_proj.weight", c.IntermediateSize, h)
		want(p+"mlp.down_proj.weight", h, c.IntermediateSize)
		for _, name := range withBias {
			want(p+name+".bias", used[name])
		}
		switch c.Architecture {
		case "qwen3":
			want(p+"self_attn.q_norm.weight", c.HeadDim)
			want(p+"self_attn.k_norm.weight", c.HeadDim)
		case "gemma2": // norms after attention and around the MLP
			want(p+"pre_feedforward_layernorm.weight", h)
			want(p+"post_feedforward_layernorm.weight", h)
		}
		if len(errs) > 3 {
			break // enough to see what is wrong
		}
	}
	// A bias the config does not call for would be ignored: refuse it.
	for _, t := range w.Tensors() {
		if m := layerBias.FindStringSubmatch(t.Name); m != nil && used[m[1]] == 0 {
			errs = append(errs, fmt.Errorf("tensor %s is not used by the config (attention bias %v, MLP bias %v)", t.Name, c.AttentionBias, c.MLPBias))
			break
		}
	}
	return errors.Join(errs...)
}

// layerBias matches the bias of a decoder layer's linear; group 1 is the
// module ("self_attn.q_proj").
var layerBias = regexp.MustCompile(`^model\.layers\.\d+\.((?:self_attn|mlp)\.[a-z]+_proj)\.bias$`)

// biases maps the linears of a layer that have a bias to its size.
func biases(c Config) map[string]int {
	out := map[string]int{}
	if c.AttentionBias {
		out["self_attn.q_proj"] = c.Heads * c.HeadDim
		out["self_attn.k_proj"] = c.KVHeads * c.HeadDim
		out["self_attn.v_proj"] = c.KVHeads * c.HeadDim
		if c.Architecture != "qwen2" { // Qwen2's o_proj has none
			out["self_attn.o_proj"] = c.HiddenSize
		}
	}
	if c.MLPBias {
		out["mlp.gate_proj"] = c.IntermediateSize
		out["mlp.up_proj"] = c.IntermediateSize
		out["mlp.down_proj"] = c.HiddenSize
	}
	return out
}
