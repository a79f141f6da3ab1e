package engine

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// Model is a decoder's weights on a device.
type Model struct {
	Config model.Config
	dev    compute.Device
	fam    family
	embed  *Tensor // [V, C]: f32, or GGUF blocks with LoadPacked
	norm   *Tensor // final norm [C]
	head   *Tensor // lm_head [V, C], the embedding when tied
	layers []layer
	rope   *Rope // RoPE's frequencies (rope.go); nil: plain RoPE from Config
}

type layer struct {
	norm [numNorm]*Tensor // by role (family.go); nil where the family has none
	lin  [numLinear]linear
}

// The linear layers of a decoder layer, in PEFT's target names.
const (
	lq = iota
	lk
	lv
	lo
	lgate
	lup
	ldown
	numLinear
)

// LinearNames are the PEFT target_modules names of a layer's linears,
// indexed as layer.lin.
var LinearNames = [numLinear]string{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}

// linear is y = x wᵀ + bias + LoRA; bias and lora are optional. w is in
// any weight format (f32, bf16, NF4, GGUF blocks); all but f32 are frozen.
type linear struct {
	w, bias *Tensor
	lora    *Adapter
}

// hfName is the Hugging Face module path of linear i in layer l.
func hfName(l, i int) string {
	block := "self_attn."
	if i >= lgate {
		block = "mlp."
	}
	return "model.layers." + strconv.Itoa(l) + "." + block + LinearNames[i]
}

// Device is the device the model's tensors live on.
func (m *Model) Device() compute.Device { return m.dev }

// Host downloads t to a new host slice.
func (m *Model) Host(t *Tensor) []float32 {
	x := make([]float32, t.Len())
	m.dev.Download(x, t)
	return x
}

// baseDType is the format of the decoder linears' weights.
func (m *Model) baseDType() compute.DType {
	if len(m.layers) == 0 {
		return compute.F32
	}
	return m.layers[0].lin[lq].w.DType()
}

// NF4 reports whether the base linears are NF4 (QLoRA).
func (m *Model) NF4() bool { return m.baseDType() == compute.NF4 }

// Packed reports whether the base linears are kept in GGUF blocks.
func (m *Model) Packed() bool { return m.baseDType().Packed() }

// errPacked says why a packed model cannot train or be requantised: any of
// its weights may be in GGUF blocks, which have no backward pass.
func (m *Model) errPacked() error {
	packed := m.embed.DType().Packed() || m.head.DType().Packed()
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			packed = packed || lin.w.DType().Packed()
		}
	}
	if packed {
		return fmt.Errorf("engine: a model loaded with LoadPacked runs inference only: train from Load (f32), LoadBF16 or LoadNF4")
	}
	return nil
}

// QuantizeNF4 quantises the decoder linears of a loaded f32 model in place.
// Adapters already attached are kept.
func (m *Model) QuantizeNF4() error {
	if err := m.errPacked(); err != nil {
		return err
	}
	for l := range m.layers {
		for i := range m.layers[l].lin {
			lin := &m.layers[l].lin[i]
			if lin.w.DType() != compute.F32 {
				continue
			}
			w, err := m.upload(compute.NF4, m.Host(lin.w), lin.w.Dim(0), lin.w.Dim(1))
			if err != nil {
				return fmt.Errorf("%s: %w", hfName(l, i), err)
			}
			lin.w = w
		}
	}
	return nil
}

// weights lists every weight of the model with its Hugging Face name, once
// (a tied head is the embedding), in a fixed order.
func (m *Model) weights() (names []string, ts []*Tensor) {
	add := func(name string, t *Tensor) {
		if t != nil && !slices.Contains(ts, t) {
			names, ts = append(names, name), append(ts, t)
		}
	}
	add("model.embed_tokens.weight", m.embed)
	for l, ly := range m.layers {
		p := "model.layers." + strconv.Itoa(l) + "."
		for r, n := range ly.norm {
			add(p+m.fam.normNames[r]+".weight", n)
		}
		for i, lin := range ly.lin {
			add(hfName(l, i)+".weight", lin.w)
			add(hfName(l, i)+".bias", lin.bias)
		}
	}
	add("model.norm.weight", m.norm)
	add("lm_head.weight", m.head)
	return names, ts
}
