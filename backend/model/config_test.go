package model

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := Config{
		Name: "m", Architecture: "llama", HiddenSize: 4096, Layers: 32, Heads: 32, KVHeads: 8, HeadDim: 128,
		IntermediateSize: 14336, VocabSize: 128256, MaxPositions: 131072, Source: "/m/config.json",
	}
	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr string
	}{
		{name: "valid", edit: func(*Config) {}},
		{name: "zero hidden", edit: func(c *Config) { c.HiddenSize = 0 }, wantErr: "config /m/config.json: hiddenSize is 0, want 1..65536"},
		{name: "too many layers", edit: func(c *Config) { c.Layers = 513 }, wantErr: "layers is 513, want 1..512"},
		{name: "too many heads", edit: func(c *Config) { c.Heads = 2048 }, wantErr: "heads is 2048, want 1..1024"},
		{name: "zero kv heads", edit: func(c *Config) { c.KVHeads = 0 }, wantErr: "kvHeads is 0"},
		{name: "negative head dim", edit: func(c *Config) { c.HeadDim = -128 }, wantErr: "headDim is -128"},
		{name: "zero intermediate", edit: func(c *Config) { c.IntermediateSize = 0 }, wantErr: "intermediateSize is 0"},
		{name: "huge vocab", edit: func(c *Config) { c.VocabSize = 1<<22 + 1 }, wantErr: "vocabSize is 4194305, want 1..4194304"},
		{name: "zero positions", edit: func(c *Config) { c.MaxPositions = 0 }, wantErr: "maxPositions is 0"},
		{name: "kv heads do not divide", edit: func(c *Config) { c.KVHeads = 5 }, wantErr: "heads (32) is not a multiple of kvHeads (5)"},
		{name: "more kv heads than heads", edit: func(c *Config) { c.KVHeads = 64 }, wantErr: "heads (32) is not a multiple of kvHeads (64)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	root := t.TempDir()
	folder := filepath.Join(root, "Qwen2.5-0.5B")
	configJSON := writeFile(t, filepath.Join(folder, "config.json"), []byte(qwen25Config))
	gguf := writeFile(t, filepath.Join(root, "llama.GGUF"), writeGGUF(llamaKVs(2000), llamaTensors(true)))
	weights := writeFile(t, filepath.Join(folder, "model.safetensors"), []byte("{}"))
	readme := writeFile(t, filepath.Join(folder, "README.md"), []byte("# Qwen"))
	fakeGGUF := writeFile(t, filepath.Join(root, "fake.gguf"), []byte("# Qwen"))
	zip := writeFile(t, filepath.Join(folder, "pytorch_model.bin"), []byte("PK\x03\x04..."))
	ollamaBlob := writeFile(t, filepath.Join(root, "blobs", "sha256-0123"), writeGGUF(llamaKVs(2000), llamaTensors(true)))

	tests := []struct {
		name     string
		path     string
		wantArch string
		wantSrc  string
		wantErr  string
	}{
		{name: "folder", path: folder, wantArch: "qwen2", wantSrc: configJSON},
		{name: "config.json", path: configJSON, wantArch: "qwen2", wantSrc: configJSON},
		{name: "gguf", path: gguf, wantArch: "llama", wantSrc: gguf},
		{name: "safetensors", path: weights, wantArch: "qwen2", wantSrc: configJSON},
		{name: "gguf without extension", path: ollamaBlob, wantArch: "llama", wantSrc: ollamaBlob},
		{name: "other file", path: readme, wantErr: "load model: " + readme + ": not a model folder, config.json, .gguf file or llama2.c checkpoint"},
		{name: "not gguf", path: fakeGGUF, wantErr: fakeGGUF + ` is not a GGUF file (it does not start with "GGUF")`},
		{name: "pytorch", path: zip, wantErr: zip + " is a PyTorch checkpoint, which Hone cannot read"},
		{name: "missing", path: filepath.Join(root, "nope.gguf"), wantErr: filepath.Join(root, "nope.gguf") + ": no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Architecture != tc.wantArch || c.Source != tc.wantSrc {
				t.Errorf("got %s from %s, want %s from %s", c.Architecture, c.Source, tc.wantArch, tc.wantSrc)
			}
		})
	}
}

// TestRopeScalingConfigs reads YaRN's extra keys from config.json and
// rope_freqs.weight from a GGUF, and checks which scalings CheckRope lets
// the engine run: an unsupported one names the file and field.
func TestRopeScalingConfigs(t *testing.T) {
	yarn := `{"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768, "beta_fast": 16, "beta_slow": 2, "attention_factor": 1.5, "mscale": 1, "mscale_all_dim": 0.5}`
	dir := filepath.Join(t.TempDir(), "yarn")
	writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(qwen25Config, "rope_scaling", yarn)))
	c, err := LoadHFConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := RopeScaling{Type: "yarn", Factor: 4, OriginalMaxPositions: 32768, BetaFast: 16, BetaSlow: 2, AttentionFactor: 1.5, Mscale: 1, MscaleAllDim: 0.5}
	if c.RopeScaling != want || c.CheckRope() != nil {
		t.Errorf("yarn: got %+v (%v), want %+v", c.RopeScaling, c.CheckRope(), want)
	}

	for _, tc := range []struct {
		scaling, wantErr string
	}{
		{`{"rope_type": "dynamic", "factor": 2.0}`, `field "rope_scaling": RoPE scaling "dynamic": not supported`},
		{`{"type": "longrope", "factor": 2.0, "long_factor": [1], "short_factor": [1]}`, `field "rope_scaling": RoPE scaling "longrope": not supported`},
		{`{"type": "linear"}`, `RoPE scaling "linear": factor 0 is not positive`},
		{`{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 1.0, "original_max_position_embeddings": 8192}`, `want 0 < low_freq_factor < high_freq_factor`},
		{`{"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}`, ``},
		{`{"type": "linear", "factor": 2.0}`, ``},
		{`{"rope_type": "default"}`, ``},
	} {
		dir := filepath.Join(t.TempDir(), "m")
		path := writeFile(t, filepath.Join(dir, "config.json"), []byte(withField(qwen25Config, "rope_scaling", tc.scaling)))
		c, err := LoadHFConfig(dir)
		if err != nil {
			t.Fatal(err)
		}
		err = c.CheckRope()
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.scaling, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and containing %q", tc.scaling, err, path, tc.wantErr)
		}
	}

	// GGUF: llama.cpp's Llama 3 scaling is the rope_freqs tensor; an
	// unsupported type names its metadata key.
	tensors := append(llamaTensors(true), GGUFTensor{Name: "rope_freqs.weight", Dims: []uint64{64}, Type: 0, Offset: 14061568 + 4096*2000})
	path := writeFile(t, filepath.Join(t.TempDir(), "model.gguf"), writeGGUF(llamaKVs(2000), tensors))
	if c, err := LoadGGUFConfig(path); err != nil || c.RopeFreqs != "rope_freqs.weight" || c.CheckRope() != nil {
		t.Errorf("rope_freqs: %+v, %v", c, err)
	}
	kvs := append(llamaKVs(2000), kv{"llama.rope.scaling.type", "longrope"}, kv{"llama.rope.scaling.factor", float32(4)})
	path = writeFile(t, filepath.Join(t.TempDir(), "model.gguf"), writeGGUF(kvs, llamaTensors(true)))
	c, err = LoadGGUFConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckRope(); err == nil || !strings.Contains(err.Error(), `field "llama.rope.scaling.type": RoPE scaling "longrope"`) || !strings.Contains(err.Error(), path) {
		t.Errorf("gguf longrope: %v", err)
	}
}
