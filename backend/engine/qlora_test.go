package engine

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// TestNF4MatchesReference checks that Hone quantises every base linear of
// the QLoRA golden model bit for bit as the Python reference does (itself
// checked against bitsandbytes' quantize_4bit when that is installed).
func TestNF4MatchesReference(t *testing.T) {
	forDevices(t, testNF4MatchesReference)
}

func testNF4MatchesReference(t *testing.T, dev compute.Device) {
	dir := filepath.Join("testdata", "golden", "llama_untied_nf4")
	m := loadModel(t, dev, dir, LoadNF4)
	gold, err := model.OpenSafetensors(filepath.Join(dir, "golden.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer gold.Close()
	read := func(name string) []float32 {
		x, err := gold.ReadF32(name)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	if !slices.Equal(read("nf4.code2"), model.DynamicMap[:]) {
		t.Error("dynamic map differs from the reference's")
	}
	bytes := func(b []byte) []float32 {
		f := make([]float32, len(b))
		for i, x := range b {
			f[i] = float32(x)
		}
		return f
	}
	for l, ly := range m.layers {
		for i, lin := range ly.lin {
			hw, err := dev.DownloadWeight(lin.w)
			if err != nil {
				t.Fatal(err)
			}
			p, q := "nf4."+hfName(l, i)+".", hw.NF4
			if hw.DType != compute.NF4 || q == nil {
				t.Fatalf("%s: %s weight, not NF4", hfName(l, i), hw.DType)
			}
			for _, c := range []struct {
				what      string
				got, want []float32
			}{
				{"packed", bytes(q.Packed), read(p + "packed")},
				{"qabsmax", bytes(q.QAbsmax), read(p + "qabsmax")},
				{"absmax2", q.Absmax2, read(p + "absmax2")},
				{"offset", []float32{q.Offset}, read(p + "offset")},
			} {
				if !slices.Equal(c.got, c.want) {
					t.Errorf("%s: %s differs from the reference", hfName(l, i), c.what)
				}
			}
		}
	}
}

// TestQLoRAGradients is the LoRA gradient check with the base in NF4: the
// loss is that of the dequantised model, and the adapters' gradients flow
// through the NF4 matmul's backward pass.
func TestQLoRAGradients(t *testing.T) {
	forDevices(t, testQLoRAGradients)
}

func testQLoRAGradients(t *testing.T, dev compute.Device) {
	for _, ckpt := range []bool{false, true} {
		m := tinyModel(t, dev, tinyConfig("qwen2", false), 15)
		if err := m.QuantizeNF4(); err != nil {
			t.Fatal(err)
		}
		if !m.NF4() {
			t.Fatal("not quantised")
		}
		tr, err := NewTrainer(m, TrainOptions{Checkpoint: ckpt})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("checkpoint=%v", ckpt)
		gradCheck(t, tr, tinyBatch(7), func(string) bool { return true })
	}
	m := tinyModel(t, dev, tinyConfig("llama", false), 16)
	if err := m.QuantizeNF4(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewTrainer(m, TrainOptions{Base: true}); err == nil {
		t.Error("training an NF4 base accepted")
	}
}

// TestQLoRAForward: the NF4 model's logits are those of the f32 model
// whose linears hold the dequantised weights (the fused matmul is only a
// matmul), and differ from the unquantised model's.
func TestQLoRAForward(t *testing.T) {
	forDevices(t, testQLoRAForward)
}

func testQLoRAForward(t *testing.T, dev compute.Device) {
	c := tinyConfig("llama", true)
	f32, q, deq := tinyModel(t, dev, c, 17), tinyModel(t, dev, c, 17), tinyModel(t, dev, c, 17)
	if err := q.QuantizeNF4(); err != nil {
		t.Fatal(err)
	}
	for l := range deq.layers {
		for i := range deq.layers[l].lin {
			hw, err := dev.DownloadWeight(q.layers[l].lin[i].w)
			if err != nil {
				t.Fatal(err)
			}
			dev.Upload(deq.layers[l].lin[i].w, hw.NF4.Dequantize())
		}
	}
	seq := []int{3, 14, 15, 9, 26, 5}
	logits := func(m *Model) []float32 {
		x, err := m.Forward(m.NewCache(len(seq)), seq)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	a, b, d := logits(f32), logits(q), logits(deq)
	if e := relErr(b, d); !(e < 1e-5) {
		t.Errorf("NF4 logits vs dequantised f32: relative error %.2g", e)
	}
	if e := relErr(b, a); !(e > 1e-3) {
		t.Errorf("NF4 logits equal the f32 model's (%.2g): not quantised?", e)
	} else {
		t.Logf("NF4 vs f32 logits on the tiny random model: relative error %.2f", e)
	}
}

// TestQLoRATrainsStories260K is TestLoRATrainsStories260K on the NF4 base.
func TestQLoRATrainsStories260K(t *testing.T) {
	forDevices(t, testQLoRATrainsStories260K)
}

func testQLoRATrainsStories260K(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
	if err := m.QuantizeNF4(); err != nil {
		t.Fatal(err)
	}
	if err := m.AddLoRA(LoRAConfig{Rank: 8, Alpha: 16}, 1); err != nil {
		t.Fatal(err)
	}
	b := Batch{B: 1}
	for _, s := range []string{"The cat sat on the red mat. Tom likes to eat big apples."} {
		ids := tok.Encode(s, true)
		b.T = len(ids) - 1
		for j := range b.T {
			b.Tokens, b.Targets = append(b.Tokens, int32(ids[j])), append(b.Targets, int32(ids[j+1]))
		}
	}
	tr, err := NewTrainer(m, TrainOptions{AdamW: AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	first := math.NaN()
	for range 30 {
		loss, err := tr.Backward(b)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(first) {
			first = loss
		}
		tr.Update()
	}
	if final, _ := tr.Loss(b); !(final < 0.7*first) {
		t.Errorf("QLoRA loss %.3f -> %.3f: did not fall by 30%%", first, final)
	} else {
		t.Logf("QLoRA loss %.3f -> %.3f after 30 AdamW steps", first, final)
	}
}
