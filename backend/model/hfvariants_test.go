package model

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// variantsOf is the part of a Config that hfvariants.go and
// ggufvariants.go fill, with HeadDim, whose default differs by family.
type variantsOf struct {
	HeadDim       int
	SlidingWindow int
	SlidingLayers []bool
	AttnSoftCap   float64
	FinalSoftCap  float64
	QueryScale    float64
	HiddenAct     string
	AttentionBias bool
	MLPBias       bool
}

func variants(c Config) variantsOf {
	return variantsOf{c.HeadDim, c.SlidingWindow, c.SlidingLayers, c.AttnSoftCap, c.FinalSoftCap, c.QueryScale,
		c.HiddenAct, c.AttentionBias, c.MLPBias}
}

// Trimmed real configs: Mistral-7B-v0.1 (window 4096), Qwen2-7B (whose
// config sets a window that use_sliding_window turns off) and gemma-2-2b
// with every key its config.json has.
const (
	mistralConfig = `{
  "architectures": ["MistralForCausalLM"],
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 32768,
  "model_type": "mistral",
  "num_attention_heads": 32,
  "num_hidden_layers": 4,
  "num_key_value_heads": 8,
  "rope_theta": 10000.0,
  "sliding_window": 4096,
  "vocab_size": 32000
}`
	qwen2Config = `{
  "architectures": ["Qwen2ForCausalLM"],
  "hidden_size": 3584,
  "intermediate_size": 18944,
  "max_position_embeddings": 32768,
  "max_window_layers": 2,
  "model_type": "qwen2",
  "num_attention_heads": 28,
  "num_hidden_layers": 4,
  "num_key_value_heads": 4,
  "sliding_window": 131072,
  "use_sliding_window": false,
  "vocab_size": 152064
}`
	gemma2FullConfig = `{
  "architectures": ["Gemma2ForCausalLM"],
  "attn_logit_softcapping": 50.0,
  "final_logit_softcapping": 30.0,
  "head_dim": 256,
  "hidden_act": "gelu_pytorch_tanh",
  "hidden_activation": "gelu_pytorch_tanh",
  "hidden_size": 2304,
  "intermediate_size": 9216,
  "max_position_embeddings": 8192,
  "model_type": "gemma2",
  "num_attention_heads": 8,
  "num_hidden_layers": 4,
  "num_key_value_heads": 4,
  "query_pre_attn_scalar": 256,
  "sliding_window": 4096,
  "vocab_size": 256000
}`
)

