package engine

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// Adapter is LoRA on one linear W [out, in]: y = x Wᵀ + Scale·(x Aᵀ) Bᵀ.
type Adapter struct {
	A     *Tensor // [r, in]
	B     *Tensor // [out, r]
	Scale float32 // alpha / r
	// Dropout is the probability that an input of the adapter (not of the
	// base linear) is dropped in training, as PEFT's lora_dropout: y = x Wᵀ
	// + Scale·(dropout(x) Aᵀ) Bᵀ. Inference and Loss never drop.
	Dropout float32
	// Bt is Bᵀ [r, out], which a resident set (ReadLoRA) keeps instead of
	// B: serving adds its product with no transpose per call (MatMulAddT).
	Bt *Tensor
}

// LoRAConfig says which linears get adapters and their shape, as PEFT's
// LoraConfig does.
type LoRAConfig struct {
	Rank    int
	Alpha   float64
	Targets []string // names from LinearNames; empty means all
	Dropout float64  // lora_dropout, in [0, 1)
}

func (c LoRAConfig) targets() ([]int, error) {
	if c.Rank <= 0 {
		return nil, fmt.Errorf("engine: LoRA rank %d", c.Rank)
	}
	if !(c.Dropout >= 0 && c.Dropout < 1) {
		return nil, fmt.Errorf("engine: LoRA dropout %g is outside [0, 1)", c.Dropout)
	}
	if len(c.Targets) == 0 {
		return []int{lq, lk, lv, lo, lgate, lup, ldown}, nil
	}
	var idx []int
	for _, t := range c.Targets {
		i := slices.Index(LinearNames[:], t)
		if i < 0 {
			return nil, fmt.Errorf("engine: no linear %q to adapt (have %v)", t, LinearNames)
		}
		idx = append(idx, i)
	}
	return idx, nil
}

// AddLoRA attaches fresh adapters initialised as PEFT does by default: A
// Kaiming-uniform (bound 1/sqrt(in)), B zero, so the model is unchanged
// until training moves B.
func (m *Model) AddLoRA(c LoRAConfig, seed uint64) error {
	idx, err := c.targets()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(seed, 0x10ba))
	for l := range m.layers {
		for _, i := range idx {
			w := m.layers[l].lin[i].w
			a := make([]float32, c.Rank*w.Dim(1))
			bound := 1 / math.Sqrt(float64(w.Dim(1)))
			for j := range a {
				a[j] = float32((2*r.Float64() - 1) * bound)
			}
			m.layers[l].lin[i].lora = &Adapter{A: m.dev.FromHost(a, c.Rank, w.Dim(1)),
				B: m.dev.Alloc(compute.F32, w.Dim(0), c.Rank), Scale: float32(c.Alpha / float64(c.Rank)), Dropout: float32(c.Dropout)}
		}
	}
	return nil
}

// LoRA is a set of adapters read from a PEFT folder and kept apart from the
// model, so that many can stay resident on one base and each row of a
// batched step (Model.Step) can apply its own: switching adapters is a
// pointer, not a reload.
type LoRA struct {
	Config  LoRAConfig
	Targets []string              // the linears adapted, in LinearNames
	ad      [][numLinear]*Adapter // [layer][linear]; nil where not adapted
	params  int
}

// Params is the number of values in the adapter's A and B matrices.
func (a *LoRA) Params() int { return a.params }

// LoadLoRA attaches the adapter of a PEFT folder (adapter_config.json and
// adapter_model.safetensors).
func (m *Model) LoadLoRA(dir string) error {
	a, err := m.readLoRA(dir, false)
	if err != nil {
		return err
	}
	for l := range m.layers {
		for i, ad := range a.ad[l] {
			if ad != nil {
				m.layers[l].lin[i].lora = ad
			}
		}
	}
	return nil
}

// peftConfig is what Hone reads of a PEFT adapter_config.json.
type peftConfig struct {
	R        int      `json:"r"`
	Alpha    float64  `json:"lora_alpha"`
	Targets  []string `json:"target_modules"`
	RSLoRA   bool     `json:"use_rslora"`
	DoRA     bool     `json:"use_dora"`
	FanInOut bool     `json:"fan_in_fan_out"`
	Dropout  float64  `json:"lora_dropout"`
}

