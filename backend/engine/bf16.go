package engine

import (
	"fmt"
	"math"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/cpu"
)

// bf16: the decoder's linear weights kept as bfloat16, the top half of a
// float32, as most Hugging Face checkpoints store them: half the memory of
// f32 at f32 speed, since the matmuls widen a block of rows at a time into
// their f32 tiles (kernels/cpu/bf16.c). Such a base is frozen, as NF4's is:
// LoRA trains on top; embeddings, norms, biases and the head stay f32.

// BF16Backend is a Backend that multiplies by bf16 weights [rows, len/rows].
type BF16Backend interface {
	// MatMulBF16 sets out [..., O] = x [..., I] times w [O, I] transposed.
	MatMulBF16(out, x *Tensor, w []uint16, rows int)
	// MatMulBF16Backward adds the gradient of x for out = x wᵀ; w is frozen.
	MatMulBF16Backward(dx, dout *Tensor, w []uint16, rows int)
}

// LoadBF16 reads an opened model onto be with its decoder linears rounded
// to bf16 as they are read (exact for a bf16 checkpoint).
func LoadBF16(m *model.Model, be Backend) (*Model, error) {
	if _, ok := be.(BF16Backend); !ok {
		return nil, fmt.Errorf("engine: backend %s has no bf16 matmul", be.Name())
	}
	return load(m, be, loadBF16)
}

// toBF16 rounds l's weight to bf16 (to nearest, ties to even, as PyTorch's
// .to(torch.bfloat16)), keeping only its shape in l.w.
func (l *linear) toBF16() {
	h := make([]uint16, len(l.w.Data))
	for i, v := range l.w.Data {
		h[i] = bf16(v)
	}
	l.h, l.w = h, &Tensor{Shape: l.w.Shape}
}

func bf16(v float32) uint16 {
	b := math.Float32bits(v)
	if v != v { // NaN stays NaN, quiet
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

func (CPU) MatMulBF16(out, x *Tensor, w []uint16, rows int) {
	c := x.Dim(-1)
	cpu.BF16MatmulForward(out.Data, x.Data, w, len(x.Data)/c, c, rows)
}

func (CPU) MatMulBF16Backward(dx, dout *Tensor, w []uint16, rows int) {
	c := dx.Dim(-1)
	cpu.BF16MatmulBackward(dx.Data, dout.Data, w, len(dx.Data)/c, c, rows)
}
