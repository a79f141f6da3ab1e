package engine

import (
	"fmt"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/cpu"
)

// QLoRA: the decoder's linear weights are quantised to NF4 (model.NF4, as
// bitsandbytes does it) and frozen; LoRA adapters train on top in f32.
// Embeddings, norms, biases and the LM head stay f32. The matmuls
// dequantise the weight a tile at a time (kernels/cpu/nf4.c), so the f32
// base linears are freed: about 0.53 bytes a weight instead of 4.

// NF4Backend is a Backend that multiplies by NF4 weights.
type NF4Backend interface {
	// MatMulNF4 sets out [..., O] = x [..., I] times w [O, I] transposed.
	MatMulNF4(out, x *Tensor, w *model.NF4)
	// MatMulNF4Backward adds the gradient of x for out = x wᵀ; w is frozen.
	MatMulNF4Backward(dx, dout *Tensor, w *model.NF4)
}

// LoadNF4 reads an opened model onto be with its decoder linears quantised
// to NF4 as they are read.
func LoadNF4(m *model.Model, be Backend) (*Model, error) {
	if _, ok := be.(NF4Backend); !ok {
		return nil, fmt.Errorf("engine: backend %s has no NF4 matmul", be.Name())
	}
	return load(m, be, loadNF4)
}

// QuantizeNF4 quantises the decoder linears of a loaded model in place and
// drops their f32 weights. Adapters already attached are kept.
func (m *Model) QuantizeNF4() error {
	if _, ok := m.be.(NF4Backend); !ok {
		return fmt.Errorf("engine: backend %s has no NF4 matmul", m.be.Name())
	}
	if err := m.errPacked(); err != nil {
		return err
	}
	for l := range m.layers {
		for i := range m.layers[l].lin {
			if err := m.layers[l].lin[i].quantize(); err != nil {
				return fmt.Errorf("%s: %w", hfName(l, i), err)
			}
		}
	}
	return nil
}

// NF4 reports whether the base linears are NF4.
func (m *Model) NF4() bool { return len(m.layers) > 0 && m.layers[0].lin[lq].q != nil }

// quantize turns l's weight to NF4, keeping only its shape in l.w so that
// the adapter code can still size itself from it.
func (l *linear) quantize() error {
	if l.q != nil {
		return nil
	}
	q, err := model.QuantizeNF4(l.w.Data, l.w.Dim(0), l.w.Dim(1))
	if err != nil {
		return err
	}
	l.q, l.w = q, &Tensor{Shape: l.w.Shape}
	return nil
}

// baseForward sets y = x Wᵀ for l's base weight, f32, NF4 or packed.
func baseForward(be Backend, y, x *Tensor, l *linear) {
	if l.p != nil {
		be.(packedBackend).matMulPacked(y, x, l.p)
		return
	}
	if l.q != nil {
		be.(NF4Backend).MatMulNF4(y, x, l.q)
		return
	}
	if l.h != nil {
		be.(BF16Backend).MatMulBF16(y, x, l.h, l.w.Dim(0))
		return
	}
	be.MatMul(y, x, l.w)
}

// baseBackward adds the gradients of x and, for an f32 weight, of W (dw
// may be nil); an NF4 or bf16 weight is frozen. A packed one has no backward.
func baseBackward(be TrainBackend, dx, dw, dy, x *Tensor, l *linear) {
	if l.p != nil {
		panic("engine: a model loaded with LoadPacked runs inference only: train from Load (f32) or LoadNF4")
	}
	if l.q != nil {
		be.(NF4Backend).MatMulNF4Backward(dx, dy, l.q)
		return
	}
	if l.h != nil {
		be.(BF16Backend).MatMulBF16Backward(dx, dy, l.h, l.w.Dim(0))
		return
	}
	be.MatMulBackward(dx, dw, dy, x, l.w)
}

func cpuNF4(q *model.NF4) *cpu.NF4 {
	return &cpu.NF4{Packed: q.Packed, QAbsmax: q.QAbsmax, Absmax2: q.Absmax2, Offset: q.Offset,
		Code: &model.NF4Code, Map: &model.DynamicMap}
}

func (CPU) MatMulNF4(out, x *Tensor, w *model.NF4) {
	c := x.Dim(-1)
	cpu.NF4MatmulForward(out.Data, x.Data, cpuNF4(w), len(x.Data)/c, c, w.Rows)
}

func (CPU) MatMulNF4Backward(dx, dout *Tensor, w *model.NF4) {
	c := dx.Dim(-1)
	cpu.NF4MatmulBackward(dx.Data, dout.Data, cpuNF4(w), len(dx.Data)/c, c, w.Rows)
}
