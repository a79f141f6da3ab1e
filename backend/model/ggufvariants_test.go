package model

import (
	"math"
	"path/filepath"
	"reflect"
	"testing"
)

// archKVs is the metadata of a GGUF of the given architecture with
// gemma-2-2b's sizes, as llama.cpp's converter writes it, and extra keys
// (nil values remove a key).
func archKVs(arch string, layers uint32, extra ...kv) []kv {
	kvs := []kv{
		{"general.architecture", arch},
		{arch + ".embedding_length", uint32(2304)},
		{arch + ".block_count", layers},
		{arch + ".attention.head_count", uint32(8)},
		{arch + ".attention.head_count_kv", uint32(4)},
		{arch + ".attention.key_length", uint32(256)},
		{arch + ".attention.value_length", uint32(256)},
		{arch + ".feed_forward_length", uint32(9216)},
		{arch + ".context_length", uint32(8192)},
		{arch + ".attention.layer_norm_rms_epsilon", float32(1e-6)},
		{arch + ".vocab_size", uint32(256000)},
	}
	for _, e := range extra {
		kvs = setKV(kvs, e.key, e.val)
	}
	return kvs
}

func TestLoadGGUFConfigVariants(t *testing.T) {
	embd := []GGUFTensor{{Name: "token_embd.weight", Dims: []uint64{2304, 256000}, Type: 0}}
	withTensors := func(names ...string) []GGUFTensor {
		ts := append([]GGUFTensor(nil), embd...)
		for _, n := range names {
			ts = append(ts, GGUFTensor{Name: n, Dims: []uint64{2304}, Type: 0})
		}
		return ts
	}
	gemma := variantsOf{HeadDim: 256, SlidingWindow: 4096, SlidingLayers: evenLayers(26), AttnSoftCap: 50, FinalSoftCap: 30,
		QueryScale: 1.0 / 16, HiddenAct: "gelu_pytorch_tanh"}
	with := func(base variantsOf, edit func(*variantsOf)) variantsOf { edit(&base); return base }
	silu := variantsOf{HeadDim: 256, HiddenAct: "silu"}
	tests := []struct {
		name    string
		kvs     []kv
		tensors []GGUFTensor
		want    variantsOf
	}{
		{name: "gemma2 as converted", kvs: archKVs("gemma2", 26,
			kv{"gemma2.attn_logit_softcapping", float32(50)}, kv{"gemma2.final_logit_softcapping", float32(30)},
			kv{"gemma2.attention.sliding_window", uint32(4096)}), tensors: embd, want: gemma},
		{name: "gemma2 llama.cpp defaults", kvs: archKVs("gemma2", 26), tensors: embd, want: gemma},
		{name: "gemma2 small caps and window", kvs: archKVs("gemma2", 4,
			kv{"gemma2.attn_logit_softcapping", float32(2)}, kv{"gemma2.final_logit_softcapping", float32(3)},
			kv{"gemma2.attention.sliding_window", uint32(4)}), tensors: embd,
			want: with(gemma, func(v *variantsOf) {
				v.SlidingWindow, v.SlidingLayers, v.AttnSoftCap, v.FinalSoftCap = 4, []bool{true, false, true, false}, 2, 3
			})},
		// 27B: 46 layers, 4608/32 = 144 = its query_pre_attn_scalar.
		{name: "gemma2 27B query scale", kvs: archKVs("gemma2", 46, kv{"gemma2.embedding_length", uint32(4608)},
			kv{"gemma2.attention.head_count", uint32(32)}, kv{"gemma2.attention.head_count_kv", uint32(16)},
			kv{"gemma2.attention.key_length", uint32(128)}), tensors: embd,
			want: with(gemma, func(v *variantsOf) { v.HeadDim, v.SlidingLayers, v.QueryScale = 128, evenLayers(46), 1.0/12 })},
		{name: "llama plain", kvs: archKVs("llama", 2), tensors: embd, want: silu},
		{name: "llama biases", kvs: archKVs("llama", 2), tensors: withTensors("blk.1.attn_output.bias", "blk.0.ffn_down.bias"),
			want: with(silu, func(v *variantsOf) { v.AttentionBias, v.MLPBias = true, true })},
		{name: "llama window", kvs: archKVs("llama", 2, kv{"llama.attention.sliding_window", uint32(4096)}), tensors: embd,
			want: with(silu, func(v *variantsOf) { v.SlidingWindow = 4096 })},
		{name: "qwen2 biases always", kvs: archKVs("qwen2", 2), tensors: embd, want: with(silu, func(v *variantsOf) { v.AttentionBias = true })},
		{name: "qwen3 window kept for CheckSupported", kvs: archKVs("qwen3", 2, kv{"qwen3.attention.sliding_window", uint32(4096)}), tensors: embd,
			want: with(silu, func(v *variantsOf) { v.SlidingWindow = 4096 })},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "model.gguf"), writeGGUF(tc.kvs, tc.tensors))
			c, err := LoadGGUFConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := variants(c); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestOpenGemma2GGUF opens a Gemma 2 GGUF: llama.cpp's norm names map to
// Hugging Face's four norms, and the 1 its converter added to each norm
// weight is taken off again.
func TestOpenGemma2GGUF(t *testing.T) {
	kvs := append(tinyLlamaKVs("gemma2"), kv{"gemma2.attn_logit_softcapping", float32(50)})
	var tensors []gt
	for _, tt := range tinyLlamaTensors() {
		if tt.name != "output.weight" { // Gemma ties its head
			tensors = append(tensors, tt)
		}
	}
	tensors = append(tensors, gt{"blk.0.post_attention_norm.weight", []uint64{256}, 0}, gt{"blk.0.post_ffw_norm.weight", []uint64{256}, 1})
	data, stored := writeGGUFData(kvs, tensors)
	m, err := OpenModel(writeFile(t, filepath.Join(t.TempDir(), "gemma2.gguf"), data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for gguf, hf := range map[string]string{
		"blk.0.attn_norm.weight":           "model.layers.0.input_layernorm.weight",
		"blk.0.post_attention_norm.weight": "model.layers.0.post_attention_layernorm.weight",
		"blk.0.ffn_norm.weight":            "model.layers.0.pre_feedforward_layernorm.weight",
		"blk.0.post_ffw_norm.weight":       "model.layers.0.post_feedforward_layernorm.weight",
		"output_norm.weight":               "model.norm.weight",
	} {
		got, err := m.Weights.ReadF32(hf)
		if err != nil {
			t.Fatalf("%s: %v", hf, err)
		}
		for i, w := range stored[gguf] {
			if got[i] != w-1 {
				t.Fatalf("%s[%d] = %g, want %g - 1 from %s", hf, i, got[i], w, gguf)
			}
		}
		if _, err := ReadRaw(m.Weights, hf); err == nil {
			t.Errorf("%s: raw blocks of a shifted norm were returned", hf)
		}
	}
	// Other tensors are as stored, q_proj not reordered (llama only).
	if got, err := m.Weights.ReadF32("model.layers.0.self_attn.q_proj.weight"); err != nil || !reflect.DeepEqual(got, stored["blk.0.attn_q.weight"]) {
		t.Errorf("q_proj changed: %v", err)
	}
	if _, err := ReadRaw(m.Weights, "model.layers.0.mlp.up_proj.weight"); err != nil {
		t.Errorf("up_proj raw: %v", err)
	}
	if c := m.Config; !c.TiedEmbeddings || c.AttnSoftCap != 50 || c.FinalSoftCap != 30 || math.Abs(c.QueryScale-1.0/8) > 1e-15 {
		t.Errorf("config %+v", c)
	}
}
