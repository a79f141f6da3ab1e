package engine

import (
	"fmt"
	"math"

	"github.com/hone-ai/hone/backend/compute"
)

// Batch is B sequences of T tokens, row-major, and the token each position
// should predict (already shifted); a negative target is ignored (PyTorch's
// ignore index -100). The loss is the mean over the targets that count.
type Batch struct {
	B, T    int
	Tokens  []int32
	Targets []int32
	// Packing puts several examples in one row. Positions (nil: each
	// token's index in its row) then restart at 0 with each example, and
	// Starts (nil: all 0) holds, per token, the row index of its example's
	// first token: attention never reaches into another example.
	Positions, Starts []int32
	// Seed draws the LoRA dropout masks of this batch's training pass (the
	// same seed, the same masks: a resumed run repeats them).
	Seed uint64
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

// Param is a trainable tensor and its gradient, named as Hugging Face
// (base weights) or PEFT (adapters) name it. W and G are views into the
// trainer's flat buffers.
type Param struct {
	Name string
	W, G *Tensor
}

// Trainer trains a Model in place: Backward fills the gradients of its
// Params, Update applies AdamW. The parameters, their gradients and AdamW's
// moments are each one flat buffer (as llm.c keeps them), so the optimizer
// step, the gradient clear and the gradient norm are one op each.
type Trainer struct {
	m      *Model
	opt    TrainOptions
	params []*Param
	grad   map[*Tensor]*Tensor // trainable weight -> its gradient; frozen ones are absent
	// flat parameters, gradients and AdamW moments
	w, g, mom, vel *Tensor
	step           int
	// The activations and backward buffers of the last batch shape, kept for
	// the next step: allocating ~1 GB a step cost page faults and zeroing.
	buf *buffers
}

// buffers are a pass's tensors for B x T batches.
type buffers struct {
	B, T                 int
	tokens, targets, pos *Tensor   // I32 [N]; pos: a packed batch's positions
	rowPos, starts       *Tensor   // I32 [N]: each token's index in its row; a packed batch's example starts
	xs                   []*Tensor // each layer's input, then the last layer's output
	acts                 []*acts   // each layer's, or one shared one with checkpointing
	bwd                  *grads    // a layer's backward temporaries, shared by all layers
	hf, dhf              *Tensor   // final norm's output and its gradient [N, C]
	dx, tmp              *Tensor   // the residual's gradient; a recomputed layer's output
	rstd, losses         *Tensor   // final norm's 1/rms, each token's loss [N]
	logits, dlogits      *Tensor   // one chunk's logits [chunk, V]; their gradient when soft-capped
	xd, dxd              *Tensor   // LoRA dropout's scratch [N·widest input] (nil without dropout)
	hostLoss             []float32
	// Rows with a target, gathered for the head (headLoss); made on first use.
	rows           []int32
	nLoss          int
	hg, dhg        *Tensor // [N, C]
	gidx, gtargets *Tensor // I32 [N]
}

// buffersFor returns t's buffers for b's shape, new when the shape changed.
func (t *Trainer) buffersFor(p *pass, chunk int) *buffers {
	if t.buf != nil && t.buf.B == p.B && t.buf.T == p.T {
		return t.buf
	}
	t.buf = nil // let the old ones go before making the new
	c, N, dev := t.m.Config, p.B*p.T, t.m.dev
	f32 := func(shape ...int) *Tensor { return dev.Alloc(compute.F32, shape...) }
	s := &buffers{B: p.B, T: p.T, tokens: dev.Alloc(compute.I32, N), targets: dev.Alloc(compute.I32, N), pos: dev.Alloc(compute.I32, N),
		hf: f32(N, c.HiddenSize), dhf: f32(N, c.HiddenSize), dx: f32(N, c.HiddenSize), tmp: f32(N, c.HiddenSize),
		rstd: f32(N), losses: f32(N), logits: f32(chunk, c.VocabSize), bwd: p.newGrads(), hostLoss: make([]float32, N)}
	if t.m.fam.finalCap != 0 {
		s.dlogits = f32(chunk, c.VocabSize)
	}
	for range len(t.m.layers) + 1 {
		s.xs = append(s.xs, f32(N, c.HiddenSize))
	}
	s.acts = make([]*acts, len(t.m.layers))
	if t.m.loraDropout() {
		wide := N * max(c.HiddenSize, c.Heads*c.HeadDim, c.IntermediateSize)
		s.xd, s.dxd = f32(wide), f32(wide)
	}
	pos := make([]int32, N)
	for i := range pos {
		pos[i] = int32(i % p.T)
	}
	s.rowPos, s.starts = dev.Alloc(compute.I32, N), dev.Alloc(compute.I32, N)
	dev.UploadI32(s.rowPos, pos)
	t.buf = s
	return s
}

// NewTrainer prepares training of m's adapters (attach them first with
// AddLoRA or LoadLoRA) or, with opt.Base, of all its weights. It moves the
// trainable tensors into one flat buffer on m's device.
func NewTrainer(m *Model, opt TrainOptions) (*Trainer, error) {
	if err := m.errPacked(); err != nil {
		return nil, err
	}
	if opt.Base && m.baseDType().Quantised() {
		return nil, fmt.Errorf("engine: the base weights are %s, frozen: only adapters can train", m.baseDType())
	}
	t := &Trainer{m: m, opt: opt, grad: map[*Tensor]*Tensor{}}
	var names []string
	var ws []*Tensor
	if opt.Base {
		names, ws = m.weights()
	}
	for l, ly := range m.layers {
		for i, lin := range ly.lin {
			if lin.lora != nil {
				names = append(names, peftName(l, i, "lora_A"), peftName(l, i, "lora_B"))
				ws = append(ws, lin.lora.A, lin.lora.B)
			}
		}
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("engine: nothing to train: no adapters and Base off")
	}
	t.flatten(names, ws)
	return t, nil
}

// flatten moves ws into one flat parameter buffer (each tensor rebound to
// its slice of it) and makes the gradient and moment buffers beside it.
func (t *Trainer) flatten(names []string, ws []*Tensor) {
	dev, n := t.m.dev, 0
	for _, w := range ws {
		n += w.Len()
	}
	t.w, t.g = dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n)
	t.mom, t.vel = dev.Alloc(compute.F32, n), dev.Alloc(compute.F32, n)
	off := 0
	for i, w := range ws {
		v := t.w.Slice(off, w.Shape()...)
		dev.Copy(v, w)
		w.Rebind(v)
		p := &Param{Name: names[i], W: w, G: t.g.Slice(off, w.Shape()...)}
		t.grad[w] = p.G
		t.params = append(t.params, p)
		off += w.Len()
	}
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
	if (b.Positions != nil && len(b.Positions) != len(b.Tokens)) || (b.Starts != nil && len(b.Starts) != len(b.Tokens)) {
		return fmt.Errorf("engine: packed batch of %d tokens with %d positions and %d starts", len(b.Tokens), len(b.Positions), len(b.Starts))
	}
	for i, st := range b.Starts {
		if st < 0 || int(st) > i%b.T {
			return fmt.Errorf("engine: token %d of its row starts its example at %d", i%b.T, st)
		}
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
	sum, n, err := t.run(b, false, 0)
	return sum / float64(max(n, 1)), err
}

// LossSum is the batch's summed cross-entropy and how many targets it
// counts: an evaluation adds these over batches.
func (t *Trainer) LossSum(b Batch) (sum float64, targets int, err error) {
	return t.run(b, false, 0)
}

// Backward sets the Params' gradients to those of the batch's mean loss
// and returns the loss.
func (t *Trainer) Backward(b Batch) (float64, error) {
	n := b.targets()
	if n == 0 {
		return 0, fmt.Errorf("engine: batch has no target")
	}
	t.ZeroGrad()
	sum, _, err := t.run(b, true, 1/float32(n))
	return sum / float64(n), err
}

// ZeroGrad clears the gradients, before a run of Accumulate calls.
func (t *Trainer) ZeroGrad() { t.m.dev.Zero(t.g) }

// Accumulate adds to the gradients those of weight times the batch's
// summed loss, and returns that sum and the number of targets: gradient
// accumulation over micro-batches with weight = 1/(targets of them all)
// gives the gradient of the mean over the whole batch, as one Backward of
// it would. A micro-batch without targets adds nothing.
func (t *Trainer) Accumulate(b Batch, weight float32) (sum float64, targets int, err error) {
	if b.targets() == 0 {
		return 0, 0, t.check(b)
	}
	return t.run(b, true, weight)
}

// Update applies one AdamW step with the gradients of the last Backward.
func (t *Trainer) Update() error { return t.Step(t.opt.AdamW.LR) }

// Step applies one AdamW step at learning rate lr (a schedule's value) with
// the gradients as they stand.
func (t *Trainer) Step(lr float32) error {
	if !(lr >= 0) || math.IsInf(float64(lr), 0) {
		return fmt.Errorf("engine: learning rate %g", lr)
	}
	t.step++
	h := t.opt.AdamW
	h.LR = lr
	t.m.dev.AdamW(t.w, t.g, t.mom, t.vel, t.step, h)
	return t.m.dev.Sync()
}

// targets counts the batch's targets (non-negative).
func (b Batch) targets() int {
	n := 0
	for _, y := range b.Targets {
		if y >= 0 {
			n++
		}
	}
	return n
}

// ClipGradNorm scales the gradients so that their global L2 norm is at most
// maxNorm, as torch.nn.utils.clip_grad_norm_ does: the norm is accumulated
// in float64 over every gradient, and when it exceeds maxNorm each gradient
// is multiplied by maxNorm/(norm+1e-6). It returns the norm before
// clipping; a non-finite norm is returned and nothing is scaled.
func (t *Trainer) ClipGradNorm(maxNorm float64) float64 {
	norm := math.Sqrt(t.m.dev.SumSquares(t.g))
	if !(norm > maxNorm) || math.IsInf(norm, 0) {
		return norm
	}
	t.m.dev.Scale(t.g, float32(maxNorm/(norm+1e-6)))
	return norm
}

// run is the training forward pass and, when grad, the backward pass,
// adding the gradient of dloss times the summed loss. It returns the summed
// loss and the number of targets.
func (t *Trainer) run(b Batch, grad bool, dloss float32) (float64, int, error) {
	if err := t.check(b); err != nil {
		return 0, 0, err
	}
	count := b.targets()
	if count == 0 {
		return 0, 0, fmt.Errorf("engine: batch has no target")
	}
	m, dev := t.m, t.m.dev
	N, V := b.B*b.T, m.Config.VocabSize
	p := &pass{m: m, B: b.B, T: b.T, keep: grad, grad: t.grad, drop: grad && m.loraDropout(), seed: b.Seed}
	// Chunks of up to 64 MB of logits: enough rows to reuse the head
	// weight from cache (headLoss splits them equally).
	s := t.buffersFor(p, max(1, min(N, (1<<24)/V)))
	p.xd, p.dxd = s.xd, s.dxd
	dev.UploadI32(s.tokens, b.Tokens)
	dev.UploadI32(s.targets, b.Targets)
	p.pos = s.rowPos
	if b.Positions != nil {
		dev.UploadI32(s.pos, b.Positions)
		p.pos = s.pos
	}
	if b.Starts != nil {
		dev.UploadI32(s.starts, b.Starts)
		p.keyStart = s.starts
	}

	// Forward: xs[l] is layer l's input, xs[L] the last layer's output.
	xs := s.xs
	m.embedInto(xs[0], s.tokens)
	for l := range m.layers {
		// With checkpointing (or no backward) one set of activations serves
		// every layer in turn (only xs stays); without, each layer keeps its own.
		a := l
		if t.opt.Checkpoint || !grad {
			a = 0
		}
		if s.acts[a] == nil {
			s.acts[a] = p.newActs()
		}
		p.layerForward(l, s.acts[a], xs[l], xs[l+1])
	}
	if grad {
		dev.Zero(s.dhf)
	}
	t.headLoss(s, b, dloss, grad)
	losses := s.hostLoss[:s.nLoss]
	dev.Download(losses, s.losses.Rows(0, s.nLoss))
	if err := dev.Sync(); err != nil {
		return 0, 0, err
	}
	loss := 0.0
	for _, l := range losses {
		loss += float64(l)
	}
	if !grad {
		return loss, count, nil
	}

	// Backward: dx is the gradient of the residual stream, flowing down.
	dx := s.dx
	dev.Zero(dx)
	dev.RMSNormBackward(dx, t.grad[m.norm], s.dhf, xs[len(m.layers)], m.norm, s.rstd)
	for l := len(m.layers) - 1; l >= 0; l-- {
		a := s.acts[l]
		if t.opt.Checkpoint { // recompute the layer from its input
			a = s.acts[0]
			p.layerForward(l, a, xs[l], s.tmp)
		}
		p.layerBackward(l, a, s.bwd, dx)
	}
	if g := t.grad[m.embed]; g != nil {
		if m.fam.embedScale != 1 {
			dev.Scale(dx, m.fam.embedScale)
		}
		dev.EmbeddingBackward(g, dx, s.tokens)
	}
	return loss, count, dev.Sync()
}

// headLoss runs the final norm, the head and the loss a chunk of rows at a
// time, so that the whole [N, V] logits never exist at once; with grad,
// each chunk's logits turn into their gradient and flow back at once into
// dhf and the head's gradient. Only rows with a target go through the head:
// with the loss on answers only, most rows of a chat example are prompt, and
// the head (576×49152 for SmolLM2) is a fifth of a step's work; they are
// gathered into one block (the embedding op reads rows by index) so that
// the head's weight is read once a chunk, and their gradients scattered back.
func (t *Trainer) headLoss(s *buffers, b Batch, dloss float32, grad bool) {
	m, dev, N := t.m, t.m.dev, s.B*s.T
	hf, dhf, targets := s.hf, s.dhf, s.targets
	dev.RMSNorm(hf, s.rstd, s.xs[len(m.layers)], m.norm, float32(m.Config.NormEps))
	rows := s.rowsWithTargets(b)
	n := len(rows)
	if n < N {
		s.gather(dev, rows, b)
		dev.Embedding(s.hg.Rows(0, n), hf, s.gidx.Rows(0, n))
		hf, dhf, targets = s.hg.Rows(0, n), s.dhg.Rows(0, n), s.gtargets.Rows(0, n)
		if grad {
			dev.Zero(dhf)
		}
	}
	chunk := chunkRows(n, s.logits.Dim(0))
	for i := 0; i < n; i += chunk {
		j := min(i+chunk, n)
		lg := s.logits.Rows(0, j-i)
		dev.MatMul(lg, hf.Rows(i, j), m.head)
		if m.fam.finalCap != 0 {
			dev.SoftCap(lg, m.fam.finalCap)
		}
		losses, tg := s.losses.Rows(i, j), targets.Rows(i, j)
		if !grad {
			dev.CrossEntropy(losses, nil, lg, tg, 0)
			continue
		}
		dlg := lg // the gradient overwrites the logits, unless the cap's backward needs them
		if m.fam.finalCap != 0 {
			dlg = s.dlogits.Rows(0, j-i)
		}
		dev.CrossEntropy(losses, dlg, lg, tg, dloss)
		if m.fam.finalCap != 0 {
			dev.SoftCapBackward(dlg, lg, m.fam.finalCap)
		}
		dev.MatMulBackward(dhf.Rows(i, j), t.grad[m.head], dlg, hf.Rows(i, j), m.head)
	}
	if n < N && grad {
		dev.EmbeddingBackward(s.dhf, dhf, s.gidx.Rows(0, n)) // scatter: adds each row's gradient back
	}
	s.nLoss = n
}

// rowsWithTargets lists the rows of b that have a target.
func (s *buffers) rowsWithTargets(b Batch) []int32 {
	s.rows = s.rows[:0]
	for i, y := range b.Targets {
		if y >= 0 {
			s.rows = append(s.rows, int32(i))
		}
	}
	return s.rows
}

// gather uploads the rows' indices and targets, making the buffers the
// first time a batch of this shape has rows without targets.
func (s *buffers) gather(dev compute.Device, rows []int32, b Batch) {
	N, C := s.B*s.T, s.hf.Dim(1)
	if s.hg == nil {
		s.hg, s.dhg = dev.Alloc(compute.F32, N, C), dev.Alloc(compute.F32, N, C)
		s.gidx, s.gtargets = dev.Alloc(compute.I32, N), dev.Alloc(compute.I32, N)
	}
	tg := make([]int32, len(rows))
	for k, r := range rows {
		tg[k] = b.Targets[r]
	}
	dev.UploadI32(s.gidx.Rows(0, len(rows)), rows)
	dev.UploadI32(s.gtargets.Rows(0, len(rows)), tg)
}

// chunkRows splits n rows into equal chunks of at most most rows, so that
// no chunk is a row or two that costs a whole pass over the head.
func chunkRows(n, most int) int {
	parts := (n + most - 1) / max(most, 1)
	return (n + parts - 1) / max(parts, 1)
}
