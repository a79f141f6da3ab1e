package engine

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/compute/cpu"
)

// twoAdapters saves m's attached adapters and a second set with other B
// values as PEFT folders, detaches them (m is the base again) and reads both
// back as resident LoRAs.
func twoAdapters(t *testing.T, m *Model) (a, b *LoRA, dirs [2]string) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 7))
	for k := range dirs {
		dirs[k] = filepath.Join(t.TempDir(), "adapter")
		if k == 1 {
			for _, ly := range m.layers {
				for _, lin := range ly.lin {
					x := make([]float32, lin.lora.B.Len())
					for i := range x {
						x[i] = float32(r.NormFloat64() * 0.3)
					}
					m.dev.Upload(lin.lora.B, x)
				}
			}
		}
		if err := m.SaveLoRA(dirs[k]); err != nil {
			t.Fatal(err)
		}
	}
	detach(m)
	var err error
	if a, err = m.ReadLoRA(dirs[0]); err != nil {
		t.Fatal(err)
	}
	if b, err = m.ReadLoRA(dirs[1]); err != nil {
		t.Fatal(err)
	}
	return a, b, dirs
}

func detach(m *Model) {
	for l := range m.layers {
		for i := range m.layers[l].lin {
			m.layers[l].lin[i].lora = nil
		}
	}
}

// TestStepMatchesOneByOne is the batched step's ground truth: rows of
// different lengths on different adapters (the base, A, B; A twice in a
// row, so one product serves both), with a prompt joining while the others
// decode, give each row the logits it gets alone with its adapter attached.
func TestStepMatchesOneByOne(t *testing.T) {
	forDevices(t, func(t *testing.T, dev compute.Device) {
		for _, arch := range families {
			t.Run(arch, func(t *testing.T) {
				m := tinyModel(t, dev, tinyConfig(arch, false), 21)
				la, lb, dirs := twoAdapters(t, m)
				type seq struct {
					lora   *LoRA
					dir    string
					prompt []int
					join   int // the step the row joins at
				}
				seqs := []seq{
					{la, dirs[0], []int{3, 14, 15, 9, 26}, 0},
					{la, dirs[0], []int{5, 35}, 0},
					{nil, "", []int{8, 9, 7}, 0},
					{lb, dirs[1], []int{2, 7, 1, 8}, 0},
					{lb, dirs[1], []int{31, 41, 59, 26, 53, 58, 9}, 2}, // a prompt longer than the window joins late
				}
				ws := m.NewWorkspace()
				caches := make([]*Cache, len(seqs))
				got := make([][][]float32, len(seqs)) // per row, per own step
				// Each row's next token comes from its logits, as sampling would.
				next := func(i, k int, logits []float32) int {
					return (i*7 + k*3 + int(math.Abs(float64(logits[0]))*100)) % m.Config.VocabSize
				}
				last := make([]int, len(seqs))
				for step := range 5 {
					var rows []Row
					var who []int
					for i, s := range seqs {
						switch {
						case step == s.join:
							caches[i] = m.NewCache(16)
							rows = append(rows, Row{Cache: caches[i], Tokens: s.prompt, LoRA: s.lora})
						case step > s.join:
							rows = append(rows, Row{Cache: caches[i], Tokens: []int{last[i]}, LoRA: s.lora})
						default:
							continue
						}
						who = append(who, i)
					}
					out, err := m.Step(ws, rows)
					if err != nil {
						t.Fatal(err)
					}
					for j, i := range who {
						got[i] = append(got[i], out[j])
						last[i] = next(i, len(got[i]), out[j])
					}
				}
				for i, s := range seqs {
					detach(m)
					if s.dir != "" {
						if err := m.LoadLoRA(s.dir); err != nil {
							t.Fatal(err)
						}
					}
					cache := m.NewCache(16)
					tokens := s.prompt
					for k, g := range got[i] {
						want, err := m.Next(cache, tokens)
						if err != nil {
							t.Fatal(err)
						}
						if e := relErr(g, want); e > 1e-5 {
							t.Fatalf("row %d step %d: batched logits differ from alone by %.2g (relative)", i, k, e)
						}
						tokens = []int{next(i, k+1, want)}
						if tokens[0] != next(i, k+1, g) {
							t.Fatalf("row %d step %d: the next token differs", i, k)
						}
					}
				}
				detach(m)
			})
		}
	})
}

