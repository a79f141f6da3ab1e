package model

import (
	"fmt"
	"math"
)

// OpenGGUF opens the tensors of a GGUF model under their GGUF names
// (token_embd.weight, blk.0.attn_q.weight, ...), with shapes outermost
// first (GGUF lists dimensions innermost first). For a model split with
// gguf-split, path is the first split and the others are opened too.
// OpenModel presents the same tensors under Hugging Face names.
func OpenGGUF(path string) (Weights, error) {
	w, _, err := openGGUF(path)
	return w, err
}

// openGGUF is OpenGGUF that also returns the first file's header.
func openGGUF(path string) (Weights, *GGUF, error) {
	first, g, err := openGGUFFile(path)
	if err != nil {
		return nil, nil, err
	}
	others, err := otherSplits(g, path)
	if err != nil {
		first.Close()
		return nil, nil, fmt.Errorf("gguf %s: %w", path, err)
	}
	if len(others) == 0 {
		return first, g, nil
	}
	parts, paths := []Weights{first}, []string{path}
	for _, p := range others {
		w, _, err := openGGUFFile(p)
		if err != nil {
			closeAll(parts)
			return nil, nil, err
		}
		parts = append(parts, w)
		paths = append(paths, p)
	}
	w, err := joinShards(parts, paths)
	if err != nil {
		return nil, nil, fmt.Errorf("gguf %s: %w", path, err)
	}
	return w, g, nil
}

func openGGUFFile(path string) (*tensorFile, *GGUF, error) {
	b, err := openBlob(path)
	if err != nil {
		return nil, nil, fmt.Errorf("gguf: %w", err)
	}
	g, err := ReadGGUF(b.f)
	if err != nil {
		b.Close()
		return nil, nil, fmt.Errorf("gguf %s: %w", path, err)
	}
	w, err := newGGUFFile(b, g)
	if err != nil {
		b.Close()
		return nil, nil, fmt.Errorf("gguf %s: %w", path, err)
	}
	return w, g, nil
}

// newGGUFFile checks every tensor's type and extent against the file, so
// that reads never go past its end and a lying header allocates nothing
// larger than the file implies.
func newGGUFFile(b *blob, g *GGUF) (*tensorFile, error) {
	w := &tensorFile{blob: b, entries: make(map[string]tensorEntry, len(g.Tensors))}
	for _, t := range g.Tensors {
		typ, ok := ggmlTypeOf(t.Type)
		if !ok {
			return nil, fmt.Errorf("tensor %q: unknown ggml type %d (a newer llama.cpp format?)", t.Name, t.Type)
		}
		if len(t.Dims) > 0 && t.Dims[0]%uint64(typ.blockSize) != 0 {
			return nil, fmt.Errorf("tensor %q: row length %d is not a multiple of the %s block size %d", t.Name, t.Dims[0], typ.name, typ.blockSize)
		}
		// Elements cannot outnumber what the file can hold at this type.
		limit := uint64(b.size) / uint64(typ.typeSize) * uint64(typ.blockSize)
		n, err := shapeLen(t.Dims, limit)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w for a %d-byte file", t.Name, err, b.size)
		}
		size := int64(n / uint64(typ.blockSize) * uint64(typ.typeSize))
		off := g.DataOffset + int64(min(t.Offset, math.MaxInt64/2))
		if off > b.size || size > b.size-off {
			return nil, fmt.Errorf("tensor %q: data at bytes %d..%d is past the end of the file (%d bytes; truncated?)", t.Name, off, off+size, b.size)
		}
		shape := make([]int, len(t.Dims))
		for i, d := range t.Dims {
			shape[len(shape)-1-i] = int(d)
		}
		w.add(TensorInfo{Name: t.Name, Shape: shape, DType: typ.name}, typ, off, size)
	}
	return w, nil
}
