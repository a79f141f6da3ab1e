package model

import "fmt"

// tensorFile is the tensors of one file at known offsets, in ggml types:
// a GGUF file or a llama2.c checkpoint.
type tensorFile struct {
	blob    *blob
	infos   []TensorInfo
	entries map[string]tensorEntry
}

// tensorEntry locates one tensor's data in the file.
type tensorEntry struct {
	typ       ggmlType
	off, size int64 // from the start of the file
	n         int   // elements
}

func (w *tensorFile) add(t TensorInfo, typ ggmlType, off, size int64) {
	w.infos = append(w.infos, t)
	w.entries[t.Name] = tensorEntry{typ: typ, off: off, size: size, n: t.Len()}
}

func (w *tensorFile) Tensors() []TensorInfo { return w.infos }

func (w *tensorFile) ReadF32(name string) ([]float32, error) {
	e, ok := w.entries[name]
	if !ok {
		return nil, fmt.Errorf("%s: tensor %q: %w", w.blob.path, name, ErrNoTensor)
	}
	if e.typ.dequant == nil {
		return nil, fmt.Errorf("%s: tensor %q: type %s cannot be dequantised yet (F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K and Q6_K can)", w.blob.path, name, e.typ.name)
	}
	out := make([]float32, e.n)
	err := w.blob.read(e.off, e.size, func(b []byte) {
		convertParallel(e.typ.dequant, out, b, e.typ.blockSize, e.typ.typeSize)
	})
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return out, nil
}

func (w *tensorFile) Close() error { return w.blob.Close() }