func TestLoadHFConfigVariants(t *testing.T) {
	silu := variantsOf{HeadDim: 128, HiddenAct: "silu"}
	with := func(base variantsOf, edit func(*variantsOf)) variantsOf { edit(&base); return base }
	gemma := variantsOf{HeadDim: 256, SlidingWindow: 4096, SlidingLayers: evenLayers(4), AttnSoftCap: 50, FinalSoftCap: 30,
		QueryScale: 1.0 / 16, HiddenAct: "gelu_pytorch_tanh"}
	qwen2 := variantsOf{HeadDim: 128, HiddenAct: "silu", AttentionBias: true}
	tests := []struct {
		name    string
		json    string
		want    variantsOf
		wantErr string
	}{
		{name: "llama plain", json: llama31Config, want: silu},
		{name: "llama biases", json: withField(withField(llama31Config, "attention_bias", "true"), "mlp_bias", "true"),
			want: with(silu, func(v *variantsOf) { v.AttentionBias, v.MLPBias = true, true })},
		// LlamaConfig has no window: transformers ignores the key, and so do we.
		{name: "llama ignores sliding_window", json: withField(llama31Config, "sliding_window", "16"), want: silu},
		{name: "llama other activation", json: withField(llama31Config, "hidden_act", `"relu"`),
			want: with(silu, func(v *variantsOf) { v.HiddenAct = "relu" })},

		{name: "mistral window on every layer", json: mistralConfig, want: with(silu, func(v *variantsOf) { v.SlidingWindow = 4096 })},
		{name: "mistral null window", json: withField(mistralConfig, "sliding_window", "null"), want: silu},
		{name: "mistral default window", json: withField(mistralConfig, "sliding_window", ""), want: with(silu, func(v *variantsOf) { v.SlidingWindow = 4096 })},
		{name: "mistral ignores layer_types and attention_bias", json: withField(withField(mistralConfig, "layer_types",
			`["full_attention", "full_attention", "full_attention", "full_attention"]`), "attention_bias", "true"),
			want: with(silu, func(v *variantsOf) { v.SlidingWindow = 4096 })},
		{name: "mistral zero window", json: withField(mistralConfig, "sliding_window", "0"), wantErr: `field "sliding_window": 0 is not a positive window`},

		{name: "qwen2 window off", json: qwen2Config, want: qwen2},
		{name: "qwen2 window from max_window_layers", json: withField(qwen2Config, "use_sliding_window", "true"),
			want: with(qwen2, func(v *variantsOf) { v.SlidingWindow, v.SlidingLayers = 131072, []bool{false, false, true, true} })},
		{name: "qwen2 every layer slides, listed", json: withField(withField(qwen2Config, "use_sliding_window", "true"), "max_window_layers", "0"),
			want: with(qwen2, func(v *variantsOf) { v.SlidingWindow, v.SlidingLayers = 131072, []bool{true, true, true, true} })},
		{name: "qwen2 max_window_layers past the last layer", json: withField(withField(qwen2Config, "use_sliding_window", "true"), "max_window_layers", "28"),
			want: qwen2},
		{name: "qwen2 default max_window_layers and window", json: withField(withField(withField(qwen2Config, "use_sliding_window", "true"), "max_window_layers", ""), "sliding_window", ""),
			want: qwen2}, // 28 > 4 layers
		{name: "qwen2 null window", json: withField(withField(qwen2Config, "use_sliding_window", "true"), "sliding_window", "null"), want: qwen2},
		{name: "qwen2 layer_types win", json: withField(withField(qwen2Config, "use_sliding_window", "true"), "layer_types",
			`["sliding_attention", "full_attention", "sliding_attention", "full_attention"]`),
			want: with(qwen2, func(v *variantsOf) { v.SlidingWindow, v.SlidingLayers = 131072, evenLayers(4) })},
		{name: "qwen2 sliding layer_types without window", json: withField(qwen2Config, "layer_types",
			`["sliding_attention", "full_attention", "full_attention", "full_attention"]`),
			want: with(qwen2, func(v *variantsOf) { v.SlidingLayers = []bool{true, false, false, false} })}, // CheckSupported refuses
		{name: "qwen2 ignores attention_bias", json: withField(qwen2Config, "attention_bias", "false"), want: qwen2},

		{name: "qwen3 default head_dim", json: withField(withField(qwen3Config, "head_dim", ""), "hidden_size", "1024"), want: silu},
		{name: "qwen3 attention_bias", json: withField(qwen3Config, "attention_bias", "true"),
			want: with(silu, func(v *variantsOf) { v.AttentionBias = true })},
		{name: "qwen3 ignores mlp_bias", json: withField(qwen3Config, "mlp_bias", "true"), want: silu},

		{name: "gemma2 config", json: gemma2FullConfig, want: gemma},
		{name: "gemma2 defaults", json: gemma2Config, want: with(gemma, func(v *variantsOf) { v.SlidingLayers = evenLayers(26) })},
		{name: "gemma2 27B query_pre_attn_scalar", json: withField(gemma2FullConfig, "query_pre_attn_scalar", "144"),
			want: with(gemma, func(v *variantsOf) { v.QueryScale = 1.0 / 12 })},
		{name: "gemma2 null caps", json: withField(withField(gemma2FullConfig, "attn_logit_softcapping", "null"), "final_logit_softcapping", "null"),
			want: with(gemma, func(v *variantsOf) { v.AttnSoftCap, v.FinalSoftCap = 0, 0 })},
		{name: "gemma2 layer_types", json: withField(gemma2FullConfig, "layer_types", `["full_attention", "sliding_attention", "sliding_attention", "full_attention"]`),
			want: with(gemma, func(v *variantsOf) { v.SlidingLayers = []bool{false, true, true, false} })},
		{name: "gemma2 all full", json: withField(gemma2FullConfig, "layer_types", `["full_attention", "full_attention", "full_attention", "full_attention"]`),
			want: with(gemma, func(v *variantsOf) { v.SlidingWindow, v.SlidingLayers = 0, nil })},
		{name: "gemma2 reads hidden_activation, not hidden_act", json: withField(gemma2FullConfig, "hidden_activation", ""), want: gemma},
		{name: "gemma2 other activation", json: withField(gemma2FullConfig, "hidden_activation", `"gelu"`),
			want: with(gemma, func(v *variantsOf) { v.HiddenAct = "gelu" })},
		{name: "gemma2 attention_bias", json: withField(gemma2FullConfig, "attention_bias", "true"),
			want: with(gemma, func(v *variantsOf) { v.AttentionBias = true })},
		{name: "gemma2 null window", json: withField(gemma2FullConfig, "sliding_window", "null"),
			want: with(gemma, func(v *variantsOf) { v.SlidingWindow = 0 })}, // CheckSupported refuses

		{name: "unknown layer type", json: withField(gemma2FullConfig, "layer_types", `["full_attention", "chunked_attention", "full_attention", "full_attention"]`),
			wantErr: `field "layer_types": layer 1 is "chunked_attention"; Hone runs full_attention and sliding_attention`},
		{name: "layer_types too short", json: withField(gemma2FullConfig, "layer_types", `["full_attention"]`),
			wantErr: `field "layer_types": 1 entries for 4 layers`},
		{name: "layer_types not a list", json: withField(gemma2FullConfig, "layer_types", `"full_attention"`),
			wantErr: `field "layer_types": want a list of strings, got a string`},
		{name: "zero query_pre_attn_scalar", json: withField(gemma2FullConfig, "query_pre_attn_scalar", "0"),
			wantErr: `field "query_pre_attn_scalar": 0 is not positive`},
		{name: "string soft-cap", json: withField(gemma2FullConfig, "attn_logit_softcapping", `"50"`),
			wantErr: `field "attn_logit_softcapping": want a number, got a string`},
		{name: "string window", json: withField(mistralConfig, "sliding_window", `"4096"`),
			wantErr: `field "sliding_window": want an integer, got a string`},
		{name: "bool activation", json: withField(llama31Config, "hidden_act", "true"),
			wantErr: `field "hidden_act": want a string, got a boolean`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "m", "config.json"), []byte(tc.json))
			got, err := LoadHFConfig(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and containing %q", err, path, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v := variants(got); !reflect.DeepEqual(v, tc.want) {
				t.Errorf("got  %+v\nwant %+v", v, tc.want)
			}
		})
	}
}

// TestLoadHFConfigGolden reads the engine's golden models, which
// transformers 4.57 wrote (backend/engine/testdata/reference).
func TestLoadHFConfigGolden(t *testing.T) {
	dir := filepath.Join("..", "engine", "testdata", "golden")
	for name, want := range map[string]variantsOf{
		"llama_untied": {HeadDim: 8, HiddenAct: "silu"},
		"qwen2":        {HeadDim: 8, HiddenAct: "silu", AttentionBias: true},
		"qwen3":        {HeadDim: 16, HiddenAct: "silu"},
		"mistral":      {HeadDim: 8, HiddenAct: "silu", SlidingWindow: 4},
		"gemma2": {HeadDim: 16, HiddenAct: "gelu_pytorch_tanh", SlidingWindow: 4, SlidingLayers: []bool{true, false, true, false},
			AttnSoftCap: 2, FinalSoftCap: 3, QueryScale: 1 / math.Sqrt(24)},
	} {
		m, err := OpenModel(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := variants(m.Config); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got  %+v\nwant %+v", name, got, want)
		}
		m.Close()
	}
}
