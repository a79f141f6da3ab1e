package compute

import "github.com/hone-ai/hone/backend/model"

// Device owns tensor memory and runs the ops on it. Its three parts are
// listed apart for reading; every device implements all of them.
type Device interface {
	// Name says which device and code path ("cpu (avx512)").
	Name() string
	Memory
	Ops
	TrainOps
}

// Memory is allocation and transfer. Shapes and dtypes are checked; a
// mismatch is a programming error and panics.
type Memory interface {
	// Alloc returns a zeroed tensor of dtype F32 or I32.
	Alloc(dt DType, shape ...int) *Tensor
	// FromHost makes an F32 tensor of data. The device may keep data as
	// its storage (the CPU does): the caller must not use it afterwards.
	FromHost(data []float32, shape ...int) *Tensor
	// UploadWeight stores a weight matrix in its format; it errs when the
	// device has no matmul for that format.
	UploadWeight(w HostWeight) (*Tensor, error)
	// Upload copies src into t (F32); UploadI32 into an I32 tensor.
	Upload(t *Tensor, src []float32)
	UploadI32(t *Tensor, src []int32)
	// Download copies t (F32) into dst.
	Download(dst []float32, t *Tensor)
	// DownloadWeight returns a weight as UploadWeight took it, in its
	// format: for export, and for tests that compare the stored bits.
	DownloadWeight(t *Tensor) (HostWeight, error)
	// Zero sets t to zeros; Copy sets dst to src (same dtype and size).
	Zero(t *Tensor)
	Copy(dst, src *Tensor)
	// Sync waits for the queued ops and returns the first error since the
	// last Sync.
	Sync() error
}

// HostWeight is a weight matrix [Rows, Cols] in host memory, in one of the
// formats a matmul takes: F32 (F32 set), BF16, NF4 (NF4 set) or a GGUF block
// type (Blocks set, laid out as the file has them).
type HostWeight struct {
	DType      DType
	Rows, Cols int
	F32        []float32
	BF16       []uint16
	NF4        *model.NF4
	Blocks     []byte
	// Fine rounds the inputs of a block-format matmul to 16 bits instead of
	// 8: for the LM head, whose logits pick the token (a near tie that
	// 8-bit rounding flips is real: SmolLM2's first answer token).
	Fine bool
}

// Ops are the forward ops, for inference and training alike.
type Ops interface {
	// MatMul sets out [..., O] = x [..., I] times wᵀ, w [O, I] in any weight
	// format (a PyTorch Linear's weight). MatMulAdd adds x wᵀ to out.
	MatMul(out, x, w *Tensor)
	MatMulAdd(out, x, w *Tensor)
	// MatMulRows is MatMul with every row of out bit for bit what a one-row
	// MatMul of that row gives, whatever rows share the call (batch
	// invariance): serving batches decoding sequences together, and each
	// must get the answer it gets alone, as its seed promises.
	MatMulRows(out, x, w *Tensor)
	// MatMulAddT adds x [..., K] times wt [K, O] (a weight kept transposed,
	// f32) to out [..., O], each row on its own: a serving LoRA's B kept as
	// Bᵀ, whose rank-long rows MatMulAdd would transpose on every call.
	MatMulAddT(out, x, wt *Tensor)
	// RMSNorm sets out = x / rms(x) * w over the last dimension and, unless
	// rstd is nil, rstd [N] to each row's 1/rms for the backward pass.
	RMSNorm(out, rstd, x, w *Tensor, eps float32)
	// RoPE rotates x [N, H, D] in place, row n at position pos[n] (I32).
	RoPE(x, pos *Tensor, r *Rope)
	// Attention sets out [B, T, H, D] to causal attention of q [B, T, H, D]
	// over k, v [B, S, KVH, D], S >= T: query t sits at position S-T+t (the
	// first S-T keys are cached context). Unless lse is nil it receives each
	// query row's log-sum-exp [B, H, T] for the backward pass.
	Attention(out, lse, q, k, v *Tensor, o AttnOpts)
	// SwiGLU sets out = silu(gate) * up; GeGLU out = gelu_tanh(gate) * up.
	// out may be gate.
	SwiGLU(out, gate, up *Tensor)
	GeGLU(out, gate, up *Tensor)
	// Embedding sets row n of out [N, C] to row tokens[n] of table [V, C],
	// an F32 or block-format table.
	Embedding(out, table, tokens *Tensor)
	// Add sets out += x; AddBias adds b [C] to every row of out [..., C];
	// Scale sets x *= s; SoftCap sets x = c·tanh(x/c).
	Add(out, x *Tensor)
	AddBias(out, b *Tensor)
	Scale(x *Tensor, s float32)
	SoftCap(x *Tensor, c float32)
	// Dropout sets out = x·mask/(1-p) where element i's mask is 0 with
	// probability p, a pure function of (seed, i) (kernels/ref.DropoutKeep),
	// so the same seed gives the same mask on every device and call: the
	// backward pass is Dropout of the gradient with the forward's seed, and
	// nothing is kept. out may be x.
	Dropout(out, x *Tensor, p float32, seed uint64)
}

