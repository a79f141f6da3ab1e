package model

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxSafetensorsHeader is the safetensors reference implementation's limit
// on the JSON header.
const maxSafetensorsHeader = 100_000_000

// safetensorsDTypeSize is the element size of each safetensors dtype, 0 for
// an unknown one.
func safetensorsDTypeSize(dtype string) int {
	switch dtype {
	case "BOOL", "U8", "I8", "F8_E4M3", "F8_E5M2":
		return 1
	case "U16", "I16", "F16", "BF16":
		return 2
	case "U32", "I32", "F32":
		return 4
	case "U64", "I64", "F64":
		return 8
	}
	return 0
}

// stTensor is one tensor of a safetensors header; begin and end are
// relative to the start of the data.
type stTensor struct {
	TensorInfo
	begin, end int64
}

// stHeader is a parsed safetensors header.
type stHeader struct {
	dataStart int64      // 8 + the JSON's length
	tensors   []stTensor // by offset
}

// readSafetensorsHeader reads and checks the header of a size-byte
// safetensors file: an 8-byte little-endian length, then a JSON object of
// tensors {dtype, shape, data_offsets} and an optional "__metadata__" of
// strings. As in the reference implementation, the tensors must tile the
// data exactly, so a truncated or padded file is caught here. Errors do not
// name the file: callers add it.
func readSafetensorsHeader(r io.ReaderAt, size int64) (*stHeader, error) {
	if size < 8 {
		return nil, fmt.Errorf("%d bytes is too short for a safetensors file", size)
	}
	var lenBuf [8]byte
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxSafetensorsHeader {
		return nil, fmt.Errorf("header length %d exceeds the limit of %d (not a safetensors file?)", n, maxSafetensorsHeader)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("header length %d is past the end of the file (%d bytes; truncated?)", n, size)
	}
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, 8); err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	if !bytes.HasPrefix(buf, []byte("{")) {
		return nil, errors.New("header is not a JSON object (not a safetensors file?)")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(buf, &obj); err != nil {
		return nil, fmt.Errorf("header: %w", describeJSONError(buf, err))
	}
	h := &stHeader{dataStart: 8 + int64(n)}
	dataSize := size - h.dataStart
	for _, name := range slices.Sorted(maps.Keys(obj)) { // sorted: the same error every time
		raw := obj[name]
		if name == "__metadata__" {
			var md map[string]string
			if err := json.Unmarshal(raw, &md); err != nil {
				return nil, fmt.Errorf("header: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		t, err := parseSTTensor(name, raw, dataSize)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		h.tensors = append(h.tensors, t)
	}
	slices.SortFunc(h.tensors, func(a, b stTensor) int {
		if c := cmp.Compare(a.begin, b.begin); c != 0 {
			return c
		}
		if c := cmp.Compare(a.end, b.end); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	end := int64(0)
	for _, t := range h.tensors {
		if t.begin != end {
			return nil, fmt.Errorf("tensor %q starts at data byte %d, want %d (tensors overlap or leave a gap)", t.Name, t.begin, end)
		}
		end = t.end
	}
	if end != dataSize {
		return nil, fmt.Errorf("tensors end at data byte %d but the file holds %d bytes of data (truncated or padded)", end, dataSize)
	}
	return h, nil
}

// parseSTTensor checks one tensor entry against the data's size.
func parseSTTensor(name string, raw json.RawMessage, dataSize int64) (stTensor, error) {
	var e struct {
		DType   *string  `json:"dtype"`
		Shape   []uint64 `json:"shape"`
		Offsets []uint64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return stTensor{}, fmt.Errorf("want {dtype, shape, data_offsets}: %w", err)
	}
	if e.DType == nil || e.Shape == nil || e.Offsets == nil {
		return stTensor{}, errors.New("want {dtype, shape, data_offsets}")
	}
	elem := safetensorsDTypeSize(*e.DType)
	if elem == 0 {
		return stTensor{}, fmt.Errorf("unknown dtype %q", *e.DType)
	}
	if len(e.Offsets) != 2 || e.Offsets[0] > e.Offsets[1] {
		return stTensor{}, fmt.Errorf("data_offsets %v are not [begin, end]", e.Offsets)
	}
	if e.Offsets[1] > uint64(dataSize) {
		return stTensor{}, fmt.Errorf("data_offsets %v are past the end of the data (%d bytes; file truncated?)", e.Offsets, dataSize)
	}
	n, err := shapeLen(e.Shape, uint64(dataSize))
	if err != nil {
		return stTensor{}, fmt.Errorf("%w for %d bytes of data", err, dataSize)
	}
	if got := e.Offsets[1] - e.Offsets[0]; got != n*uint64(elem) {
		return stTensor{}, fmt.Errorf("shape %v of %s needs %d bytes but data_offsets %v hold %d", e.Shape, *e.DType, n*uint64(elem), e.Offsets, got)
	}
	shape := make([]int, len(e.Shape))
	for i, d := range e.Shape {
		shape[i] = int(d)
	}
	return stTensor{
		TensorInfo: TensorInfo{Name: name, Shape: shape, DType: *e.DType},
		begin:      int64(e.Offsets[0]),
		end:        int64(e.Offsets[1]),
	}, nil
}

// safetensorsFile is the weights of one .safetensors file.
type safetensorsFile struct {
	blob   *blob
	header *stHeader
	infos  []TensorInfo
	index  map[string]int
}

func openSafetensorsFile(path string) (*safetensorsFile, error) {
	b, err := openBlob(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	h, err := readSafetensorsHeader(b.f, b.size)
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("safetensors %s: %w", path, err)
	}
	s := &safetensorsFile{blob: b, header: h, index: make(map[string]int, len(h.tensors))}
	for i, t := range h.tensors {
		s.infos = append(s.infos, t.TensorInfo)
		s.index[t.Name] = i
	}
	return s, nil
}

func (s *safetensorsFile) Tensors() []TensorInfo { return s.infos }

func (s *safetensorsFile) ReadF32(name string) ([]float32, error) {
	i, ok := s.index[name]
	if !ok {
		return nil, fmt.Errorf("safetensors %s: tensor %q: %w", s.blob.path, name, ErrNoTensor)
	}
	t := s.header.tensors[i]
	var conv func([]float32, []byte)
	switch t.DType {
	case "F32":
		conv = convertF32
	case "F16":
		conv = convertF16
	case "BF16":
		conv = convertBF16
	default:
		return nil, fmt.Errorf("safetensors %s: tensor %q: dtype %s cannot be read as float32 (F32, F16 and BF16 can)", s.blob.path, name, t.DType)
	}
	out := make([]float32, t.Len())
	err := s.blob.read(s.header.dataStart+t.begin, t.end-t.begin, func(b []byte) {
		convertParallel(conv, out, b, 1, safetensorsDTypeSize(t.DType))
	})
	if err != nil {
		return nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
	}
	return out, nil
}

func (s *safetensorsFile) Close() error { return s.blob.Close() }

// OpenSafetensors opens safetensors weights: a .safetensors file, a
// model.safetensors.index.json naming the shards, or a folder holding
// either (the index wins).
func OpenSafetensors(path string) (Weights, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if fi.IsDir() {
		index := filepath.Join(path, "model.safetensors.index.json")
		if _, err := os.Stat(index); err == nil {
			return openSafetensorsIndex(index)
		}
		single := filepath.Join(path, "model.safetensors")
		if _, err := os.Stat(single); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("model folder %s has no model.safetensors or model.safetensors.index.json", path)
		}
		path = single
	}
	if strings.HasSuffix(path, ".json") {
		return openSafetensorsIndex(path)
	}
	return openSafetensorsFile(path)
}

// openSafetensorsIndex opens the shards that a model.safetensors.index.json
// names in its weight_map, and checks that each holds its tensors.
func openSafetensorsIndex(path string) (Weights, error) {
	data, err := readLimited(path, maxHFConfigSize)
	if err != nil {
		return nil, fmt.Errorf("safetensors index %s: %w", path, err)
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("safetensors index %s: %w", path, describeJSONError(data, err))
	}
	if len(idx.WeightMap) == 0 {
		return nil, fmt.Errorf("safetensors index %s: empty or missing weight_map", path)
	}
	// byFile lists the tensors the index puts in each shard.
	byFile := make(map[string][]string)
	for name, file := range idx.WeightMap {
		// Shards sit next to the index; a path elsewhere is a broken or
		// hostile index.
		if file != filepath.Base(file) || file == "." || file == ".." || strings.Contains(file, "/") {
			return nil, fmt.Errorf("safetensors index %s: tensor %q is in %q, want a file in the same folder", path, name, file)
		}
		byFile[file] = append(byFile[file], name)
	}
	files := slices.Sorted(maps.Keys(byFile))
	var parts []Weights
	var paths []string
	for _, file := range files {
		p := filepath.Join(filepath.Dir(path), file)
		s, err := openSafetensorsFile(p)
		if err != nil {
			closeAll(parts)
			return nil, fmt.Errorf("shard of %s: %w", path, err)
		}
		parts = append(parts, s)
		paths = append(paths, p)
		names := byFile[file]
		slices.Sort(names)
		for _, name := range names {
			if _, ok := s.index[name]; !ok {
				closeAll(parts)
				return nil, fmt.Errorf("safetensors index %s: tensor %q is not in %s", path, name, file)
			}
		}
	}
	w, err := joinShards(parts, paths)
	if err != nil {
		return nil, fmt.Errorf("safetensors index %s: %w", path, err)
	}
	return w, nil
}

// Compile-time checks that the readers implement Weights.
var (
	_ Weights = (*safetensorsFile)(nil)
	_ Weights = (*shards)(nil)
)
