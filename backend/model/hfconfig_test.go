package model

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Trimmed copies of the real config.json files, keeping fields we ignore
// (rope_scaling, torch_dtype, ...) to show they do no harm.
const (
	llama31Config = `{
  "architectures": ["LlamaForCausalLM"],
  "attention_bias": false,
  "bos_token_id": 128000,
  "eos_token_id": [128001, 128008, 128009],
  "hidden_act": "silu",
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "max_position_embeddings": 131072,
  "model_type": "llama",
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "rms_norm_eps": 1e-05,
  "rope_scaling": {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "rope_theta": 500000.0,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16",
  "vocab_size": 128256
}`
	qwen25Config = `{
  "architectures": ["Qwen2ForCausalLM"],
  "hidden_size": 896,
  "intermediate_size": 4864,
  "max_position_embeddings": 32768,
  "max_window_layers": 21,
  "model_type": "qwen2",
  "num_attention_heads": 14,
  "num_hidden_layers": 24,
  "num_key_value_heads": 2,
  "rope_theta": 1000000.0,
  "sliding_window": null,
  "tie_word_embeddings": true,
  "vocab_size": 151936
}`
	qwen3Config = `{
  "architectures": ["Qwen3ForCausalLM"],
  "head_dim": 128,
  "hidden_size": 4096,
  "intermediate_size": 12288,
  "max_position_embeddings": 40960,
  "model_type": "qwen3",
  "num_attention_heads": 32,
  "num_hidden_layers": 36,
  "num_key_value_heads": 8,
  "tie_word_embeddings": false,
  "vocab_size": 151936
}`
	gemma2Config = `{
  "architectures": ["Gemma2ForCausalLM"],
  "head_dim": 256,
  "hidden_size": 2304,
  "intermediate_size": 9216,
  "max_position_embeddings": 8192,
  "model_type": "gemma2",
  "num_attention_heads": 8,
  "num_hidden_layers": 26,
  "num_key_value_heads": 4,
  "vocab_size": 256000
}`
)

// withField edits one top-level "key": value line of a config above.
func withField(config, key, value string) string {
	lines := strings.Split(config, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), `"`+key+`":`) {
			if value == "" {
				lines = append(lines[:i], lines[i+1:]...)
			} else {
				comma := map[bool]string{true: ",", false: ""}[strings.HasSuffix(l, ",")]
				lines[i] = `  "` + key + `": ` + value + comma
			}
			return strings.Join(lines, "\n")
		}
	}
	return strings.Replace(config, "{", `{"`+key+`": `+value+`,`, 1)
}

