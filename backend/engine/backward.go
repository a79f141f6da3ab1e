package engine

// pass is one training step's forward and backward pass over a batch.
type pass struct {
	t   *Trainer
	b   Batch
	pos []int32 // position of each row: its index in its sequence
}

// layerActs is what a decoder layer's backward pass reads from its forward
// pass. Shapes: N = B*T rows, C hidden, F intermediate, r LoRA rank.
type layerActs struct {
	x, h1, x2, h2     *Tensor            // input, attention norm, mid residual, MLP norm [N, C]
	rstd1, rstd2      *Tensor            // 1/rms of x and x2 [N]
	q, k, v, att, lse *Tensor            // [B, T, heads, D] after RoPE; lse [B, H, T]
	gate, up, act     *Tensor            // [N, F]; act = silu(gate)*up
	u                 [numLinear]*Tensor // Scale·x Aᵀ [N, r] of each adapted linear
}

func (f *pass) newActs() *layerActs {
	c := f.t.m.Config
	B, T, N, H, KVH, D := f.b.B, f.b.T, f.b.B*f.b.T, c.Heads, c.KVHeads, c.HeadDim
	a := &layerActs{
		h1: New(N, c.HiddenSize), x2: New(N, c.HiddenSize), h2: New(N, c.HiddenSize),
		rstd1: New(N), rstd2: New(N),
		q: New(B, T, H, D), k: New(B, T, KVH, D), v: New(B, T, KVH, D), att: New(B, T, H, D), lse: New(B, H, T),
		gate: New(N, c.IntermediateSize), up: New(N, c.IntermediateSize), act: New(N, c.IntermediateSize),
	}
	return a
}

// layerGrads are a layer's backward temporaries; the kernels add into
// them, so each is cleared before use.
type layerGrads struct {
	dact, dgate, dup *Tensor            // [N, F]
	dh               *Tensor            // [N, C]
	datt, dq         *Tensor            // [B, T, H, D]
	dk, dv           *Tensor            // [B, T, KVH, D]
	du               [numLinear]*Tensor // each adapter's [N, r]
}

func (f *pass) newGrads() *layerGrads {
	c := f.t.m.Config
	B, T, N, H, KVH, D, F := f.b.B, f.b.T, f.b.B*f.b.T, c.Heads, c.KVHeads, c.HeadDim, c.IntermediateSize
	return &layerGrads{dact: New(N, F), dgate: New(N, F), dup: New(N, F), dh: New(N, c.HiddenSize),
		datt: New(B, T, H, D), dq: New(B, T, H, D), dk: New(B, T, KVH, D), dv: New(B, T, KVH, D)}
}

// rows views t as [N, rest]: linears and RoPE see tokens as rows.
func (f *pass) rows(t *Tensor, shape ...int) *Tensor {
	return t.Reshape(append([]int{f.b.B * f.b.T}, shape...)...)
}

// linear runs linear i of layer l, keeping its LoRA activation in a.
func (f *pass) linear(a *layerActs, l, i int, y, x *Tensor) {
	lin := &f.t.m.layers[l].lin[i]
	if lin.lora != nil && a.u[i] == nil {
		a.u[i] = New(len(x.Data)/x.Dim(-1), lin.lora.A.Dim(0))
	}
	linearForward(f.t.be, y, x, lin, a.u[i])
}