// ReadLoRA reads the adapter of a PEFT folder onto the model's device
// without attaching it, checking every matrix's shape against the base: an
// adapter trained on another model is refused by name and shape.
func (m *Model) ReadLoRA(dir string) (*LoRA, error) { return m.readLoRA(dir, true) }

// readLoRA reads a PEFT adapter, each B transposed (Bt) for a resident set.
func (m *Model) readLoRA(dir string, resident bool) (*LoRA, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "adapter_config.json"))
	if err != nil {
		return nil, err
	}
	var pc peftConfig
	if err := json.Unmarshal(raw, &pc); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "adapter_config.json"), err)
	}
	if pc.RSLoRA || pc.DoRA || pc.FanInOut {
		return nil, fmt.Errorf("engine: %s: rsLoRA, DoRA and fan_in_fan_out adapters are not supported", dir)
	}
	c := LoRAConfig{Rank: pc.R, Alpha: pc.Alpha, Targets: pc.Targets, Dropout: pc.Dropout}
	idx, err := c.targets()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "adapter_config.json"), err)
	}
	w, err := model.OpenSafetensors(filepath.Join(dir, "adapter_model.safetensors"))
	if err != nil {
		return nil, err
	}
	defer w.Close()
	a := &LoRA{Config: c, ad: make([][numLinear]*Adapter, len(m.layers))}
	for _, i := range idx {
		a.Targets = append(a.Targets, LinearNames[i])
	}
	for l := range m.layers {
		for _, i := range idx {
			ad, err := m.readAdapter(w, l, i, c, resident)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dir, err)
			}
			a.ad[l][i] = ad
			a.params += ad.A.Len() + ad.A.Dim(0)*m.layers[l].lin[i].w.Dim(0)
		}
	}
	return a, nil
}

// readAdapter reads linear i of layer l's A and B from a PEFT safetensors.
func (m *Model) readAdapter(w model.Weights, l, i int, c LoRAConfig, transposeB bool) (*Adapter, error) {
	lin := &m.layers[l].lin[i]
	ad := &Adapter{Scale: float32(c.Alpha / float64(c.Rank)), Dropout: float32(c.Dropout)}
	for _, p := range []struct {
		t          **Tensor
		name       string
		rows, cols int
	}{
		{&ad.A, "lora_A", c.Rank, lin.w.Dim(1)},
		{&ad.B, "lora_B", lin.w.Dim(0), c.Rank},
	} {
		name := peftName(l, i, p.name)
		x, err := w.ReadF32(name)
		if err != nil {
			return nil, err
		}
		if len(x) != p.rows*p.cols {
			return nil, fmt.Errorf("%s: %d values do not make [%d %d], the shape this base model needs", name, len(x), p.rows, p.cols)
		}
		if p.name == "lora_B" && transposeB {
			ad.Bt = m.dev.FromHost(transpose(x, p.rows, p.cols), p.cols, p.rows)
			continue
		}
		*p.t = m.dev.FromHost(x, p.rows, p.cols)
	}
	return ad, nil
}

// loraDropout reports whether any adapter drops its inputs in training.
func (m *Model) loraDropout() bool {
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			if lin.lora != nil && lin.lora.Dropout > 0 {
				return true
			}
		}
	}
	return false
}

// peftName is the adapter_model.safetensors name of A or B ("lora_A",
// "lora_B") of linear i in layer l.
func peftName(l, i int, ab string) string {
	return "base_model.model." + hfName(l, i) + "." + ab + ".weight"
}

// HasLoRA reports whether any linear carries an adapter.
func (m *Model) HasLoRA() bool {
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			if lin.lora != nil {
				return true
			}
		}
	}
	return false
}

// transpose is x [rows, cols] as [cols, rows].
func transpose(x []float32, rows, cols int) []float32 {
	t := make([]float32, len(x))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = x[r*cols+c]
		}
	}
	return t
}
