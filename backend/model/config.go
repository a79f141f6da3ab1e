// Package model reads model configurations (Hugging Face config.json and GGUF
// metadata) into one architecture description for the planner and trainer.
package model

import (
	"fmt"
	"os"
	"path/filepath"
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
	Source           string `json:"source"` // the file it was read from
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
// folder or its config.json, or a .gguf file.
func Load(path string) (Config, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Config{}, fmt.Errorf("load model: %w", err)
	}
	switch {
	case fi.IsDir(), strings.EqualFold(filepath.Base(path), "config.json"):
		return LoadHFConfig(path)
	case strings.EqualFold(filepath.Ext(path), ".gguf"):
		return LoadGGUFConfig(path)
	}
	return Config{}, fmt.Errorf("load model %s: not a model folder, config.json or .gguf file", path)
}
