package model

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stData is one tensor for writeSafetensors.
type stData struct {
	name  string
	dtype string
	shape []int
	data  []byte
}

// stF32 encodes values as a safetensors tensor of dtype F32, F16 or BF16;
// the values must be exact in that type.
func stF32(name, dtype string, shape []int, x []float32) stData {
	var data []byte
	for _, v := range x {
		switch dtype {
		case "F32":
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		case "F16":
			data = binary.LittleEndian.AppendUint16(data, f32ToF16(v))
		case "BF16":
			data = binary.LittleEndian.AppendUint16(data, uint16(math.Float32bits(v)>>16))
		}
	}
	return stData{name, dtype, shape, data}
}

// writeSafetensors encodes tensors in the order given, padding the header
// with spaces to a multiple of 8 as the reference writer does.
func writeSafetensors(ts []stData, metadata map[string]string) []byte {
	header := map[string]any{}
	if metadata != nil {
		header["__metadata__"] = metadata
	}
	var data []byte
	for _, t := range ts {
		shape := t.shape
		if shape == nil {
			shape = []int{}
		}
		header[t.name] = map[string]any{"dtype": t.dtype, "shape": shape, "data_offsets": []int{len(data), len(data) + len(t.data)}}
		data = append(data, t.data...)
	}
	h, err := json.Marshal(header)
	if err != nil {
		panic(err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}

// seq is n values k*step, exact in bf16 for small n.
func seq(n int, step float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(i-n/2) * step
	}
	return x
}

func TestSafetensorsFile(t *testing.T) {
	a, b, c := seq(6, 0.5), seq(4, 0.25), seq(3, 2)
	data := writeSafetensors([]stData{
		stF32("a", "F32", []int{2, 3}, a),
		stF32("b", "F16", []int{4}, b),
		stF32("c", "BF16", []int{3, 1}, c),
		{"ids", "I64", []int{1}, make([]byte, 8)},
		{"scalar", "F32", nil, make([]byte, 4)},
		{"empty", "F32", []int{0, 5}, nil},
	}, map[string]string{"format": "pt"})
	path := writeFile(t, filepath.Join(t.TempDir(), "m.safetensors"), data)
	w, err := OpenSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	wantInfos := []TensorInfo{
		{"a", []int{2, 3}, "F32"}, {"b", []int{4}, "F16"}, {"c", []int{3, 1}, "BF16"},
		{"ids", []int{1}, "I64"}, {"scalar", []int{}, "F32"}, {"empty", []int{0, 5}, "F32"},
	}
	if got := fmt.Sprint(w.Tensors()); got != fmt.Sprint(wantInfos) {
		t.Errorf("tensors %s, want %s", got, fmt.Sprint(wantInfos))
	}
	for name, want := range map[string][]float32{"a": a, "b": b, "c": c, "scalar": {0}, "empty": {}} {
		got, err := w.ReadF32(name)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: %v %v, want %v", name, got, err, want)
		}
	}
	if _, err := w.ReadF32("ids"); err == nil || !strings.Contains(err.Error(), "dtype I64 cannot be read as float32") {
		t.Errorf("I64: %v", err)
	}
	if _, err := w.ReadF32("nope"); !errors.Is(err, ErrNoTensor) || !strings.Contains(err.Error(), path) {
		t.Errorf("missing tensor: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.ReadF32("a"); err == nil {
		t.Error("read after Close did not fail")
	}
}

func TestSafetensorsSharded(t *testing.T) {
	dir := t.TempDir()
	x, y, z := seq(8, 1), seq(4, 0.5), seq(2, 3)
	writeFile(t, filepath.Join(dir, "model-00001-of-00002.safetensors"), writeSafetensors([]stData{
		stF32("x", "BF16", []int{2, 4}, x), stF32("y", "F32", []int{4}, y),
	}, nil))
	writeFile(t, filepath.Join(dir, "model-00002-of-00002.safetensors"), writeSafetensors([]stData{
		stF32("z", "F16", []int{2}, z),
	}, nil))
	index := `{"metadata": {"total_size": 44}, "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00001-of-00002.safetensors", "z": "model-00002-of-00002.safetensors"}}`
	writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), []byte(index))
	for _, p := range []string{dir, filepath.Join(dir, "model.safetensors.index.json")} {
		w, err := OpenSafetensors(p)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(w.Tensors()); n != 3 {
			t.Errorf("%d tensors", n)
		}
		for name, want := range map[string][]float32{"x": x, "y": y, "z": z} {
			if got, err := w.ReadF32(name); err != nil || !slices.Equal(got, want) {
				t.Errorf("%s: %v %v", name, got, err)
			}
		}
		if _, err := w.ReadF32("w"); !errors.Is(err, ErrNoTensor) {
			t.Errorf("missing: %v", err)
		}
		w.Close()
	}

	bad := func(name, index string, wantErr string) {
		t.Run(name, func(t *testing.T) {
			writeFile(t, filepath.Join(dir, "model.safetensors.index.json"), []byte(index))
			_, err := OpenSafetensors(dir)
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("error %v, want %q", err, wantErr)
			}
		})
	}
	bad("tensor not in its shard", `{"weight_map": {"x": "model-00002-of-00002.safetensors"}}`, `tensor "x" is not in model-00002-of-00002.safetensors`)
	bad("missing shard", `{"weight_map": {"x": "model-00003-of-00003.safetensors"}}`, "no such file")
	bad("shard elsewhere", `{"weight_map": {"x": "../model-00001-of-00002.safetensors"}}`, "want a file in the same folder")
	bad("empty map", `{"weight_map": {}}`, "empty or missing weight_map")
	bad("bad JSON", `{"weight_map": `, "invalid JSON")
	bad("duplicate across shards", `{"weight_map": {"x": "model-00001-of-00002.safetensors", "z": "model-00002-of-00002.safetensors", "y": "dup.safetensors"}}`, "no such file")
	writeFile(t, filepath.Join(dir, "dup.safetensors"), writeSafetensors([]stData{stF32("y", "F32", []int{1}, []float32{1})}, nil))
	bad("duplicate tensor", `{"weight_map": {"x": "model-00001-of-00002.safetensors", "y": "dup.safetensors"}}`, `tensor "y" is in more than one file`)

	if _, err := OpenSafetensors(t.TempDir()); err == nil || !strings.Contains(err.Error(), "has no model.safetensors or model.safetensors.index.json") {
		t.Errorf("empty folder: %v", err)
	}
}

