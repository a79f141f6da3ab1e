package model

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestDefaultRoots(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	home := filepath.FromSlash("/home/u")
	j := filepath.Join
	ollamaLinux := []Root(nil)
	if runtime.GOOS == "linux" {
		ollamaLinux = []Root{{"/usr/share/ollama/.ollama/models", SourceOllama}}
	}
	lmstudio := []Root{{j(home, ".lmstudio", "models"), SourceLMStudio}, {j(home, ".cache", "lm-studio", "models"), SourceLMStudio}}
	tests := []struct {
		env  map[string]string
		want []Root
	}{
		{nil, slices.Concat([]Root{{j(home, ".cache", "huggingface", "hub"), SourceHuggingFace}}, lmstudio,
			[]Root{{j(home, ".ollama", "models"), SourceOllama}}, ollamaLinux)},
		{map[string]string{"HF_HOME": "/data/hf", "OLLAMA_MODELS": "/data/ollama"},
			slices.Concat([]Root{{j("/data/hf", "hub"), SourceHuggingFace}}, lmstudio, []Root{{"/data/ollama", SourceOllama}})},
		{map[string]string{"HF_HUB_CACHE": "/data/hub", "HF_HOME": "/data/hf", "XDG_CACHE_HOME": "/c"},
			slices.Concat([]Root{{"/data/hub", SourceHuggingFace}}, lmstudio, []Root{{j(home, ".ollama", "models"), SourceOllama}}, ollamaLinux)},
		{map[string]string{"XDG_CACHE_HOME": "/c"},
			slices.Concat([]Root{{j("/c", "huggingface", "hub"), SourceHuggingFace}}, lmstudio, []Root{{j(home, ".ollama", "models"), SourceOllama}}, ollamaLinux)},
	}
	for _, tc := range tests {
		if got := DefaultRoots(home, env(tc.env)); !slices.Equal(got, tc.want) {
			t.Errorf("env %v:\n got %v\nwant %v", tc.env, got, tc.want)
		}
	}
}

// symlink makes link point at target, as the Hugging Face cache does.
func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
}

