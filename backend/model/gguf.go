package model

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
)

// GGUF value types, numbered as in the GGUF spec.
const (
	ggufUint8 uint32 = iota
	ggufInt8
	ggufUint16
	ggufInt16
	ggufUint32
	ggufInt32
	ggufFloat32
	ggufBool
	ggufString
	ggufArray
	ggufUint64
	ggufInt64
	ggufFloat64
)

// Limits on an untrusted header, far above real files (which hold a few
// hundred tensors, a few dozen keys and strings of a few KiB), so that a lying
// count or length fails fast instead of allocating or looping.
const (
	maxGGUFTensors   = 1 << 20
	maxGGUFKVs       = 1 << 16
	maxGGUFKeyLen    = 64 << 10 // keys and tensor names
	maxGGUFStringLen = 1 << 20
	maxGGUFArrayLen  = 1 << 24
	maxGGUFDims      = 8
	maxGGUFDepth     = 4 // arrays of arrays
	ggufKeptArrayLen = 1024
	ggufReadChunk    = 64 << 10
	ggufMinKVSize    = 8 + 4 + 1     // empty key, type, one-byte value
	ggufMinTensorLen = 8 + 4 + 4 + 8 // empty name, n_dims 0, type, offset
	ggufAlignment    = 32            // when general.alignment is absent
)

// GGUF is the header of a GGUF file: metadata and tensor infos, no tensor data.
type GGUF struct {
	Version uint32
	// Metadata holds scalars as Go types (uint8 ... float64, bool, string) and
	// arrays as []any, except arrays longer than 1024 elements, which keep only
	// their length as GGUFArrayLen: token lists are huge and planning needs
	// only the count (ReadGGUFKeeping keeps named ones whole).
	Metadata map[string]any
	Tensors  []GGUFTensor
	// DataOffset is where tensor data starts, counted from where ReadGGUF
	// began reading: the end of the tensor infos rounded up to
	// general.alignment. Tensor offsets are relative to it.
	DataOffset int64
}

// GGUFTensor describes one tensor; Offset is relative to GGUF.DataOffset.
type GGUFTensor struct {
	Name   string
	Dims   []uint64
	Type   uint32 // ggml type
	Offset uint64
}

// GGUFArrayLen stands for a metadata array too long to keep.
type GGUFArrayLen struct {
	Type uint32 // element type
	Len  uint64
}

// ReadGGUF reads the header, metadata and tensor infos from r, not the tensor
// data. When r can seek, its size bounds every length in the header. Reads
// are buffered, so r's position afterwards is past the header by an
// unspecified amount. Errors say where the problem is but not which file:
// callers add that.
func ReadGGUF(r io.Reader) (*GGUF, error) {
	return ReadGGUFKeeping(r)
}

// ReadGGUFKeeping is ReadGGUF that keeps the arrays named in keep whole,
// whatever their length (as []any), for readers such as the tokenizer that
// need the token lists.
func ReadGGUFKeeping(r io.Reader, keep ...string) (*GGUF, error) {
	d, err := newGGUFReader(r)
	if err != nil {
		return nil, err
	}
	for _, k := range keep {
		if d.keepWhole == nil {
			d.keepWhole = make(map[string]bool, len(keep))
		}
		d.keepWhole[k] = true
	}
	var magic [4]byte
	if err := d.read(magic[:]); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if string(magic[:]) != "GGUF" {
		return nil, fmt.Errorf("not a GGUF file (starts with %q)", magic[:])
	}
	g := &GGUF{}
	if g.Version, err = d.u32(); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if g.Version != 2 && g.Version != 3 {
		if v := bits.ReverseBytes32(g.Version); v >= 1 && v <= 3 {
			return nil, fmt.Errorf("big-endian GGUF (version %d) is not supported", v)
		}
		return nil, fmt.Errorf("unsupported GGUF version %d (want 2 or 3)", g.Version)
	}
	nTensors, err := d.count("tensor count", maxGGUFTensors, ggufMinTensorLen)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	nKVs, err := d.count("metadata count", maxGGUFKVs, ggufMinKVSize)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}

	g.Metadata = make(map[string]any, min(nKVs, 256))
	for i := range nKVs {
		key, err := d.str("key", maxGGUFKeyLen)
		if err != nil {
			return nil, fmt.Errorf("metadata key %d: %w", i, err)
		}
		if err := d.kv(g.Metadata, key); err != nil {
			return nil, fmt.Errorf("metadata key %d (%q): %w", i, key, err)
		}
	}

	g.Tensors = make([]GGUFTensor, 0, min(nTensors, 4096))
	seen := make(map[string]bool, min(nTensors, 4096))
	for i := range nTensors {
		name, err := d.str("name", maxGGUFKeyLen)
		if err != nil {
			return nil, fmt.Errorf("tensor %d: %w", i, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("tensor %d (%q): duplicate name", i, name)
		}
		seen[name] = true
		t, err := d.tensor(name)
		if err != nil {
			return nil, fmt.Errorf("tensor %d (%q): %w", i, name, err)
		}
		g.Tensors = append(g.Tensors, t)
	}

	align := int64(ggufAlignment)
	if v, ok := g.Metadata["general.alignment"]; ok {
		a, ok := ggufInt(v)
		if !ok || a <= 0 || a > 1<<30 || a&(a-1) != 0 {
			return nil, fmt.Errorf("metadata %q: want a power of two, got %v", "general.alignment", v)
		}
		align = a
	}
	g.DataOffset = (d.pos + align - 1) / align * align
	return g, nil
}

