package model

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gt is one tensor for writeGGUFData: values quantised to a ggml type.
type gt struct {
	name string
	dims []uint64 // innermost first, as GGUF stores them
	typ  uint32
}

// writeGGUFData encodes a GGUF file with tensor data (32-byte alignment;
// kvs must not set general.alignment) and returns it with the values each
// tensor holds.
func writeGGUFData(kvs []kv, tensors []gt) ([]byte, map[string][]float32) {
	want := map[string][]float32{}
	var infos []GGUFTensor
	var data []byte
	for i, t := range tensors {
		n, _ := shapeLen(t.dims, math.MaxInt64)
		d, w := quantise(t.typ, testValues(int(n), uint64(i)))
		infos = append(infos, GGUFTensor{Name: t.name, Dims: t.dims, Type: t.typ, Offset: uint64(len(data))})
		want[t.name] = w
		data = append(data, d...)
		for len(data)%32 != 0 {
			data = append(data, 0)
		}
	}
	file := writeGGUF(kvs, infos)
	for len(file)%32 != 0 {
		file = append(file, 0)
	}
	return append(file, data...), want
}

// tinyLlamaKVs describes a one-layer model with sizes that K-quants accept.
func tinyLlamaKVs(arch string) []kv {
	return []kv{
		{"general.architecture", arch},
		{"general.name", "tiny"},
		{"general.file_type", uint32(15)},
		{arch + ".embedding_length", uint32(256)},
		{arch + ".block_count", uint32(1)},
		{arch + ".attention.head_count", uint32(4)},
		{arch + ".attention.head_count_kv", uint32(2)},
		{arch + ".feed_forward_length", uint32(512)},
		{arch + ".context_length", uint32(2048)},
		{arch + ".rope.freq_base", float32(10000)},
		{arch + ".attention.layer_norm_rms_epsilon", float32(1e-5)},
		{arch + ".vocab_size", uint32(32)},
		{"tokenizer.chat_template", "{{ messages }}"},
	}
}

// tinyLlamaTensors uses every type Hone dequantises.
func tinyLlamaTensors() []gt {
	return []gt{
		{"token_embd.weight", []uint64{256, 32}, 8},
		{"blk.0.attn_norm.weight", []uint64{256}, 0},
		{"blk.0.attn_q.weight", []uint64{256, 256}, 12},
		{"blk.0.attn_k.weight", []uint64{256, 128}, 14},
		{"blk.0.attn_v.weight", []uint64{256, 128}, 2},
		{"blk.0.attn_output.weight", []uint64{256, 256}, 3},
		{"blk.0.ffn_norm.weight", []uint64{256}, 1},
		{"blk.0.ffn_gate.weight", []uint64{256, 512}, 13},
		{"blk.0.ffn_up.weight", []uint64{256, 512}, 6},
		{"blk.0.ffn_down.weight", []uint64{512, 256}, 7},
		{"output_norm.weight", []uint64{256}, 30},
		{"output.weight", []uint64{256, 32}, 14},
	}
}

func TestOpenGGUF(t *testing.T) {
	data, want := writeGGUFData(tinyLlamaKVs("llama"), tinyLlamaTensors())
	path := writeFile(t, filepath.Join(t.TempDir(), "tiny.gguf"), data)
	w, err := OpenGGUF(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	infos := w.Tensors()
	if len(infos) != len(tinyLlamaTensors()) {
		t.Fatalf("%d tensors", len(infos))
	}
	for i, tt := range tinyLlamaTensors() {
		typ, _ := ggmlTypeOf(tt.typ)
		wantShape := make([]int, len(tt.dims))
		for j, d := range tt.dims {
			wantShape[len(tt.dims)-1-j] = int(d)
		}
		if got := infos[i]; got.Name != tt.name || got.DType != typ.name || !slices.Equal(got.Shape, wantShape) {
			t.Errorf("tensor %d: %+v, want %s %v %s", i, got, tt.name, wantShape, typ.name)
		}
		got, err := w.ReadF32(tt.name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want[tt.name]) {
			t.Errorf("%s (%s): values differ", tt.name, typ.name)
		}
	}
	if _, err := w.ReadF32("blk.9.attn_q.weight"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("missing tensor: %v", err)
	}
}

func TestOpenGGUFBad(t *testing.T) {
	kvs := tinyLlamaKVs("llama")
	good, _ := writeGGUFData(kvs, tinyLlamaTensors()[:2])
	withTensors := func(ts ...GGUFTensor) []byte {
		b := writeGGUF(kvs, ts)
		return append(b, make([]byte, 512)...)
	}
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"truncated data", good[:len(good)-10], `tensor "blk.0.attn_norm.weight": data at bytes`},
		{"unknown type", withTensors(GGUFTensor{Name: "x", Dims: []uint64{32}, Type: 99}), `tensor "x": unknown ggml type 99`},
		{"partial block", withTensors(GGUFTensor{Name: "x", Dims: []uint64{48}, Type: 8}), `tensor "x": row length 48 is not a multiple of the Q8_0 block size 32`},
		{"huge shape", withTensors(GGUFTensor{Name: "x", Dims: []uint64{1 << 40, 1 << 30}, Type: 0}), `tensor "x": shape [1099511627776 1073741824] is too large`},
		{"huge offset", withTensors(GGUFTensor{Name: "x", Dims: []uint64{8}, Type: 0, Offset: 1 << 62}), `tensor "x": data at bytes`},
		{"header only", writeGGUF(kvs, nil)[:20], "unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "m.gguf"), tc.data)
			_, err := OpenGGUF(path)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming the file and containing %q", err, tc.wantErr)
			}
		})
	}

	path := writeFile(t, filepath.Join(t.TempDir(), "q2.gguf"), withTensors(GGUFTensor{Name: "x", Dims: []uint64{256}, Type: 10}))
	w, err := OpenGGUF(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.ReadF32("x"); err == nil || !strings.Contains(err.Error(), "type Q2_K cannot be dequantised yet") {
		t.Errorf("Q2_K: %v", err)
	}
}

