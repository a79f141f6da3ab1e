package model

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// describeHF summarises a Hugging Face model folder from its config.json
// and its safetensors headers, reading no weights.
func describeHF(dir, source string) Found {
	f := Found{Path: dir, Source: source, Format: FormatHF, SizeBytes: treeSize(dir)}
	c, err := LoadHFConfig(dir)
	if err != nil {
		f.Error = err.Error()
		return f
	}
	f.Architecture = c.Architecture
	params, dtype, err := safetensorsSummary(dir)
	f.Params, f.Quantisation = params, strings.ToLower(dtype)
	if method := hfQuantMethod(dir); method != "" {
		f.Quantisation = method
	}
	if err != nil {
		f.Error = err.Error()
	}
	return f
}

// hfQuantMethod is quantization_config.quant_method of a pre-quantised
// model ("gptq", "awq", "bitsandbytes", ...), else "".
func hfQuantMethod(dir string) string {
	data, err := readLimited(filepath.Join(dir, "config.json"), maxHFConfigSize)
	if err != nil {
		return ""
	}
	var c struct {
		Q struct {
			Method string `json:"quant_method"`
		} `json:"quantization_config"`
	}
	json.Unmarshal(data, &c) // LoadHFConfig has already checked the JSON
	return c.Q.Method
}

// safetensorsSummary counts the parameters in a folder's safetensors files
// and names the dtype holding most of the bytes.
func safetensorsSummary(dir string) (params int64, dtype string, err error) {
	files := safetensorsFiles(dir)
	if len(files) == 0 {
		return 0, "", errors.New("no safetensors weights")
	}
	bytes := map[string]int64{}
	for _, file := range files {
		h, err := readSafetensorsHeaderFile(file)
		if err != nil {
			return 0, "", err
		}
		for _, t := range h.tensors {
			params += int64(t.Len())
			bytes[t.DType] += t.end - t.begin
		}
	}
	return params, largest(bytes), nil
}

// safetensorsFiles lists a model folder's weight files: those its index
// names, else model.safetensors, else every .safetensors file (other
// repos ship consolidated.safetensors next to the shards).
func safetensorsFiles(dir string) []string {
	if data, err := readLimited(filepath.Join(dir, "model.safetensors.index.json"), maxHFConfigSize); err == nil {
		var idx struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if json.Unmarshal(data, &idx) == nil && len(idx.WeightMap) > 0 {
			var files []string
			for _, f := range slices.Sorted(maps.Values(idx.WeightMap)) {
				if p := filepath.Join(dir, filepath.Base(f)); !slices.Contains(files, p) {
					files = append(files, p)
				}
			}
			return files
		}
	}
	if single := filepath.Join(dir, "model.safetensors"); isFile(single) {
		return []string{single}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	return files
}

func readSafetensorsHeaderFile(path string) (*stHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h, err := readSafetensorsHeader(f, fi.Size())
	if err != nil {
		return nil, errors.New("safetensors " + path + ": " + err.Error())
	}
	return h, nil
}

// largest is the key with the largest value, the first in order on ties.
func largest(m map[string]int64) string {
	best := ""
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if best == "" || m[k] > m[best] {
			best = k
		}
	}
	return best
}

// treeSize adds up the files under dir, following links to files.
func treeSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// describeGGUF summarises a GGUF model from its header (and those of its
// other splits). ok is false for GGUF files that are not models to list:
// LoRA adapters, vision projectors and splits after the first.
func describeGGUF(path, source string) (f Found, ok bool) {
	f = Found{Path: path, Source: source, Format: FormatGGUF}
	if fi, err := os.Stat(path); err == nil {
		f.SizeBytes = fi.Size()
	}
	g, err := readGGUFFile(path)
	if err != nil {
		f.Error = err.Error()
		return f, true
	}
	arch, _ := g.Metadata["general.architecture"].(string)
	typ, _ := g.Metadata["general.type"].(string)
	no, _ := ggufInt(g.Metadata["split.no"])
	if typ != "" && typ != "model" || arch == "clip" || no > 0 {
		return f, false
	}
	f.Architecture = strings.ToLower(arch)
	bytes := map[string]int64{}
	add := func(g *GGUF) {
		for _, t := range g.Tensors {
			n, err := shapeLen(t.Dims, 1<<50)
			typ, ok := ggmlTypeOf(t.Type)
			if err != nil || !ok {
				continue
			}
			f.Params += int64(n)
			bytes[typ.name] += int64(n) / int64(typ.blockSize) * int64(typ.typeSize)
		}
	}
	add(g)
	others, err := otherSplits(g, path)
	if err != nil {
		f.Error = err.Error()
	}
	for _, p := range others {
		s, err := readGGUFFile(p)
		if err != nil {
			f.Error = err.Error()
			continue
		}
		add(s)
		if fi, err := os.Stat(p); err == nil {
			f.SizeBytes += fi.Size()
		}
	}
	f.Quantisation = largest(bytes)
	if ft, ok := ggufInt(g.Metadata["general.file_type"]); ok && ggufFileType(ft) != "" {
		f.Quantisation = ggufFileType(ft)
	}
	return f, true
}

// describeLlama2C summarises a llama2.c checkpoint; ok is false for .bin
// files that are not one.
func describeLlama2C(path, source string) (Found, bool) {
	c, tensors, err := readLlama2C(path)
	if err != nil {
		return Found{}, false
	}
	f := Found{Path: path, Source: source, Format: FormatLlama2C, Architecture: c.Architecture, Quantisation: "f32"}
	for _, t := range tensors {
		f.Params += int64(t.Len())
	}
	if fi, err := os.Stat(path); err == nil {
		f.SizeBytes = fi.Size()
	}
	return f, true
}
