package model

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// setKV returns kvs with key set to val (replaced, added, or removed when
// val is nil).
func setKV(kvs []kv, key string, val any) []kv {
	var out []kv
	found := false
	for _, e := range kvs {
		if e.key == key {
			found = true
			if val == nil {
				continue
			}
			e.val = val
		}
		out = append(out, e)
	}
	if !found && val != nil {
		out = append(out, kv{key, val})
	}
	return out
}

func TestLoadGGUFConfig(t *testing.T) {
	llama := Config{
		Name: "Meta Llama 3.1 8B", Architecture: "llama",
		HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 8, HeadDim: 128,
		IntermediateSize: 14336, VocabSize: 2000, MaxPositions: 131072,
		RopeTheta: 500000, NormEps: 1e-5, HiddenAct: "silu",
	}
	tied := llama
	tied.TiedEmbeddings = true
	vocabKey := llama
	vocabKey.VocabSize = 128256
	noKV := llama
	noKV.KVHeads = 32
	headDim := llama
	headDim.HeadDim = 256
	unnamed := llama
	unnamed.Name = "model"
	smallVocab := llama
	smallVocab.VocabSize = 3
	yarn := llama
	yarn.RopeScaling = RopeScaling{Type: "yarn", Factor: 4, OriginalMaxPositions: 32768}
	linear := llama
	linear.RopeScaling = RopeScaling{Type: "linear", Factor: 2}
	qwen := Config{
		Name: "model", Architecture: "qwen2",
		HiddenSize: 896, Layers: 24, Heads: 14, KVHeads: 2, HeadDim: 64,
		IntermediateSize: 4864, VocabSize: 151936, MaxPositions: 32768, TiedEmbeddings: true,
		RopeTheta: 10000, NormEps: 1e-5, // llama.cpp's defaults
		HiddenAct: "silu", AttentionBias: true, // Qwen2's q/k/v biases
	}

	tests := []struct {
		name    string
		kvs     []kv
		tensors []GGUFTensor
		want    Config
		wantErr string
	}{
		{name: "untied", kvs: llamaKVs(2000), tensors: llamaTensors(true), want: llama},
		{name: "tied", kvs: llamaKVs(2000), tensors: llamaTensors(false), want: tied},
		{name: "kept token list", kvs: llamaKVs(3), tensors: llamaTensors(true), want: smallVocab},
		{name: "vocab_size wins over tokens", kvs: setKV(llamaKVs(2000), "llama.vocab_size", uint32(128256)), tensors: llamaTensors(true), want: vocabKey},
		{name: "no head_count_kv", kvs: setKV(llamaKVs(2000), "llama.attention.head_count_kv", nil), tensors: llamaTensors(true), want: noKV},
		{name: "key_length", kvs: setKV(llamaKVs(2000), "llama.attention.key_length", uint32(256)), tensors: llamaTensors(true), want: headDim},
		{name: "no general.name", kvs: setKV(llamaKVs(2000), "general.name", nil), tensors: llamaTensors(true), want: unnamed},
		{name: "yarn", kvs: append(llamaKVs(2000), kv{"llama.rope.scaling.type", "yarn"}, kv{"llama.rope.scaling.factor", float32(4)}, kv{"llama.rope.scaling.original_context_length", uint32(32768)}),
			tensors: llamaTensors(true), want: yarn},
		{name: "scale_linear", kvs: append(llamaKVs(2000), kv{"llama.rope.scale_linear", float32(2)}), tensors: llamaTensors(true), want: linear},
		{name: "scaling none", kvs: append(llamaKVs(2000), kv{"llama.rope.scaling.type", "none"}), tensors: llamaTensors(true), want: llama},
		{name: "string freq_base", kvs: setKV(llamaKVs(3), "llama.rope.freq_base", "1e4"), tensors: llamaTensors(true),
			wantErr: `metadata "llama.rope.freq_base": want a number, got a string`},
		{name: "no vocabulary", kvs: setKV(llamaKVs(3), "tokenizer.ggml.tokens", nil), tensors: llamaTensors(true),
			wantErr: `missing metadata "llama.vocab_size" (or "tokenizer.ggml.tokens")`},
		{
			name: "any integer type, mixed-case arch",
			kvs: []kv{
				{"general.architecture", "Qwen2"},
				{"Qwen2.embedding_length", uint64(896)},
				{"Qwen2.block_count", int16(24)},
				{"Qwen2.attention.head_count", int8(14)},
				{"Qwen2.attention.head_count_kv", uint8(2)},
				{"Qwen2.feed_forward_length", int64(4864)},
				{"Qwen2.context_length", int32(32768)},
				{"Qwen2.vocab_size", uint32(151936)},
			},
			tensors: llamaTensors(false)[:1],
			want:    qwen,
		},
		{name: "missing block_count", kvs: setKV(llamaKVs(3), "llama.block_count", nil), tensors: llamaTensors(true),
			wantErr: `missing metadata "llama.block_count"`},
		{name: "float block_count", kvs: setKV(llamaKVs(3), "llama.block_count", float32(32)), tensors: llamaTensors(true),
			wantErr: `metadata "llama.block_count": want an integer, got a float`},
		{name: "uint64 too big", kvs: setKV(llamaKVs(3), "llama.block_count", uint64(1<<63)), tensors: llamaTensors(true),
			wantErr: `metadata "llama.block_count": want an integer, got uint64`},
		{name: "tokens not an array", kvs: setKV(llamaKVs(3), "tokenizer.ggml.tokens", "x"), tensors: llamaTensors(true),
			wantErr: `metadata "tokenizer.ggml.tokens": want an array, got a string`},
		{name: "no architecture", kvs: setKV(llamaKVs(3), "general.architecture", nil), tensors: llamaTensors(true),
			wantErr: `missing metadata "general.architecture"`},
		{name: "architecture not a string", kvs: setKV(llamaKVs(3), "general.architecture", uint8(1)), tensors: llamaTensors(true),
			wantErr: `metadata "general.architecture": want a string, got uint8`},
		{name: "bad kv heads", kvs: setKV(llamaKVs(3), "llama.attention.head_count_kv", uint32(5)), tensors: llamaTensors(true),
			wantErr: "heads (32) is not a multiple of kvHeads (5)"},
		{name: "no tensors", kvs: llamaKVs(3), wantErr: "no tensors (a vocab-only file?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "model.gguf"), writeGGUF(tc.kvs, tc.tensors))
			got, err := LoadGGUFConfig(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and containing %q", err, path, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Source = path
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLoadGGUFConfigErrorNamesFileAndKey(t *testing.T) {
	b := header(0, 2)
	putStr(b, "general.architecture")
	putLE(b, ggufString)
	putStr(b, "llama")
	putStr(b, "llama.block_count")
	putLE(b, uint32(99))
	putLE(b, uint32(32))
	path := writeFile(t, filepath.Join(t.TempDir(), "x.gguf"), b.Bytes())
	_, err := LoadGGUFConfig(path)
	want := "gguf " + path + `: metadata key 1 ("llama.block_count"): unknown value type 99`
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestLoadGGUFConfigSplit(t *testing.T) {
	splitKVs := func(no uint16, withModel bool) []kv {
		kvs := []kv{{"split.no", no}, {"split.count", uint16(2)}, {"split.tensors.count", int32(4)}}
		if withModel {
			kvs = append(llamaKVs(2000), kvs...)
		}
		return kvs
	}
	ts := llamaTensors(true)
	tests := []struct {
		name       string
		second     []GGUFTensor // nil: no second file
		secondName string
		wantTied   bool
		wantErr    string
	}{
		{name: "output.weight in second split", second: ts[2:], wantTied: false},
		{name: "no output.weight anywhere", second: ts[2:3], wantTied: true},
		{name: "second split missing", wantErr: "model-00002-of-00002.gguf: no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			first := writeFile(t, filepath.Join(dir, "model-00001-of-00002.gguf"), writeGGUF(splitKVs(0, true), ts[:2]))
			if tc.second != nil {
				writeFile(t, filepath.Join(dir, "model-00002-of-00002.gguf"), writeGGUF(splitKVs(1, false), tc.second))
			}
			c, err := LoadGGUFConfig(first)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.TiedEmbeddings != tc.wantTied {
				t.Errorf("tied %v, want %v", c.TiedEmbeddings, tc.wantTied)
			}
		})
	}

	t.Run("second split given", func(t *testing.T) {
		path := writeFile(t, filepath.Join(t.TempDir(), "model-00002-of-00002.gguf"), writeGGUF(splitKVs(1, false), ts[2:]))
		_, err := LoadGGUFConfig(path)
		if err == nil || !strings.Contains(err.Error(), "this is split 2 of a split model; load the first split") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("split without split name", func(t *testing.T) {
		path := writeFile(t, filepath.Join(t.TempDir(), "renamed.gguf"), writeGGUF(splitKVs(0, true), ts[:2]))
		_, err := LoadGGUFConfig(path)
		if err == nil || !strings.Contains(err.Error(), "not named PREFIX-00001-of-00002.gguf") {
			t.Errorf("error %v", err)
		}
	})
}