func TestOpenGGUFSplit(t *testing.T) {
	dir := t.TempDir()
	all := tinyLlamaTensors()
	kvs := append(tinyLlamaKVs("llama"), kv{"split.count", uint16(2)}, kv{"split.no", uint16(0)})
	first, want := writeGGUFData(kvs, all[:6])
	second, want2 := writeGGUFData([]kv{{"split.count", uint16(2)}, {"split.no", uint16(1)}}, all[6:])
	writeFile(t, filepath.Join(dir, "tiny-00001-of-00002.gguf"), first)
	writeFile(t, filepath.Join(dir, "tiny-00002-of-00002.gguf"), second)
	m, err := OpenModel(filepath.Join(dir, "tiny-00001-of-00002.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(m.Weights.Tensors()) != len(all) {
		t.Errorf("%d tensors, want %d", len(m.Weights.Tensors()), len(all))
	}
	// Tensor values come from their own file's seeds.
	for name, w := range map[string][]float32{"model.embed_tokens.weight": want["token_embd.weight"], "lm_head.weight": want2["output.weight"]} {
		if got, err := m.Weights.ReadF32(name); err != nil || !slices.Equal(got, w) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestHFTensorName(t *testing.T) {
	for _, tc := range []struct{ gguf, arch, hf string }{
		{"token_embd.weight", "llama", "model.embed_tokens.weight"},
		{"output_norm.weight", "llama", "model.norm.weight"},
		{"output.weight", "llama", "lm_head.weight"},
		{"blk.12.attn_q.bias", "qwen2", "model.layers.12.self_attn.q_proj.bias"},
		{"blk.0.attn_k_norm.weight", "qwen3", "model.layers.0.self_attn.k_norm.weight"},
		{"blk.3.ffn_down.weight", "llama", "model.layers.3.mlp.down_proj.weight"},
		{"blk.3.ffn_norm.weight", "llama", "model.layers.3.post_attention_layernorm.weight"},
		{"blk.3.ffn_down.scale", "llama", "blk.3.ffn_down.scale"},
		{"blk.x.attn_q.weight", "llama", "blk.x.attn_q.weight"},
		{"blk.1.ffn_gate_exps.weight", "llama", "blk.1.ffn_gate_exps.weight"},
		{"rope_freqs.weight", "llama", "rope_freqs.weight"},
		// Gemma 2 (gguf-py's tensor_mapping): four norms a layer.
		{"blk.2.attn_norm.weight", "gemma2", "model.layers.2.input_layernorm.weight"},
		{"blk.2.post_attention_norm.weight", "gemma2", "model.layers.2.post_attention_layernorm.weight"},
		{"blk.2.ffn_norm.weight", "gemma2", "model.layers.2.pre_feedforward_layernorm.weight"},
		{"blk.2.post_ffw_norm.weight", "gemma2", "model.layers.2.post_feedforward_layernorm.weight"},
		{"blk.2.post_ffw_norm.weight", "llama", "blk.2.post_ffw_norm.weight"},
	} {
		if got := hfTensorName(tc.gguf, tc.arch); got != tc.hf {
			t.Errorf("%s (%s) -> %s, want %s", tc.gguf, tc.arch, got, tc.hf)
		}
	}
}

// TestRopeHalves checks the reordering against llama.cpp's permute, written
// out as in convert_hf_to_gguf.py: HF rows (head, half, i) go to GGUF rows
// (head, i, half).
func TestRopeHalves(t *testing.T) {
	const heads, d, cols = 3, 8, 5
	hf := make([]float32, heads*d*cols)
	for i := range hf {
		hf[i] = float32(i)
	}
	gguf := make([]float32, len(hf))
	for h := range heads {
		for half := range 2 {
			for i := range d / 2 {
				src := h*d + half*d/2 + i
				dst := h*d + 2*i + half
				copy(gguf[dst*cols:(dst+1)*cols], hf[src*cols:(src+1)*cols])
			}
		}
	}
	got, err := ropeHalves(gguf, heads, heads*d)
	if err != nil || !slices.Equal(got, hf) {
		t.Errorf("got %v, %v", got, err)
	}
	for _, heads := range []int{5, 8, 0} { // 24 rows: not divisible, odd head size, none
		if _, err := ropeHalves(gguf, heads, 24); err == nil {
			t.Errorf("%d heads of 24 rows did not fail", heads)
		}
	}
}

// FuzzOpenGGUF opens arbitrary files as GGUF weights and reads every
// tensor: no input may panic or read outside the file.
func FuzzOpenGGUF(f *testing.F) {
	small, _ := writeGGUFData([]kv{{"general.architecture", "llama"}}, []gt{
		{"a", []uint64{32, 2}, 8}, {"b", []uint64{256}, 14}, {"c", []uint64{64}, 3}, {"d", []uint64{4}, 30},
	})
	f.Add(small)
	f.Add(small[:len(small)-10])
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.gguf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		w, err := OpenGGUF(path)
		if err != nil {
			return
		}
		defer w.Close()
		for _, tn := range w.Tensors() {
			x, err := w.ReadF32(tn.Name)
			if err == nil && len(x) != tn.Len() {
				t.Fatalf("%s: %d values for shape %v", tn.Name, len(x), tn.Shape)
			}
		}
	})
}
