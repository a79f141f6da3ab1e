package engine

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/model"
)

// tinyModel is a random model small enough for finite differences: GQA (4
// heads over 2 KV heads), two layers; qwen2 adds q/k/v biases.
func tinyModel(t *testing.T, arch string, tied bool, seed uint64) *Model {
	t.Helper()
	c := model.Config{Architecture: arch, HiddenSize: 32, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 8,
		IntermediateSize: 48, VocabSize: 64, TiedEmbeddings: tied, MaxPositions: 64, RopeTheta: 10000, NormEps: 1e-6}
	r := rand.New(rand.NewPCG(seed, 1))
	rnd := func(scale float64, shape ...int) *Tensor {
		x := New(shape...)
		for i := range x.Data {
			x.Data[i] = float32(r.NormFloat64() * scale)
		}
		return x
	}
	norm := func() *Tensor {
		x := rnd(0.1, c.HiddenSize)
		for i := range x.Data {
			x.Data[i]++
		}
		return x
	}
	m := &Model{Config: c, be: CPU{}, embed: rnd(0.5, c.VocabSize, c.HiddenSize), norm: norm()}
	m.head = m.embed
	if !tied {
		m.head = rnd(0.2, c.VocabSize, c.HiddenSize)
	}
	q, kv := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	shapes := [numLinear][2]int{{q, 32}, {kv, 32}, {kv, 32}, {32, q}, {48, 32}, {48, 32}, {32, 48}}
	for range c.Layers {
		ly := layer{attnNorm: norm(), mlpNorm: norm()}
		for i, s := range shapes {
			ly.lin[i].w = rnd(1/math.Sqrt(float64(s[1])), s[0], s[1])
			if arch == "qwen2" && i <= lv {
				ly.lin[i].bias = rnd(0.1, s[0])
			}
		}
		m.layers = append(m.layers, ly)
	}
	// PEFT initialises B to zero; random B lets gradients reach A.
	if err := m.AddLoRA(LoRAConfig{Rank: 4, Alpha: 8}, seed); err != nil {
		t.Fatal(err)
	}
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			for i := range lin.lora.B.Data {
				lin.lora.B.Data[i] = float32(r.NormFloat64() * 0.2)
			}
		}
	}
	return m
}

// tinyBatch is 2 sequences of 8 random tokens with a few masked targets.
func tinyBatch(seed uint64) Batch {
	r := rand.New(rand.NewPCG(seed, 2))
	b := Batch{B: 2, T: 8, Tokens: make([]int32, 16), Targets: make([]int32, 16)}
	for i := range b.Tokens {
		b.Tokens[i], b.Targets[i] = int32(r.IntN(64)), int32(r.IntN(64))
	}
	b.Targets[0], b.Targets[1], b.Targets[13] = -100, -100, -100
	return b
}

// gradCheck compares the trainer's gradients with central differences of
// the loss at the largest-gradient and at random coordinates of each
// param whose name passes keep. The loss is float32, so the step is large
// (1e-2) and the check is |numeric-analytic| <= 1e-2·|analytic| + 2e-4.
func gradCheck(t *testing.T, tr *Trainer, b Batch, keep func(string) bool) {
	t.Helper()
	if _, err := tr.Backward(b); err != nil {
		t.Fatal(err)
	}
	const h = 1e-2
	r := rand.New(rand.NewPCG(7, 7))
	worst, checked := 0.0, 0
	for _, p := range tr.Params() {
		if !keep(p.Name) {
			continue
		}
		g := slices.Clone(p.G.Data)
		abs := make([]float64, len(g))
		for i, v := range g {
			abs[i] = math.Abs(float64(v))
		}
		idx := []int{slices.Index(abs, slices.Max(abs)), r.IntN(len(g)), r.IntN(len(g))}
		for _, i := range idx {
			old := p.W.Data[i]
			p.W.Data[i] = old + h
			up, _ := tr.Loss(b)
			p.W.Data[i] = old - h
			down, _ := tr.Loss(b)
			p.W.Data[i] = old
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

func TestLoRAGradients(t *testing.T) {
	for _, arch := range []string{"llama", "qwen2"} {
		for _, ckpt := range []bool{false, true} {
			m := tinyModel(t, arch, arch == "qwen2", 11)
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
}

func TestBaseGradients(t *testing.T) {
	for _, tied := range []bool{false, true} {
		m := tinyModel(t, "qwen2", tied, 12)
		tr, err := NewTrainer(m, TrainOptions{Base: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("tied=%v", tied)
		gradCheck(t, tr, tinyBatch(4), func(n string) bool {
			return !slices.Contains([]string{"lora_A", "lora_B"}, n[max(0, len(n)-13):len(n)-7]) // base weights only
		})
	}
}

// TestCheckpointSame checks that recomputing layers in the backward pass
// gives bit-identical gradients: the kernels are deterministic.
func TestCheckpointSame(t *testing.T) {
	var grads [2][][]float32
	for k, ckpt := range []bool{false, true} {
		tr, err := NewTrainer(tinyModel(t, "qwen2", false, 13), TrainOptions{Base: true, Checkpoint: ckpt})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.Backward(tinyBatch(5)); err != nil {
			t.Fatal(err)
		}
		for _, p := range tr.Params() {
			grads[k] = append(grads[k], p.G.Data)
		}
	}
	for i := range grads[0] {
		if !slices.Equal(grads[0][i], grads[1][i]) {
			t.Fatalf("param %d: gradients differ with checkpointing", i)
		}
	}
}

func TestTrainerRejects(t *testing.T) {
	m := tinyModel(t, "llama", false, 14)
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
	m, tok := stories260K(t)
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
