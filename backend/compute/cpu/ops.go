package cpu

import (
	"fmt"

	"github.com/hone-ai/hone/backend/compute"
	kcpu "github.com/hone-ai/hone/kernels/cpu"
)

// rowsOf is x's row count and width: an op on [..., C] sees len/C rows.
func rowsOf(x *compute.Tensor) (n, c int) {
	c = x.Dim(-1)
	return x.Len() / c, c
}

func (*Device) MatMul(out, x, w *compute.Tensor) {
	n, c := rowsOf(x)
	oc := w.Dim(0)
	switch b := w.Buffer().(type) {
	case *f32Buf:
		kcpu.MatmulForward(f32(out), f32(x), f32(w), n, c, oc)
	case *bf16Buf:
		kcpu.BF16MatmulForward(f32(out), f32(x), b.d, n, c, oc)
	case *nf4Buf:
		kcpu.NF4MatmulForward(f32(out), f32(x), b.w, n, c, oc)
	case *packedBuf:
		mm := kcpu.QuantMatmulForward
		if b.fine {
			mm = kcpu.QuantMatmulForwardFine
		}
		mm(f32(out), f32(x), b.d, b.t, n, c, oc)
	default:
		panic(fmt.Sprintf("cpu: no matmul for %s weights", w.DType()))
	}
}

// MatMulRows: the f32 dot-product tiles sum each output in one order
// whatever rows share a tile (matmul_simd.c), so f32 weights need nothing
// more; GGUF blocks multiply several rows in f32 but one row through 8-bit
// integer dots, so their rows go through the one-row path together; bf16
// and NF4 run a row at a time.
func (d *Device) MatMulRows(out, x, w *compute.Tensor) {
	n, c := rowsOf(x)
	oc := w.Dim(0)
	switch b := w.Buffer().(type) {
	case *f32Buf:
		d.MatMul(out, x, w)
	case *packedBuf:
		kcpu.QuantMatmulRows(f32(out), f32(x), b.d, b.t, n, c, oc, b.fine)
	default:
		for i := range n {
			d.MatMul(out.Reshape(n, oc).Rows(i, i+1), x.Reshape(n, c).Rows(i, i+1), w)
		}
	}
}

func (*Device) MatMulAddT(out, x, wt *compute.Tensor) {
	n, k := rowsOf(x)
	kcpu.MatmulNNAdd(f32(out), f32(x), f32(wt), n, k, wt.Dim(1))
}

// MatMulAdd takes f32 weights: it is LoRA's B landing on the base output.
func (*Device) MatMulAdd(out, x, w *compute.Tensor) {
	n, c := rowsOf(x)
	kcpu.MatmulForwardAdd(f32(out), f32(x), f32(w), n, c, w.Dim(0))
}

func (*Device) MatMulBackward(dx, dw, dout, x, w *compute.Tensor) {
	oc, c := w.Dim(0), w.Dim(1)
	n := dout.Len() / oc
	switch b := w.Buffer().(type) {
	case *f32Buf:
		kcpu.MatmulBackward(f32(dx), f32(dw), f32(dout), f32(x), f32(w), n, c, oc)
		return
	case *bf16Buf:
		if dw == nil && dx != nil {
			kcpu.BF16MatmulBackward(f32(dx), f32(dout), b.d, n, c, oc)
		}
	case *nf4Buf:
		if dw == nil && dx != nil {
			kcpu.NF4MatmulBackward(f32(dx), f32(dout), b.w, n, c, oc)
		}
	default:
		panic(fmt.Sprintf("cpu: no backward through %s weights", w.DType()))
	}
	if dw != nil {
		panic(fmt.Sprintf("cpu: a %s weight is frozen: it has no gradient", w.DType()))
	}
}

func (*Device) RMSNorm(out, rstd, x, w *compute.Tensor, eps float32) {
	n, c := rowsOf(x)
	kcpu.RMSNormForward(f32(out), f32(rstd), f32(x), f32(w), n, c, eps)
}

func (*Device) RMSNormBackward(dx, dw, dout, x, w, rstd *compute.Tensor) {
	n, c := rowsOf(x)
	dwd := f32(dw)
	if dwd == nil { // the kernel always accumulates dw: give a frozen weight a throwaway one
		dwd = make([]float32, c)
	}
	kcpu.RMSNormBackward(f32(dx), dwd, f32(dout), f32(x), f32(w), f32(rstd), n, c)
}

func (*Device) RoPE(x, pos *compute.Tensor, r *compute.Rope) {
	kcpu.RoPEForward(f32(x), i32(pos), x.Dim(0), x.Dim(1), x.Dim(2), r.InvFreq, r.Scale, r.Interleaved)
}

func (*Device) RoPEBackward(dx, pos *compute.Tensor, r *compute.Rope) {
	kcpu.RoPEBackward(f32(dx), i32(pos), dx.Dim(0), dx.Dim(1), dx.Dim(2), r.InvFreq, r.Scale, r.Interleaved)
}

