package engine

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/compute/devices"
	"github.com/hone-ai/hone/backend/model"
)

// forDevices runs f as a subtest on every device this build carries: the
// engine's tests are the conformance suite of a new device.
func forDevices(t *testing.T, f func(t *testing.T, dev compute.Device)) {
	for _, dev := range devices.Available() {
		t.Run(dev.Name(), func(t *testing.T) { f(t, dev) })
	}
}

// loadModel opens the model at path and loads it onto dev with load (Load,
// LoadNF4, LoadBF16, LoadPacked), failing the test on any error.
func loadModel(t testing.TB, dev compute.Device, path string, load func(*model.Model, compute.Device) (*Model, error)) *Model {
	t.Helper()
	mm, err := model.OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mm.Close()
	m, err := load(mm, dev)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// tinyConfig is a random-model config small enough for finite differences:
// GQA (4 heads over 2 KV heads), two layers, and each family's features
// switched on: qwen2 q/k/v biases; qwen3 per-head q/k norms and a head size
// that is not hidden/heads; mistral a sliding window shorter than the
// batch; gemma2 soft caps that bend, alternate sliding layers, GeGLU, a
// query scale and sandwich norms.
func tinyConfig(arch string, tied bool) model.Config {
	c := model.Config{Architecture: arch, HiddenSize: 32, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 8,
		IntermediateSize: 48, VocabSize: 64, TiedEmbeddings: tied, MaxPositions: 64, RopeTheta: 10000, NormEps: 1e-6,
		Source: "tiny/" + arch + "/config.json"}
	switch arch {
	case "qwen3":
		c.HeadDim = 16
	case "mistral":
		c.SlidingWindow = 3
	case "gemma2":
		c.SlidingWindow, c.SlidingLayers = 3, []bool{true, false}
		c.AttnSoftCap, c.FinalSoftCap, c.QueryScale = 1.5, 2.5, 1/math.Sqrt(12)
		c.HiddenAct = "gelu_pytorch_tanh"
	}
	return c
}

// tinyModel loads a random model of config c onto dev through the real
// loader, with LoRA on every linear (B random, so gradients reach A).
func tinyModel(t *testing.T, dev compute.Device, c model.Config, seed uint64) *Model {
	t.Helper()
	f, err := familyOf(c)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	w := mapWeights{}
	rnd := func(name string, mean, scale float64, n int) {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(mean + r.NormFloat64()*scale)
		}
		w[name] = x
	}
	C, F, q, kv := c.HiddenSize, c.IntermediateSize, c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	// Gemma's norms scale by 1+w: stored weights near 0 are norms near 1.
	normMean := 1 - float64(f.normOffset)
	rnd("model.embed_tokens.weight", 0, 0.5, c.VocabSize*C)
	rnd("model.norm.weight", normMean, 0.1, C)
	if !c.TiedEmbeddings {
		rnd("lm_head.weight", 0, 0.2, c.VocabSize*C)
	}
	shapes := [numLinear][2]int{{q, C}, {kv, C}, {kv, C}, {C, q}, {F, C}, {F, C}, {C, F}}
	for l := range c.Layers {
		for role, name := range f.normNames {
			if name == "" {
				continue
			}
			n := C
			if role == nQ || role == nK {
				n = c.HeadDim
			}
			rnd("model.layers."+strconv.Itoa(l)+"."+name+".weight", normMean, 0.1, n)
		}
		for i, s := range shapes {
			rnd(hfName(l, i)+".weight", 0, 1/math.Sqrt(float64(s[1])), s[0]*s[1])
			if f.bias[i] {
				rnd(hfName(l, i)+".bias", 0, 0.1, s[0])
			}
		}
	}
	m, err := Load(&model.Model{Config: c, Weights: w}, dev)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddLoRA(LoRAConfig{Rank: 4, Alpha: 8}, seed); err != nil {
		t.Fatal(err)
	}
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			b := make([]float32, lin.lora.B.Len())
			for i := range b {
				b[i] = float32(r.NormFloat64() * 0.2)
			}
			dev.Upload(lin.lora.B, b)
		}
	}
	return m
}

// mapWeights are a model's tensors held in a map, for tests.
type mapWeights map[string][]float32

func (w mapWeights) Tensors() []model.TensorInfo { return nil }
func (w mapWeights) Close() error                { return nil }
func (w mapWeights) ReadF32(name string) ([]float32, error) {
	x, ok := w[name]
	if !ok {
		return nil, errors.Join(model.ErrNoTensor, errors.New(name))
	}
	return append([]float32(nil), x...), nil
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

// isLoRA reports whether a parameter name is an adapter's.
func isLoRA(name string) bool { return strings.Contains(name, ".lora_") }

// relErr is max|got-want| / max|want| over a tensor: an error relative to
// the tensor's scale, not to each element, so that entries near zero do not
// dominate.
func relErr(got, want []float32) float64 {
	d, s := 0.0, 0.0
	for i := range want {
		d = max(d, math.Abs(float64(got[i])-float64(want[i])))
		s = max(s, math.Abs(float64(want[i])))
	}
	return d / s
}

// edit downloads t, lets f change the values and uploads them again.
func edit(m *Model, t *Tensor, f func(x []float32)) {
	x := m.Host(t)
	f(x)
	m.dev.Upload(t, x)
}
