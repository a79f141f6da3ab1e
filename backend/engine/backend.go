package engine

import "github.com/hone-ai/hone/kernels/cpu"

// Backend is the set of ops the model runs on. Leading dimensions are rows:
// an op on [..., C] treats the tensor as len/C rows of C.
type Backend interface {
	Name() string
	// MatMul sets out [..., O] = x [..., I] times w [O, I] transposed (a
	// PyTorch Linear weight).
	MatMul(out, x, w *Tensor)
	// MatMulAdd adds x wᵀ to out.
	MatMulAdd(out, x, w *Tensor)
	// RMSNorm sets out = x / rms(x) * w over the last dimension.
	RMSNorm(out, x, w *Tensor, eps float32)
	// RoPE rotates x [N, H, D] in place, row n at pos[n], with the model's
	// frequencies, attention factor and layout (rope.go).
	RoPE(x *Tensor, pos []int32, r *Rope)
	// Attention sets out [T, H, D] to causal attention of q [T, H, D] over
	// k, v [S, KVH, D], S >= T: query t sits at position S-T+t.
	Attention(out, q, k, v *Tensor)
	// SwiGLU sets out = silu(gate) * up.
	SwiGLU(out, gate, up *Tensor)
	// Embedding sets row n of out [N, C] to row tokens[n] of table [V, C].
	Embedding(out, table *Tensor, tokens []int32)
	// Add sets out += x.
	Add(out, x *Tensor)
	// AddBias adds b [C] to every row of out [..., C].
	AddBias(out, b *Tensor)
	// Scale sets x *= s.
	Scale(x *Tensor, s float32)
}

// CPU is the Backend of kernels/cpu: C kernels, multi-threaded, AVX2 where
// the CPU has it.
type CPU struct{}

func (CPU) Name() string {
	if cpu.AVX2() {
		return "cpu (avx2)"
	}
	return "cpu"
}

func (CPU) MatMul(out, x, w *Tensor) {
	c := x.Dim(-1)
	cpu.MatmulForward(out.Data, x.Data, w.Data, len(x.Data)/c, c, w.Dim(0))
}

func (CPU) MatMulAdd(out, x, w *Tensor) {
	c := x.Dim(-1)
	cpu.MatmulForwardAdd(out.Data, x.Data, w.Data, len(x.Data)/c, c, w.Dim(0))
}

func (CPU) RMSNorm(out, x, w *Tensor, eps float32) {
	c := x.Dim(-1)
	cpu.RMSNormForward(out.Data, nil, x.Data, w.Data, len(x.Data)/c, c, eps)
}

func (CPU) RoPE(x *Tensor, pos []int32, r *Rope) {
	cpu.RoPEForward(x.Data, pos, x.Dim(0), x.Dim(1), x.Dim(2), r.InvFreq, r.Scale, r.Interleaved)
}

func (CPU) Attention(out, q, k, v *Tensor) {
	d := cpu.AttentionDims{B: 1, T: q.Dim(0), S: k.Dim(0), H: q.Dim(1), KVH: k.Dim(1), D: q.Dim(2)}
	cpu.AttentionForward(out.Data, nil, q.Data, k.Data, v.Data, d)
}

func (CPU) SwiGLU(out, gate, up *Tensor) { cpu.SwiGLUForward(out.Data, gate.Data, up.Data) }

func (CPU) Embedding(out, table *Tensor, tokens []int32) {
	cpu.EmbeddingForward(out.Data, table.Data, tokens, table.Dim(1))
}

func (CPU) Add(out, x *Tensor) {
	if len(out.Data) != len(x.Data) {
		panic("engine: Add of different sizes")
	}
	for i, v := range x.Data {
		out.Data[i] += v
	}
}

func (CPU) AddBias(out, b *Tensor) {
	c := b.Dim(0)
	if out.Dim(-1) != c {
		panic("engine: AddBias of a bias that is not a row")
	}
	for i := 0; i < len(out.Data); i += c {
		for j, v := range b.Data {
			out.Data[i+j] += v
		}
	}
}

func (CPU) Scale(x *Tensor, s float32) {
	for i := range x.Data {
		x.Data[i] *= s
	}
}