// ggufReader reads little-endian GGUF fields and counts the bytes consumed,
// so lengths can be checked against what the file still holds.
type ggufReader struct {
	r    *bufio.Reader
	pos  int64 // bytes consumed
	size int64 // bytes available from the start, or -1 when unknown
	b    [8]byte
	// keepWhole names the arrays kept whatever their length; whole is set
	// while one of them is read.
	keepWhole map[string]bool
	whole     bool
}

func newGGUFReader(r io.Reader) (*ggufReader, error) {
	size := int64(-1)
	if s, ok := r.(io.Seeker); ok {
		// Pipes fail the first Seek; then the size stays unknown.
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				if _, err := s.Seek(cur, io.SeekStart); err != nil {
					return nil, fmt.Errorf("seek back: %w", err)
				}
				size = max(end-cur, 0)
			}
		}
	}
	return &ggufReader{r: bufio.NewReader(r), size: size}, nil
}

// truncated wraps io.ErrUnexpectedEOF with the position it happened at.
func (d *ggufReader) truncated() error {
	return fmt.Errorf("%w at byte %d (file truncated?)", io.ErrUnexpectedEOF, d.pos)
}

func (d *ggufReader) read(p []byte) error {
	n, err := io.ReadFull(d.r, p)
	d.pos += int64(n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return d.truncated()
	}
	return err
}