func TestLoadHFConfig(t *testing.T) {
	llama3Scaling := RopeScaling{Type: "llama3", Factor: 8, OriginalMaxPositions: 8192, LowFreqFactor: 1, HighFreqFactor: 4}
	tests := []struct {
		name    string // also the model folder's name
		json    string
		want    Config
		wantErr string
	}{
		{name: "Llama-3.1-8B", json: llama31Config, want: Config{
			Architecture: "llama", HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 14336, VocabSize: 128256, MaxPositions: 131072,
			RopeTheta: 500000, NormEps: 1e-5, HiddenAct: "silu", RopeScaling: llama3Scaling,
		}},
		{name: "Qwen2.5-0.5B", json: qwen25Config, want: Config{
			Architecture: "qwen2", HiddenSize: 896, Layers: 24, Heads: 14, KVHeads: 2, HeadDim: 64,
			IntermediateSize: 4864, VocabSize: 151936, MaxPositions: 32768, TiedEmbeddings: true,
			RopeTheta: 1e6, NormEps: 1e-6, HiddenAct: "silu", AttentionBias: true,
		}},
		{name: "Qwen3-8B", json: qwen3Config, want: Config{
			Architecture: "qwen3", HiddenSize: 4096, Layers: 36, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 12288, VocabSize: 151936, MaxPositions: 40960,
			RopeTheta: 10000, NormEps: 1e-6, HiddenAct: "silu",
		}},
		{name: "gemma-2-2b", json: gemma2Config, want: Config{
			Architecture: "gemma2", HiddenSize: 2304, Layers: 26, Heads: 8, KVHeads: 4, HeadDim: 256,
			IntermediateSize: 9216, VocabSize: 256000, MaxPositions: 8192, TiedEmbeddings: true,
			RopeTheta: 10000, NormEps: 1e-6, HiddenAct: "gelu_pytorch_tanh", // Gemma2Config's defaults:
			SlidingWindow: 4096, SlidingLayers: evenLayers(26), AttnSoftCap: 50, FinalSoftCap: 30, QueryScale: 1.0 / 16,
		}},
		{name: "no kv heads, null head_dim", json: withField(withField(llama31Config, "num_key_value_heads", ""), "head_dim", "null"), want: Config{
			Architecture: "llama", HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 32, HeadDim: 128,
			IntermediateSize: 14336, VocabSize: 128256, MaxPositions: 131072,
			RopeTheta: 500000, NormEps: 1e-5, HiddenAct: "silu", RopeScaling: llama3Scaling,
		}},
		{name: "no model_type", json: withField(qwen3Config, "model_type", ""), want: Config{
			Architecture: "qwen3", HiddenSize: 4096, Layers: 36, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 12288, VocabSize: 151936, MaxPositions: 40960,
			RopeTheta: 10000, NormEps: 1e-6, HiddenAct: "silu",
		}},
		{name: "unknown model_type", json: withField(llama31Config, "model_type", `"MyNewArch"`), want: Config{
			Architecture: "mynewarch", HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 14336, VocabSize: 128256, MaxPositions: 131072,
			RopeTheta: 500000, NormEps: 1e-5, HiddenAct: "silu", RopeScaling: llama3Scaling,
		}},
		{name: "transformers 5 rope_parameters", json: withField(withField(qwen3Config, "rope_parameters", `{"rope_theta": 1000000.0, "rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}`), "rms_norm_eps", "1e-05"), want: Config{
			Architecture: "qwen3", HiddenSize: 4096, Layers: 36, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 12288, VocabSize: 151936, MaxPositions: 40960,
			RopeTheta: 1e6, NormEps: 1e-5, HiddenAct: "silu", RopeScaling: RopeScaling{Type: "yarn", Factor: 4, OriginalMaxPositions: 32768},
		}},
		{name: "default rope_parameters", json: withField(llama31Config, "rope_scaling", `{"rope_type": "default", "rope_theta": 10000}`), want: Config{
			Architecture: "llama", HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 8, HeadDim: 128,
			IntermediateSize: 14336, VocabSize: 128256, MaxPositions: 131072, RopeTheta: 500000, NormEps: 1e-5, HiddenAct: "silu",
		}},

		{name: "missing field", json: withField(llama31Config, "hidden_size", ""), wantErr: `missing field "hidden_size"`},
		{name: "string field", json: withField(llama31Config, "num_hidden_layers", `"32"`), wantErr: `field "num_hidden_layers": want an integer, got a string`},
		{name: "fractional field", json: withField(llama31Config, "vocab_size", `128256.5`), wantErr: `field "vocab_size": want an integer, got 128256.5`},
		{name: "bool field", json: withField(llama31Config, "tie_word_embeddings", `"no"`), wantErr: `field "tie_word_embeddings": want true or false, got a string`},
		{name: "model_type not a string", json: withField(llama31Config, "model_type", `["llama"]`), wantErr: `field "model_type": want a string, got an array`},
		{name: "invalid JSON", json: "{\n  \"hidden_size\": 4096,\n  \"num_hidden_layers\": 32,,\n}", wantErr: "invalid JSON at 3:27: invalid character ','"},
		{name: "truncated JSON", json: "{\n  \"hidden_size\": 4096", wantErr: "invalid JSON at 2:21: unexpected end of JSON input"},
		{name: "not an object", json: `[1, 2]`, wantErr: "want a JSON object, got array"},
		{name: "null", json: `null`, wantErr: "want a JSON object, got null"},
		{name: "multimodal", json: `{"model_type": "gemma3", "text_config": {"hidden_size": 2560}}`, wantErr: `multimodal config (sizes in "text_config") is not supported`},
		{name: "kv heads do not divide heads", json: withField(qwen25Config, "num_key_value_heads", "4"), wantErr: "heads (14) is not a multiple of kvHeads (4)"},
		{name: "zero layers", json: withField(llama31Config, "num_hidden_layers", "0"), wantErr: "layers is 0, want 1..512"},
		{name: "absurd hidden size", json: withField(qwen3Config, "hidden_size", "1048576"), wantErr: "hiddenSize is 1048576, want 1..65536"},
		{name: "negative vocab", json: withField(llama31Config, "vocab_size", "-1"), wantErr: "vocabSize is -1"},
		{name: "hidden not divisible by heads", json: withField(qwen25Config, "hidden_size", "900"), wantErr: "hidden size 900 is not a multiple of 14 heads"},
		{name: "string rope_theta", json: withField(llama31Config, "rope_theta", `"1e4"`), wantErr: `field "rope_theta": want a number, got a string`},
		{name: "rope_scaling not an object", json: withField(llama31Config, "rope_scaling", `[8]`), wantErr: `field "rope_scaling": want an object of RoPE settings`},
		{name: "integer overflow", json: withField(llama31Config, "vocab_size", "99999999999999999999"), wantErr: `field "vocab_size": want an integer, got 99999999999999999999`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), tc.name)
			path := writeFile(t, filepath.Join(dir, "config.json"), []byte(tc.json))
			got, err := LoadHFConfig(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and containing %q", err, path, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Name, tc.want.Source = tc.name, path
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLoadHFConfigFileAndErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Qwen2.5-0.5B")
	path := writeFile(t, filepath.Join(dir, "config.json"), []byte(qwen25Config))
	c, err := LoadHFConfig(path)
	if err != nil || c.Name != "Qwen2.5-0.5B" || c.Source != path {
		t.Errorf("LoadHFConfig(file) = %+v, %v", c, err)
	}

	empty := t.TempDir()
	if _, err := LoadHFConfig(empty); err == nil || !strings.Contains(err.Error(), "model folder "+empty+" has no config.json") {
		t.Errorf("empty folder: %v", err)
	}
	missing := filepath.Join(empty, "nope")
	if _, err := LoadHFConfig(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing path: %v", err)
	}
	big := writeFile(t, filepath.Join(t.TempDir(), "config.json"), make([]byte, maxHFConfigSize+1))
	if _, err := LoadHFConfig(big); err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("huge file: %v", err)
	}
}

func FuzzLoadHFConfigJSON(f *testing.F) {
	for _, s := range []string{llama31Config, qwen25Config, qwen3Config, gemma2Config, `{"hidden_size": "x"}`, `[`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseHFConfig(data, "/models/m/config.json")
		if err != nil {
			if !strings.Contains(err.Error(), "/models/m/config.json") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("parseHFConfig returned an invalid config: %v", err)
		}
	})
}

// evenLayers is Gemma 2's default sliding pattern: layers 0, 2, 4, ... slide.
func evenLayers(n int) []bool {
	out := make([]bool, n)
	for i := range out {
		out[i] = i%2 == 0
	}
	return out
}
