package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPlanCommand(t *testing.T) {
	env := map[string]string{"HONE_HOME": t.TempDir(), "HONE_FAKE_GPUS": "rtx4090"}
	code, out, errs := runHone(t, env, "plan", "--model", "llama-3.1-8b", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Target struct {
			Local bool
			Card  struct{ Name string }
		}
		Recommendation struct {
			Settings struct{ Method string }
			Reasons  []string
		}
		Comparison []struct{ Fits bool }
		Cost       struct {
			TCO12   float64 `json:"tco12"`
			Monthly []float64
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if !res.Target.Local || res.Target.Card.Name != "NVIDIA GeForce RTX 4090" || res.Recommendation.Settings.Method != "qlora" {
		t.Errorf("plan for %+v: %+v", res.Target, res.Recommendation)
	}
	if len(res.Comparison) != 3 || res.Comparison[0].Fits || !res.Comparison[2].Fits {
		t.Errorf("comparison %+v: want full not fitting and QLoRA fitting", res.Comparison)
	}
	if res.Cost.TCO12 <= 0 || len(res.Cost.Monthly) != 12 {
		t.Errorf("cost %+v", res.Cost)
	}
	if _, err := os.Stat(filepath.Join(env["HONE_HOME"], "prices.json")); err != nil {
		t.Errorf("prices.json not written to the data folder: %v", err)
	}

	code, text, _ := runHone(t, env, "plan", "--model", "llama-3.1-8b", "--gpu", "h100", "--seq", "4096", "--use-cases", "30")
	for _, want := range []string{"Recommended  LoRA", "Memory per method at 4096 tokens", "12-month total", "30 use cases"} {
		if code != ExitOK || !strings.Contains(text, want) {
			t.Errorf("text plan lacks %q:\n%s", want, text)
		}
	}
	code, list, _ := runHone(t, env, "plan", "--list")
	if code != ExitOK || !strings.Contains(list, "qwen3-8b") || !strings.Contains(list, "gpu:0") || !strings.Contains(list, "h200") {
		t.Errorf("list:\n%s", list)
	}
}

func TestPlanBadInput(t *testing.T) {
	home := t.TempDir()
	folder := filepath.Join(t.TempDir(), "half-model")
	os.Mkdir(folder, 0o755)
	os.WriteFile(filepath.Join(folder, "config.json"), []byte(`{"model_type": "llama", "hidden_size": 4096}`), 0o644)
	badGGUF := filepath.Join(t.TempDir(), "model.gguf")
	os.WriteFile(badGGUF, []byte("GGUF\x03\x00\x00\x00garbage"), 0o644)
	brokenPrices := t.TempDir()
	os.WriteFile(filepath.Join(brokenPrices, "prices.json"), []byte("{\n \"mfu\": 0.4,\n \"spotDiscount\": 7\n}"), 0o644)
	tests := []struct {
		name     string
		home     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"no model", home, []string{"plan"}, ExitUsage, "--model is required"},
		{"unknown model", home, []string{"plan", "--model", "gpt-5", "--gpu", "h100"}, ExitError, "not in the catalogue"},
		{"config with missing fields", home, []string{"plan", "--model", folder, "--gpu", "h100"}, ExitError, "missing field"},
		{"GGUF with a bad header", home, []string{"plan", "--model", badGGUF, "--gpu", "h100"}, ExitError, "gguf " + badGGUF},
		{"negative sequence", home, []string{"plan", "--model", "llama-3.1-8b", "--gpu", "h100", "--seq", "-4"}, ExitError, "sequence length -4"},
		{"unknown LoRA target", home, []string{"plan", "--model", "llama-3.1-8b", "--gpu", "h100", "--targets", "q,qkv"}, ExitError, `LoRA target "qkv"`},
		{"unknown card", home, []string{"plan", "--model", "llama-3.1-8b", "--gpu", "voodoo"}, ExitError, `GPU "voodoo"`},
		{"no GPU and none picked", home, []string{"plan", "--model", "llama-3.1-8b"}, ExitError, "no GPU in this machine"},
		{"broken prices", brokenPrices, []string{"plan", "--model", "llama-3.1-8b", "--gpu", "h100"}, ExitError, `"spotDiscount"`},
	}
	_, errDriver := os.Stat("/dev/nvidiactl")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no GPU and none picked" && errDriver == nil {
				t.Skip("this machine has an NVIDIA driver")
			}
			code, out, errs := runHone(t, map[string]string{"HONE_HOME": tt.home}, tt.args...)
			if code != tt.wantCode || !strings.Contains(errs, tt.wantMsg) || strings.Contains(out+errs, "NaN") {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errs, tt.wantCode, tt.wantMsg)
			}
		})
	}
}
