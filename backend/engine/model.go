package engine

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/hone-ai/hone/backend/model"
)

// Model is a Llama-family model's weights on a backend.
type Model struct {
	Config     model.Config
	be         Backend
	embed      *Tensor // [V, C]
	norm, head *Tensor // final norm [C]; lm_head [V, C], the embedding when tied
	// With LoadPacked, the embedding and LM head kept in their GGUF blocks
	// (embed and head then nil); headP is embedP when tied.
	embedP, headP *packedWeight
	layers        []layer
	rope          *Rope // RoPE's frequencies (rope.go); nil: plain RoPE from Config
}

type layer struct {
	attnNorm, mlpNorm *Tensor
	lin               [numLinear]linear
}

// The linear layers of a decoder layer, in PEFT's target names.
const (
	lq = iota
	lk
	lv
	lo
	lgate
	lup
	ldown
	numLinear
)

// LinearNames are the PEFT target_modules names of a layer's linears,
// indexed as layer.lin.
var LinearNames = [numLinear]string{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}

// linear is y = x wᵀ + bias + LoRA; bias and lora are optional. With q
// set (QLoRA, qlora.go) the base weight is NF4, with p (packed.go) it is in
// GGUF blocks, and w holds only its shape.
type linear struct {
	w, bias *Tensor
	lora    *Adapter
	q       *model.NF4
	p       *packedWeight
	h       []uint16 // bf16 (bf16.go)
}

// hfName is the Hugging Face module path of linear i in layer l.
func hfName(l, i int) string {
	block := "self_attn."
	if i >= lgate {
		block = "mlp."
	}
	return "model.layers." + strconv.Itoa(l) + "." + block + LinearNames[i]
}

// Load reads an opened model's weights onto be.
func Load(m *model.Model, be Backend) (*Model, error) { return load(m, be, loadF32) }

// How load keeps the decoder linears.
type loadMode int

const (
	loadF32    loadMode = iota
	loadNF4             // quantised to NF4 as each is read, so at most one f32 linear is in memory at a time
	loadPacked          // in their GGUF blocks where the packed matmul takes the type (LoadPacked)
	loadBF16            // rounded to bf16 as each is read (LoadBF16)
)

func load(m *model.Model, be Backend, mode loadMode) (*Model, error) {
	c := m.Config
	read := func(name string, shape ...int) (*Tensor, error) {
		x, err := m.Weights.ReadF32(name)
		if err != nil {
			return nil, err
		}
		t, err := FromData(x, shape...)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return t, nil
	}
	e := &Model{Config: c, be: be}
	var err error
	if e.rope, err = loadRope(m); err != nil {
		return nil, err
	}
	q, kv := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	// readLinear reads a weight [rows, cols] into w, or packed into *p when
	// loading packed and its type allows.
	readLinear := func(name string, w **Tensor, p **packedWeight, rows, cols int) error {
		if mode == loadPacked {
			pw, err := readPacked(m.Weights, name, rows, cols)
			if err != nil || pw != nil {
				*p = pw
				return err
			}
		}
		t, err := read(name, rows, cols)
		*w = t
		return err
	}
	if err := readLinear("model.embed_tokens.weight", &e.embed, &e.embedP, c.VocabSize, c.HiddenSize); err != nil {
		return nil, err
	}
	if e.norm, err = read("model.norm.weight", c.HiddenSize); err != nil {
		return nil, err
	}
	e.head, e.headP = e.embed, e.embedP
	if !c.TiedEmbeddings {
		e.head, e.headP = nil, nil
		if err := readLinear("lm_head.weight", &e.head, &e.headP, c.VocabSize, c.HiddenSize); err != nil {
			return nil, err
		}
	}
	for l := range c.Layers {
		p := "model.layers." + strconv.Itoa(l) + "."
		var ly layer
		if ly.attnNorm, err = read(p+"input_layernorm.weight", c.HiddenSize); err != nil {
			return nil, err
		}
		if ly.mlpNorm, err = read(p+"post_attention_layernorm.weight", c.HiddenSize); err != nil {
			return nil, err
		}
		shapes := [numLinear][2]int{{q, c.HiddenSize}, {kv, c.HiddenSize}, {kv, c.HiddenSize}, {c.HiddenSize, q},
			{c.IntermediateSize, c.HiddenSize}, {c.IntermediateSize, c.HiddenSize}, {c.HiddenSize, c.IntermediateSize}}
		for i, sh := range shapes {
			lin := &ly.lin[i]
			if err := readLinear(hfName(l, i)+".weight", &lin.w, &lin.p, sh[0], sh[1]); err != nil {
				return nil, err
			}
			if lin.p != nil {
				lin.w = &Tensor{Shape: []int{sh[0], sh[1]}}
			}
			switch mode {
			case loadNF4:
				if err := ly.lin[i].quantize(); err != nil {
					return nil, fmt.Errorf("%s: %w", hfName(l, i), err)
				}
			case loadBF16:
				ly.lin[i].toBF16()
			}
			// Qwen2 has query, key and value biases.
			if c.Architecture == "qwen2" && i <= lv {
				if ly.lin[i].bias, err = read(hfName(l, i)+".bias", sh[0]); err != nil {
					return nil, err
				}
			}
		}
		e.layers = append(e.layers, ly)
	}
	return e, nil
}

