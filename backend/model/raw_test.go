package model

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"
)

// TestReadRaw checks that every tensor's raw blocks, dequantised, are what
// ReadF32 gives under Hugging Face names, so the query and key rows are
// reordered for RoPE as a whole row of blocks each.
func TestReadRaw(t *testing.T) {
	data, _ := writeGGUFData(tinyLlamaKVs("llama"), tinyLlamaTensors())
	m, err := OpenModel(writeFile(t, filepath.Join(t.TempDir(), "tiny.gguf"), data))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, ti := range m.Weights.Tensors() {
		r, err := ReadRaw(m.Weights, ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if r.DType != ti.DType || !slices.Equal(r.Shape, ti.Shape) {
			t.Errorf("%s: %s %v, want %s %v", ti.Name, r.DType, r.Shape, ti.DType, ti.Shape)
		}
		got := make([]float32, ti.Len())
		if err := Dequantize(r.DType, got, r.Data); err != nil {
			t.Fatal(err)
		}
		want, err := m.Weights.ReadF32(ti.Name)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (%s): raw blocks dequantise to other values than ReadF32's", ti.Name, r.DType)
		}
	}
	if _, err := ReadRaw(m.Weights, "nope"); !errors.Is(err, ErrNoTensor) {
		t.Errorf("missing tensor: %v", err)
	}
	if err := Dequantize("Q4_1", make([]float32, 32), make([]byte, 19)); err == nil {
		t.Error("Dequantize took a short block")
	}
	if err := Dequantize("Q2_K", make([]float32, 256), make([]byte, 84)); err == nil {
		t.Error("Dequantize took a type it cannot convert")
	}
}
