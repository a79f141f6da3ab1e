package engine

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// How load keeps the decoder linears (the embedding, norms, biases and
// head stay f32, except with LoadPacked):
//   - f32 (Load): as read; trainable.
//   - bf16 (LoadBF16): rounded as read, as PyTorch's .to(torch.bfloat16),
//     exact for a bf16 checkpoint: half f32's memory at f32 speed, since the
//     matmuls widen a block of rows at a time. Frozen: LoRA trains on top.
//   - NF4 (LoadNF4): quantised as each is read, as bitsandbytes does
//     (model.QuantizeNF4), so at most one f32 linear is in memory at a
//     time; about 0.53 bytes a weight. Frozen: QLoRA.
//   - GGUF blocks (LoadPacked): Q4_0, Q4_1 and Q8_0 weights stay in their
//     blocks, the embedding and LM head too, and the matmul reads them as
//     they are, rounding its input to 8 bits a block as llama.cpp does (16
//     for the head, whose logits pick the token). Decoding reads every
//     weight once a token, so it goes as fast as the weights are small.
//     Weights of other types load as f32. Inference only.
type loadMode int

const (
	loadF32 loadMode = iota
	loadNF4
	loadPacked
	loadBF16
)

// Load reads an opened model's weights onto dev in f32.
func Load(m *model.Model, dev compute.Device) (*Model, error) { return load(m, dev, loadF32) }

// LoadBF16 reads an opened model onto dev with its decoder linears in bf16.
func LoadBF16(m *model.Model, dev compute.Device) (*Model, error) { return load(m, dev, loadBF16) }

// LoadNF4 reads an opened model onto dev with its decoder linears in NF4.
func LoadNF4(m *model.Model, dev compute.Device) (*Model, error) { return load(m, dev, loadNF4) }

// LoadPacked reads an opened model onto dev for inference, keeping weights
// stored in a GGUF block format the matmul takes as they are.
func LoadPacked(m *model.Model, dev compute.Device) (*Model, error) { return load(m, dev, loadPacked) }

func load(mm *model.Model, dev compute.Device, mode loadMode) (*Model, error) {
	c := mm.Config
	fam, err := familyOf(c)
	if err != nil {
		return nil, err
	}
	e := &Model{Config: c, dev: dev, fam: fam}
	if e.rope, err = loadRope(mm); err != nil {
		return nil, err
	}
	r := reader{w: mm.Weights, dev: dev}
	// The embedding and head: packed when their type allows, else f32.
	tableMode := loadF32
	if mode == loadPacked {
		tableMode = loadPacked
	}
	// A tied embedding is also the head, whose packed matmul takes 16-bit
	// inputs (fine); the embedding's row lookup does not care.
	if e.embed, err = r.weight("model.embed_tokens.weight", tableMode, c.VocabSize, c.HiddenSize, c.TiedEmbeddings); err != nil {
		return nil, err
	}
	if e.norm, err = r.vector("model.norm.weight", c.HiddenSize, fam.normOffset); err != nil {
		return nil, err
	}
	e.head = e.embed
	if !c.TiedEmbeddings {
		if e.head, err = r.weight("lm_head.weight", tableMode, c.VocabSize, c.HiddenSize, true); err != nil {
			return nil, err
		}
	}
	q, kv := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	shapes := [numLinear][2]int{{q, c.HiddenSize}, {kv, c.HiddenSize}, {kv, c.HiddenSize}, {c.HiddenSize, q},
		{c.IntermediateSize, c.HiddenSize}, {c.IntermediateSize, c.HiddenSize}, {c.HiddenSize, c.IntermediateSize}}
	for l := range c.Layers {
		var ly layer
		p := "model.layers." + strconv.Itoa(l) + "."
		for role, name := range fam.normNames {
			if name == "" {
				continue
			}
			size := c.HiddenSize
			if role == nQ || role == nK {
				size = c.HeadDim
			}
			if ly.norm[role], err = r.vector(p+name+".weight", size, fam.normOffset); err != nil {
				return nil, err
			}
		}
		for i, sh := range shapes {
			lin := &ly.lin[i]
			if lin.w, err = r.weight(hfName(l, i)+".weight", mode, sh[0], sh[1], false); err != nil {
				return nil, err
			}
			if fam.bias[i] {
				if lin.bias, err = r.vector(hfName(l, i)+".bias", sh[0], 0); err != nil {
					return nil, err
				}
			}
		}
		e.layers = append(e.layers, ly)
	}
	return e, nil
}