// Cache holds the keys and values of the positions seen so far, after RoPE.
type Cache struct {
	k, v []*Tensor // per layer [max, KVH, D]
	Len  int       // positions filled
	s    *scratch
}

// scratch is Forward's working memory for T tokens, kept on the cache so
// that decoding a token at a time allocates little more than the logits.
type scratch struct {
	T                         int
	ids, pos                  []int32
	x, h, q, att, o, gate, up *Tensor
}

func (cache *Cache) scratch(c model.Config, T int) *scratch {
	if s := cache.s; s != nil && s.T == T {
		return s
	}
	cache.s = &scratch{T: T, ids: make([]int32, T), pos: make([]int32, T),
		x: New(T, c.HiddenSize), h: New(T, c.HiddenSize), q: New(T, c.Heads, c.HeadDim), att: New(T, c.Heads, c.HeadDim),
		o: New(T, c.HiddenSize), gate: New(T, c.IntermediateSize), up: New(T, c.IntermediateSize)}
	return cache.s
}

// NewCache makes a KV cache for up to maxLen positions.
func (m *Model) NewCache(maxLen int) *Cache {
	c := &Cache{}
	for range m.Config.Layers {
		c.k = append(c.k, New(maxLen, m.Config.KVHeads, m.Config.HeadDim))
		c.v = append(c.v, New(maxLen, m.Config.KVHeads, m.Config.HeadDim))
	}
	return c
}

// Forward runs tokens at the positions after those in cache, appends their
// keys and values to it and returns the logits [len(tokens), V].
func (m *Model) Forward(cache *Cache, tokens []int) (*Tensor, error) {
	return m.forward(cache, tokens, false)
}

// Next is Forward returning only the last token's logits [1, V], which is
// what generation needs: a prompt skips the LM head for all its other
// positions.
func (m *Model) Next(cache *Cache, tokens []int) (*Tensor, error) {
	return m.forward(cache, tokens, true)
}

func (m *Model) forward(cache *Cache, tokens []int, last bool) (*Tensor, error) {
	c, be := m.Config, m.be
	T, p := len(tokens), cache.Len
	if T == 0 || p+T > cache.k[0].Dim(0) {
		return nil, fmt.Errorf("engine: %d tokens after %d do not fit a cache of %d", T, p, cache.k[0].Dim(0))
	}
	s := cache.scratch(c, T)
	ids, pos := s.ids, s.pos
	for i, t := range tokens {
		if t < 0 || t >= c.VocabSize {
			return nil, fmt.Errorf("engine: token %d out of range [0,%d)", t, c.VocabSize)
		}
		ids[i], pos[i] = int32(t), int32(p+i)
	}
	H, KVH, D, eps, rope := c.Heads, c.KVHeads, c.HeadDim, float32(c.NormEps), m.ropeParams()
	x, h, q, att, o, gate, up := s.x, s.h, s.q, s.att, s.o, s.gate, s.up
	if m.embedP != nil {
		embedPacked(x, m.embedP, ids)
	} else {
		be.Embedding(x, m.embed, ids)
	}
	for l, ly := range m.layers {
		// The new keys and values go straight into their rows of the cache.
		k, v := cache.k[l].Rows(p, p+T), cache.v[l].Rows(p, p+T)
		be.RMSNorm(h, x, ly.attnNorm, eps)
		linearForward(be, q.Reshape(T, H*D), h, &ly.lin[lq], nil)
		linearForward(be, k.Reshape(T, KVH*D), h, &ly.lin[lk], nil)
		linearForward(be, v.Reshape(T, KVH*D), h, &ly.lin[lv], nil)
		be.RoPE(q, pos, rope)
		be.RoPE(k, pos, rope)
		be.Attention(att, q, cache.k[l].Rows(0, p+T), cache.v[l].Rows(0, p+T))
		linearForward(be, o, att.Reshape(T, H*D), &ly.lin[lo], nil)
		be.Add(x, o)
		be.RMSNorm(h, x, ly.mlpNorm, eps)
		linearForward(be, gate, h, &ly.lin[lgate], nil)
		linearForward(be, up, h, &ly.lin[lup], nil)
		be.SwiGLU(gate, gate, up)
		linearForward(be, o, gate, &ly.lin[ldown], nil)
		be.Add(x, o)
	}
	cache.Len += T
	if last {
		x, h = x.Rows(T-1, T), h.Rows(T-1, T)
	}
	be.RMSNorm(h, x, m.norm, eps)
	logits := New(h.Dim(0), c.VocabSize)
	if m.headP != nil {
		be.(packedBackend).matMulPacked(logits, h, m.headP)
	} else {
		be.MatMul(logits, h, m.head)
	}
	return logits, nil
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
		tok := slices.Index(logits.Data, slices.Max(logits.Data))
		if tok == stop {
			break
		}
		out = append(out, tok)
		next = []int{tok}
	}
	return out, nil
}