// attnDims reads q [B, T, H, D] and k [B, S, KVH, D].
func attnDims(q, k *compute.Tensor, o compute.AttnOpts) kcpu.AttentionDims {
	if len(q.Shape()) != 4 || len(k.Shape()) != 4 {
		panic(fmt.Sprintf("cpu: attention of q %v over k %v: want [B T H D] and [B S KVH D]", q.Shape(), k.Shape()))
	}
	return kcpu.AttentionDims{B: q.Dim(0), T: q.Dim(1), S: k.Dim(1), H: q.Dim(2), KVH: k.Dim(2), D: q.Dim(3),
		Scale: o.Scale, SoftCap: o.SoftCap, Window: o.Window}
}

func (*Device) Attention(out, lse, q, k, v *compute.Tensor, o compute.AttnOpts) {
	kcpu.AttentionForward(f32(out), f32(lse), f32(q), f32(k), f32(v), i32(o.KeyStart), attnDims(q, k, o))
}

func (*Device) AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse *compute.Tensor, o compute.AttnOpts) {
	kcpu.AttentionBackward(f32(dq), f32(dk), f32(dv), f32(dout), f32(q), f32(k), f32(v), f32(out), f32(lse), i32(o.KeyStart), attnDims(q, k, o))
}

func (*Device) SwiGLU(out, gate, up *compute.Tensor) {
	kcpu.SwiGLUForward(f32(out), f32(gate), f32(up))
}

func (*Device) SwiGLUBackward(dgate, dup, dout, gate, up *compute.Tensor) {
	kcpu.SwiGLUBackward(f32(dgate), f32(dup), f32(dout), f32(gate), f32(up))
}

func (*Device) GeGLU(out, gate, up *compute.Tensor) { kcpu.GeGLUForward(f32(out), f32(gate), f32(up)) }

func (*Device) GeGLUBackward(dgate, dup, dout, gate, up *compute.Tensor) {
	kcpu.GeGLUBackward(f32(dgate), f32(dup), f32(dout), f32(gate), f32(up))
}

func (*Device) Dropout(out, x *compute.Tensor, p float32, seed uint64) {
	kcpu.Dropout(f32(out), f32(x), p, seed)
}

func (*Device) SoftCap(x *compute.Tensor, c float32) { kcpu.SoftCapForward(f32(x), c) }

func (*Device) SoftCapBackward(dy, y *compute.Tensor, c float32) {
	kcpu.SoftCapBackward(f32(dy), f32(y), c)
}

// Embedding reads an f32 table or unpacks GGUF block rows as it goes.
func (*Device) Embedding(out, table, tokens *compute.Tensor) {
	ids, c := i32(tokens), table.Dim(1)
	if b, ok := table.Buffer().(*packedBuf); ok {
		o, rb := f32(out), b.t.RowBytes(c)
		for n, tok := range ids {
			if tok < 0 || int(tok) >= table.Dim(0) {
				panic(fmt.Sprintf("cpu: token %d out of range [0,%d)", tok, table.Dim(0)))
			}
			kcpu.QuantDequantize(o[n*c:(n+1)*c], b.d[int(tok)*rb:(int(tok)+1)*rb], b.t, c)
		}
		return
	}
	kcpu.EmbeddingForward(f32(out), f32(table), ids, c)
}

func (*Device) EmbeddingBackward(dtable, dout, tokens *compute.Tensor) {
	kcpu.EmbeddingBackward(f32(dtable), f32(dout), i32(tokens), dtable.Dim(1))
}

func (*Device) Add(out, x *compute.Tensor) { kcpu.Add(f32(out), f32(x)) }

func (*Device) AddBias(out, b *compute.Tensor) {
	if out.Dim(-1) != b.Len() {
		panic("cpu: AddBias of a bias that is not a row")
	}
	kcpu.AddBias(f32(out), f32(b))
}

func (*Device) BiasBackward(db, dout *compute.Tensor) {
	if dout.Dim(-1) != db.Len() {
		panic("cpu: BiasBackward into a bias that is not a row")
	}
	kcpu.BiasBackward(f32(db), f32(dout))
}

func (*Device) Scale(x *compute.Tensor, s float32) { kcpu.Scale(f32(x), s) }

func (*Device) CrossEntropy(losses, dlogits, logits, targets *compute.Tensor, dloss float32) {
	kcpu.CrossEntropy(f32(losses), f32(dlogits), f32(logits), i32(targets), logits.Dim(-1), dloss)
}

func (*Device) AdamW(p, g, m, v *compute.Tensor, step int, h compute.AdamW) {
	kcpu.AdamW(f32(p), f32(g), f32(m), f32(v), step, kcpu.AdamWConfig(h))
}

func (*Device) SumSquares(x *compute.Tensor) float64 { return kcpu.SumSquares(f32(x)) }
