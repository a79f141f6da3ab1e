package cpu

import (
	"fmt"
	"math"

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
	d := q.Dim(3)
	if o.SoftCap != 0 || o.Window != 0 || o.KeyStart != nil || (o.Scale != 0 && o.Scale != float32(1/math.Sqrt(float64(d)))) {
		panic("cpu: attention variants need the new kernels")
	}
	return kcpu.AttentionDims{B: q.Dim(0), T: q.Dim(1), S: k.Dim(1), H: q.Dim(2), KVH: k.Dim(2), D: d}
}

func (*Device) Attention(out, lse, q, k, v *compute.Tensor, o compute.AttnOpts) {
	kcpu.AttentionForward(f32(out), f32(lse), f32(q), f32(k), f32(v), attnDims(q, k, o))
}

func (*Device) AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse *compute.Tensor, o compute.AttnOpts) {
	kcpu.AttentionBackward(f32(dq), f32(dk), f32(dv), f32(dout), f32(q), f32(k), f32(v), f32(out), f32(lse), attnDims(q, k, o))
}

func (*Device) SwiGLU(out, gate, up *compute.Tensor) { kcpu.SwiGLUForward(f32(out), f32(gate), f32(up)) }

func (*Device) SwiGLUBackward(dgate, dup, dout, gate, up *compute.Tensor) {
	kcpu.SwiGLUBackward(f32(dgate), f32(dup), f32(dout), f32(gate), f32(up))
}

func (*Device) GeGLU(out, gate, up *compute.Tensor) {
	o, g, u := f32(out), f32(gate), f32(up)
	for i := range o {
		o[i] = geluTanh(g[i]) * u[i]
	}
}

func geluTanh(x float32) float32 {
	const k = 0.7978845608028654 // sqrt(2/pi)
	v := float64(x)
	return float32(0.5 * v * (1 + math.Tanh(k*(v+0.044715*v*v*v))))
}

func (*Device) GeGLUBackward(dgate, dup, dout, gate, up *compute.Tensor) {
	dg, du, dy, g, u := f32(dgate), f32(dup), f32(dout), f32(gate), f32(up)
	const k = 0.7978845608028654
	for i := range dy {
		x := float64(g[i])
		th := math.Tanh(k * (x + 0.044715*x*x*x))
		gelu := 0.5 * x * (1 + th)
		dgelu := 0.5*(1+th) + 0.5*x*(1-th*th)*k*(1+3*0.044715*x*x)
		dg[i] += float32(float64(dy[i]) * float64(u[i]) * dgelu)
		du[i] += float32(float64(dy[i]) * gelu)
	}
}

func (*Device) SoftCap(x *compute.Tensor, c float32) {
	d := f32(x)
	for i, v := range d {
		d[i] = c * float32(math.Tanh(float64(v/c)))
	}
}

func (*Device) SoftCapBackward(dy, y *compute.Tensor, c float32) {
	g, o := f32(dy), f32(y)
	for i, v := range o {
		t := v / c
		g[i] *= 1 - t*t
	}
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

func (*Device) Add(out, x *compute.Tensor) {
	o, d := f32(out), f32(x)
	if len(o) != len(d) {
		panic("cpu: Add of different sizes")
	}
	for i, v := range d {
		o[i] += v
	}
}

func (*Device) AddBias(out, b *compute.Tensor) {
	o, bias := f32(out), f32(b)
	c := len(bias)
	if out.Dim(-1) != c {
		panic("cpu: AddBias of a bias that is not a row")
	}
	for i := 0; i < len(o); i += c {
		for j, v := range bias {
			o[i+j] += v
		}
	}
}

func (*Device) BiasBackward(db, dout *compute.Tensor) {
	g, dy := f32(db), f32(dout)
	c := len(g)
	for i := 0; i < len(dy); i += c {
		for j, v := range dy[i : i+c] {
			g[j] += v
		}
	}
}

func (*Device) Scale(x *compute.Tensor, s float32) {
	d := f32(x)
	for i := range d {
		d[i] *= s
	}
}

func (*Device) CrossEntropy(losses, dlogits, logits, targets *compute.Tensor, dloss float32) {
	kcpu.CrossEntropy(f32(losses), f32(dlogits), f32(logits), i32(targets), logits.Dim(-1), dloss)
}

func (*Device) AdamW(p, g, m, v *compute.Tensor, step int, h compute.AdamW) {
	kcpu.AdamW(f32(p), f32(g), f32(m), f32(v), step, kcpu.AdamWConfig(h))
}

func (*Device) SumSquares(x *compute.Tensor) float64 {
	s := 0.0
	for _, v := range f32(x) {
		s += float64(v) * float64(v)
	}
	return s
}
