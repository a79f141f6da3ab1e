package engine

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
)

func TestBF16Rounding(t *testing.T) {
	for _, c := range []struct {
		in   float32
		want uint16
	}{
		{1, 0x3f80},
		{math.Float32frombits(0x3f808000), 0x3f80}, // a tie rounds to even (down)
		{math.Float32frombits(0x3f818000), 0x3f82}, // a tie rounds to even (up)
		{math.Float32frombits(0x3f808001), 0x3f81}, // past the tie rounds up
		{float32(math.Inf(-1)), 0xff80},
	} {
		if got := bf16(c.in); got != c.want {
			t.Errorf("bf16(%#x) = %#x, want %#x", math.Float32bits(c.in), got, c.want)
		}
	}
	if nan := bf16(float32(math.NaN())); nan&0x7f80 != 0x7f80 || nan&0x7f == 0 {
		t.Errorf("bf16(NaN) = %#x, not a NaN", nan)
	}
}

// TestLoadBF16: a bf16 base computes what the f32 engine computes on the
// same weights rounded to bf16 — logits, and the LoRA gradients through it —
// and refuses full fine-tuning.
func TestLoadBF16(t *testing.T) {
	forDevices(t, testLoadBF16)
}

func testLoadBF16(t *testing.T, dev compute.Device) {
	dir := filepath.Join("testdata", "golden", "llama_untied")
	h, f := loadModel(t, dev, dir, LoadBF16), loadModel(t, dev, dir, Load)
	if h.baseDType() != compute.BF16 {
		t.Fatalf("LoadBF16 gave %s linears", h.baseDType())
	}
	for l := range f.layers {
		for i := range f.layers[l].lin {
			edit(f, f.layers[l].lin[i].w, func(w []float32) {
				for j, v := range w {
					w[j] = math.Float32frombits(uint32(bf16(v)) << 16)
				}
			})
		}
	}
	ids := []int{60, 51, 56, 1, 46, 53, 26, 20}
	want, err := f.Forward(f.NewCache(len(ids)), ids)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Forward(h.NewCache(len(ids)), ids)
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(got, want); e > 1e-6 {
		t.Errorf("bf16 logits: relative error %.2g", e)
	}

	toks := []int32{60, 51, 56, 1, 46, 53, 26, 20}
	b := Batch{B: 1, T: 7, Tokens: toks[:7], Targets: toks[1:]}
	var grads [2][][]float32
	for k, m := range []*Model{f, h} {
		if err := m.AddLoRA(LoRAConfig{Rank: 4, Alpha: 8}, 3); err != nil {
			t.Fatal(err)
		}
		for l := range m.layers { // B starts at zero: move it so that A's gradients are not all zero
			for i := range m.layers[l].lin {
				edit(m, m.layers[l].lin[i].lora.B, func(b []float32) {
					for j := range b {
						b[j] = 0.01 * float32(j%7-3)
					}
				})
			}
		}
		tr, err := NewTrainer(m, TrainOptions{AdamW: AdamW{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Backward(b); err != nil {
			t.Fatal(err)
		}
		for _, p := range tr.Params() {
			grads[k] = append(grads[k], m.Host(p.G))
		}
	}
	for i, g := range grads[1] {
		if e := relErr(g, grads[0][i]); e > 1e-5 {
			t.Errorf("bf16 parameter %d gradient: relative error %.2g", i, e)
		}
	}
	if _, err := NewTrainer(h, TrainOptions{Base: true}); err == nil {
		t.Error("full fine-tuning of a bf16 base was accepted")
	}
}
