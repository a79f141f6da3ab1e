package engine

import (
	"fmt"
	"slices"

	"github.com/hone-ai/hone/backend/compute"
)

// Row is one sequence's share of a batched step: new tokens after those in
// its cache, and the adapter it runs with (nil: the base model).
type Row struct {
	Cache  *Cache
	Tokens []int
	LoRA   *LoRA
}

// Workspace is the working memory of batched steps (Model.Step), grown to the
// most tokens a step has carried and reused as views after that: a decode
// loop steps many times a second and should not allocate its activations
// each time. One Workspace serves one loop at a time.
type Workspace struct {
	n, rows    int // capacity in tokens and in rows
	ids, pos   []int32
	tids, tpos *Tensor
	a          *acts
	x          *Tensor // residual stream [n, C]
	last       *Tensor // each row's last token [rows, C]
	h, rstd    *Tensor // final norm of last [rows, C], [rows]
	logits     *Tensor // [rows, V]
	u          *Tensor // a row group's LoRA x Aᵀ, flat, n·max rank
	rank       int
}

// NewWorkspace makes an empty Workspace; Step grows it.
func (m *Model) NewWorkspace() *Workspace { return &Workspace{} }

// span is a row's tokens within a step: [start, start+n) of the N rows.
type span struct {
	start, n, past int
	cache          *Cache
	lora           *LoRA
}

// Step runs every row's new tokens in one pass — the linears over all of
// them at once, so the weights are read once per step however many
// sequences decode, attention per row over its own cache — appends their
// keys and values to each row's cache, and returns each row's last-token
// logits [V]. Rows may use different adapters: the base product is shared
// and each group of rows adds its own LoRA (the "gather the rows of one
// adapter" form of Punica's BGMV). A row may carry a whole prompt (prefill)
// while the others carry one token (decode): that is how a long prompt
// joins a running batch without stalling it. Adapters attached to the model
// (AddLoRA, LoadLoRA) are not applied here: each row names its own.
func (m *Model) Step(b *Workspace, rows []Row) ([][]float32, error) {
	order := decodeFirst(rows)
	spans, N, err := m.spans(rows, order)
	if err != nil {
		return nil, err
	}
	b.grow(m, N, len(rows), maxRank(rows))
	c, dev := m.Config, m.dev
	for j, s := range spans {
		for i, t := range rows[order[j]].Tokens {
			b.ids[s.start+i], b.pos[s.start+i] = int32(t), int32(s.past+i)
		}
	}
	tids, tpos := b.tids.Rows(0, N), b.tpos.Rows(0, N)
	dev.UploadI32(tids, b.ids[:N])
	dev.UploadI32(tpos, b.pos[:N])
	p := &pass{m: m, B: 1, T: N, pos: tpos, seqs: spans, u: b.u, rank: b.rank}
	a, x := b.a.prefix(N, b.n), b.x.Rows(0, N)
	m.embedInto(x, tids)
	for l := range m.layers {
		p.layerForward(l, a, x, x)
	}
	R := len(rows)
	last := b.last.Rows(0, R)
	for i, s := range spans {
		dev.Copy(last.Rows(i, i+1), x.Rows(s.start+s.n-1, s.start+s.n))
		s.cache.Len += s.n
	}
	logits := b.logits.Rows(0, R)
	m.headRows(logits, b.h.Rows(0, R), b.rstd.Rows(0, R), last, dev.MatMulRows)
	flat := m.Host(logits)
	out := make([][]float32, R)
	for j, i := range order {
		out[i] = flat[j*c.VocabSize : (j+1)*c.VocabSize : (j+1)*c.VocabSize]
	}
	return out, dev.Sync()
}

// decodeFirst is the order a step lays rows out in: one-token rows
// (decoding) first, then the longer ones (prompt chunks), each part in the
// order given. The one-token rows share one MatMulRows, which gives each
// the numbers it gets alone; each longer row multiplies on its own.
func decodeFirst(rows []Row) []int {
	var order []int
	for pass := range 2 {
		for i, r := range rows {
			if (len(r.Tokens) == 1) == (pass == 0) {
				order = append(order, i)
			}
		}
	}
	return order
}

// spans lays the rows out one after another, in order, and checks them.
func (m *Model) spans(rows []Row, order []int) ([]span, int, error) {
	var spans []span
	N := 0
	for _, i := range order {
		r := rows[i]
		T := len(r.Tokens)
		if r.Cache == nil || T == 0 || r.Cache.Len+T > r.Cache.k[0].Dim(0) {
			return nil, 0, fmt.Errorf("engine: row %d: %d tokens do not fit its cache", i, T)
		}
		if slices.ContainsFunc(rows[:i], func(o Row) bool { return o.Cache == r.Cache }) {
			return nil, 0, fmt.Errorf("engine: row %d shares its cache with an earlier row", i)
		}
		if r.LoRA != nil && len(r.LoRA.ad) != len(m.layers) {
			return nil, 0, fmt.Errorf("engine: row %d: its adapter has %d layers, the model %d", i, len(r.LoRA.ad), len(m.layers))
		}
		for _, t := range r.Tokens {
			if t < 0 || t >= m.Config.VocabSize {
				return nil, 0, fmt.Errorf("engine: row %d: token %d out of range [0,%d)", i, t, m.Config.VocabSize)
			}
		}
		spans = append(spans, span{start: N, n: T, past: r.Cache.Len, cache: r.Cache, lora: r.LoRA})
		N += T
	}
	return spans, N, nil
}

func maxRank(rows []Row) int {
	r := 0
	for _, row := range rows {
		if row.LoRA != nil {
			r = max(r, row.LoRA.Config.Rank)
		}
	}
	return r
}