// TestStepRefuses checks a step's rows before any work.
func TestStepRefuses(t *testing.T) {
	m := tinyModel(t, cpu.New(), tinyConfig("llama", false), 3)
	detach(m)
	c := m.NewCache(4)
	for name, rows := range map[string][]Row{
		"too long":     {{Cache: c, Tokens: []int{1, 2, 3, 4, 5}}},
		"empty":        {{Cache: c}},
		"shared cache": {{Cache: c, Tokens: []int{1}}, {Cache: c, Tokens: []int{2}}},
		"bad token":    {{Cache: c, Tokens: []int{64}}},
		"no cache":     {{Tokens: []int{1}}},
	} {
		if _, err := m.Step(m.NewWorkspace(), rows); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if c.Len != 0 {
		t.Errorf("a refused step moved the cache to %d", c.Len)
	}
}

// TestReadLoRARefusesOtherShapes: an adapter saved for one model does not
// load onto a model with other linear shapes, and says which matrix.
func TestReadLoRARefusesOtherShapes(t *testing.T) {
	small := tinyModel(t, cpu.New(), tinyConfig("llama", false), 3)
	dir := t.TempDir()
	if err := small.SaveLoRA(dir); err != nil {
		t.Fatal(err)
	}
	c := tinyConfig("llama", false)
	c.IntermediateSize = 40
	other := tinyModel(t, cpu.New(), c, 3)
	_, err := other.ReadLoRA(dir)
	if err == nil {
		t.Fatal("an adapter for another shape loaded")
	}
	t.Log(err)
}

// TestGrowCache: a cache grown half-way through a sequence gives the same
// logits as one made big enough at the start.
func TestGrowCache(t *testing.T) {
	m := tinyModel(t, cpu.New(), tinyConfig("llama", false), 5)
	seq := []int{3, 14, 15, 9, 26, 5, 35, 8}
	want, err := m.Forward(m.NewCache(len(seq)), seq)
	if err != nil {
		t.Fatal(err)
	}
	c := m.NewCache(3)
	if _, err := m.Forward(c, seq[:3]); err != nil {
		t.Fatal(err)
	}
	m.GrowCache(c, len(seq))
	got, err := m.Forward(c, seq[3:])
	if err != nil {
		t.Fatal(err)
	}
	if e := relErr(got, want[3*m.Config.VocabSize:]); e > 1e-6 {
		t.Fatalf("after growing: relative error %.2g", e)
	}
}

// TestStepBatchInvariant: a row's logits do not depend on what else is in
// the step — bit for bit — so a served answer with a seed is the same alone
// and under load (the load test's check): prompts, then decoding rows, on
// stories260K (f32) and on the real packed SmolLM2 (GGUF blocks, whose one
// row multiplies through integer dots and several through f32 tiles).
func TestStepBatchInvariant(t *testing.T) {
	t.Run("stories260K", func(t *testing.T) {
		m, tok := stories260K(t, cpu.New())
		stepInvariant(t, m, [][]int{tok.Encode("Once upon a time", true), tok.Encode("The dog", true), {1}, tok.Encode("Tom had a blue boat and", true)})
	})
	t.Run("SmolLM2", func(t *testing.T) {
		m, tok, tmpl := smolLM2With(t, cpu.New(), LoadPacked)
		stepInvariant(t, m, [][]int{chatPrompt(t, tok, tmpl, "What is the capital of France?"), chatPrompt(t, tok, tmpl, "Name three colours."),
			tok.Encode("Once upon a time", false), {1}})
	})
}

// stepInvariant runs each prompt and then 3 decoding steps alone, then all
// of them together, and requires equal logits.
func stepInvariant(t *testing.T, m *Model, prompts [][]int) {
	t.Helper()
	const steps = 4
	run := func(idx []int) map[int][][]float32 {
		out := map[int][][]float32{}
		caches, next := map[int]*Cache{}, map[int][]int{}
		for _, i := range idx {
			caches[i], next[i] = m.NewCache(64), prompts[i]
		}
		ws := m.NewWorkspace()
		for range steps {
			var rows []Row
			for _, i := range idx {
				rows = append(rows, Row{Cache: caches[i], Tokens: next[i]})
			}
			logits, err := m.Step(ws, rows)
			if err != nil {
				t.Fatal(err)
			}
			for k, i := range idx {
				out[i] = append(out[i], logits[k])
				next[i] = []int{slices.Index(logits[k], slices.Max(logits[k]))}
			}
		}
		return out
	}
	var all []int
	alone := map[int][][]float32{}
	for i := range prompts {
		all = append(all, i)
		alone[i] = run([]int{i})[i]
	}
	together := run(all)
	for i := range prompts {
		for s := range steps {
			if !slices.Equal(together[i][s], alone[i][s]) {
				t.Fatalf("prompt %d step %d: logits in a batch differ from alone", i, s)
			}
		}
	}
}
