package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/compute/cpu"
)

// gradCheck compares the trainer's gradients with central differences of
// the loss at the largest-gradient and at random coordinates of each
// param whose name passes keep. The loss is float32, so the step is large
// (1e-2) and the check is |numeric-analytic| <= 1e-2·|analytic| + 2e-4.
func gradCheck(t *testing.T, tr *Trainer, b Batch, keep func(string) bool) {
	t.Helper()
	gradCheckLoss(t, tr, b, keep, tr.Loss)
}

// gradCheckLoss is gradCheck with the numeric side taken from loss (a
// training pass's own loss, where it differs from Loss: LoRA dropout).
func gradCheckLoss(t *testing.T, tr *Trainer, b Batch, keep func(string) bool, loss func(Batch) (float64, error)) {
	t.Helper()
	if _, err := tr.Backward(b); err != nil {
		t.Fatal(err)
	}
	const h = 1e-2
	r := rand.New(rand.NewPCG(7, 7))
	worst, checked := 0.0, 0
	var grads [][]float32 // before loss, which may be a training pass, overwrites them
	for _, p := range tr.Params() {
		grads = append(grads, tr.m.Host(p.G))
	}
	for k, p := range tr.Params() {
		if !keep(p.Name) {
			continue
		}
		g, w := grads[k], tr.m.Host(p.W)
		set := func(i int, v float32) {
			w[i] = v
			tr.m.dev.Upload(p.W, w)
		}
		abs := make([]float64, len(g))
		for i, v := range g {
			abs[i] = math.Abs(float64(v))
		}
		idx := []int{slices.Index(abs, slices.Max(abs)), r.IntN(len(g)), r.IntN(len(g))}
		for _, i := range idx {
			old := w[i]
			set(i, old+h)
			up, _ := loss(b)
			set(i, old-h)
			down, _ := loss(b)
			set(i, old)
			num, an := (up-down)/(2*h), float64(g[i])
			if e := math.Abs(num - an); !(e <= 1e-2*math.Abs(an)+2e-4) {
				t.Errorf("%s[%d]: analytic %g, numeric %g", p.Name, i, an, num)
			} else {
				worst = max(worst, e/(math.Abs(an)+1e-3))
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no parameter checked")
	}
	t.Logf("%d coordinates: worst |numeric-analytic|/(|analytic|+1e-3) = %.2g", checked, worst)
}

// families are the architectures of tinyConfig, each switching on its
// family's features.
var families = []string{"llama", "qwen2", "qwen3", "mistral", "gemma2"}

func TestLoRAGradients(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			for _, ckpt := range []bool{false, true} {
				m := tinyModel(t, dev, tinyConfig(arch, arch == "qwen2"), 11)
				tr, err := NewTrainer(m, TrainOptions{Checkpoint: ckpt})
				if err != nil {
					t.Fatal(err)
				}
				if len(tr.Params()) != 2*7*2 {
					t.Fatalf("%d params, want A and B of 7 linears in 2 layers", len(tr.Params()))
				}
				t.Logf("%s checkpoint=%v", arch, ckpt)
				gradCheck(t, tr, tinyBatch(3), func(string) bool { return true })
			}
		}
	})
}

// TestBaseGradients checks every base weight's gradient (full fine-tuning),
// in every family: norms, biases, per-head and sandwich norms, the scaled
// embedding and the soft-capped head included.
func TestBaseGradients(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			for _, tied := range []bool{false, true} {
				m := tinyModel(t, dev, tinyConfig(arch, tied), 12)
				tr, err := NewTrainer(m, TrainOptions{Base: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s tied=%v", arch, tied)
				gradCheck(t, tr, tinyBatch(4), func(n string) bool { return !isLoRA(n) })
			}
		}
	})
}

// TestCheckpointSame checks that recomputing layers in the backward pass
// gives bit-identical gradients: the kernels are deterministic.
func TestCheckpointSame(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			var grads [2][]float32
			for k, ckpt := range []bool{false, true} {
				tr, err := NewTrainer(tinyModel(t, dev, tinyConfig(arch, false), 13), TrainOptions{Base: true, Checkpoint: ckpt})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tr.Backward(tinyBatch(5)); err != nil {
					t.Fatal(err)
				}
				grads[k] = tr.m.Host(tr.g)
			}
			if !slices.Equal(grads[0], grads[1]) {
				t.Fatalf("%s: gradients differ with checkpointing", arch)
			}
		}
	})
}

