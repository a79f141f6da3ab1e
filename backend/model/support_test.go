package model

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestCheckSupported loads configs as files (config.json or GGUF), so that
// each refusal is checked to name the file and the field it read.
func TestCheckSupported(t *testing.T) {
	qwen2Sliding := withField(qwen2Config, "layer_types", `["sliding_attention", "full_attention", "full_attention", "full_attention"]`)
	tests := []struct {
		name    string
		json    string // a config.json, or
		kvs     []kv   // GGUF metadata
		edit    func(*Config)
		wantErr string // "": supported
	}{
		{name: "llama", json: llama31Config},
		{name: "qwen2 with its window", json: withField(qwen2Config, "use_sliding_window", "true")},
		{name: "mistral", json: mistralConfig},
		{name: "gemma2", json: gemma2FullConfig},
		{name: "gemma2 gguf", kvs: archKVs("gemma2", 26)},
		{name: "mistral gguf window", kvs: archKVs("llama", 2, kv{"llama.attention.sliding_window", uint32(4096)})},

		{name: "architecture", json: withField(llama31Config, "model_type", `"phi3"`),
			wantErr: `field "model_type": architecture "phi3" is not supported (Hone runs llama, mistral, qwen2, qwen3, gemma2; SmolLM is llama)`},
		{name: "gguf architecture", kvs: archKVs("phi3", 2), wantErr: `field "general.architecture": architecture "phi3" is not supported`},
		{name: "activation", json: withField(llama31Config, "hidden_act", `"relu"`),
			wantErr: `field "hidden_act": activation "relu" is not supported (Hone runs silu, gelu_pytorch_tanh)`},
		{name: "gemma2 activation", json: withField(gemma2FullConfig, "hidden_activation", `"gelu"`),
			wantErr: `field "hidden_activation": activation "gelu" is not supported`},
		{name: "qwen2 sliding layers without window", json: qwen2Sliding,
			wantErr: `field "sliding_window": layers are marked sliding_attention but there is no window`},
		{name: "gemma2 null window", json: withField(gemma2FullConfig, "sliding_window", "null"),
			wantErr: `field "sliding_window": layers are marked sliding_attention but there is no window`},
		{name: "qwen3 gguf window", kvs: archKVs("qwen3", 2, kv{"qwen3.attention.sliding_window", uint32(4096)}),
			wantErr: `field "qwen3.attention.sliding_window": a Qwen sliding window without its sliding layers (max_window_layers) cannot be run`},
		{name: "negative soft-cap", json: withField(gemma2FullConfig, "attn_logit_softcapping", "-1"),
			wantErr: `field "attn_logit_softcapping": -1 is out of range`},
		{name: "gguf negative soft-cap", kvs: archKVs("gemma2", 2, kv{"gemma2.final_logit_softcapping", float32(-3)}),
			wantErr: `field "gemma2.final_logit_softcapping": -3 is out of range`},
		{name: "rope", json: withField(llama31Config, "rope_scaling", `{"rope_type": "dynamic", "factor": 2.0}`),
			wantErr: `field "rope_scaling": RoPE scaling "dynamic": not supported`},
		{name: "negative window", json: mistralConfig, edit: func(c *Config) { c.SlidingWindow = -1 },
			wantErr: `field "sliding_window": -1 is negative`},
		{name: "layer count", json: gemma2FullConfig, edit: func(c *Config) { c.SlidingLayers = c.SlidingLayers[:3] },
			wantErr: `field "layer_types": 3 layer types for 4 layers`},
		{name: "NaN query scale", json: gemma2FullConfig, edit: func(c *Config) { c.QueryScale = math.NaN() },
			wantErr: `field "query_pre_attn_scalar": NaN is out of range`},
		{name: "infinite cap", json: gemma2FullConfig, edit: func(c *Config) { c.FinalSoftCap = math.Inf(1) },
			wantErr: `field "final_logit_softcapping": +Inf is out of range`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c Config
			var err error
			if tc.kvs != nil {
				tensors := []GGUFTensor{{Name: "token_embd.weight", Dims: []uint64{2304, 256000}}}
				c, err = LoadGGUFConfig(writeFile(t, filepath.Join(t.TempDir(), "model.gguf"), writeGGUF(tc.kvs, tensors)))
			} else {
				c, err = LoadHFConfig(writeFile(t, filepath.Join(t.TempDir(), "m", "config.json"), []byte(tc.json)))
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				tc.edit(&c)
			}
			err = c.CheckSupported()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "config "+c.Source+": ") {
				t.Fatalf("error %v, want one naming %s and containing %q", err, c.Source, tc.wantErr)
			}
		})
	}
}
