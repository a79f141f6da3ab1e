package engine

import "github.com/hone-ai/hone/kernels/cpu"

// TrainBackend adds what training needs to a Backend: forward ops that keep
// what their backward pass reads, and the backward ops, which, as in llm.c,
// ADD into gradients the caller zeroed (RoPE's works in place). A nil
// gradient argument skips that gradient where the doc says so.
type TrainBackend interface {
	Backend
	// MatMulBackward adds the gradients of x and w (either may be nil) for
	// out = x wᵀ given dout.
	MatMulBackward(dx, dw, dout, x, w *Tensor)
	// BiasBackward adds the column sums of dout [..., C] into db [C].
	BiasBackward(db, dout *Tensor)
	// RMSNormKeep is RMSNorm that also sets rstd [N] to each row's 1/rms.
	RMSNormKeep(out, rstd, x, w *Tensor, eps float32)
	// RMSNormBackward adds the gradients of x and w (w's may be nil).
	RMSNormBackward(dx, dw, dout, x, w, rstd *Tensor)
	// RoPEBackward turns the gradient of RoPE's output into that of its input, in place.
	RoPEBackward(dx *Tensor, pos []int32, r *Rope)
	// AttentionKeep is causal self-attention over a batch, q, k, v, out
	// [B, T, heads, D], that also sets lse [B, H, T] for the backward pass.
	AttentionKeep(out, lse, q, k, v *Tensor)
	// AttentionBackward adds the gradients of q, k and v.
	AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse *Tensor)
	// SwiGLUBackward adds the gradients of gate and up.
	SwiGLUBackward(dgate, dup, dout, gate, up *Tensor)
	// EmbeddingBackward adds row n of dout into row tokens[n] of dtable.
	EmbeddingBackward(dtable, dout *Tensor, tokens []int32)
	// CrossEntropy sets losses[n] for logits [N, V] and targets (negative:
	// ignored) and, unless dlogits is nil, dlogits = dloss·dloss/dlogits;
	// dlogits may be logits.
	CrossEntropy(losses []float32, dlogits, logits *Tensor, targets []int32, dloss float32)
	// AdamW applies optimizer step (from 1) to p in place, given its
	// gradient g and moments m, v.
	AdamW(p, g, m, v *Tensor, step int, h AdamW)
}

// AdamW holds AdamW's hyper-parameters, as torch.optim.AdamW names them.
type AdamW struct{ LR, Beta1, Beta2, Eps, WeightDecay float32 }

// data is t's data, nil for a nil tensor (a skipped gradient).
func data(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.Data
}

func (CPU) MatMulBackward(dx, dw, dout, x, w *Tensor) {
	c := x.Dim(-1)
	cpu.MatmulBackward(data(dx), data(dw), dout.Data, x.Data, w.Data, len(x.Data)/c, c, w.Dim(0))
}

func (CPU) BiasBackward(db, dout *Tensor) {
	c := db.Dim(0)
	for i := 0; i < len(dout.Data); i += c {
		for j, g := range dout.Data[i : i+c] {
			db.Data[j] += g
		}
	}
}

func (CPU) RMSNormKeep(out, rstd, x, w *Tensor, eps float32) {
	c := x.Dim(-1)
	cpu.RMSNormForward(out.Data, rstd.Data, x.Data, w.Data, len(x.Data)/c, c, eps)
}

func (CPU) RMSNormBackward(dx, dw, dout, x, w, rstd *Tensor) {
	c := x.Dim(-1)
	dwd := data(dw)
	if dwd == nil { // the kernel always accumulates dw: give a frozen weight a throwaway one
		dwd = make([]float32, c)
	}
	cpu.RMSNormBackward(dx.Data, dwd, dout.Data, x.Data, w.Data, rstd.Data, len(x.Data)/c, c)
}

func (CPU) RoPEBackward(dx *Tensor, pos []int32, r *Rope) {
	cpu.RoPEBackward(dx.Data, pos, dx.Dim(0), dx.Dim(1), dx.Dim(2), r.InvFreq, r.Scale, r.Interleaved)
}

func attentionDims(q, k *Tensor) cpu.AttentionDims {
	return cpu.AttentionDims{B: q.Dim(0), T: q.Dim(1), S: k.Dim(1), H: q.Dim(2), KVH: k.Dim(2), D: q.Dim(3)}
}

func (CPU) AttentionKeep(out, lse, q, k, v *Tensor) {
	cpu.AttentionForward(out.Data, lse.Data, q.Data, k.Data, v.Data, attentionDims(q, k))
}

func (CPU) AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse *Tensor) {
	cpu.AttentionBackward(dq.Data, dk.Data, dv.Data, dout.Data, q.Data, k.Data, v.Data, out.Data, lse.Data, attentionDims(q, k))
}

func (CPU) SwiGLUBackward(dgate, dup, dout, gate, up *Tensor) {
	cpu.SwiGLUBackward(dgate.Data, dup.Data, dout.Data, gate.Data, up.Data)
}

func (CPU) EmbeddingBackward(dtable, dout *Tensor, tokens []int32) {
	cpu.EmbeddingBackward(dtable.Data, dout.Data, tokens, dtable.Dim(1))
}

func (CPU) CrossEntropy(losses []float32, dlogits, logits *Tensor, targets []int32, dloss float32) {
	cpu.CrossEntropy(losses, data(dlogits), logits.Data, targets, logits.Dim(-1), dloss)
}

func (CPU) AdamW(p, g, m, v *Tensor, step int, h AdamW) {
	cpu.AdamW(p.Data, g.Data, m.Data, v.Data, step, cpu.AdamWConfig(h))
}
