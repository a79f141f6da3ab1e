package model

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
)

// F32Tensor is a named float32 tensor to write.
type F32Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// EncodeSafetensors lays tensors out as a .safetensors file as Python's
// safetensors writes one: tensors sorted by name, the JSON header (with
// {"format": "pt"} metadata) padded with spaces so that the data starts
// 8-byte aligned, then each tensor's little-endian bytes. Hone's adapters
// and checkpoints are written this way, and read back by OpenSafetensors.
func EncodeSafetensors(ts []F32Tensor) []byte {
	ts = slices.Clone(ts)
	slices.SortFunc(ts, func(a, b F32Tensor) int { return strings.Compare(a.Name, b.Name) })
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	off := 0
	for _, t := range ts {
		n := 4 * len(t.Data)
		header[t.Name] = map[string]any{"dtype": "F32", "shape": t.Shape, "data_offsets": [2]int{off, off + n}}
		off += n
	}
	hj, _ := json.Marshal(header) // maps of strings, ints and slices always marshal; keys sorted
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	buf := make([]byte, 8, 8+len(hj)+off)
	binary.LittleEndian.PutUint64(buf, uint64(len(hj)))
	buf = append(buf, hj...)
	for _, t := range ts {
		for _, x := range t.Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		}
	}
	return buf
}
