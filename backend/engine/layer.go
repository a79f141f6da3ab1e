package engine

import "github.com/hone-ai/hone/backend/compute"

// pass is one forward (and, in training, backward) pass over B rows of T
// tokens. With a cache (inference, B = 1) the new keys and values go into
// the cache's rows after the past ones and attention reads them all.
type pass struct {
	m        *Model
	B, T     int
	pos      *Tensor // I32 [B·T]: each token's position
	keyStart *Tensor // I32 [B·T] or nil: each token's first visible key (packed examples)
	keep     bool    // keep what the backward pass reads (lse)
	cache    *Cache
	past     int // positions already in the cache
	grad     map[*Tensor]*Tensor
	// LoRA dropout (training passes with a backward only): each adapted
	// linear's mask comes from seed and the linear's place, so the backward
	// pass draws it again; xd and dxd are scratch [N, widest input].
	drop    bool
	seed    uint64
	xd, dxd *Tensor
	// A batched step (batch.go): the rows' spans, each with its own cache
	// and adapter, and scratch for a row group's LoRA product.
	seqs []span
	u    *Tensor
	rank int
}

// acts are a layer's activations for N = B·T tokens: what its backward pass
// reads. C hidden, F intermediate, r LoRA rank.
type acts struct {
	x, h1, x2, h2 *Tensor            // input, attention norm, mid residual, MLP norm [N, C]
	rstd          [numNorm]*Tensor   // each norm's 1/rms [N] ([N·heads] for q and k)
	qr, kr        *Tensor            // q and k before their per-head norms [N, heads·D] (qkNorm)
	q, k, v, att  *Tensor            // [B, T, heads, D], q and k after RoPE
	lse           *Tensor            // [B, H, T]
	o, d          *Tensor            // attention and MLP outputs before their norms [N, C] (sandwich)
	gate, up, act *Tensor            // [N, F]; act = silu(gate)·up or gelu(gate)·up
	u             [numLinear]*Tensor // Scale·x Aᵀ [N, r] of each adapted linear
}

func (p *pass) newActs() *acts {
	c, dev, f := p.m.Config, p.m.dev, &p.m.fam
	B, T, N, H, KVH, D := p.B, p.T, p.B*p.T, c.Heads, c.KVHeads, c.HeadDim
	f32 := func(shape ...int) *Tensor { return dev.Alloc(compute.F32, shape...) }
	a := &acts{h1: f32(N, c.HiddenSize), x2: f32(N, c.HiddenSize), h2: f32(N, c.HiddenSize),
		q: f32(B, T, H, D), att: f32(B, T, H, D), lse: f32(B, H, T),
		gate: f32(N, c.IntermediateSize), up: f32(N, c.IntermediateSize), act: f32(N, c.IntermediateSize)}
	a.rstd[nAttnIn], a.rstd[nMLPIn] = f32(N), f32(N)
	if p.cache == nil {
		a.k, a.v = f32(B, T, KVH, D), f32(B, T, KVH, D)
	}
	if f.qkNorm {
		a.qr, a.kr = f32(N, H*D), f32(N, KVH*D)
		a.rstd[nQ], a.rstd[nK] = f32(N*H), f32(N*KVH)
	}
	if f.sandwich {
		a.o, a.d = f32(N, c.HiddenSize), f32(N, c.HiddenSize)
		a.rstd[nAttnOut], a.rstd[nMLPOut] = f32(N), f32(N)
	}
	return a
}

// rows views t as [B·T, rest...]: linears, norms and RoPE see tokens as rows.
func (p *pass) rows(t *Tensor, shape ...int) *Tensor {
	return t.Reshape(append([]int{p.B * p.T}, shape...)...)
}

// linear runs linear i of layer l, keeping its LoRA activation in a.
func (p *pass) linear(a *acts, l, i int, y, x *Tensor) {
	lin := &p.m.layers[l].lin[i]
	if lin.lora != nil && a.u[i] == nil {
		a.u[i] = p.m.dev.Alloc(compute.F32, x.Len()/x.Dim(-1), lin.lora.A.Dim(0))
	}
	if p.seqs != nil {
		p.seqLinear(l, i, y, x)
		return
	}
	linearForward(p.m.dev, y, x, p.dropped(l, i, x), lin, a.u[i])
}