func (d *ggufReader) skip(n uint64) error {
	for n > 0 {
		k, err := d.r.Discard(int(min(n, 1<<30)))
		d.pos += int64(k)
		n -= uint64(k)
		if err == io.EOF {
			return d.truncated()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// need fails when the file is known to hold fewer than n more bytes.
func (d *ggufReader) need(n uint64, what string) error {
	if d.size < 0 {
		return nil
	}
	if left := uint64(max(d.size-d.pos, 0)); n > left {
		return fmt.Errorf("%s needs at least %d bytes but only %d remain (file truncated or corrupt)", what, n, left)
	}
	return nil
}

func (d *ggufReader) u8() (uint8, error) {
	err := d.read(d.b[:1])
	return d.b[0], err
}

func (d *ggufReader) u16() (uint16, error) {
	err := d.read(d.b[:2])
	return binary.LittleEndian.Uint16(d.b[:2]), err
}

func (d *ggufReader) u32() (uint32, error) {
	err := d.read(d.b[:4])
	return binary.LittleEndian.Uint32(d.b[:4]), err
}

func (d *ggufReader) u64() (uint64, error) {
	err := d.read(d.b[:8])
	return binary.LittleEndian.Uint64(d.b[:8]), err
}

// count reads a uint64 count of items at least minSize bytes each.
func (d *ggufReader) count(what string, limit, minSize uint64) (uint64, error) {
	n, err := d.u64()
	if err != nil {
		return 0, err
	}
	if n > limit {
		return 0, fmt.Errorf("%s %d exceeds the limit of %d", what, n, limit)
	}
	return n, d.need(n*minSize, what)
}

// strLen reads a string's length and checks it against limit and the file.
func (d *ggufReader) strLen(what string, limit uint64) (uint64, error) {
	n, err := d.u64()
	if err != nil {
		return 0, err
	}
	if n > limit {
		return 0, fmt.Errorf("%s length %d exceeds the limit of %d", what, n, limit)
	}
	return n, d.need(n, what)
}

func (d *ggufReader) str(what string, limit uint64) (string, error) {
	n, err := d.strLen(what, limit)
	if err != nil {
		return "", err
	}
	// Grow with the data actually read, so a lying length in a stream of
	// unknown size costs at most one chunk.
	var b []byte
	for n > 0 {
		k := int(min(n, ggufReadChunk))
		b = slices.Grow(b, k)
		start := len(b)
		b = b[:start+k]
		if err := d.read(b[start:]); err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		n -= uint64(k)
	}
	return string(b), nil
}

// kv reads one value type and value into md[key].
func (d *ggufReader) kv(md map[string]any, key string) error {
	if _, dup := md[key]; dup {
		return errors.New("duplicate key")
	}
	typ, err := d.u32()
	if err != nil {
		return err
	}
	d.whole = d.keepWhole[key]
	v, err := d.value(typ, 0, true)
	if err != nil {
		return err
	}
	md[key] = v
	return nil
}

// ggufSize is the encoded size of a fixed-size value type, 0 for the others.
func ggufSize(typ uint32) uint64 {
	switch typ {
	case ggufUint8, ggufInt8, ggufBool:
		return 1
	case ggufUint16, ggufInt16:
		return 2
	case ggufUint32, ggufInt32, ggufFloat32:
		return 4
	case ggufUint64, ggufInt64, ggufFloat64:
		return 8
	}
	return 0
}

// ggufMinSize is the smallest encoding of a value of typ, 0 if typ is unknown.
func ggufMinSize(typ uint32) uint64 {
	switch typ {
	case ggufString:
		return 8 // length
	case ggufArray:
		return 4 + 8 // element type, count
	}
	return ggufSize(typ)
}

// value reads one value of typ; with keep false it only skips it and
// returns nil.
func (d *ggufReader) value(typ uint32, depth int, keep bool) (any, error) {
	if ggufMinSize(typ) == 0 {
		return nil, fmt.Errorf("unknown value type %d", typ)
	}
	if sz := ggufSize(typ); sz > 0 && !keep {
		return nil, d.skip(sz)
	}
	switch typ {
	case ggufUint8:
		return d.u8()
	case ggufInt8:
		v, err := d.u8()
		return int8(v), err
	case ggufUint16:
		return d.u16()
	case ggufInt16:
		v, err := d.u16()
		return int16(v), err
	case ggufUint32:
		return d.u32()
	case ggufInt32:
		v, err := d.u32()
		return int32(v), err
	case ggufFloat32:
		v, err := d.u32()
		return math.Float32frombits(v), err
	case ggufBool:
		v, err := d.u8()
		return v != 0, err
	case ggufUint64:
		return d.u64()
	case ggufInt64:
		v, err := d.u64()
		return int64(v), err
	case ggufFloat64:
		v, err := d.u64()
		return math.Float64frombits(v), err
	case ggufString:
		if keep {
			return d.str("string", maxGGUFStringLen)
		}
		n, err := d.strLen("string", maxGGUFStringLen)
		if err != nil {
			return nil, err
		}
		return nil, d.skip(n)
	}
	return d.array(depth, keep)
}

// array reads an array value: element type, count, elements. Elements of
// arrays longer than ggufKeptArrayLen are skipped, fixed-size ones in bulk,
// unless the array is one of keepWhole.
func (d *ggufReader) array(depth int, keep bool) (any, error) {
	if depth >= maxGGUFDepth {
		return nil, fmt.Errorf("arrays nested deeper than %d", maxGGUFDepth)
	}
	et, err := d.u32()
	if err != nil {
		return nil, err
	}
	minSize := ggufMinSize(et)
	if minSize == 0 {
		return nil, fmt.Errorf("array of unknown value type %d", et)
	}
	n, err := d.count("array length", maxGGUFArrayLen, minSize)
	if err != nil {
		return nil, err
	}
	keepElems := keep && (n <= ggufKeptArrayLen || depth == 0 && d.whole)
	if sz := ggufSize(et); sz > 0 && !keepElems {
		if err := d.skip(n * sz); err != nil {
			return nil, err
		}
	} else {
		var elems []any
		if keepElems {
			elems = make([]any, 0, n)
		}
		for i := range n {
			v, err := d.value(et, depth+1, keepElems)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			if keepElems {
				elems = append(elems, v)
			}
		}
		if keepElems {
			return elems, nil
		}
	}
	if !keep {
		return nil, nil
	}
	return GGUFArrayLen{Type: et, Len: n}, nil
}

// tensor reads a tensor info after its name.
func (d *ggufReader) tensor(name string) (GGUFTensor, error) {
	t := GGUFTensor{Name: name}
	nDims, err := d.u32()
	if err != nil {
		return t, err
	}
	if nDims > maxGGUFDims {
		return t, fmt.Errorf("%d dimensions exceeds the limit of %d", nDims, maxGGUFDims)
	}
	t.Dims = make([]uint64, nDims)
	for i := range t.Dims {
		if t.Dims[i], err = d.u64(); err != nil {
			return t, err
		}
	}
	if t.Type, err = d.u32(); err != nil {
		return t, err
	}
	t.Offset, err = d.u64()
	return t, err
}

// ggufInt returns a metadata value stored with any integer type as int64.
func ggufInt(v any) (int64, bool) {
	switch x := v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}
