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
