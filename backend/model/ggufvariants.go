package model

import (
	"math"
	"regexp"
)

// variants reads the attention and block variants (Config.SlidingWindow
// and the fields after it) from GGUF metadata, as llama.cpp's loader reads
// them (src/llama-model.cpp); p is "{arch}.". It runs after setAttention,
// since Gemma 2's query scale depends on the head size.
func (f *ggufFields) variants(c *Config, p string) {
	c.HiddenAct = "silu"
	// llama.cpp takes biases from the tensors that exist: Qwen2's q/k/v
	// always, Llama's optional q/k/v/o and gate/up/down.
	c.AttentionBias = c.Architecture == "qwen2" || ggufHasTensor(f.g, ggufAttnBias)
	c.MLPBias = ggufHasTensor(f.g, ggufMLPBias)
	window, hasWindow := f.optInt(p + "attention.sliding_window")
	if c.Architecture != "gemma2" {
		// Every layer slides (Mistral's semantics). llama.cpp writes no
		// window for these architectures; a Qwen window would need Qwen's
		// max_window_layers, which GGUF does not keep: CheckSupported
		// refuses it.
		if hasWindow {
			c.SlidingWindow = window
		}
		return
	}
	// llama.cpp's Gemma 2: window 4096 unless given, on even layers
	// (swa pattern 2), caps 50 and 30 unless given, GELU (tanh).
	c.HiddenAct = "gelu_pytorch_tanh"
	c.SlidingWindow = 4096
	if hasWindow {
		c.SlidingWindow = window
	}
	c.SlidingLayers = make([]bool, min(max(c.Layers, 0), maxLayers))
	for i := range c.SlidingLayers {
		c.SlidingLayers[i] = i%2 == 0
	}
	c.AttnSoftCap = f.float(p+"attn_logit_softcapping", gemma2AttnCap)
	c.FinalSoftCap = f.float(p+"final_logit_softcapping", gemma2FinalCap)
	// GGUF has no query_pre_attn_scalar: llama.cpp scales by
	// 1/sqrt(hidden/heads) for the 27B model (46 layers; its
	// query_pre_attn_scalar is 144) and by 1/sqrt(head size) otherwise.
	scalar := c.HeadDim
	if c.Layers == 46 && c.Heads > 0 {
		scalar = c.HiddenSize / c.Heads
	}
	if scalar > 0 {
		c.QueryScale = 1 / math.Sqrt(float64(scalar))
	}
}

// The bias tensors of any layer's attention (q, k, v, o) and MLP.
var (
	ggufAttnBias = regexp.MustCompile(`^blk\.\d+\.attn_(q|k|v|output)\.bias$`)
	ggufMLPBias  = regexp.MustCompile(`^blk\.\d+\.ffn_(gate|up|down)\.bias$`)
)

func ggufHasTensor(g *GGUF, name *regexp.Regexp) bool {
	for _, t := range g.Tensors {
		if name.MatchString(t.Name) {
			return true
		}
	}
	return false
}
