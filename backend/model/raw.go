package model

import (
	"errors"
	"fmt"
)

// RawTensor is a tensor as stored: Data is whole blocks of the ggml type
// DType ("Q4_1", "F32", ...), rows outermost first as Shape lists them.
// Inference can multiply by quantised blocks without unpacking them.
type RawTensor struct {
	DType string
	Shape []int
	Data  []byte
}

// rawReader is the Weights that hold ggml-typed tensors (GGUF, llama2.c).
type rawReader interface {
	readRaw(name string) (*RawTensor, error)
}

// ReadRaw returns a tensor's stored bytes, which are the caller's, with rows
// reordered as ReadF32 reorders them. Weights that are not in ggml types
// (safetensors) give an error wrapping errors.ErrUnsupported; callers then
// read f32 with ReadF32.
func ReadRaw(w Weights, name string) (*RawTensor, error) { return readRaw(w, name) }

func readRaw(w Weights, name string) (*RawTensor, error) {
	r, ok := w.(rawReader)
	if !ok {
		return nil, fmt.Errorf("tensor %q: raw blocks: %w", name, errors.ErrUnsupported)
	}
	return r.readRaw(name)
}

func (w *tensorFile) readRaw(name string) (*RawTensor, error) {
	e, ok := w.entries[name]
	if !ok {
		return nil, fmt.Errorf("%s: tensor %q: %w", w.blob.path, name, ErrNoTensor)
	}
	r := &RawTensor{DType: e.typ.name, Data: make([]byte, e.size)}
	for _, t := range w.infos {
		if t.Name == name {
			r.Shape = t.Shape
		}
	}
	if err := w.blob.read(e.off, e.size, func(b []byte) { copy(r.Data, b) }); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return r, nil
}

func (s *shards) readRaw(name string) (*RawTensor, error) {
	p, ok := s.where[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNoTensor)
	}
	return readRaw(p, name)
}

// Dequantize converts whole blocks of the ggml type named dtype, as
// RawTensor.DType names it, filling dst from src.
func Dequantize(dtype string, dst []float32, src []byte) error {
	for n := range uint32(64) {
		t, ok := ggmlTypeOf(n)
		if !ok || t.name != dtype {
			continue
		}
		if t.dequant == nil {
			return fmt.Errorf("type %s cannot be dequantised", dtype)
		}
		if len(dst)%t.blockSize != 0 || len(src) != len(dst)/t.blockSize*t.typeSize {
			return fmt.Errorf("%d bytes of %s do not hold %d values", len(src), dtype, len(dst))
		}
		t.dequant(dst, src)
		return nil
	}
	return fmt.Errorf("unknown ggml type %q", dtype)
}
