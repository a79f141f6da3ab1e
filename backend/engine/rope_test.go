package engine

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// TestRopeGolden compares NewRope with transformers' ROPE_INIT_FUNCTIONS on
// the configs of testdata/rope/gen.py: each config.json goes through Hone's
// reader, and the inverse frequencies and attention factor must match
// within 1e-6 relative.
func TestRopeGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "rope", "rope_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name            string          `json:"name"`
		Config          json.RawMessage `json:"config"`
		InvFreq         []float64       `json:"inv_freq"`
		AttentionFactor float64         `json:"attention_factor"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 5 {
		t.Fatalf("%d cases in rope_golden.json", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "config.json"), tc.Config, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := model.LoadHFConfig(dir)
			if err != nil {
				t.Fatal(err)
			}
			r, err := NewRope(c, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.InvFreq) != len(tc.InvFreq) || r.Interleaved {
				t.Fatalf("%d frequencies (interleaved %v), want %d", len(r.InvFreq), r.Interleaved, len(tc.InvFreq))
			}
			rel := func(got, want float64) float64 { return math.Abs(got-want) / math.Abs(want) }
			worst := 0.0
			for i, want := range tc.InvFreq {
				if e := rel(r.InvFreq[i], want); !(e <= 1e-6) {
					t.Fatalf("inv_freq[%d] = %g, want %g", i, r.InvFreq[i], want)
				} else {
					worst = max(worst, e)
				}
			}
			if e := rel(float64(r.Scale), tc.AttentionFactor); !(e <= 1e-6) {
				t.Fatalf("attention factor %g, want %g", r.Scale, tc.AttentionFactor)
			}
			t.Logf("%s: worst relative error %.2g", c.RopeScaling.Type, worst)
		})
	}
}

// TestRopeFreqs checks llama.cpp's rope_freqs divisors: Llama 3's scaling
// stored as a tensor gives the frequencies transformers' llama3 does.
func TestRopeFreqs(t *testing.T) {
	c := model.Config{HeadDim: 128, RopeTheta: 500000, MaxPositions: 131072, RopeFreqs: "rope_freqs.weight", Source: "x.gguf"}
	plain, err := NewRope(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	l3 := c
	l3.RopeFreqs = ""
	l3.RopeScaling = model.RopeScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalMaxPositions: 8192}
	want, err := NewRope(l3, nil)
	if err != nil {
		t.Fatal(err)
	}
	// convert_hf_to_gguf.py's rope_factors: the ratio of the two, in float32.
	freqs := make([]float32, 64)
	for i := range freqs {
		freqs[i] = float32(plain.InvFreq[i] / want.InvFreq[i])
	}
	got, err := NewRope(c, freqs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range freqs {
		if e := math.Abs(got.InvFreq[i]-want.InvFreq[i]) / want.InvFreq[i]; e > 1e-6 {
			t.Fatalf("inv_freq[%d] = %g, want %g", i, got.InvFreq[i], want.InvFreq[i])
		}
	}
	if _, err := NewRope(c, freqs[:10]); err == nil {
		t.Error("10 divisors for 64 frequencies: no error")
	}
	freqs[3] = 0
	if _, err := NewRope(c, freqs); err == nil {
		t.Error("a zero divisor: no error")
	}
	bad := c
	bad.RopeScaling = model.RopeScaling{Type: "dynamic", Factor: 2}
	if _, err := NewRope(bad, nil); err == nil {
		t.Error("dynamic scaling: no error")
	}
}

// TestRopeScaledParity runs the tiny random Llamas of
// testdata/rope/gen_models.py, whose config.json asks for llama3 or YaRN
// RoPE scaling, and matches transformers' logits within 1e-4 (relErr): for
// the whole prompt at once, and a token at a time through the KV cache.
func TestRopeScaledParity(t *testing.T) {
	forDevices(t, testRopeScaledParity)
}

func testRopeScaledParity(t *testing.T, dev compute.Device) {
	for _, name := range []string{"llama_llama3", "llama_yarn"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "rope", name)
			m := loadModel(t, dev, dir, Load)
			if m.rope == nil || (m.Config.RopeScaling.Type == "yarn") != (m.rope.Scale != 1) {
				t.Fatalf("rope %+v for scaling %+v", m.rope, m.Config.RopeScaling)
			}
			raw, err := os.ReadFile(filepath.Join(dir, "golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			var g struct {
				IDs    []int       `json:"input_ids"`
				Logits [][]float32 `json:"logits"`
			}
			if err := json.Unmarshal(raw, &g); err != nil {
				t.Fatal(err)
			}
			var want []float32
			for _, row := range g.Logits {
				want = append(want, row...)
			}
			got, err := m.Forward(m.NewCache(len(g.IDs)), g.IDs)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(got, want); !(e <= 1e-4) {
				t.Fatalf("prompt logits: relative error %.3g", e)
			} else {
				t.Logf("prompt logits: relative error %.2g", e)
			}
			cache := m.NewCache(len(g.IDs))
			var steps []float32
			for _, id := range g.IDs {
				l, err := m.Forward(cache, []int{id})
				if err != nil {
					t.Fatal(err)
				}
				steps = append(steps, l...)
			}
			if e := relErr(steps, want); !(e <= 1e-4) {
				t.Fatalf("decoded logits: relative error %.3g", e)
			}
			// Plain RoPE in place of the scaled one is far off: the test
			// sees the scaling.
			pc := m.Config
			pc.RopeScaling = model.RopeScaling{}
			if m.rope, err = NewRope(pc, nil); err != nil {
				t.Fatal(err)
			}
			plain, err := m.Forward(m.NewCache(len(g.IDs)), g.IDs)
			if err != nil {
				t.Fatal(err)
			}
			if e := relErr(plain, want); e < 1e-3 {
				t.Fatalf("plain RoPE is within %.3g of the scaled golden", e)
			}
		})
	}
}
