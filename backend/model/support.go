package model

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Architectures are the model types Hone's engine runs (SmolLM and
// llama2.c checkpoints are llama).
var Architectures = []string{"llama", "mistral", "qwen2", "qwen3", "gemma2"}

// HiddenActs are the MLP activations the engine runs.
var HiddenActs = []string{"silu", "gelu_pytorch_tanh"}

// CheckSupported reports whether the engine can run everything the config
// describes, naming the file and field of the first thing it cannot: an
// architecture or activation it does not implement, a sliding-window
// pattern it cannot express, out-of-range soft-caps or query scale, or an
// unsupported RoPE (CheckRope). Load accepts all of these, for planning;
// OpenModel and the engine refuse them rather than run a model wrongly.
func (c Config) CheckSupported() error {
	bad := func(hf, gguf, format string, args ...any) error {
		field := hf
		if !strings.HasSuffix(strings.ToLower(c.Source), ".json") {
			field = gguf // a GGUF (or llama2.c, which sets none of these)
		}
		return fmt.Errorf("config %s: field %q: %s", c.Source, field, fmt.Sprintf(format, args...))
	}
	if !slices.Contains(Architectures, c.Architecture) {
		return bad("model_type", "general.architecture", "architecture %q is not supported (Hone runs %s; SmolLM is llama)",
			c.Architecture, strings.Join(Architectures, ", "))
	}
	if c.HiddenAct != "" && !slices.Contains(HiddenActs, c.HiddenAct) {
		field := "hidden_act"
		if c.Architecture == "gemma2" {
			field = "hidden_activation"
		}
		return bad(field, field, "activation %q is not supported (Hone runs %s)", c.HiddenAct, strings.Join(HiddenActs, ", "))
	}
	if err := c.checkSliding(bad); err != nil {
		return err
	}
	for _, v := range []struct {
		hf, gguf string
		v        float64
	}{
		{"attn_logit_softcapping", c.Architecture + ".attn_logit_softcapping", c.AttnSoftCap},
		{"final_logit_softcapping", c.Architecture + ".final_logit_softcapping", c.FinalSoftCap},
		{"query_pre_attn_scalar", c.Architecture + ".attention.key_length", c.QueryScale},
	} {
		if !(v.v >= 0) || math.IsInf(v.v, 0) {
			return bad(v.hf, v.gguf, "%g is out of range", v.v)
		}
	}
	return c.CheckRope()
}

// checkSliding checks that SlidingWindow and SlidingLayers describe a mask
// the engine can apply.
func (c Config) checkSliding(bad func(hf, gguf, format string, args ...any) error) error {
	window := c.Architecture + ".attention.sliding_window"
	switch {
	case c.SlidingWindow < 0:
		return bad("sliding_window", window, "%d is negative", c.SlidingWindow)
	case c.SlidingLayers != nil && len(c.SlidingLayers) != c.Layers:
		return bad("layer_types", window, "%d layer types for %d layers", len(c.SlidingLayers), c.Layers)
	case c.SlidingWindow == 0 && anyTrue(c.SlidingLayers):
		// transformers raises for this too (create_sliding_window_causal_mask).
		return bad("sliding_window", window, "layers are marked sliding_attention but there is no window")
	case c.SlidingWindow > 0 && c.SlidingLayers == nil && (c.Architecture == "qwen2" || c.Architecture == "qwen3"):
		// Qwen slides only from max_window_layers on, which a GGUF does
		// not record (HF configs always list Qwen's sliding layers).
		return bad("max_window_layers", window, "a Qwen sliding window without its sliding layers (max_window_layers) cannot be run")
	}
	return nil
}