// reader reads a model's tensors onto a device.
type reader struct {
	w   model.Weights
	dev compute.Device
}

// f32 reads tensor name as n float32 values.
func (r reader) f32(name string, n int) ([]float32, error) {
	x, err := r.w.ReadF32(name)
	if err != nil {
		return nil, err
	}
	if len(x) != n {
		return nil, fmt.Errorf("%s: %d values, want %d", name, len(x), n)
	}
	return x, nil
}

// vector reads a norm weight or bias [n], adding offset to every value.
func (r reader) vector(name string, n int, offset float32) (*Tensor, error) {
	x, err := r.f32(name, n)
	if err != nil {
		return nil, err
	}
	if offset != 0 {
		for i := range x {
			x[i] += offset
		}
	}
	return r.dev.FromHost(x, n), nil
}

// weight reads a matrix [rows, cols] in the format mode asks for; packed
// falls back to f32 for a type the matmul does not take as it is. fine
// marks a packed LM head (16-bit inputs).
func (r reader) weight(name string, mode loadMode, rows, cols int, fine bool) (*Tensor, error) {
	if mode == loadPacked {
		raw, err := model.ReadRaw(r.w, name)
		switch {
		case errors.Is(err, errors.ErrUnsupported): // not in ggml blocks at all
		case err != nil:
			return nil, err
		default:
			if dt, ok := compute.BlockDType(raw.DType); ok {
				if len(raw.Shape) != 2 || raw.Shape[0] != rows || raw.Shape[1] != cols {
					return nil, fmt.Errorf("%s: %s %v is not [%d %d]", name, raw.DType, raw.Shape, rows, cols)
				}
				t, err := r.dev.UploadWeight(compute.HostWeight{DType: dt, Rows: rows, Cols: cols, Blocks: raw.Data, Fine: fine})
				if err != nil {
					return nil, fmt.Errorf("%s: %w", name, err)
				}
				return t, nil
			}
		}
		mode = loadF32
	}
	x, err := r.f32(name, rows*cols)
	if err != nil {
		return nil, err
	}
	dt := map[loadMode]compute.DType{loadF32: compute.F32, loadNF4: compute.NF4, loadBF16: compute.BF16}[mode]
	t, err := uploadAs(r.dev, dt, x, rows, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// upload stores an f32 matrix on m's device in format dt.
func (m *Model) upload(dt compute.DType, x []float32, rows, cols int) (*Tensor, error) {
	return uploadAs(m.dev, dt, x, rows, cols)
}

// uploadAs converts x [rows, cols] to dt on the host (NF4 quantised as
// bitsandbytes does, bf16 rounded to nearest even) and uploads it.
func uploadAs(dev compute.Device, dt compute.DType, x []float32, rows, cols int) (*Tensor, error) {
	w := compute.HostWeight{DType: dt, Rows: rows, Cols: cols}
	switch dt {
	case compute.F32:
		w.F32 = x
	case compute.BF16:
		w.BF16 = make([]uint16, len(x))
		for i, v := range x {
			w.BF16[i] = bf16(v)
		}
	case compute.NF4:
		q, err := model.QuantizeNF4(x, rows, cols)
		if err != nil {
			return nil, err
		}
		w.NF4 = q
	default:
		return nil, fmt.Errorf("engine: cannot convert f32 weights to %s", dt)
	}
	return dev.UploadWeight(w)
}

// bf16 rounds v to bfloat16: to nearest, ties to even, as PyTorch's
// .to(torch.bfloat16).
func bf16(v float32) uint16 {
	b := math.Float32bits(v)
	if v != v { // NaN stays NaN, quiet
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}
