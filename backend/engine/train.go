package engine

import (
	"fmt"
	"strconv"
)

// Batch is B sequences of T tokens, row-major, and the token each position
// should predict (already shifted); a negative target is ignored (PyTorch's
// ignore index -100). The loss is the mean over the targets that count.
type Batch struct {
	B, T    int
	Tokens  []int32
	Targets []int32
}

// TrainOptions choose what trains and how.
type TrainOptions struct {
	// Base trains every base weight too (full fine-tuning of a small
	// model); otherwise only the LoRA adapters train.
	Base bool
	// Checkpoint keeps only each layer's input in the forward pass and
	// recomputes the layer in the backward pass: memory for one layer's
	// activations instead of all, for a third more compute.
	Checkpoint bool
	AdamW      AdamW
}

// Param is a trainable tensor with its gradient and AdamW moments, named
// as Hugging Face (base weights) or PEFT (adapters) name it.
type Param struct {
	Name string
	W, G *Tensor
	m, v *Tensor
}

// Trainer trains a Model in place: Backward fills the gradients of its
// Params, Update applies AdamW.
type Trainer struct {
	m      *Model
	be     TrainBackend
	opt    TrainOptions
	params []*Param
	grad   map[*Tensor]*Tensor // trainable weight -> its gradient; frozen ones are absent
	step   int
	// The activations and backward buffers of the last batch shape, kept for
	// the next step: allocating ~1 GB a step cost page faults and zeroing.
	buf *buffers
}

// buffers are a pass's tensors for B x T batches.
type buffers struct {
	B, T    int
	xs      []*Tensor    // each layer's input, then the last layer's output
	acts    []*layerActs // each layer's, or one shared one with checkpointing
	bwd     *layerGrads  // a layer's backward temporaries, shared by all layers
	hf, dhf *Tensor      // final norm's output and its gradient [N, C]
	dx, tmp *Tensor      // the residual's gradient; a recomputed layer's output
	rstd    *Tensor      // final norm's 1/rms [N]
	logits  *Tensor      // one chunk's logits [chunk, V]
}

// buffersFor returns t's buffers for b's shape, new when the shape changed.
func (t *Trainer) buffersFor(b Batch, f *pass, chunk int) *buffers {
	if t.buf != nil && t.buf.B == b.B && t.buf.T == b.T {
		return t.buf
	}
	t.buf = nil // let the old ones go before making the new
	c, N := t.m.Config, b.B*b.T
	s := &buffers{B: b.B, T: b.T, hf: New(N, c.HiddenSize), dhf: New(N, c.HiddenSize), dx: New(N, c.HiddenSize),
		tmp: New(N, c.HiddenSize), rstd: New(N), logits: New(chunk, c.VocabSize), bwd: f.newGrads()}
	for range len(t.m.layers) + 1 {
		s.xs = append(s.xs, New(N, c.HiddenSize))
	}
	s.acts = make([]*layerActs, len(t.m.layers))
	t.buf = s
	return s
}

// NewTrainer prepares training of m's adapters (attach them first with
// AddLoRA or LoadLoRA) or, with opt.Base, of all its weights.
func NewTrainer(m *Model, opt TrainOptions) (*Trainer, error) {
	be, ok := m.be.(TrainBackend)
	if !ok {
		return nil, fmt.Errorf("engine: backend %s cannot train", m.be.Name())
	}
	if err := m.errPacked(); err != nil {
		return nil, err
	}
	// NF4 and bf16 bases keep only their shape in w: they are frozen.
	if opt.Base && len(m.layers) > 0 && m.layers[0].lin[lq].w.Data == nil {
		return nil, fmt.Errorf("engine: the base weights are NF4 or bf16, frozen: only adapters can train")
	}
	t := &Trainer{m: m, be: be, opt: opt, grad: map[*Tensor]*Tensor{}}
	add := func(name string, w *Tensor) {
		if w == nil || t.grad[w] != nil { // absent, or tied and already in
			return
		}
		p := &Param{Name: name, W: w, G: New(w.Shape...), m: New(w.Shape...), v: New(w.Shape...)}
		t.grad[w] = p.G
		t.params = append(t.params, p)
	}
	if opt.Base {
		add("model.embed_tokens.weight", m.embed)
		for l, ly := range m.layers {
			p := "model.layers." + strconv.Itoa(l) + "."
			add(p+"input_layernorm.weight", ly.attnNorm)
			add(p+"post_attention_layernorm.weight", ly.mlpNorm)
			for i, lin := range ly.lin {
				add(hfName(l, i)+".weight", lin.w)
				add(hfName(l, i)+".bias", lin.bias)
			}
		}
		add("model.norm.weight", m.norm)
		add("lm_head.weight", m.head)
	}
	for l, ly := range m.layers {
		for i, lin := range ly.lin {
			if lin.lora != nil {
				add(peftName(l, i, "lora_A"), lin.lora.A)
				add(peftName(l, i, "lora_B"), lin.lora.B)
			}
		}
	}
	if len(t.params) == 0 {
		return nil, fmt.Errorf("engine: nothing to train: no adapters and Base off")
	}
	return t, nil
}

