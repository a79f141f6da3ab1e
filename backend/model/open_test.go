package model

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyHFConfig is a config.json for tinyHFTensors.
const tinyHFConfig = `{
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "hidden_size": 8,
  "intermediate_size": 16,
  "num_attention_heads": 2,
  "num_key_value_heads": 1,
  "num_hidden_layers": 2,
  "vocab_size": 10,
  "max_position_embeddings": 64,
  "rms_norm_eps": 1e-05,
  "rope_theta": 10000.0,
  "tie_word_embeddings": true,
  "torch_dtype": "bfloat16"
}`

// tinyHFTensors is a two-layer llama in bf16 with f32 and f16 norms, in two
// shards, and its index.
func tinyHFTensors() (shard1, shard2 []stData, index string) {
	layer := func(l string) []stData {
		p := "model.layers." + l + "."
		return []stData{
			stF32(p+"input_layernorm.weight", "F32", []int{8}, seq(8, 0.5)),
			stF32(p+"post_attention_layernorm.weight", "F16", []int{8}, seq(8, 0.5)),
			stF32(p+"self_attn.q_proj.weight", "BF16", []int{8, 8}, seq(64, 0.125)),
			stF32(p+"self_attn.k_proj.weight", "BF16", []int{4, 8}, seq(32, 0.125)),
			stF32(p+"self_attn.v_proj.weight", "BF16", []int{4, 8}, seq(32, 0.125)),
			stF32(p+"self_attn.o_proj.weight", "BF16", []int{8, 8}, seq(64, 0.125)),
			stF32(p+"mlp.gate_proj.weight", "BF16", []int{16, 8}, seq(128, 0.125)),
			stF32(p+"mlp.up_proj.weight", "BF16", []int{16, 8}, seq(128, 0.125)),
			stF32(p+"mlp.down_proj.weight", "BF16", []int{8, 16}, seq(128, 0.125)),
		}
	}
	shard1 = append([]stData{stF32("model.embed_tokens.weight", "BF16", []int{10, 8}, seq(80, 0.25))}, layer("0")...)
	shard2 = append(layer("1"), stF32("model.norm.weight", "BF16", []int{8}, seq(8, 1)))
	var entries []string
	for i, shard := range [][]stData{shard1, shard2} {
		for _, t := range shard {
			entries = append(entries, `"`+t.name+`": "model-0000`+string(rune('1'+i))+`-of-00002.safetensors"`)
		}
	}
	return shard1, shard2, `{"weight_map": {` + strings.Join(entries, ", ") + `}}`
}

func writeTinyHF(t *testing.T, dir string) {
	shard1, shard2, index := tinyHFTensors()
	writeFile(t, filepath.Join(dir, "config.json"), []byte(tinyHFConfig))
	writeFile(t, filepath.Join(dir, "model-00001-of-00002.safetensors"), writeSafetensors(shard1, nil))
	writeFile(t, filepath.Join(dir, "model-00002-of-00002.safetensors"), writeSafetensors(shard2, nil))
	writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), []byte(index))
	writeFile(t, filepath.Join(dir, "tokenizer.json"), []byte("{}"))
	writeFile(t, filepath.Join(dir, "tokenizer_config.json"), []byte("{}"))
}

func TestOpenModelHF(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tiny-llama")
	writeTinyHF(t, dir)
	for _, p := range []string{dir, filepath.Join(dir, "config.json"), filepath.Join(dir, "model-00002-of-00002.safetensors")} {
		m, err := OpenModel(p)
		if err != nil {
			t.Fatal(err)
		}
		c := m.Config
		if m.Format != FormatHF || m.Path != dir || c.Name != "tiny-llama" || c.Layers != 2 || c.KVHeads != 1 || !c.TiedEmbeddings || c.NormEps != 1e-5 {
			t.Errorf("%s: %+v", p, m)
		}
		if m.Tokenizer != filepath.Join(dir, "tokenizer.json") || m.TokenizerConfig != filepath.Join(dir, "tokenizer_config.json") || m.GenerationConfig != "" || m.GGUF != nil {
			t.Errorf("%s: tokenizer files %q %q %q", p, m.Tokenizer, m.TokenizerConfig, m.GenerationConfig)
		}
		if n := len(m.Weights.Tensors()); n != 20 {
			t.Errorf("%d tensors", n)
		}
		// HF weights are used as stored: no RoPE reordering.
		got, err := m.Weights.ReadF32("model.layers.1.self_attn.q_proj.weight")
		if err != nil || !slices.Equal(got, seq(64, 0.125)) {
			t.Errorf("q_proj: %v %v", got, err)
		}
		m.Close()
	}
}

func TestOpenModelHFErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(dir string)
		wantErr string
	}{
		{"unsupported architecture", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "model_type", `"phi3"`)))
		}, `field "model_type": architecture "phi3" is not supported (Hone runs llama, mistral, qwen2, qwen3, gemma2; SmolLM is llama)`},
		{"unsupported activation", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "hidden_act", `"relu"`)))
		}, `field "hidden_act": activation "relu" is not supported (Hone runs silu, gelu_pytorch_tanh)`},
		{"gemma2 without its extra norms", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "model_type", `"gemma2"`)))
		}, "tensor model.layers.0.pre_feedforward_layernorm.weight is missing"},
		{"attention_bias without biases", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "attention_bias", "true")))
		}, "tensor model.layers.0.self_attn.o_proj.bias is missing"},
		{"bias the config does not use", func(dir string) {
			shard1, _, _ := tinyHFTensors()
			shard1 = append(shard1, stF32("model.layers.0.mlp.up_proj.bias", "F32", []int{16}, seq(16, 1)))
			writeFile(t, filepath.Join(dir, "model-00001-of-00002.safetensors"), writeSafetensors(shard1, nil))
			_, _, index := tinyHFTensors()
			index = strings.Replace(index, `"weight_map": {`, `"weight_map": {"model.layers.0.mlp.up_proj.bias": "model-00001-of-00002.safetensors", `, 1)
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), []byte(index))
		}, "tensor model.layers.0.mlp.up_proj.bias is not used by the config (attention bias false, MLP bias false)"},
		{"untied without lm_head", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "tie_word_embeddings", "false")))
		}, "tensor lm_head.weight is missing"},
		{"wrong shape", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "intermediate_size", "32")))
		}, "tensor model.layers.0.mlp.gate_proj.weight has shape [16 8], want [32 8] for the config"},
		{"missing shard", func(dir string) {
			os.Remove(filepath.Join(dir, "model-00002-of-00002.safetensors"))
		}, "model-00002-of-00002.safetensors: no such file"},
		{"no weights", func(dir string) {
			os.Remove(filepath.Join(dir, "model.safetensors.index.json"))
		}, "has no model.safetensors or model.safetensors.index.json"},
		{"bad rope", func(dir string) {
			writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(tinyHFConfig, "rope_theta", "0")))
		}, "RoPE base 0 or RMSNorm epsilon 1e-05 is out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTinyHF(t, dir)
			tc.edit(dir)
			_, err := OpenModel(dir)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %v, want one naming %s and containing %q", err, dir, tc.wantErr)
			}
		})
	}
}

func TestOpenModelGGUF(t *testing.T) {
	data, want := writeGGUFData(tinyLlamaKVs("llama"), tinyLlamaTensors())
	path := writeFile(t, filepath.Join(t.TempDir(), "tiny.gguf"), data)
	m, err := OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	c := m.Config
	if m.Format != FormatGGUF || m.Tokenizer != path || c.Architecture != "llama" || c.HeadDim != 64 || c.KVHeads != 2 || c.TiedEmbeddings || c.RopeTheta != 10000 {
		t.Errorf("%+v", m)
	}
	if tmpl, _ := m.GGUF.Metadata["tokenizer.chat_template"].(string); tmpl != "{{ messages }}" {
		t.Errorf("chat template %q", tmpl)
	}
	checks := []struct {
		hf, gguf string
		heads    int // RoPE reordering expected
	}{
		{"model.embed_tokens.weight", "token_embd.weight", 0},
		{"model.layers.0.self_attn.q_proj.weight", "blk.0.attn_q.weight", 4},
		{"model.layers.0.self_attn.k_proj.weight", "blk.0.attn_k.weight", 2},
		{"model.layers.0.self_attn.v_proj.weight", "blk.0.attn_v.weight", 0},
		{"model.layers.0.mlp.down_proj.weight", "blk.0.ffn_down.weight", 0},
		{"lm_head.weight", "output.weight", 0},
	}
	for _, ck := range checks {
		got, err := m.Weights.ReadF32(ck.hf)
		if err != nil {
			t.Fatal(err)
		}
		w := want[ck.gguf]
		if ck.heads > 0 {
			w, _ = ropeHalves(w, ck.heads, len(w)/256)
		}
		if !slices.Equal(got, w) {
			t.Errorf("%s: values differ from %s", ck.hf, ck.gguf)
		}
	}
	if _, err := m.Weights.ReadF32("token_embd.weight"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("GGUF name still there: %v", err)
	}
}

func TestOpenModelGGUFArchitectures(t *testing.T) {
	qwen3 := append(tinyLlamaTensors(),
		gt{"blk.0.attn_q_norm.weight", []uint64{64}, 0},
		gt{"blk.0.attn_k_norm.weight", []uint64{64}, 0})
	data, want := writeGGUFData(tinyLlamaKVs("qwen3"), qwen3)
	path := writeFile(t, filepath.Join(t.TempDir(), "qwen3.gguf"), data)
	m, err := OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// Qwen models are stored in rotate-half order already.
	if got, err := m.Weights.ReadF32("model.layers.0.self_attn.q_proj.weight"); err != nil || !slices.Equal(got, want["blk.0.attn_q.weight"]) {
		t.Errorf("qwen3 q_proj reordered or unreadable: %v", err)
	}

	for _, tc := range []struct {
		arch    string
		tensors []gt
		wantErr string
	}{
		{"gemma2", tinyLlamaTensors(), "tensor model.layers.0.post_attention_layernorm.weight is missing"},
		{"phi3", tinyLlamaTensors(), `field "general.architecture": architecture "phi3" is not supported`},
		{"qwen2", tinyLlamaTensors(), "tensor model.layers.0.self_attn.q_proj.bias is missing"},
		{"qwen3", tinyLlamaTensors(), "tensor model.layers.0.self_attn.q_norm.weight is missing"},
		{"llama", tinyLlamaTensors()[1:], "tensor model.embed_tokens.weight is missing"},
	} {
		data, _ := writeGGUFData(tinyLlamaKVs(tc.arch), tc.tensors)
		path := writeFile(t, filepath.Join(t.TempDir(), tc.arch+".gguf"), data)
		if _, err := OpenModel(path); err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want %q", tc.arch, err, tc.wantErr)
		}
	}
}
