package model

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
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
// family of RMSNorm, RoPE, grouped-query attention and SwiGLU.
func Trainable(arch string) bool {
	switch arch {
	case "llama", "mistral", "qwen2", "qwen3":
		return true
	}
	return false
}

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

// checkTrainable fails for an architecture the engine cannot run.
func checkTrainable(c Config) error {
	if !Trainable(c.Architecture) {
		return fmt.Errorf("model %s: architecture %q is not supported for training (Hone runs llama, mistral, qwen2 and qwen3; SmolLM is llama)", c.Source, c.Architecture)
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
		if c.Architecture == "qwen2" { // Qwen2 has query, key and value biases
			want(p+"self_attn.q_proj.bias", q)
			want(p+"self_attn.k_proj.bias", kv)
			want(p+"self_attn.v_proj.bias", kv)
		}
		if c.Architecture == "qwen3" {
			want(p+"self_attn.q_norm.weight", c.HeadDim)
			want(p+"self_attn.k_norm.weight", c.HeadDim)
		}
		if len(errs) > 3 {
			break // enough to see what is wrong
		}
	}
	return errors.Join(errs...)
}