// badSafetensors are broken files and the error each must give.
func badSafetensors() []struct {
	name    string
	data    []byte
	wantErr string
} {
	good := writeSafetensors([]stData{stF32("a", "F32", []int{2}, []float32{1, 2})}, nil)
	withHeader := func(h string) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), make([]byte, 8)...)
	}
	lying := slices.Clone(good)
	binary.LittleEndian.PutUint64(lying, 1<<40)
	past := slices.Clone(good)
	binary.LittleEndian.PutUint64(past, uint64(len(good)))
	return []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"empty", nil, "0 bytes is too short for a safetensors file"},
		{"huge header length", lying, "header length 1099511627776 exceeds the limit"},
		{"header past end", past, "is past the end of the file"},
		{"truncated data", good[:len(good)-1], "data_offsets [0 8] are past the end of the data (7 bytes; file truncated?)"},
		{"padded data", append(slices.Clone(good), 0), "tensors end at data byte 8 but the file holds 9 bytes"},
		{"not JSON", withHeader("[1, 2]"), "header is not a JSON object"},
		{"broken JSON", withHeader(`{"a": `), "invalid JSON"},
		{"unknown dtype", withHeader(`{"a": {"dtype": "F128", "shape": [2], "data_offsets": [0, 8]}}`), `unknown dtype "F128"`},
		{"no dtype", withHeader(`{"a": {"shape": [2], "data_offsets": [0, 8]}}`), "want {dtype, shape, data_offsets}"},
		{"shape mismatch", withHeader(`{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}`), "shape [3] of F32 needs 12 bytes but data_offsets [0 8] hold 8"},
		{"offsets reversed", withHeader(`{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}`), "data_offsets [8 0] are not [begin, end]"},
		{"offsets past end", withHeader(`{"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}`), "are past the end of the data (8 bytes"},
		{"negative dim", withHeader(`{"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}`), "want {dtype, shape, data_offsets}"},
		{"overflowing shape", withHeader(`{"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 16], "data_offsets": [0, 8]}}`), "is too large"},
		{"overlap", withHeader(`{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}`), "tensors overlap or leave a gap"},
		{"gap", withHeader(`{"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}`), "starts at data byte 4, want 0"},
		{"bad metadata", withHeader(`{"__metadata__": {"a": 1}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}`), "__metadata__ must map strings to strings"},
	}
}

func TestSafetensorsBad(t *testing.T) {
	for _, tc := range badSafetensors() {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, filepath.Join(t.TempDir(), "m.safetensors"), tc.data)
			_, err := OpenSafetensors(path)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming the file and containing %q", err, tc.wantErr)
			}
		})
	}
}

// FuzzSafetensorsHeader checks that no input panics, that an accepted
// header's tensors lie within the file and tile its data, and that nothing
// is allocated beyond the file's own size.
func FuzzSafetensorsHeader(f *testing.F) {
	f.Add(writeSafetensors([]stData{stF32("a", "F32", []int{2, 3}, seq(6, 1)), stF32("b", "BF16", []int{1}, []float32{1})}, map[string]string{"format": "pt"}))
	for _, tc := range badSafetensors() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := readSafetensorsHeader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		end := int64(0)
		for _, tn := range h.tensors {
			if tn.begin != end || tn.end < tn.begin || h.dataStart+tn.end > int64(len(data)) {
				t.Fatalf("tensor %q at %d..%d outside the data or not tiling it", tn.Name, tn.begin, tn.end)
			}
			if int64(tn.Len()*safetensorsDTypeSize(tn.DType)) != tn.end-tn.begin {
				t.Fatalf("tensor %q: shape %v does not match its bytes", tn.Name, tn.Shape)
			}
			end = tn.end
		}
		if h.dataStart+end != int64(len(data)) {
			t.Fatalf("tensors end at %d, file at %d", h.dataStart+end, len(data))
		}
	})
}
