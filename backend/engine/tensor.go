// Package engine runs Llama-family models (RMSNorm, RoPE, grouped-query
// attention, SwiGLU, tied or untied embeddings) over a Backend of ops: the
// model is written once in Go, the ops are the CPU kernels (kernels/cpu)
// today and CUDA ones later. Inference: a forward pass with a KV cache and
// greedy decoding (model.go). Training: LoRA adapters (lora.go), a
// hand-written backward pass with optional per-layer checkpointing
// (backward.go) and AdamW (train.go).
package engine

import "fmt"

// Tensor is a dense row-major float32 array. Views (Rows, Reshape) share
// storage with the tensor they come from.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zeroed tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: shape, Data: make([]float32, numel(shape))}
}

// FromData wraps data as a tensor of the given shape.
func FromData(data []float32, shape ...int) (*Tensor, error) {
	if numel(shape) != len(data) {
		return nil, fmt.Errorf("tensor: %d values do not make shape %v", len(data), shape)
	}
	return &Tensor{Shape: shape, Data: data}, nil
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Rows is the view of rows [i, j) along the first dimension.
func (t *Tensor) Rows(i, j int) *Tensor {
	row := len(t.Data) / t.Shape[0]
	return &Tensor{Shape: append([]int{j - i}, t.Shape[1:]...), Data: t.Data[i*row : j*row]}
}

// Reshape is a view with another shape of the same size.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	if numel(shape) != len(t.Data) {
		panic(fmt.Sprintf("tensor: cannot reshape %v to %v", t.Shape, shape))
	}
	return &Tensor{Shape: shape, Data: t.Data}
}

// Dim is the size of dimension i, counting from the end when negative.
func (t *Tensor) Dim(i int) int {
	if i < 0 {
		i += len(t.Shape)
	}
	return t.Shape[i]
}