// dropped is the adapter's input for linear i of layer l: x, or in a
// training pass with LoRA dropout x with this pass's mask for that linear
// applied (in p.xd, which the next call overwrites).
func (p *pass) dropped(l, i int, x *Tensor) *Tensor {
	ad := p.m.layers[l].lin[i].lora
	if !p.drop || ad == nil || ad.Dropout == 0 {
		return x
	}
	xd := p.xd.Slice(0, x.Shape()...)
	p.m.dev.Dropout(xd, x, ad.Dropout, p.linearSeed(l, i))
	return xd
}

// linearSeed is the dropout seed of linear i of layer l in this pass:
// splitmix64 of the pass's seed and the linear's index.
func (p *pass) linearSeed(l, i int) uint64 {
	z := p.seed + uint64(l*numLinear+i+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// kv are layer l's keys and values as this pass writes them ([B, T, KVH,
// D]) and as attention reads them (with a cache: every position so far).
func (p *pass) kv(l int, a *acts) (k, v, kAll, vAll *Tensor) {
	if p.cache == nil {
		return a.k, a.v, a.k, a.v // a batched step's attention reads each row's cache (seqAttention)
	}
	c, n := p.m.Config, p.past+p.T
	ck, cv := p.cache.k[l], p.cache.v[l]
	k = ck.Rows(p.past, n).Reshape(1, p.T, c.KVHeads, c.HeadDim)
	v = cv.Rows(p.past, n).Reshape(1, p.T, c.KVHeads, c.HeadDim)
	return k, v, ck.Rows(0, n).Reshape(1, n, c.KVHeads, c.HeadDim), cv.Rows(0, n).Reshape(1, n, c.KVHeads, c.HeadDim)
}

// layerForward runs decoder layer l on x into out (which may be x), filling a.
func (p *pass) layerForward(l int, a *acts, x, out *Tensor) {
	m, dev, f := p.m, p.m.dev, &p.m.fam
	c, ly := m.Config, &m.layers[l]
	H, KVH, D, eps := c.Heads, c.KVHeads, c.HeadDim, float32(c.NormEps)
	k, v, kAll, vAll := p.kv(l, a)
	a.x = x
	dev.RMSNorm(a.h1, a.rstd[nAttnIn], x, ly.norm[nAttnIn], eps)
	if f.qkNorm {
		p.linear(a, l, lq, a.qr, a.h1)
		p.linear(a, l, lk, a.kr, a.h1)
		dev.RMSNorm(p.rows(a.q, H, D), a.rstd[nQ], p.rows(a.qr, H, D), ly.norm[nQ], eps)
		dev.RMSNorm(p.rows(k, KVH, D), a.rstd[nK], p.rows(a.kr, KVH, D), ly.norm[nK], eps)
	} else {
		p.linear(a, l, lq, p.rows(a.q, H*D), a.h1)
		p.linear(a, l, lk, p.rows(k, KVH*D), a.h1)
	}
	p.linear(a, l, lv, p.rows(v, KVH*D), a.h1)
	dev.RoPE(p.rows(a.q, H, D), p.pos, m.ropeParams())
	dev.RoPE(p.rows(k, KVH, D), p.pos, m.ropeParams())
	var lse *Tensor
	if p.keep {
		lse = a.lse
	}
	if p.seqs != nil {
		p.seqAttention(l, a, k, v)
	} else {
		dev.Attention(a.att, lse, a.q, kAll, vAll, p.attnOpts(l))
	}
	p.branch(a, l, lo, a.o, a.x2, p.rows(a.att, H*D), nAttnOut)
	dev.Add(a.x2, x)
	dev.RMSNorm(a.h2, a.rstd[nMLPIn], a.x2, ly.norm[nMLPIn], eps)
	p.linear(a, l, lgate, a.gate, a.h2)
	p.linear(a, l, lup, a.up, a.h2)
	if f.gelu {
		dev.GeGLU(a.act, a.gate, a.up)
	} else {
		dev.SwiGLU(a.act, a.gate, a.up)
	}
	p.branch(a, l, ldown, a.d, out, a.act, nMLPOut)
	dev.Add(out, a.x2)
}

// branch sets y to linear i of x: directly, or (sandwich) through pre, the
// linear's output, and then the branch's norm.
func (p *pass) branch(a *acts, l, i int, pre, y, x *Tensor, norm int) {
	if !p.m.fam.sandwich {
		p.linear(a, l, i, y, x)
		return
	}
	p.linear(a, l, i, pre, x)
	p.m.dev.RMSNorm(y, a.rstd[norm], pre, p.m.layers[l].norm[norm], float32(p.m.Config.NormEps))
}

// attnOpts are layer l's attention options for this pass.
func (p *pass) attnOpts(l int) compute.AttnOpts {
	o := p.m.fam.attnOpts(l)
	o.KeyStart = p.keyStart
	return o
}

// grads are a layer's backward temporaries, shared by every layer; the
// kernels add into them, so each is zeroed before use.
type grads struct {
	dact, dgate, dup *Tensor            // [N, F]
	dh, db           *Tensor            // [N, C]; db: a sandwich branch's output before its norm
	datt, dq         *Tensor            // [B, T, H, D]
	dk, dv           *Tensor            // [B, T, KVH, D]
	dqr, dkr         *Tensor            // before the per-head norms (qkNorm)
	du               [numLinear]*Tensor // each adapter's [N, r]
}

func (p *pass) newGrads() *grads {
	c, dev := p.m.Config, p.m.dev
	B, T, N, H, KVH, D, F := p.B, p.T, p.B*p.T, c.Heads, c.KVHeads, c.HeadDim, c.IntermediateSize
	f32 := func(shape ...int) *Tensor { return dev.Alloc(compute.F32, shape...) }
	g := &grads{dact: f32(N, F), dgate: f32(N, F), dup: f32(N, F), dh: f32(N, c.HiddenSize),
		datt: f32(B, T, H, D), dq: f32(B, T, H, D), dk: f32(B, T, KVH, D), dv: f32(B, T, KVH, D)}
	if p.m.fam.sandwich {
		g.db = f32(N, c.HiddenSize)
	}
	if p.m.fam.qkNorm {
		g.dqr, g.dkr = f32(N, H*D), f32(N, KVH*D)
	}
	return g
}

// layerBackward turns dx, the gradient of layer l's output, into that of
// its input, in place, adding the gradients of the layer's trainable
// weights. Both branches are residual: the RMSNorm backward kernels add
// the branch's gradient onto dx, which already holds the skip path's.
func (p *pass) layerBackward(l int, a *acts, g *grads, dx *Tensor) {
	m, dev, f := p.m, p.m.dev, &p.m.fam
	c, ly := m.Config, &m.layers[l]
	H, KVH, D := c.Heads, c.KVHeads, c.HeadDim
	for _, t := range []*Tensor{g.dact, g.dgate, g.dup, g.dh, g.datt, g.dq, g.dk, g.dv} {
		dev.Zero(t)
	}

	dy := p.branchBackward(a, g, l, a.d, dx, nMLPOut)
	p.linearBackward(a, g, l, ldown, g.dact, dy, a.act)
	if f.gelu {
		dev.GeGLUBackward(g.dgate, g.dup, g.dact, a.gate, a.up)
	} else {
		dev.SwiGLUBackward(g.dgate, g.dup, g.dact, a.gate, a.up)
	}
	p.linearBackward(a, g, l, lgate, g.dh, g.dgate, a.h2)
	p.linearBackward(a, g, l, lup, g.dh, g.dup, a.h2)
	dev.RMSNormBackward(dx, p.grad[ly.norm[nMLPIn]], g.dh, a.x2, ly.norm[nMLPIn], a.rstd[nMLPIn])

	dy = p.branchBackward(a, g, l, a.o, dx, nAttnOut)
	p.linearBackward(a, g, l, lo, p.rows(g.datt, H*D), dy, p.rows(a.att, H*D))
	_, _, kAll, vAll := p.kv(l, a)
	dev.AttentionBackward(g.dq, g.dk, g.dv, g.datt, a.q, kAll, vAll, a.att, a.lse, p.attnOpts(l))
	dev.RoPEBackward(p.rows(g.dq, H, D), p.pos, m.ropeParams())
	dev.RoPEBackward(p.rows(g.dk, KVH, D), p.pos, m.ropeParams())
	dev.Zero(g.dh)
	dq, dk := p.rows(g.dq, H*D), p.rows(g.dk, KVH*D)
	if f.qkNorm {
		dev.Zero(g.dqr)
		dev.Zero(g.dkr)
		dev.RMSNormBackward(p.rows(g.dqr, H, D), p.grad[ly.norm[nQ]], p.rows(g.dq, H, D), p.rows(a.qr, H, D), ly.norm[nQ], a.rstd[nQ])
		dev.RMSNormBackward(p.rows(g.dkr, KVH, D), p.grad[ly.norm[nK]], p.rows(g.dk, KVH, D), p.rows(a.kr, KVH, D), ly.norm[nK], a.rstd[nK])
		dq, dk = g.dqr, g.dkr
	}
	p.linearBackward(a, g, l, lq, g.dh, dq, a.h1)
	p.linearBackward(a, g, l, lk, g.dh, dk, a.h1)
	p.linearBackward(a, g, l, lv, g.dh, p.rows(g.dv, KVH*D), a.h1)
	dev.RMSNormBackward(dx, p.grad[ly.norm[nAttnIn]], g.dh, a.x, ly.norm[nAttnIn], a.rstd[nAttnIn])
}

// branchBackward is the gradient of a branch's linear output given dy, that
// of the branch's result: dy itself, or (sandwich) through the branch's norm.
func (p *pass) branchBackward(a *acts, g *grads, l int, pre, dy *Tensor, norm int) *Tensor {
	if !p.m.fam.sandwich {
		return dy
	}
	w := p.m.layers[l].norm[norm]
	p.m.dev.Zero(g.db)
	p.m.dev.RMSNormBackward(g.db, p.grad[w], dy, pre, w, a.rstd[norm])
	return g.db
}

// linearBackward adds the gradient of x for y = linear i of layer l (x)
// given dy, and those of its trainable weight, bias and adapter.
func (p *pass) linearBackward(a *acts, g *grads, l, i int, dx, dy, x *Tensor) {
	dev, lin := p.m.dev, &p.m.layers[l].lin[i]
	dev.MatMulBackward(dx, p.grad[lin.w], dy, x, lin.w)
	if gb := p.grad[lin.bias]; gb != nil {
		dev.BiasBackward(gb, dy)
	}
	ad := lin.lora
	if ad == nil {
		return
	}
	// y += u Bᵀ with u = Scale·xd Aᵀ, xd = dropout(x): dB = dyᵀ u, du = dy B,
	// dA = Scale·duᵀ xd, dx += dropout(Scale·du A) with the same mask.
	if g.du[i] == nil {
		g.du[i] = dev.Alloc(compute.F32, a.u[i].Shape()...)
	}
	du := g.du[i]
	dev.Zero(du)
	dev.MatMulBackward(du, p.grad[ad.B], dy, a.u[i], ad.B)
	dev.Scale(du, ad.Scale)
	xd := p.dropped(l, i, x)
	if xd == x {
		dev.MatMulBackward(dx, p.grad[ad.A], du, x, ad.A)
		return
	}
	dxd := p.dxd.Slice(0, x.Shape()...)
	dev.Zero(dxd)
	dev.MatMulBackward(dxd, p.grad[ad.A], du, xd, ad.A)
	dev.Dropout(dxd, dxd, ad.Dropout, p.linearSeed(l, i))
	dev.Add(dx, dxd)
}

// linearForward sets y = x Wᵀ + bias + Scale·(xd Aᵀ) Bᵀ, where xd is the
// adapter's input (x, or x after dropout); u receives Scale·xd Aᵀ [N, r],
// which is what the backward pass needs.
func linearForward(dev compute.Device, y, x, xd *Tensor, l *linear, u *Tensor) {
	dev.MatMul(y, x, l.w)
	if l.bias != nil {
		dev.AddBias(y, l.bias)
	}
	if l.lora == nil {
		return
	}
	dev.MatMul(u, xd, l.lora.A)
	dev.Scale(u, l.lora.Scale) // scaling the rank-r side is the cheap one
	dev.MatMulAdd(y, u, l.lora.B)
}
