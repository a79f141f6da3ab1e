package engine

import (
	"fmt"
	"slices"

	"github.com/hone-ai/hone/backend/compute"
)

// Cache holds the keys and values of the positions seen so far, after RoPE.
type Cache struct {
	k, v []*Tensor // per layer [max, KVH, D]
	Len  int       // positions filled
	s    *scratch
}

// scratch is Forward's working memory for T tokens, kept on the cache so
// that decoding a token at a time allocates little more than the logits.
type scratch struct {
	T           int
	ids, pos    []int32
	tids, tpos  *Tensor // I32 [T]
	a           *acts
	x, h, rstd  *Tensor // the residual stream and the final norm's output [T, C]; rstd [T]
	logits, one *Tensor // [T, V], made on the first Forward, and [1, V]
}

// NewCache makes a KV cache for up to maxLen positions.
func (m *Model) NewCache(maxLen int) *Cache {
	c := &Cache{}
	for range m.Config.Layers {
		c.k = append(c.k, m.dev.Alloc(compute.F32, maxLen, m.Config.KVHeads, m.Config.HeadDim))
		c.v = append(c.v, m.dev.Alloc(compute.F32, maxLen, m.Config.KVHeads, m.Config.HeadDim))
	}
	return c
}

// Cap is the most positions the cache holds.
func (cache *Cache) Cap() int { return cache.k[0].Dim(0) }

// GrowCache gives cache room for maxLen positions, keeping those it holds:
// a generation can start with a cache for its prompt and a few answer
// tokens and grow it as it goes (doubling), instead of holding the whole
// context from the start (SmolLM2's 8,192 positions are 377 MB in f32).
func (m *Model) GrowCache(cache *Cache, maxLen int) {
	if maxLen <= cache.Cap() {
		return
	}
	n := cache.Len
	for l := range cache.k {
		k, v := m.dev.Alloc(compute.F32, maxLen, m.Config.KVHeads, m.Config.HeadDim), m.dev.Alloc(compute.F32, maxLen, m.Config.KVHeads, m.Config.HeadDim)
		if n > 0 {
			m.dev.Copy(k.Rows(0, n), cache.k[l].Rows(0, n))
			m.dev.Copy(v.Rows(0, n), cache.v[l].Rows(0, n))
		}
		cache.k[l], cache.v[l] = k, v
	}
}

func (cache *Cache) scratch(p *pass) *scratch {
	if s := cache.s; s != nil && s.T == p.T {
		return s
	}
	cache.s = nil // let the old buffers go before making new ones
	c, dev, T := p.m.Config, p.m.dev, p.T
	cache.s = &scratch{T: T, ids: make([]int32, T), pos: make([]int32, T),
		tids: dev.Alloc(compute.I32, T), tpos: dev.Alloc(compute.I32, T), a: p.newActs(),
		x: dev.Alloc(compute.F32, T, c.HiddenSize), h: dev.Alloc(compute.F32, T, c.HiddenSize), rstd: dev.Alloc(compute.F32, T),
		one: dev.Alloc(compute.F32, 1, c.VocabSize)}
	return cache.s
}

// Forward runs tokens at the positions after those in cache, appends their
// keys and values to it and returns the logits [len(tokens)·V], row-major.
func (m *Model) Forward(cache *Cache, tokens []int) ([]float32, error) {
	return m.forward(cache, tokens, false)
}

// Next is Forward returning only the last token's logits [V], which is what
// generation needs: a prompt skips the LM head for all its other positions.
func (m *Model) Next(cache *Cache, tokens []int) ([]float32, error) {
	return m.forward(cache, tokens, true)
}

func (m *Model) forward(cache *Cache, tokens []int, last bool) ([]float32, error) {
	c, dev := m.Config, m.dev
	T, past := len(tokens), cache.Len
	if T == 0 || past+T > cache.k[0].Dim(0) {
		return nil, fmt.Errorf("engine: %d tokens after %d do not fit a cache of %d", T, past, cache.k[0].Dim(0))
	}
	p := &pass{m: m, B: 1, T: T, cache: cache, past: past}
	s := cache.scratch(p)
	for i, t := range tokens {
		if t < 0 || t >= c.VocabSize {
			return nil, fmt.Errorf("engine: token %d out of range [0,%d)", t, c.VocabSize)
		}
		s.ids[i], s.pos[i] = int32(t), int32(past+i)
	}
	dev.UploadI32(s.tids, s.ids)
	dev.UploadI32(s.tpos, s.pos)
	p.pos = s.tpos
	m.embedInto(s.x, s.tids)
	for l := range m.layers {
		p.layerForward(l, s.a, s.x, s.x)
	}
	cache.Len += T
	x, h, rstd, logits := s.x, s.h, s.rstd, s.one
	if last {
		x, h, rstd = x.Rows(T-1, T), h.Rows(T-1, T), rstd.Rows(T-1, T)
	} else {
		if s.logits == nil {
			s.logits = dev.Alloc(compute.F32, T, c.VocabSize)
		}
		logits = s.logits
	}
	m.headForward(logits, h, rstd, x)
	out := m.Host(logits)
	return out, dev.Sync()
}

// embedInto sets x to the tokens' embeddings, scaled as the family asks.
func (m *Model) embedInto(x, tokens *Tensor) {
	m.dev.Embedding(x, m.embed, tokens)
	if m.fam.embedScale != 1 {
		m.dev.Scale(x, m.fam.embedScale)
	}
}

// headForward sets logits to the LM head of the final norm of x, through
// h and rstd, soft-capped where the family caps them.
func (m *Model) headForward(logits, h, rstd, x *Tensor) {
	m.headRows(logits, h, rstd, x, m.dev.MatMul)
}

// headRows is headForward through matmul (MatMul, or MatMulRows for a
// batched step's rows).
func (m *Model) headRows(logits, h, rstd, x *Tensor, matmul func(out, x, w *Tensor)) {
	m.dev.RMSNorm(h, rstd, x, m.norm, float32(m.Config.NormEps))
	matmul(logits, h, m.head)
	if m.fam.finalCap != 0 {
		m.dev.SoftCap(logits, m.fam.finalCap)
	}
}

// Greedy feeds prompt and then the most likely next token, n times or until
// stop, and returns the generated ids (stop excluded).
func (m *Model) Greedy(prompt []int, n, stop int) ([]int, error) {
	cache := m.NewCache(len(prompt) + n)
	var out []int
	next := prompt
	for range n {
		logits, err := m.Next(cache, next)
		if err != nil {
			return nil, err
		}
		tok := slices.Index(logits, slices.Max(logits))
		if tok == stop {
			break
		}
		out = append(out, tok)
		next = []int{tok}
	}
	return out, nil
}