// fakeHome builds the model stores of a user who has used every tool.
func fakeHome(t *testing.T) string {
	home := t.TempDir()
	j := filepath.Join
	// Hugging Face cache: a safetensors model (files linked to blobs), a
	// GGUF repo, a download that never finished.
	hub := j(home, ".cache", "huggingface", "hub")
	repo := j(hub, "models--HuggingFaceTB--SmolLM2-135M")
	shard1, shard2, _ := tinyHFTensors()
	weights := writeSafetensors(append(shard1, shard2...), nil)
	writeFile(t, j(repo, "blobs", "aaa"), []byte(withField(tinyHFConfig, "torch_dtype", `"bfloat16"`)))
	writeFile(t, j(repo, "blobs", "bbb"), weights)
	writeFile(t, j(repo, "refs", "main"), []byte("c0ffee\n"))
	symlink(t, j("..", "..", "blobs", "aaa"), j(repo, "snapshots", "c0ffee", "config.json"))
	symlink(t, j("..", "..", "blobs", "bbb"), j(repo, "snapshots", "c0ffee", "model.safetensors"))
	os.MkdirAll(j(repo, "snapshots", "01d"), 0o755) // an older revision
	gguf, _ := writeGGUFData(tinyLlamaKVs("llama"), tinyLlamaTensors())
	writeFile(t, j(hub, "models--TheBloke--Tiny-GGUF", "snapshots", "123", "tiny.Q4_K_M.gguf"), gguf)
	os.MkdirAll(j(hub, "models--Org--Unfinished", "blobs"), 0o755)
	os.MkdirAll(j(hub, "datasets--Org--Data", "snapshots", "1"), 0o755)

	// LM Studio: a model and its vision projector.
	lms := j(home, ".lmstudio", "models", "lmstudio-community", "Qwen3-GGUF")
	qwen3, _ := writeGGUFData(tinyLlamaKVs("qwen3"), tinyLlamaTensors())
	writeFile(t, j(lms, "Qwen3-Q4_K_M.gguf"), qwen3)
	writeFile(t, j(lms, "mmproj-Qwen3-F16.gguf"), writeGGUF([]kv{{"general.architecture", "clip"}, {"general.type", "mmproj"}}, nil))

	// Ollama: a library model, a user's model, a manifest whose blob is gone.
	ollama := j(home, ".ollama", "models")
	writeFile(t, j(ollama, "blobs", "sha256-0123abcd"), gguf)
	manifest := func(digest string) []byte {
		return []byte(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
"config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:ffff","size":10},
"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"` + digest + `","size":100},
{"mediaType":"application/vnd.ollama.image.template","digest":"sha256:eeee","size":10}]}`)
	}
	writeFile(t, j(ollama, "manifests", "registry.ollama.ai", "library", "smollm2", "135m"), manifest("sha256:0123abcd"))
	writeFile(t, j(ollama, "manifests", "registry.ollama.ai", "someone", "tiny", "latest"), manifest("sha256:0123abcd"))
	writeFile(t, j(ollama, "manifests", "hf.co", "org", "gone", "Q8_0"), manifest("sha256:dead"))
	return home
}

func TestScan(t *testing.T) {
	home := fakeHome(t)
	roots := DefaultRoots(home, func(string) string { return "" })
	roots = slices.DeleteFunc(roots, func(r Root) bool { return !strings.HasPrefix(r.Path, home) })
	found, err := Scan(roots)
	if err != nil {
		t.Fatal(err)
	}
	j := filepath.Join
	hub := j(home, ".cache", "huggingface", "hub")
	ggufSize := fileSize(t, j(home, ".ollama", "models", "blobs", "sha256-0123abcd"))
	want := []Found{
		{Name: "HuggingFaceTB/SmolLM2-135M", Path: j(hub, "models--HuggingFaceTB--SmolLM2-135M", "snapshots", "c0ffee"), Source: SourceHuggingFace, Format: FormatHF,
			Architecture: "llama", Params: 80 + 2*(2*8+2*64+2*32+3*128) + 8, Quantisation: "bf16",
			SizeBytes: fileSize(t, j(hub, "models--HuggingFaceTB--SmolLM2-135M", "blobs", "aaa")) + fileSize(t, j(hub, "models--HuggingFaceTB--SmolLM2-135M", "blobs", "bbb"))},
		{Name: "TheBloke/Tiny-GGUF/tiny.Q4_K_M", Path: j(hub, "models--TheBloke--Tiny-GGUF", "snapshots", "123", "tiny.Q4_K_M.gguf"), Source: SourceHuggingFace, Format: FormatGGUF,
			Architecture: "llama", Params: tinyLlamaParams, Quantisation: "Q4_K_M", SizeBytes: ggufSize},
		{Name: "lmstudio-community/Qwen3-GGUF/Qwen3-Q4_K_M", Path: j(home, ".lmstudio", "models", "lmstudio-community", "Qwen3-GGUF", "Qwen3-Q4_K_M.gguf"), Source: SourceLMStudio, Format: FormatGGUF,
			Architecture: "qwen3", Params: tinyLlamaParams, Quantisation: "Q4_K_M", SizeBytes: ggufSize},
		{Name: "hf.co/org/gone:Q8_0", Path: j(home, ".ollama", "models", "blobs", "sha256-dead"), Source: SourceOllama, Format: FormatGGUF,
			Error: "gguf: open " + j(home, ".ollama", "models", "blobs", "sha256-dead") + ": no such file or directory"},
		{Name: "smollm2:135m", Path: j(home, ".ollama", "models", "blobs", "sha256-0123abcd"), Source: SourceOllama, Format: FormatGGUF,
			Architecture: "llama", Params: tinyLlamaParams, Quantisation: "Q4_K_M", SizeBytes: ggufSize},
	}
	// someone/tiny:latest is the same blob as smollm2:135m, listed once.
	if len(found) != len(want) {
		t.Errorf("found %d models, want %d", len(found), len(want))
	}
	for i := range min(len(found), len(want)) {
		if found[i] != want[i] {
			t.Errorf("model %d:\n got %+v\nwant %+v", i, found[i], want[i])
		}
	}
	// What Scan lists, Load reads.
	for _, f := range found {
		if f.Error != "" {
			continue
		}
		if c, err := Load(f.Path); err != nil || c.Architecture != f.Architecture {
			t.Errorf("Load(%s): %v", f.Path, err)
		}
	}
}

// tinyLlamaParams counts the values in tinyLlamaTensors.
var tinyLlamaParams = func() int64 {
	var n int64
	for _, t := range tinyLlamaTensors() {
		v, _ := shapeLen(t.dims, 1<<40)
		n += int64(v)
	}
	return n
}()

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func TestScanFolder(t *testing.T) {
	root := t.TempDir()
	j := filepath.Join
	writeTinyHF(t, j(root, "tiny-llama"))
	h := [7]int32{8, 12, 2, 2, 1, 5, 3}
	writeFile(t, j(root, "l2c", "model.bin"), writeLlama2C(h, 5*8+2*(8+8*8+2*4*8+8*8+8+3*12*8)+8+2*3*2))
	writeFile(t, j(root, "l2c", "tokenizer.bin"), []byte("not a checkpoint"))
	writeFile(t, j(root, "broken.gguf"), []byte("GGUF\x03\x00\x00\x00"))
	writeFile(t, j(root, ".hidden", "x.gguf"), []byte("GGUF"))
	writeFile(t, j(root, "a", "b", "c", "d", "e", "f", "g", "deep.gguf"), []byte("GGUF"))
	kvs := append(tinyLlamaKVs("llama"), kv{"split.count", uint16(2)}, kv{"split.no", uint16(0)})
	first, _ := writeGGUFData(kvs, tinyLlamaTensors()[:6])
	second, _ := writeGGUFData([]kv{{"split.count", uint16(2)}, {"split.no", uint16(1)}}, tinyLlamaTensors()[6:])
	writeFile(t, j(root, "split", "m-00001-of-00002.gguf"), first)
	writeFile(t, j(root, "split", "m-00002-of-00002.gguf"), second)

	found, err := Scan([]Root{{root, SourceFolder}, {j(root, "nope"), SourceFolder}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range found {
		names = append(names, f.Name)
	}
	if want := []string{"broken", "l2c/model", "split/m-00001-of-00002", "tiny-llama"}; !slices.Equal(names, want) {
		t.Fatalf("found %v, want %v", names, want)
	}
	if f := found[0]; !strings.Contains(f.Error, "unexpected EOF") || f.SizeBytes != 8 {
		t.Errorf("broken: %+v", f)
	}
	if f := found[1]; f.Format != FormatLlama2C || f.Params != int64(5*8+2*(8+8*8+2*4*8+8*8+8+3*12*8)+8) || f.Quantisation != "f32" {
		t.Errorf("llama2.c: %+v", f)
	}
	if f := found[2]; f.Params != tinyLlamaParams || f.SizeBytes != int64(len(first)+len(second)) || f.Error != "" {
		t.Errorf("split: %+v", f)
	}
	if f := found[3]; f.Format != FormatHF || f.Architecture != "llama" || f.Quantisation != "bf16" || f.Path != j(root, "tiny-llama") {
		t.Errorf("hf: %+v", f)
	}

	// The model folder itself as a root, and another tool's store added
	// as a folder.
	found, err = Scan([]Root{{j(root, "tiny-llama"), SourceFolder}})
	if err != nil || len(found) != 1 || found[0].Name != "tiny-llama" {
		t.Errorf("model folder as root: %+v %v", found, err)
	}
	home := fakeHome(t)
	found, err = Scan([]Root{{j(home, ".ollama", "models"), SourceFolder}, {j(home, ".cache", "huggingface", "hub"), SourceFolder}})
	if err != nil || len(found) != 4 {
		t.Errorf("stores as folders: %+v %v", found, err)
	}

	// A root that is a file is an error; the rest is still scanned.
	found, err = Scan([]Root{{j(root, "broken.gguf"), SourceFolder}, {j(root, "l2c"), SourceFolder}})
	if err == nil || !strings.Contains(err.Error(), "not a folder") || len(found) != 1 {
		t.Errorf("file root: %+v %v", found, err)
	}
}
