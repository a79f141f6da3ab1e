package model

import (
	"bytes"
	"encoding/json"
	"math"
)

// Defaults of the transformers (4.57) config classes for keys that
// config.json may leave out.
const (
	mistralWindow    = 4096 // MistralConfig.sliding_window
	qwenWindow       = 4096 // Qwen2Config/Qwen3Config.sliding_window, used only with use_sliding_window
	qwenWindowLayers = 28   // max_window_layers: the first layer that slides
	gemma2Window     = 4096
	gemma2AttnCap    = 50.0
	gemma2FinalCap   = 30.0
	gemma2QueryScale = 256 // query_pre_attn_scalar
)

// hfHeadDim is the head_dim a family's config class uses when config.json
// has none, or 0 for hidden_size/num_attention_heads (Llama, Mistral, Qwen2).
func hfHeadDim(arch string) int {
	switch arch {
	case "qwen3":
		return 128 // Qwen3Config(head_dim=128)
	case "gemma2":
		return 256
	}
	return 0
}

// variants reads the attention and block variants (Config.SlidingWindow
// and the fields after it) with the semantics of each family's
// transformers 4.57 config and modeling code: a family reads only the keys
// its classes read, so a key that transformers ignores (mlp_bias on a
// Qwen3, layer_types on a Mistral) is ignored here too.
func (f *hfFields) variants(c *Config) {
	if c.Architecture == "gemma2" {
		f.gemma2(c)
		return
	}
	c.HiddenAct = f.stringOr("hidden_act", "silu")
	switch c.Architecture {
	case "llama":
		// LlamaAttention: q, k, v and o use attention_bias; LlamaMLP mlp_bias.
		c.AttentionBias = f.boolOr("attention_bias", false)
		c.MLPBias = f.boolOr("mlp_bias", false)
	case "mistral":
		// MistralModel masks every layer with sliding_window unless it is null.
		c.SlidingWindow = f.window("sliding_window", mistralWindow)
	case "qwen2", "qwen3":
		// Qwen2Attention hard-codes bias=True on q, k, v (never on o);
		// Qwen3Attention uses attention_bias on all four.
		c.AttentionBias = c.Architecture == "qwen2" || f.boolOr("attention_bias", false)
		f.qwenWindow(c)
	}
}

// qwenWindow: Qwen2Config/Qwen3Config set sliding_window to None unless
// use_sliding_window, and layer_types defaults to "sliding_attention" for
// the layers i >= max_window_layers when the window is set.
func (f *hfFields) qwenWindow(c *Config) {
	window := 0
	if f.boolOr("use_sliding_window", false) {
		window = f.window("sliding_window", qwenWindow)
	}
	from := f.intOr("max_window_layers", qwenWindowLayers)
	sliding := f.layerTypes(c.Layers, func(i int) bool { return window > 0 && i >= from })
	c.SlidingWindow, c.SlidingLayers = window, sliding
	// No sliding layer: plain attention. Otherwise the layers stay listed,
	// even when all slide, since CheckSupported refuses a Qwen window
	// without them (a GGUF's); and sliding layers with no window (which
	// transformers refuses) stay for CheckSupported to refuse.
	if !anyTrue(sliding) {
		c.SlidingWindow, c.SlidingLayers = 0, nil
	}
}

// gemma2 reads Gemma2Config: layer_types defaults to sliding on even layers;
// Gemma2Attention scales scores by query_pre_attn_scalar**-0.5 and caps
// them with attn_logit_softcapping; Gemma2ForCausalLM caps the logits with
// final_logit_softcapping; Gemma2MLP uses hidden_activation (not hidden_act).
func (f *hfFields) gemma2(c *Config) {
	c.HiddenAct = f.stringOr("hidden_activation", "gelu_pytorch_tanh")
	c.AttentionBias = f.boolOr("attention_bias", false)
	c.AttnSoftCap = f.nullableFloat("attn_logit_softcapping", gemma2AttnCap)
	c.FinalSoftCap = f.nullableFloat("final_logit_softcapping", gemma2FinalCap)
	if s := f.floatOr("query_pre_attn_scalar", gemma2QueryScale); s > 0 {
		c.QueryScale = 1 / math.Sqrt(s)
	} else {
		f.fail("field %q: %g is not positive", "query_pre_attn_scalar", s)
	}
	c.SlidingWindow = f.window("sliding_window", gemma2Window)
	c.SlidingLayers = f.layerTypes(c.Layers, func(i int) bool { return i%2 == 0 })
	// A null window with sliding layers stays as it is: transformers
	// raises for it, and CheckSupported refuses it.
	if !anyTrue(c.SlidingLayers) {
		c.SlidingWindow, c.SlidingLayers = 0, nil
	}
}

// layerTypes reads layer_types (one "full_attention" or
// "sliding_attention" per layer) as which layers slide, or def(i) for each
// layer when config.json has none.
func (f *hfFields) layerTypes(layers int, def func(int) bool) []bool {
	var types []string
	if layers < 0 || layers > maxLayers {
		return nil // Validate refuses the count; allocate nothing for it
	}
	if !f.decode("layer_types", &types, "a list of strings") {
		out := make([]bool, layers)
		for i := range out {
			out[i] = def(i)
		}
		return out
	}
	if len(types) != layers {
		f.fail("field %q: %d entries for %d layers", "layer_types", len(types), layers)
		return nil
	}
	out := make([]bool, layers)
	for i, t := range types {
		switch t {
		case "sliding_attention":
			out[i] = true
		case "full_attention":
		default:
			f.fail("field %q: layer %d is %q; Hone runs full_attention and sliding_attention", "layer_types", i, t)
			return nil
		}
	}
	return out
}

// window reads a sliding window size: def when the key is absent, 0 (full
// attention) when it is null, as transformers' masks treat None.
func (f *hfFields) window(key string, def int) int {
	if f.isNull(key) {
		return 0
	}
	v := f.intOr(key, def)
	if v <= 0 {
		f.fail("field %q: %d is not a positive window", key, v)
	}
	return v
}

// nullableFloat is def when the key is absent and 0 when it is null.
func (f *hfFields) nullableFloat(key string, def float64) float64 {
	if f.isNull(key) {
		return 0
	}
	return f.floatOr(key, def)
}

// decode unmarshals the field into v, or reports false when it is absent
// or null; want names the expected JSON for the error.
func (f *hfFields) decode(key string, v any, want string) bool {
	raw, ok := f.raw(key)
	if !ok {
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		f.fail("field %q: want %s, got %s", key, want, jsonKind(raw))
		return false
	}
	return true
}

func (f *hfFields) isNull(key string) bool {
	v, ok := f.obj[key]
	return ok && string(bytes.TrimSpace(v)) == "null"
}

func (f *hfFields) intOr(key string, def int) int {
	if v, ok := f.optInt(key); ok {
		return v
	}
	return def
}

func (f *hfFields) floatOr(key string, def float64) float64 {
	if v, ok := f.optFloat(key); ok {
		return v
	}
	return def
}

func (f *hfFields) boolOr(key string, def bool) bool {
	if v, ok := f.optBool(key); ok {
		return v
	}
	return def
}

func (f *hfFields) stringOr(key, def string) string {
	if v, ok := f.optString(key); ok {
		return v
	}
	return def
}

func anyTrue(xs []bool) bool {
	for _, x := range xs {
		if x {
			return true
		}
	}
	return false
}
