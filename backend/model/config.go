// Package model reads models: their configuration (Hugging Face
// config.json, GGUF metadata, llama2.c headers) as one architecture
// description for the planner and trainer (Load), their weights as float32
// tensors under Hugging Face names whatever the format (OpenModel: sharded
// safetensors memory-mapped, GGUF dequantised, llama2.c checkpoints), and
// the models other tools have already downloaded (Scan).
package model

import (
	"fmt"
	"math"
	"strings"
)

// Config is the architecture of a decoder-only transformer, as far as
// memory planning and the engine need it.
type Config struct {
	Name             string `json:"name"`         // folder name, or GGUF general.name
	Architecture     string `json:"architecture"` // "llama", "mistral", "qwen2", "qwen3", "gemma2", ... (lower case)
	HiddenSize       int    `json:"hiddenSize"`
	Layers           int    `json:"layers"`
	Heads            int    `json:"heads"`
	KVHeads          int    `json:"kvHeads"` // = Heads when the config has none
	HeadDim          int    `json:"headDim"` // = HiddenSize/Heads unless the config says otherwise
	IntermediateSize int    `json:"intermediateSize"`
	VocabSize        int    `json:"vocabSize"`
	TiedEmbeddings   bool   `json:"tiedEmbeddings"`
	MaxPositions     int    `json:"maxPositions"`
	// RopeTheta and NormEps are the RoPE base and the RMSNorm epsilon;
	// every loader sets them, with the format's default where the file has
	// none. Catalogue entries, used only for planning, may leave them zero.
	RopeTheta   float64     `json:"ropeTheta,omitempty"`
	NormEps     float64     `json:"normEps,omitempty"`
	RopeScaling RopeScaling `json:"ropeScaling,omitzero"`
	// RopeFreqs names the tensor of per-frequency divisors of the RoPE
	// inverse frequencies, llama.cpp's way to store Llama 3's scaling in a
	// GGUF ("rope_freqs.weight"); empty when the model has none.
	RopeFreqs string `json:"ropeFreqs,omitempty"`

	// Attention and block variants (zero values: plain Llama). Loaders fill
	// them with each family's transformers semantics (hfconfig.go) or
	// llama.cpp's (ggufconfig.go); CheckSupported refuses what the engine
	// does not run.
	SlidingWindow int     `json:"slidingWindow,omitempty"` // keys older than this many positions are masked (query q sees key k iff q-k < SlidingWindow); 0: full attention
	SlidingLayers []bool  `json:"slidingLayers,omitempty"` // which layers use SlidingWindow; nil: all layers (when SlidingWindow > 0)
	AttnSoftCap   float64 `json:"attnSoftCap,omitempty"`   // scores -> cap*tanh(scores/cap) before the mask and softmax (Gemma 2's attn_logit_softcapping); 0: none
	FinalSoftCap  float64 `json:"finalSoftCap,omitempty"`  // the same on the output logits (final_logit_softcapping); 0: none
	QueryScale    float64 `json:"queryScale,omitempty"`    // attention scores are q·k times this; 0: 1/sqrt(HeadDim). Gemma 2: query_pre_attn_scalar^-0.5
	HiddenAct     string  `json:"hiddenAct,omitempty"`     // MLP activation: "silu" (default) or "gelu_pytorch_tanh"
	// AttentionBias: q_proj, k_proj and v_proj have biases, and so has
	// o_proj except for qwen2 (Qwen2 always has q/k/v biases and never an
	// o_proj bias; Llama's, Qwen3's and Gemma 2's attention_bias covers all
	// four). MLPBias: gate_proj, up_proj and down_proj have biases (Llama's
	// mlp_bias).
	AttentionBias bool `json:"attentionBias,omitempty"`
	MLPBias       bool `json:"mlpBias,omitempty"`

	Source string `json:"source"` // the file it was read from
}

// RopeScaling stretches RoPE for contexts beyond the trained length; the
// zero value is plain RoPE. The fields are transformers' rope_scaling keys.
type RopeScaling struct {
	Type                 string  `json:"type"` // "linear", "dynamic", "yarn", "llama3", ...
	Factor               float64 `json:"factor"`
	OriginalMaxPositions int     `json:"originalMaxPositions,omitempty"`
	LowFreqFactor        float64 `json:"lowFreqFactor,omitempty"`  // llama3
	HighFreqFactor       float64 `json:"highFreqFactor,omitempty"` // llama3
	// YaRN: attention_factor (0: transformers' default, 0.1 ln(factor) + 1),
	// beta_fast and beta_slow (0: 32 and 1), mscale and mscale_all_dim
	// (DeepSeek's; kept for display, transformers 4.46 does not use them).
	AttentionFactor float64 `json:"attentionFactor,omitempty"`
	BetaFast        float64 `json:"betaFast,omitempty"`
	BetaSlow        float64 `json:"betaSlow,omitempty"`
	Mscale          float64 `json:"mscale,omitempty"`
	MscaleAllDim    float64 `json:"mscaleAllDim,omitempty"`
}