// layerForward runs decoder layer l on x into out, filling a.
func (f *pass) layerForward(l int, a *layerActs, x, out *Tensor) {
	c, be, ly := f.t.m.Config, f.t.be, &f.t.m.layers[l]
	H, KVH, D, eps, rope := c.Heads, c.KVHeads, c.HeadDim, float32(c.NormEps), f.t.m.ropeParams()
	a.x = x
	be.RMSNormKeep(a.h1, a.rstd1, x, ly.attnNorm, eps)
	f.linear(a, l, lq, f.rows(a.q, H*D), a.h1)
	f.linear(a, l, lk, f.rows(a.k, KVH*D), a.h1)
	f.linear(a, l, lv, f.rows(a.v, KVH*D), a.h1)
	be.RoPE(f.rows(a.q, H, D), f.pos, rope)
	be.RoPE(f.rows(a.k, KVH, D), f.pos, rope)
	be.AttentionKeep(a.att, a.lse, a.q, a.k, a.v)
	f.linear(a, l, lo, a.x2, f.rows(a.att, H*D))
	be.Add(a.x2, x)
	be.RMSNormKeep(a.h2, a.rstd2, a.x2, ly.mlpNorm, eps)
	f.linear(a, l, lgate, a.gate, a.h2)
	f.linear(a, l, lup, a.up, a.h2)
	be.SwiGLU(a.act, a.gate, a.up)
	f.linear(a, l, ldown, out, a.act)
	be.Add(out, a.x2)
}

// layerBackward turns dx, the gradient of layer l's output, into that of
// its input, in place, adding the gradients of the layer's trainable
// weights. Both branches are residual: the RMSNorm backward kernels add
// the branch's gradient onto dx, which already holds the skip path's.
func (f *pass) layerBackward(l int, a *layerActs, g *layerGrads, dx *Tensor) {
	c, be, ly, grad := f.t.m.Config, f.t.be, &f.t.m.layers[l], f.t.grad
	H, KVH, D := c.Heads, c.KVHeads, c.HeadDim
	rope := f.t.m.ropeParams()

	dact, dgate, dup, dh := g.dact, g.dgate, g.dup, g.dh
	for _, t := range []*Tensor{dact, dgate, dup, dh, g.datt, g.dq, g.dk, g.dv} {
		clear(t.Data)
	}
	f.linearBackward(a, g, l, ldown, dact, dx, a.act)
	be.SwiGLUBackward(dgate, dup, dact, a.gate, a.up)
	f.linearBackward(a, g, l, lgate, dh, dgate, a.h2)
	f.linearBackward(a, g, l, lup, dh, dup, a.h2)
	be.RMSNormBackward(dx, grad[ly.mlpNorm], dh, a.x2, ly.mlpNorm, a.rstd2)

	datt, dq, dk, dv := g.datt, g.dq, g.dk, g.dv
	f.linearBackward(a, g, l, lo, f.rows(datt, H*D), dx, f.rows(a.att, H*D))
	be.AttentionBackward(dq, dk, dv, datt, a.q, a.k, a.v, a.att, a.lse)
	be.RoPEBackward(f.rows(dq, H, D), f.pos, rope)
	be.RoPEBackward(f.rows(dk, KVH, D), f.pos, rope)
	clear(dh.Data)
	f.linearBackward(a, g, l, lq, dh, f.rows(dq, H*D), a.h1)
	f.linearBackward(a, g, l, lk, dh, f.rows(dk, KVH*D), a.h1)
	f.linearBackward(a, g, l, lv, dh, f.rows(dv, KVH*D), a.h1)
	be.RMSNormBackward(dx, grad[ly.attnNorm], dh, a.x, ly.attnNorm, a.rstd1)
}

// linearBackward adds the gradient of x for y = linear i of layer l (x)
// given dy, and those of its trainable weight, bias and adapter.
func (f *pass) linearBackward(a *layerActs, g *layerGrads, l, i int, dx, dy, x *Tensor) {
	be, lin, grad := f.t.be, &f.t.m.layers[l].lin[i], f.t.grad
	baseBackward(be, dx, grad[lin.w], dy, x, lin)
	if g := grad[lin.bias]; g != nil {
		be.BiasBackward(g, dy)
	}
	if ad := lin.lora; ad != nil {
		// y += u Bᵀ with u = Scale·x Aᵀ: dB = dyᵀ u, du = dy B, dA = Scale·duᵀ x.
		if g.du[i] == nil {
			g.du[i] = New(a.u[i].Shape...)
		}
		du := g.du[i]
		clear(du.Data)
		be.MatMulBackward(du, grad[ad.B], dy, a.u[i], ad.B)
		be.Scale(du, ad.Scale)
		be.MatMulBackward(dx, grad[ad.A], du, x, ad.A)
	}
}
