package engine

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
)

// SaveLoRA writes m's adapters as a PEFT folder (adapter_config.json and
// adapter_model.safetensors) that PEFT's PeftModel.from_pretrained, vLLM
// and LoadLoRA read. Every layer must carry adapters on the same linears
// with one rank and one alpha, as a plain LoraConfig describes. Each file
// is written to a temporary file in dir and renamed into place.
func (m *Model) SaveLoRA(dir string) error {
	var targets []int
	rank, scale := 0, float32(0)
	if len(m.layers) > 0 {
		for i := range numLinear {
			if ad := m.layers[0].lin[i].lora; ad != nil {
				if len(targets) == 0 {
					rank, scale = ad.A.Dim(0), ad.Scale
				}
				targets = append(targets, i)
			}
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("engine: no LoRA adapters to save")
	}
	type entry struct {
		name string
		t    *Tensor
	}
	var ts []entry
	for l := range m.layers {
		for i := range numLinear {
			ad := m.layers[l].lin[i].lora
			if (ad != nil) != slices.Contains(targets, i) {
				return fmt.Errorf("engine: layer %d %s: adapters differ between layers", l, LinearNames[i])
			}
			if ad == nil {
				continue
			}
			if ad.A.Dim(0) != rank || ad.B.Dim(1) != rank || ad.Scale != scale {
				return fmt.Errorf("engine: layer %d %s: rank or alpha differs between adapters", l, LinearNames[i])
			}
			ts = append(ts, entry{peftName(l, i, "lora_A"), ad.A}, entry{peftName(l, i, "lora_B"), ad.B})
		}
	}
	// safetensors (Python) orders tensors of one dtype by name.
	slices.SortFunc(ts, func(a, b entry) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})

	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, e := range ts {
		n := 4 * e.t.Len()
		header[e.name] = map[string]any{"dtype": "F32", "shape": e.t.Shape(), "data_offsets": [2]int{off, off + n}}
		off += n
	}
	hj, err := json.Marshal(header) // keys sorted: __metadata__ first, then the tensors in data order
	if err != nil {
		return err
	}
	// Pad the header with spaces so that the data starts 8-byte aligned.
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8, 8+len(hj)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, e := range ts {
		for _, x := range m.Host(e.t) {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
	}

	names := make([]string, len(targets))
	for k, i := range targets {
		names[k] = LinearNames[i]
	}
	alpha := float64(scale) * float64(rank)
	if r := math.Round(alpha); math.Abs(alpha-r) <= 1e-5*math.Max(1, math.Abs(r)) {
		alpha = r // Scale is alpha/r in float32: recover an integer alpha exactly
	}
	cfg := map[string]any{
		"peft_type":               "LORA",
		"task_type":               "CAUSAL_LM",
		"base_model_name_or_path": "",
		"r":                       rank,
		"lora_alpha":              alpha,
		"lora_dropout":            0.0,
		"target_modules":          names,
		"bias":                    "none",
		"fan_in_fan_out":          false,
		"inference_mode":          true,
		"use_rslora":              false,
		"use_dora":                false,
		"modules_to_save":         nil,
		"layers_to_transform":     nil,
		"layers_pattern":          nil,
		"rank_pattern":            map[string]any{},
		"alpha_pattern":           map[string]any{},
		"init_lora_weights":       true,
		"revision":                nil,
	}
	cj, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "adapter_model.safetensors"), buf); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "adapter_config.json"), append(cj, '\n'))
}

// writeAtomic writes data to a temporary file beside path, syncs it and
// renames it over path, so that readers see the old file or the new one.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