// Params are the trainable tensors, in a fixed order.
func (t *Trainer) Params() []*Param { return t.params }

func (t *Trainer) check(b Batch) error {
	if b.B <= 0 || b.T <= 0 || len(b.Tokens) != b.B*b.T || len(b.Targets) != b.B*b.T {
		return fmt.Errorf("engine: batch of %d tokens and %d targets is not %d x %d", len(b.Tokens), len(b.Targets), b.B, b.T)
	}
	if b.T > t.m.Config.MaxPositions && t.m.Config.MaxPositions > 0 {
		return fmt.Errorf("engine: sequence length %d past the model's %d", b.T, t.m.Config.MaxPositions)
	}
	V := int32(t.m.Config.VocabSize)
	for i, tok := range b.Tokens {
		if tok < 0 || tok >= V || b.Targets[i] >= V {
			return fmt.Errorf("engine: token or target at %d out of range [0,%d)", i, V)
		}
	}
	return nil
}

// Loss is the batch's mean cross-entropy; it changes no gradient.
func (t *Trainer) Loss(b Batch) (float64, error) {
	return t.run(b, false)
}

// Backward sets the Params' gradients to those of the batch's loss and
// returns the loss.
func (t *Trainer) Backward(b Batch) (float64, error) {
	return t.run(b, true)
}

// Update applies one AdamW step with the gradients of the last Backward.
func (t *Trainer) Update() {
	t.step++
	for _, p := range t.params {
		t.be.AdamW(p.W, p.G, p.m, p.v, t.step, t.opt.AdamW)
	}
}

// run is the training forward pass and, when grad, the backward pass.
func (t *Trainer) run(b Batch, grad bool) (float64, error) {
	if err := t.check(b); err != nil {
		return 0, err
	}
	count := 0
	for _, y := range b.Targets {
		if y >= 0 {
			count++
		}
	}
	if count == 0 {
		return 0, fmt.Errorf("engine: batch has no target")
	}
	c, m, be := t.m.Config, t.m, t.be
	N := b.B * b.T
	pos := make([]int32, N)
	for i := range pos {
		pos[i] = int32(i % b.T)
	}
	f := &pass{t: t, b: b, pos: pos}

	V := c.VocabSize
	// Chunks of up to 64 MB of logits, enough rows to reuse the head weight
	// from cache, and equal, so that no chunk is a row or two that costs a
	// whole pass over the head.
	most := max(1, min(N, (1<<24)/V))
	chunk := (N + (N+most-1)/most - 1) / ((N + most - 1) / most)
	s := t.buffersFor(b, f, chunk)

	// Forward: xs[l] is layer l's input, xs[L] the last layer's output.
	xs := s.xs
	be.Embedding(xs[0], m.embed, b.Tokens)
	for l := range m.layers {
		// With checkpointing (or no backward) one set of activations serves
		// every layer in turn (only xs stays); without, each layer keeps its own.
		a := l
		if t.opt.Checkpoint || !grad {
			a = 0
		}
		if s.acts[a] == nil {
			s.acts[a] = f.newActs()
		}
		f.layerForward(l, s.acts[a], xs[l], xs[l+1])
	}
	hf, rstd := s.hf, s.rstd
	be.RMSNormKeep(hf, rstd, xs[len(m.layers)], m.norm, float32(c.NormEps))

	// The head and the loss a chunk of rows at a time, so that the whole
	// [N, V] logits never exist at once; with grad, each chunk's logits
	// turn into their gradient in place and flow back at once.
	var dhf *Tensor
	if grad {
		for _, p := range t.params {
			clear(p.G.Data)
		}
		dhf = s.dhf
		clear(dhf.Data)
	}
	losses, logits := make([]float32, N), s.logits
	for i := 0; i < N; i += chunk {
		j := min(i+chunk, N)
		lg := logits.Rows(0, j-i)
		be.MatMul(lg, hf.Rows(i, j), m.head)
		if !grad {
			be.CrossEntropy(losses[i:j], nil, lg, b.Targets[i:j], 0)
			continue
		}
		be.CrossEntropy(losses[i:j], lg, lg, b.Targets[i:j], 1/float32(count))
		be.MatMulBackward(dhf.Rows(i, j), t.grad[m.head], lg, hf.Rows(i, j), m.head)
	}
	loss := 0.0
	for _, l := range losses {
		loss += float64(l)
	}
	loss /= float64(count)
	if !grad {
		return loss, nil
	}

	// Backward: dx is the gradient of the residual stream, flowing down.
	dx := s.dx
	clear(dx.Data)
	be.RMSNormBackward(dx, t.grad[m.norm], dhf, xs[len(m.layers)], m.norm, rstd)
	for l := len(m.layers) - 1; l >= 0; l-- {
		a := s.acts[l]
		if t.opt.Checkpoint { // recompute the layer from its input
			a = s.acts[0]
			f.layerForward(l, a, xs[l], s.tmp)
		}
		f.layerBackward(l, a, s.bwd, dx)
	}
	if g := t.grad[m.embed]; g != nil {
		be.EmbeddingBackward(g, dx, b.Tokens)
	}
	return loss, nil
}
