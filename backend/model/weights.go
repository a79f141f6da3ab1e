package model

import (
	"errors"
	"fmt"
	"math/bits"
)

// TensorInfo describes one stored tensor. Shape is outermost first, as in
// PyTorch ([out, in] for a linear layer's weight); DType is the stored type:
// a safetensors dtype ("F32", "BF16", ...) or a ggml type ("Q4_K", ...).
type TensorInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	DType string `json:"dtype"`
}

// Len is the number of elements.
func (t TensorInfo) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Weights is a model's tensors, read on demand.
type Weights interface {
	// Tensors lists every tensor in a stable order.
	Tensors() []TensorInfo
	// ReadF32 returns a tensor as float32 in row-major order, converted or
	// dequantised from its stored type; the slice is the caller's. A name
	// that is not there gives an error wrapping ErrNoTensor. Safe to call
	// from several goroutines.
	ReadF32(name string) ([]float32, error)
	Close() error
}

// ErrNoTensor is wrapped by ReadF32 for a name the weights do not hold.
var ErrNoTensor = errors.New("no such tensor")

// shapeLen multiplies dims, failing on overflow or past limit, so that a
// lying header cannot make a size wrap around.
func shapeLen(dims []uint64, limit uint64) (uint64, error) {
	n := uint64(1)
	for _, d := range dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > limit {
			return 0, fmt.Errorf("shape %v is too large", dims)
		}
		n = lo
	}
	return n, nil
}

// shards joins the weights of several files (safetensors shards, GGUF
// splits) into one.
type shards struct {
	parts []Weights
	where map[string]Weights
	infos []TensorInfo
}

// joinShards takes ownership of parts: they are closed on error and by
// Close.
func joinShards(parts []Weights, names []string) (*shards, error) {
	s := &shards{parts: parts, where: make(map[string]Weights)}
	for i, p := range parts {
		for _, t := range p.Tensors() {
			if _, dup := s.where[t.Name]; dup {
				s.Close()
				return nil, fmt.Errorf("tensor %q is in more than one file (again in %s)", t.Name, names[i])
			}
			s.where[t.Name] = p
			s.infos = append(s.infos, t)
		}
	}
	return s, nil
}

func (s *shards) Tensors() []TensorInfo { return s.infos }

func (s *shards) ReadF32(name string) ([]float32, error) {
	p, ok := s.where[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNoTensor)
	}
	return p.ReadF32(name)
}

func (s *shards) Close() error {
	var errs []error
	for _, p := range s.parts {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// closeAll closes weights opened before a later step failed.
func closeAll(ws []Weights) {
	for _, w := range ws {
		w.Close()
	}
}
