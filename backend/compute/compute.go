// Package compute is the op boundary between Hone's models and the hardware
// that runs them. A Device owns tensor memory (host RAM or GPU memory) and
// runs the ops on it; the model and the trainer (backend/engine) hold
// Tensors, move data across the boundary only through Upload and Download,
// and never touch storage themselves. That is what lets a CUDA device plug in
// beside the CPU one (backend/compute/cpu) without a line of model code
// knowing which it runs on — the shape of Ollama's ml.Backend and llm.c's
// launchers.
//
// Names: "backend/" is Hone's Go side as a whole; a Device is the op set and
// its memory (this package); hw.ComputeChoice is the machine's pick of CPU or
// CUDA with the reason.
//
// Conventions, as in llm.c: leading dimensions are rows (an op on [..., C]
// treats a tensor as len/C rows of C); backward ops ADD into gradients the
// caller zeroed, except where a doc says "in place"; a nil gradient skips it
// where the doc allows. Ops are queued on the device in call order; Sync
// waits for them and returns the first error the device met since the last
// Sync (a CPU device runs them at once and has none to report).
package compute

import "fmt"

// DType is how a tensor stores its values.
type DType uint8

const (
	F32  DType = iota // float32: activations, gradients, f32 weights
	I32               // int32: token ids, positions, targets
	BF16              // bfloat16 weights (the top half of a float32)
	NF4               // bitsandbytes NF4: 4-bit codes in blocks of 64, double-quantised absmax (model.NF4)
	Q4_0              // GGUF blocks, kept as the file has them (inference only)
	Q4_1
	Q8_0
)

var dtypeNames = [...]string{F32: "f32", I32: "i32", BF16: "bf16", NF4: "nf4", Q4_0: "Q4_0", Q4_1: "Q4_1", Q8_0: "Q8_0"}

func (d DType) String() string {
	if int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", d)
}

// Quantised reports whether d is a weight format with no backward pass of
// its own: such a weight is frozen (LoRA trains on top of it).
func (d DType) Quantised() bool { return d == BF16 || d == NF4 || d.Packed() }

// Packed reports whether d is a GGUF block format.
func (d DType) Packed() bool { return d == Q4_0 || d == Q4_1 || d == Q8_0 }

// BlockDType is the DType of a GGUF block type name ("Q4_1"), when the
// devices multiply by it as it is.
func BlockDType(name string) (DType, bool) {
	switch name {
	case "Q4_0":
		return Q4_0, true
	case "Q4_1":
		return Q4_1, true
	case "Q8_0":
		return Q8_0, true
	}
	return 0, false
}
