package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/hone-ai/hone/backend/internal/fsutil"
	"github.com/hone-ai/hone/backend/model"
)

// SaveLoRA writes m's adapters as a PEFT folder (adapter_config.json and
// adapter_model.safetensors) that PEFT's PeftModel.from_pretrained, vLLM
// and LoadLoRA read. Every layer must carry adapters on the same linears
// with one rank and one alpha, as a plain LoraConfig describes. Each file
// is written to a temporary file in dir and renamed into place.
func (m *Model) SaveLoRA(dir string) error {
	var targets []int
	rank, scale, dropout := 0, float32(0), float32(0)
	if len(m.layers) > 0 {
		for i := range numLinear {
			if ad := m.layers[0].lin[i].lora; ad != nil {
				if len(targets) == 0 {
					rank, scale, dropout = ad.A.Dim(0), ad.Scale, ad.Dropout
				}
				targets = append(targets, i)
			}
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("engine: no LoRA adapters to save")
	}
	var ts []model.F32Tensor
	for l := range m.layers {
		for i := range numLinear {
			ad := m.layers[l].lin[i].lora
			if (ad != nil) != slices.Contains(targets, i) {
				return fmt.Errorf("engine: layer %d %s: adapters differ between layers", l, LinearNames[i])
			}
			if ad == nil {
				continue
			}
			if ad.A.Dim(0) != rank || ad.B.Dim(1) != rank || ad.Scale != scale || ad.Dropout != dropout {
				return fmt.Errorf("engine: layer %d %s: rank, alpha or dropout differs between adapters", l, LinearNames[i])
			}
			for _, ab := range []struct {
				name string
				t    *Tensor
			}{{"lora_A", ad.A}, {"lora_B", ad.B}} {
				ts = append(ts, model.F32Tensor{Name: peftName(l, i, ab.name), Shape: ab.t.Shape(), Data: m.Host(ab.t)})
			}
		}
	}
	buf := model.EncodeSafetensors(ts)

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
		"lora_dropout":            shortest(dropout),
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
	if err := fsutil.WriteFile(filepath.Join(dir, "adapter_model.safetensors"), buf); err != nil {
		return err
	}
	return fsutil.WriteFile(filepath.Join(dir, "adapter_config.json"), append(cj, '\n'))
}

// shortest is v as the shortest decimal that reads back as the same
// float32 (0.05, not 0.05000000074505806).
func shortest(v float32) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(float64(v), 'g', -1, 32), 64)
	return f
}