// TrainOps are the backward ops and the optimizer.
type TrainOps interface {
	// MatMulBackward adds the gradients of x and w for out = x wᵀ given
	// dout; either may be nil, and dw must be for a weight in a format
	// without a backward (Quantised).
	MatMulBackward(dx, dw, dout, x, w *Tensor)
	// BiasBackward adds the column sums of dout [..., C] into db [C].
	BiasBackward(db, dout *Tensor)
	// RMSNormBackward adds the gradients of x and w (dw may be nil).
	RMSNormBackward(dx, dw, dout, x, w, rstd *Tensor)
	// RoPEBackward turns the gradient of RoPE's output into that of its
	// input, in place.
	RoPEBackward(dx, pos *Tensor, r *Rope)
	// AttentionBackward adds the gradients of q, k and v, from the forward
	// pass's out and lse.
	AttentionBackward(dq, dk, dv, dout, q, k, v, out, lse *Tensor, o AttnOpts)
	// SwiGLUBackward and GeGLUBackward add the gradients of gate and up.
	SwiGLUBackward(dgate, dup, dout, gate, up *Tensor)
	GeGLUBackward(dgate, dup, dout, gate, up *Tensor)
	// SoftCapBackward turns dy, the gradient of SoftCap's output y, into
	// that of its input, in place.
	SoftCapBackward(dy, y *Tensor, c float32)
	// EmbeddingBackward adds row n of dout into row tokens[n] of dtable.
	EmbeddingBackward(dtable, dout, tokens *Tensor)
	// CrossEntropy sets losses [N] for logits [N, V] and targets [N] (I32;
	// negative: ignored, loss 0) and, unless dlogits is nil, dlogits =
	// dloss · dloss/dlogits; dlogits may be logits.
	CrossEntropy(losses, dlogits, logits, targets *Tensor, dloss float32)
	// AdamW applies optimizer step (from 1) to the flat parameters p given
	// their gradient g and moments m, v, all of one size.
	AdamW(p, g, m, v *Tensor, step int, h AdamW)
	// SumSquares is Σx² accumulated in float64 (the gradient norm's square);
	// it waits for the queued ops.
	SumSquares(x *Tensor) float64
}

// Rope is a model's rotary position embedding as the kernels take it: pair
// i of each head turns by pos·InvFreq[i], and the result is scaled by Scale
// (YaRN's attention factor; 1 otherwise). The pairs are (i, i+D/2),
// Hugging Face's rotate-half layout, or (2i, 2i+1) when Interleaved.
type Rope struct {
	InvFreq     []float64 // [HeadDim/2]
	Scale       float32
	Interleaved bool
}

// AttnOpts are the variants of causal attention the model families need.
type AttnOpts struct {
	// Scale multiplies q·k; 0 means 1/sqrt(D).
	Scale float32
	// SoftCap bends the scaled scores to SoftCap·tanh(s/SoftCap) (Gemma 2);
	// 0: none.
	SoftCap float32
	// Window: a query at position p sees key j only when p-j < Window
	// (sliding-window attention); 0: every earlier key.
	Window int
	// KeyStart (I32 [B·T], optional) is the first key each query may see:
	// packed training keeps attention inside one example this way.
	KeyStart *Tensor
}

// AdamW holds AdamW's hyper-parameters, as torch.optim.AdamW names them.
type AdamW struct{ LR, Beta1, Beta2, Eps, WeightDecay float32 }
