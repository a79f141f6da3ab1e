package engine

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute/cpu"
	"github.com/hone-ai/hone/backend/model"
)

// TestSaveLoRAGolden loads each golden PEFT adapter, saves it again and
// checks that the tensors (names, shapes, bytes) and the config's rank,
// alpha and targets match what PEFT wrote.
func TestSaveLoRAGolden(t *testing.T) {
	for _, name := range []string{"llama_untied", "llama_tied", "qwen2"} {
		t.Run(name, func(t *testing.T) {
			gdir := filepath.Join("testdata", "golden", name)
			m := loadModel(t, cpu.New(), gdir, Load)
			if err := m.LoadLoRA(gdir); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(t.TempDir(), "out")
			if err := m.SaveLoRA(dir); err != nil {
				t.Fatal(err)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != 2 {
				t.Errorf("files left in %s: %v", dir, ents)
			}

			gw, err := model.OpenSafetensors(filepath.Join(gdir, "adapter_model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer gw.Close()
			sw, err := model.OpenSafetensors(filepath.Join(dir, "adapter_model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			defer sw.Close()
			gt, st := gw.Tensors(), sw.Tensors()
			if len(gt) != len(st) {
				t.Fatalf("%d tensors, golden has %d", len(st), len(gt))
			}
			for k := range gt {
				if gt[k].Name != st[k].Name || !slices.Equal(gt[k].Shape, st[k].Shape) || gt[k].DType != st[k].DType {
					t.Fatalf("tensor %d: %+v, golden %+v", k, st[k], gt[k])
				}
				a, err := gw.ReadF32(gt[k].Name)
				if err != nil {
					t.Fatal(err)
				}
				b, err := sw.ReadF32(st[k].Name)
				if err != nil {
					t.Fatal(err)
				}
				for j := range a {
					if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
						t.Fatalf("%s[%d] = %v, golden %v", st[k].Name, j, b[j], a[j])
					}
				}
			}

			// Header: 8-byte little-endian length, data 8-byte aligned, format pt.
			raw, err := os.ReadFile(filepath.Join(dir, "adapter_model.safetensors"))
			if err != nil {
				t.Fatal(err)
			}
			n := binary.LittleEndian.Uint64(raw)
			if (8+n)%8 != 0 {
				t.Errorf("data starts at %d, not 8-byte aligned", 8+n)
			}
			var hdr map[string]json.RawMessage
			if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
				t.Fatal(err)
			}
			if string(hdr["__metadata__"]) != `{"format":"pt"}` {
				t.Errorf("__metadata__ = %s", hdr["__metadata__"])
			}

			type pcfg struct {
				PEFT    string   `json:"peft_type"`
				R       int      `json:"r"`
				Alpha   float64  `json:"lora_alpha"`
				Targets []string `json:"target_modules"`
				Bias    string   `json:"bias"`
				Dropout float64  `json:"lora_dropout"`
			}
			read := func(p string) pcfg {
				raw, err := os.ReadFile(filepath.Join(p, "adapter_config.json"))
				if err != nil {
					t.Fatal(err)
				}
				var c pcfg
				if err := json.Unmarshal(raw, &c); err != nil {
					t.Fatal(err)
				}
				slices.Sort(c.Targets)
				return c
			}
			if got, want := read(dir), read(gdir); got.PEFT != want.PEFT || got.R != want.R || got.Alpha != want.Alpha ||
				!slices.Equal(got.Targets, want.Targets) || got.Bias != want.Bias || got.Dropout != want.Dropout {
				t.Errorf("config %+v, golden %+v", got, want)
			}
		})
	}
}

// TestSaveLoRARoundTrip trains a few steps, saves the adapters, loads them
// into a fresh model and checks that the logits are the same.
func TestSaveLoRARoundTrip(t *testing.T) {
	dev := cpu.New()
	m := tinyModel(t, dev, tinyConfig("qwen2", false), 7)
	tr, err := NewTrainer(m, TrainOptions{AdamW: AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	b := tinyBatch(3)
	for range 3 {
		if _, err := tr.Backward(b); err != nil {
			t.Fatal(err)
		}
		tr.ClipGradNorm(1)
		tr.Update()
	}
	dir := t.TempDir()
	if err := m.SaveLoRA(dir); err != nil {
		t.Fatal(err)
	}
	fresh := tinyModel(t, dev, tinyConfig("qwen2", false), 7) // same base, adapters replaced below
	if err := fresh.LoadLoRA(dir); err != nil {
		t.Fatal(err)
	}
	seq := []int{1, 5, 9, 2, 33, 17, 4, 60}
	want, err := m.Forward(m.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fresh.Forward(fresh.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("logits differ after save/load: relErr %.3g", relErr(got, want))
	}
	base := tinyModel(t, dev, tinyConfig("qwen2", false), 7)
	untrained, err := base.Forward(base.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(untrained, want) {
		t.Error("training did not change the logits: the round trip proves nothing")
	}
}

func TestSaveLoRANoAdapters(t *testing.T) {
	m := &Model{layers: make([]layer, 1), dev: cpu.New()}
	if err := m.SaveLoRA(t.TempDir()); err == nil {
		t.Error("saving a model without adapters did not fail")
	}
}

// TestSaveLoRATrained trains an adapter on a golden base, saves it, loads it
// into a fresh copy of the base and checks the logits are the trained
// model's. With HONE_PEFT_CHECK_DIR set it also leaves the adapter and the
// logits there for testdata/reference/check_adapter.py, which loads them
// with transformers + PEFT (run by hand: CI has no Python stack).
func TestSaveLoRATrained(t *testing.T) {
	gdir := filepath.Join("testdata", "golden", "llama_untied")
	m := loadModel(t, cpu.New(), gdir, Load)
	if err := m.AddLoRA(LoRAConfig{Rank: 4, Alpha: 8, Targets: []string{"q_proj", "v_proj", "down_proj"}}, 7); err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, TrainOptions{AdamW: AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{60, 51, 56, 1, 46, 53, 26, 20}
	toks := make([]int32, len(ids))
	for i, v := range ids {
		toks[i] = int32(v)
	}
	b := Batch{B: 1, T: 7, Tokens: toks[:7], Targets: toks[1:]}
	for range 5 {
		if _, err := tr.Backward(b); err != nil {
			t.Fatal(err)
		}
		tr.Update()
	}
	dir := os.Getenv("HONE_PEFT_CHECK_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	adapter := filepath.Join(dir, "adapter")
	if err := m.SaveLoRA(adapter); err != nil {
		t.Fatal(err)
	}
	want, err := m.Forward(m.NewCache(len(ids)), ids)
	if err != nil {
		t.Fatal(err)
	}
	fresh := loadModel(t, cpu.New(), gdir, Load)
	if err := fresh.LoadLoRA(adapter); err != nil {
		t.Fatal(err)
	}
	got, err := fresh.Forward(fresh.NewCache(len(ids)), ids)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("the saved adapter, loaded again, gives other logits")
	}
	raw, err := json.Marshal(map[string]any{"input_ids": ids, "logits": want})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logits.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