// grow makes b hold at least N tokens, R rows and LoRA rank r; a grown
// Workspace keeps its larger buffers (capacity doubles to amortise growth).
func (b *Workspace) grow(m *Model, N, R, r int) {
	c, dev := m.Config, m.dev
	if N > b.n {
		n := max(N, 2*b.n)
		b.n = n
		b.ids, b.pos = make([]int32, n), make([]int32, n)
		b.tids, b.tpos = dev.Alloc(compute.I32, n), dev.Alloc(compute.I32, n)
		b.a = (&pass{m: m, B: 1, T: n}).newActs()
		b.a.lse = nil // inference keeps no log-sum-exp
		b.x = dev.Alloc(compute.F32, n, c.HiddenSize)
		b.u = nil
	}
	if R > b.rows {
		b.rows = max(R, 2*b.rows)
		b.last = dev.Alloc(compute.F32, b.rows, c.HiddenSize)
		b.h, b.rstd = dev.Alloc(compute.F32, b.rows, c.HiddenSize), dev.Alloc(compute.F32, b.rows)
		b.logits = dev.Alloc(compute.F32, b.rows, c.VocabSize)
	}
	if r > b.rank || (r > 0 && b.u == nil) {
		b.rank = max(r, b.rank)
		b.u = dev.Alloc(compute.F32, b.n*b.rank)
	}
}

// prefix views the first n of the N token rows of every activation: each
// leading token dimension ([N, ...], [N·heads], and T of [1, T, H, D])
// shrinks by n/N. lse, laid out [B, H, T], has no such view and is dropped.
func (a *acts) prefix(n, N int) *acts {
	cut := func(t *Tensor) *Tensor {
		if t == nil || n == N {
			return t
		}
		sh := slices.Clone(t.Shape())
		d := 0
		if len(sh) == 4 {
			d = 1
		}
		sh[d] = sh[d] / N * n
		return t.Slice(0, sh...)
	}
	v := &acts{h1: cut(a.h1), x2: cut(a.x2), h2: cut(a.h2), qr: cut(a.qr), kr: cut(a.kr),
		q: cut(a.q), k: cut(a.k), v: cut(a.v), att: cut(a.att), o: cut(a.o), d: cut(a.d),
		gate: cut(a.gate), up: cut(a.up), act: cut(a.act)}
	for i, r := range a.rstd {
		v.rstd[i] = cut(r)
	}
	return v
}

// seqAttention is attention for a batched step: each row's new keys and
// values (written to k and v, [1, N, KVH, D]) go into its cache after its
// past ones, and its queries attend over its whole cache.
func (p *pass) seqAttention(l int, a *acts, k, v *Tensor) {
	c, dev := p.m.Config, p.m.dev
	KVH, H, D := c.KVHeads, c.Heads, c.HeadDim
	flat := func(t *Tensor, heads int) *Tensor { return t.Reshape(p.T, heads, D) }
	kf, vf, qf, of := flat(k, KVH), flat(v, KVH), flat(a.q, H), flat(a.att, H)
	for _, s := range p.seqs {
		end := s.past + s.n
		ck, cv := s.cache.k[l], s.cache.v[l]
		dev.Copy(ck.Rows(s.past, end), kf.Rows(s.start, s.start+s.n))
		dev.Copy(cv.Rows(s.past, end), vf.Rows(s.start, s.start+s.n))
		q := qf.Rows(s.start, s.start+s.n).Reshape(1, s.n, H, D)
		out := of.Rows(s.start, s.start+s.n).Reshape(1, s.n, H, D)
		dev.Attention(out, nil, q, ck.Rows(0, end).Reshape(1, end, KVH, D), cv.Rows(0, end).Reshape(1, end, KVH, D), p.attnOpts(l))
	}
}

// seqLinear is linear i of layer l in a batched step: the base product of
// the one-token rows in one MatMulRows (batch-invariant), of each longer row
// by itself, then the bias and each row's adapter.
func (p *pass) seqLinear(l, i int, y, x *Tensor) {
	dev, lin := p.m.dev, &p.m.layers[l].lin[i]
	d := 0
	for d < len(p.seqs) && p.seqs[d].n == 1 {
		d++
	}
	if d > 0 {
		dev.MatMulRows(y.Rows(0, d), x.Rows(0, d), lin.w)
	}
	for _, s := range p.seqs[d:] {
		dev.MatMul(y.Rows(s.start, s.start+s.n), x.Rows(s.start, s.start+s.n), lin.w)
	}
	if lin.bias != nil {
		dev.AddBias(y, lin.bias)
	}
	p.seqLoRA(l, i, y, x)
}

// seqLoRA adds each row's own adapter on linear i of layer l to y, rows of
// one adapter at a time (consecutive rows sharing an adapter run as one
// product).
func (p *pass) seqLoRA(l, i int, y, x *Tensor) {
	dev := p.m.dev
	for j := 0; j < len(p.seqs); {
		s := p.seqs[j]
		end := j + 1
		for end < len(p.seqs) && p.seqs[end].lora == s.lora {
			end++
		}
		j = end
		if s.lora == nil || s.lora.ad[l][i] == nil {
			continue
		}
		ad := s.lora.ad[l][i]
		last := p.seqs[end-1]
		lo, hi := s.start, last.start+last.n
		u := p.u.Slice(0, hi-lo, ad.A.Dim(0))
		dev.MatMul(u, x.Rows(lo, hi), ad.A)
		dev.Scale(u, ad.Scale)
		dev.MatMulAddT(y.Rows(lo, hi), u, ad.Bt)
	}
}
