package engine

import (
	"errors"
	"fmt"

	"github.com/hone-ai/hone/backend/model"
	"github.com/hone-ai/hone/kernels/cpu"
)

// Packed inference: a GGUF model's quantised weights stay in their blocks
// (Q4_0, Q4_1, Q8_0) and the matmuls read them as they are
// (kernels/cpu/quant.c), with the input rounded to 8 bits a block. Decoding
// reads every weight once a token, so it goes as fast as the weights are
// small: Q4_1 is 0.625 bytes a weight against f32's 4. The embedding, kept
// packed too, is unpacked a row per token; when tied it is also the LM head.
// The head rounds its input to 16 bits rather than 8: it is memory-bound,
// so that costs little, and its logits pick the token, where 8-bit rounding
// can flip a near tie (SmolLM2's first answer token is one).
// Norms, biases and weights of other types load as f32. Such a model runs
// forward only, LoRA adapters included; to train, load f32 or NF4.

// packedWeight is a weight [rows, cols] in the blocks of a GGUF file.
// Multiplying one input row rounds it to 8 bits a block, as llama.cpp does,
// or with fine set (the LM head) to 16.
type packedWeight struct {
	t          cpu.QType
	data       []byte
	rows, cols int
	fine       bool
}

// packedBackend multiplies by packed weights.
type packedBackend interface {
	matMulPacked(out, x *Tensor, w *packedWeight)
}

// LoadPacked reads an opened model onto be for inference, keeping weights
// stored in a block format the matmul takes as they are (see above).
func LoadPacked(m *model.Model, be Backend) (*Model, error) {
	if _, ok := be.(packedBackend); !ok {
		return nil, fmt.Errorf("engine: backend %s has no packed matmul", be.Name())
	}
	e, err := load(m, be, loadPacked)
	if err == nil && e.headP != nil {
		e.headP.fine = true
	}
	return e, err
}

// Packed reports whether the base linears are kept packed.
func (m *Model) Packed() bool { return len(m.layers) > 0 && m.layers[0].lin[lq].p != nil }

// errPacked says why a packed model cannot train or be requantised: any of
// its weights may be in GGUF blocks, which have no backward pass.
func (m *Model) errPacked() error {
	packed := m.embedP != nil || m.headP != nil
	for _, ly := range m.layers {
		for _, lin := range ly.lin {
			packed = packed || lin.p != nil
		}
	}
	if packed {
		return fmt.Errorf("engine: a model loaded with LoadPacked runs inference only: train from Load (f32), LoadBF16 or LoadNF4")
	}
	return nil
}

// readPacked reads tensor name [rows, cols] packed, or returns nil when it
// is stored in a type the matmul does not take (or not in ggml blocks at all).
func readPacked(w model.Weights, name string, rows, cols int) (*packedWeight, error) {
	r, err := model.ReadRaw(w, name)
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t, ok := cpu.QTypeOf(r.DType)
	if !ok {
		return nil, nil
	}
	if len(r.Shape) != 2 || r.Shape[0] != rows || r.Shape[1] != cols || len(r.Data) != rows*t.RowBytes(cols) {
		return nil, fmt.Errorf("%s: %s %v is not [%d %d]", name, r.DType, r.Shape, rows, cols)
	}
	return &packedWeight{t: t, data: r.Data, rows: rows, cols: cols}, nil
}

// embedPacked sets row n of out [N, C] to row tokens[n] of the packed table.
func embedPacked(out *Tensor, table *packedWeight, tokens []int32) {
	c, rb := table.cols, table.t.RowBytes(table.cols)
	for n, tok := range tokens {
		cpu.QuantDequantize(out.Data[n*c:(n+1)*c], table.data[int(tok)*rb:(int(tok)+1)*rb], table.t, c)
	}
}

func (CPU) matMulPacked(out, x *Tensor, w *packedWeight) {
	c := x.Dim(-1)
	mm := cpu.QuantMatmulForward
	if w.fine {
		mm = cpu.QuantMatmulForwardFine
	}
	mm(out.Data, x.Data, w.data, w.t, len(x.Data)/c, c, w.rows)
}