// RopeScalingTypes are the RoPE scaling types the engine runs (CheckRope).
var RopeScalingTypes = []string{"default", "linear", "llama3", "yarn"}

// CheckRope reports whether the engine can run the config's RoPE: a scaling
// type it implements, with the parameters that type needs. Load accepts
// any, for planning; the engine calls this when it loads a model, so that
// an unsupported scaling ("dynamic", "longrope", ...) is an error naming the
// file and field rather than silently wrong output.
func (c Config) CheckRope() error {
	s := c.RopeScaling
	field := "rope_scaling"
	if strings.HasSuffix(strings.ToLower(c.Source), ".gguf") {
		field = c.Architecture + ".rope.scaling.type"
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("config %s: field %q: RoPE scaling %q: %s", c.Source, field, s.Type, fmt.Sprintf(format, args...))
	}
	positive := func(v float64) bool { return v > 0 && !math.IsInf(v, 0) }
	switch s.Type {
	case "", "default":
		return nil
	case "linear":
		if !positive(s.Factor) {
			return bad("factor %g is not positive", s.Factor)
		}
	case "llama3":
		switch {
		case !positive(s.Factor):
			return bad("factor %g is not positive", s.Factor)
		case !positive(s.LowFreqFactor) || !positive(s.HighFreqFactor) || s.HighFreqFactor <= s.LowFreqFactor:
			return bad("want 0 < low_freq_factor < high_freq_factor, got %g and %g", s.LowFreqFactor, s.HighFreqFactor)
		case s.OriginalMaxPositions <= 0:
			return bad("original_max_position_embeddings is %d, want a positive number", s.OriginalMaxPositions)
		}
	case "yarn":
		switch {
		case !positive(s.Factor):
			return bad("factor %g is not positive", s.Factor)
		case s.AttentionFactor < 0 || s.BetaFast < 0 || s.BetaSlow < 0:
			return bad("attention_factor, beta_fast and beta_slow must not be negative")
		}
	default:
		return bad("not supported (Hone runs %s)", strings.Join(RopeScalingTypes, ", "))
	}
	return nil
}

// maxLayers bounds Config.Layers (Validate), far above any released model.
const maxLayers = 512

// Validate checks that every size is positive and within bounds far above any
// released model, so that a corrupt or hostile file cannot push the planner's
// arithmetic into overflow or absurd allocations.
func (c Config) Validate() error {
	bounds := []struct {
		field string
		v     int
		max   int
	}{
		{"hiddenSize", c.HiddenSize, 1 << 16},
		{"layers", c.Layers, maxLayers},
		{"heads", c.Heads, 1024},
		{"kvHeads", c.KVHeads, 1024},
		{"headDim", c.HeadDim, 1 << 14},
		{"intermediateSize", c.IntermediateSize, 1 << 20},
		{"vocabSize", c.VocabSize, 1 << 22},
		{"maxPositions", c.MaxPositions, 1 << 30},
	}
	for _, b := range bounds {
		if b.v < 1 || b.v > b.max {
			return fmt.Errorf("config %s: %s is %d, want 1..%d", c.Source, b.field, b.v, b.max)
		}
	}
	// Grouped-query attention shares each KV head among Heads/KVHeads query heads.
	if c.Heads%c.KVHeads != 0 {
		return fmt.Errorf("config %s: heads (%d) is not a multiple of kvHeads (%d)", c.Source, c.Heads, c.KVHeads)
	}
	return nil
}

// setAttention sets KVHeads and HeadDim from the optional values a config
// may give, with the defaults both formats share: one KV head per query head
// (plain multi-head attention) and HiddenSize split evenly across the heads.
func (c *Config) setAttention(kvHeads int, hasKV bool, headDim int, hasHeadDim bool) error {
	c.KVHeads = c.Heads
	if hasKV {
		c.KVHeads = kvHeads
	}
	switch {
	case hasHeadDim:
		c.HeadDim = headDim
	case c.Heads > 0 && c.HiddenSize%c.Heads != 0:
		return fmt.Errorf("hidden size %d is not a multiple of %d heads and no head dimension is given", c.HiddenSize, c.Heads)
	case c.Heads > 0:
		c.HeadDim = c.HiddenSize / c.Heads
	}
	return nil
}

// Load reads the configuration of the model at path: a Hugging Face model
// folder or one of its files, a GGUF file or a llama2.c checkpoint. Any
// architecture loads, for planning; OpenModel is stricter.
func Load(path string) (Config, error) {
	format, target, err := detectFormat(path)
	if err != nil {
		return Config{}, fmt.Errorf("load model: %w", err)
	}
	switch format {
	case FormatGGUF:
		return LoadGGUFConfig(target)
	case FormatLlama2C:
		return LoadLlama2CConfig(target)
	}
	return LoadHFConfig(target)
}