func TestTrainerRejects(t *testing.T) {
	m := tinyModel(t, cpu.New(), tinyConfig("llama", false), 14)
	tr, err := NewTrainer(m, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b := tinyBatch(6)
	for name, bad := range map[string]Batch{
		"short":     {B: 2, T: 8, Tokens: b.Tokens[:5], Targets: b.Targets},
		"token":     {B: 1, T: 2, Tokens: []int32{1, 64}, Targets: []int32{1, 1}},
		"no target": {B: 1, T: 2, Tokens: []int32{1, 2}, Targets: []int32{-100, -100}},
	} {
		if _, err := tr.Backward(bad); err == nil {
			t.Errorf("%s batch accepted", name)
		}
	}
	if err := m.AddLoRA(LoRAConfig{Rank: 4, Targets: []string{"qkv"}}, 1); err == nil {
		t.Error("unknown target accepted")
	}
}

// TestLoRATrainsStories260K fine-tunes stories260K with LoRA on a few
// sentences: the training loss must fall.
func TestLoRATrainsStories260K(t *testing.T) {
	forDevices(t, testLoRATrainsStories260K)
}

func testLoRATrainsStories260K(t *testing.T, dev compute.Device) {
	m, tok := stories260K(t, dev)
	if err := m.AddLoRA(LoRAConfig{Rank: 8, Alpha: 16}, 1); err != nil {
		t.Fatal(err)
	}
	texts := []string{"The cat sat on the red mat.", "Tom likes to eat big apples.", "A bird sang in the tall tree."}
	var seqs [][]int
	T := 0
	for _, s := range texts {
		ids := tok.Encode(s, true)
		seqs = append(seqs, ids)
		T = max(T, len(ids)-1)
	}
	b := Batch{B: len(seqs), T: T, Tokens: make([]int32, len(seqs)*T), Targets: make([]int32, len(seqs)*T)}
	for i, ids := range seqs {
		for j := range T {
			b.Tokens[i*T+j], b.Targets[i*T+j] = 0, -100 // padding
			if j+1 < len(ids) {
				b.Tokens[i*T+j], b.Targets[i*T+j] = int32(ids[j]), int32(ids[j+1])
			}
		}
	}
	tr, err := NewTrainer(m, TrainOptions{Checkpoint: true, AdamW: AdamW{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}})
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	for step := range 30 {
		loss, err := tr.Backward(b)
		if err != nil {
			t.Fatal(err)
		}
		if step == 0 {
			first = loss
		}
		last = loss
		tr.Update()
	}
	if final, _ := tr.Loss(b); final > 0.7*first {
		t.Errorf("loss %.3f -> %.3f (last step %.3f): did not fall by 30%%", first, final, last)
	} else {
		t.Logf("loss %.3f -> %.3f after 30 AdamW steps", first, final)
	}
}

// TestPackedBatch: two examples packed in one row (positions restarting,
// attention kept inside each) train exactly as the same examples in two
// rows: same loss, same gradients.
func TestPackedBatch(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			sep := tinyBatch(8) // 2 rows of 8
			packed := Batch{B: 1, T: 16, Tokens: sep.Tokens, Targets: sep.Targets}
			for i := range 16 {
				packed.Positions = append(packed.Positions, int32(i%8))
				packed.Starts = append(packed.Starts, int32(i/8*8))
			}
			var loss [2]float64
			var grads [2][]float32
			for k, b := range []Batch{sep, packed} {
				tr, err := NewTrainer(tinyModel(t, dev, tinyConfig(arch, false), 41), TrainOptions{Base: true})
				if err != nil {
					t.Fatal(err)
				}
				if loss[k], err = tr.Backward(b); err != nil {
					t.Fatal(err)
				}
				grads[k] = tr.m.Host(tr.g)
			}
			if math.Abs(loss[0]-loss[1]) > 1e-6*loss[0] {
				t.Errorf("%s: packed loss %.7f, separate rows %.7f", arch, loss[1], loss[0])
			}
			if e := relErr(grads[1], grads[0]); e > 1e-5 {
				t.Errorf("%s: packed gradients differ from separate rows' by %.2g", arch, e)
			}
			// Without the starts, the second example sees the first: the
			// test can tell.
			unmasked := packed
			unmasked.Starts = nil
			tr, err := NewTrainer(tinyModel(t, dev, tinyConfig(arch, false), 41), TrainOptions{Base: true})
			if err != nil {
				t.Fatal(err)
			}
			if l, err := tr.Loss(unmasked); err != nil || math.Abs(l-loss[0]) < 1e-4*loss[0] {
				t.Errorf("%s: attention across examples changed nothing (%v, %v)", arch, l, err)
			}
		}
	})
}

// TestLoRADropout: a training pass drops adapter inputs with the batch's
// seed (the same seed, the same loss; another seed, another), Loss never
// drops, and the gradients are those of the dropped pass's loss.
func TestLoRADropout(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		m := tinyModel(t, dev, tinyConfig("qwen3", false), 51)
		for l := range m.layers {
			for i := range m.layers[l].lin {
				m.layers[l].lin[i].lora.Dropout = 0.3
			}
		}
		tr, err := NewTrainer(m, TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b := tinyBatch(10)
		b.Seed = 7
		clean, _ := tr.Loss(b)
		a, _ := tr.Backward(b)
		again, _ := tr.Backward(b)
		b2 := b
		b2.Seed = 8
		other, _ := tr.Backward(b2)
		if a != again || a == clean || a == other {
			t.Errorf("losses: clean %v, seed 7 %v then %v, seed 8 %v", clean, a, again, other)
		}
		if after, _ := tr.Loss(b); after != clean {
			t.Errorf("Loss %v after training passes, %v before: it dropped", after, clean)
		}
		gradCheckLoss(t, tr, b, func(string) bool { return true }, tr.Backward)
	})
}
