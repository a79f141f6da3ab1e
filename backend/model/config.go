// Package model reads models: their configuration (Hugging Face
// config.json, GGUF metadata, llama2.c headers) as one architecture
// description for the planner and trainer (Load), their weights as float32
// tensors under Hugging Face names whatever the format (OpenModel: sharded
// safetensors memory-mapped, GGUF dequantised, llama2.c checkpoints), and
// the models other tools have already downloaded (Scan).
package model

import "fmt"

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
	Source      string      `json:"source"` // the file it was read from
}

// RopeScaling stretches RoPE for contexts beyond the trained length; the
// zero value is plain RoPE.
type RopeScaling struct {
	Type                 string  `json:"type"` // "linear", "dynamic", "yarn", "llama3", ...
	Factor               float64 `json:"factor"`
	OriginalMaxPositions int     `json:"originalMaxPositions,omitempty"`
	LowFreqFactor        float64 `json:"lowFreqFactor,omitempty"`  // llama3
	HighFreqFactor       float64 `json:"highFreqFactor,omitempty"` // llama3
}

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
		{"layers", c.Layers, 512},
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
