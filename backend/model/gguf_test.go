package model

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// kv is one metadata entry for writeGGUF; the value's Go type picks the
// GGUF type (see ggufTypeOf).
type kv struct {
	key string
	val any
}

// arr is a GGUF array with an explicit element type.
type arr struct {
	et    uint32
	elems []any
}

// strs makes a string array.
func strs(ss ...string) arr {
	a := arr{et: ggufString}
	for _, s := range ss {
		a.elems = append(a.elems, s)
	}
	return a
}

func ggufTypeOf(v any) uint32 {
	switch v.(type) {
	case uint8:
		return ggufUint8
	case int8:
		return ggufInt8
	case uint16:
		return ggufUint16
	case int16:
		return ggufInt16
	case uint32:
		return ggufUint32
	case int32:
		return ggufInt32
	case float32:
		return ggufFloat32
	case bool:
		return ggufBool
	case string:
		return ggufString
	case arr:
		return ggufArray
	case uint64:
		return ggufUint64
	case int64:
		return ggufInt64
	case float64:
		return ggufFloat64
	}
	panic(fmt.Sprintf("no GGUF type for %T", v))
}

func putLE(b *bytes.Buffer, v any) {
	if err := binary.Write(b, binary.LittleEndian, v); err != nil {
		panic(err)
	}
}

func putStr(b *bytes.Buffer, s string) {
	putLE(b, uint64(len(s)))
	b.WriteString(s)
}

func putValue(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case string:
		putStr(b, x)
	case arr:
		putLE(b, x.et)
		putLE(b, uint64(len(x.elems)))
		for _, e := range x.elems {
			putValue(b, e)
		}
	default:
		putLE(b, v)
	}
}

// writeGGUF encodes a valid version-3 GGUF header with the given metadata and
// tensor infos (no tensor data: ReadGGUF never reads it).
func writeGGUF(kvs []kv, tensors []GGUFTensor) []byte {
	var b bytes.Buffer
	b.WriteString("GGUF")
	putLE(&b, uint32(3))
	putLE(&b, uint64(len(tensors)))
	putLE(&b, uint64(len(kvs)))
	for _, e := range kvs {
		putStr(&b, e.key)
		putLE(&b, ggufTypeOf(e.val))
		putValue(&b, e.val)
	}
	for _, t := range tensors {
		putStr(&b, t.Name)
		putLE(&b, uint32(len(t.Dims)))
		putLE(&b, t.Dims)
		putLE(&b, t.Type)
		putLE(&b, t.Offset)
	}
	return b.Bytes()
}

// llamaKVs is the metadata of a Llama-3.1-8B-like GGUF with nTokens tokens
// and no llama.vocab_size, so the vocabulary comes from the token list.
func llamaKVs(nTokens int) []kv {
	tokens := make([]string, nTokens)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("tok%d", i)
	}
	return []kv{
		{"general.architecture", "llama"},
		{"general.name", "Meta Llama 3.1 8B"},
		{"general.alignment", uint32(64)},
		{"llama.embedding_length", uint32(4096)},
		{"llama.block_count", uint32(32)},
		{"llama.attention.head_count", uint32(32)},
		{"llama.attention.head_count_kv", uint32(8)},
		{"llama.feed_forward_length", uint32(14336)},
		{"llama.context_length", uint32(131072)},
		{"llama.rope.freq_base", float32(500000)},
		{"llama.attention.layer_norm_rms_epsilon", float64(1e-5)},
		{"general.file_type", int32(15)},
		{"general.quantization_version", uint64(2)},
		{"test.int64", int64(-7)},
		{"test.int16", int16(-3)},
		{"test.uint16", uint16(65535)},
		{"test.int8", int8(-1)},
		{"test.uint8", uint8(200)},
		{"test.bool", true},
		{"test.nested", arr{ggufArray, []any{arr{ggufInt32, []any{int32(1), int32(2)}}, arr{ggufString, nil}}}},
		{"tokenizer.ggml.model", "gpt2"},
		{"tokenizer.ggml.tokens", strs(tokens...)},
		{"tokenizer.ggml.scores", arr{ggufFloat32, []any{float32(0), float32(-1.5), float32(2)}}},
	}
}

func llamaTensors(withOutput bool) []GGUFTensor {
	ts := []GGUFTensor{
		{Name: "token_embd.weight", Dims: []uint64{4096, 2000}, Type: 12, Offset: 0},
		{Name: "blk.0.attn_q.weight", Dims: []uint64{4096, 4096}, Type: 12, Offset: 4608000},
		{Name: "output_norm.weight", Dims: []uint64{4096}, Type: 0, Offset: 14045184},
	}
	if withOutput {
		ts = append(ts, GGUFTensor{Name: "output.weight", Dims: []uint64{4096, 2000}, Type: 14, Offset: 14061568})
	}
	return ts
}

// opaque hides a reader's Seek, so ReadGGUF cannot know the size.
type opaque struct{ io.Reader }

func TestReadGGUFRoundTrip(t *testing.T) {
	for _, withOutput := range []bool{true, false} {
		t.Run(fmt.Sprintf("output=%v", withOutput), func(t *testing.T) {
			data := writeGGUF(llamaKVs(2000), llamaTensors(withOutput))
			for name, r := range map[string]io.Reader{"sized": bytes.NewReader(data), "stream": opaque{bytes.NewReader(data)}} {
				g, err := ReadGGUF(r)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if g.Version != 3 {
					t.Errorf("%s: version %d", name, g.Version)
				}
				want := map[string]any{
					"general.architecture":                   "llama",
					"general.name":                           "Meta Llama 3.1 8B",
					"general.alignment":                      uint32(64),
					"llama.embedding_length":                 uint32(4096),
					"llama.block_count":                      uint32(32),
					"llama.attention.head_count":             uint32(32),
					"llama.attention.head_count_kv":          uint32(8),
					"llama.feed_forward_length":              uint32(14336),
					"llama.context_length":                   uint32(131072),
					"llama.rope.freq_base":                   float32(500000),
					"llama.attention.layer_norm_rms_epsilon": float64(1e-5),
					"general.file_type":                      int32(15),
					"general.quantization_version":           uint64(2),
					"test.int64":                             int64(-7),
					"test.int16":                             int16(-3),
					"test.uint16":                            uint16(65535),
					"test.int8":                              int8(-1),
					"test.uint8":                             uint8(200),
					"test.bool":                              true,
					"test.nested":                            []any{[]any{int32(1), int32(2)}, []any{}},
					"tokenizer.ggml.model":                   "gpt2",
					"tokenizer.ggml.tokens":                  GGUFArrayLen{Type: ggufString, Len: 2000},
					"tokenizer.ggml.scores":                  []any{float32(0), float32(-1.5), float32(2)},
				}
				if got, exp := fmt.Sprintf("%#v", g.Metadata), fmt.Sprintf("%#v", want); got != exp {
					t.Errorf("%s: metadata\n got %s\nwant %s", name, got, exp)
				}
				if got, exp := fmt.Sprintf("%#v", g.Tensors), fmt.Sprintf("%#v", llamaTensors(withOutput)); got != exp {
					t.Errorf("%s: tensors\n got %s\nwant %s", name, got, exp)
				}
				if wantOff := (int64(len(data)) + 63) / 64 * 64; g.DataOffset != wantOff {
					t.Errorf("%s: DataOffset %d, want %d", name, g.DataOffset, wantOff)
				}
			}
		})
	}
}

func TestReadGGUFVersion2AndDefaultAlignment(t *testing.T) {
	data := writeGGUF([]kv{{"general.architecture", "llama"}}, nil)
	binary.LittleEndian.PutUint32(data[4:], 2)
	g, err := ReadGGUF(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if g.Version != 2 || g.DataOffset != (int64(len(data))+31)/32*32 {
		t.Errorf("version %d DataOffset %d", g.Version, g.DataOffset)
	}
}

// TestReadGGUFTruncated cuts valid files everywhere: every cut must be an
// error, never a panic or a success.
func TestReadGGUFTruncated(t *testing.T) {
	small := writeGGUF(llamaKVs(3), llamaTensors(true))
	big := writeGGUF(llamaKVs(2000), llamaTensors(false))
	for _, tc := range []struct {
		name string
		data []byte
		step int
	}{{"small", small, 1}, {"big", big, 37}} {
		for cut := 0; cut < len(tc.data); cut += tc.step {
			part := tc.data[:cut]
			if _, err := ReadGGUF(bytes.NewReader(part)); err == nil {
				t.Fatalf("%s cut at %d: no error", tc.name, cut)
			}
			_, err := ReadGGUF(opaque{bytes.NewReader(part)})
			if err == nil {
				t.Fatalf("%s cut at %d (stream): no error", tc.name, cut)
			}
			if cut >= 4 && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut at %d (stream): %v, want unexpected EOF", tc.name, cut, err)
			}
		}
	}
}

// header starts a GGUF v3 file with the given counts.
func header(tensors, kvs uint64) *bytes.Buffer {
	var b bytes.Buffer
	b.WriteString("GGUF")
	putLE(&b, uint32(3))
	putLE(&b, tensors)
	putLE(&b, kvs)
	return &b
}

// badGGUFs are hand-made headers that must be rejected, with the message
// each must contain.
func badGGUFs() []struct {
	name, want string
	data       []byte
} {
	type bad = struct {
		name, want string
		data       []byte
	}
	var out []bad
	add := func(name, want string, b *bytes.Buffer) { out = append(out, bad{name, want, b.Bytes()}) }

	b := header(0, 1)
	putLE(b, uint64(1<<60))
	b.Write(make([]byte, 16)) // so the size check on the count passes
	add("key length 1<<60", "metadata key 0: key length 1152921504606846976 exceeds", b)

	b = header(0, 1)
	putStr(b, "general.name")
	putLE(b, ggufString)
	putLE(b, uint64(1<<60))
	add("string length 1<<60", `metadata key 0 ("general.name"): string length 1152921504606846976 exceeds`, b)

	b = header(0, 1)
	putStr(b, "general.name")
	putLE(b, ggufString)
	putLE(b, uint64(1<<19)) // under the limit, but the data is not there
	b.WriteString("abc")
	add("string length beyond data", `metadata key 0 ("general.name"): string`, b)

	b = header(0, 1)
	putStr(b, "tokenizer.ggml.tokens")
	putLE(b, ggufArray)
	putLE(b, ggufString)
	putLE(b, uint64(1<<60))
	add("array count 1<<60", "array length 1152921504606846976 exceeds", b)

	b = header(0, 1)
	putStr(b, "tokenizer.ggml.scores")
	putLE(b, ggufArray)
	putLE(b, ggufFloat64)
	putLE(b, uint64(1<<23)) // under the limit, but the data is not there
	add("array count beyond data", `metadata key 0 ("tokenizer.ggml.scores")`, b)

	b = header(0, 1)
	putStr(b, "tokenizer.ggml.tokens")
	putLE(b, ggufArray)
	putLE(b, ggufString)
	putLE(b, uint64(2000))
	putStr(b, "a")
	putLE(b, uint64(1<<60))
	b.Write(make([]byte, 2000*8)) // so the size check on the count passes
	add("huge string in skipped array", "element 1: string length 1152921504606846976 exceeds", b)

	b = header(1<<60, 0)
	add("tensor count 1<<60", "tensor count 1152921504606846976 exceeds", b)

	b = header(0, 1<<60)
	add("kv count 1<<60", "metadata count 1152921504606846976 exceeds", b)

	b = header(1<<19, 0) // under the limit, but the data is not there
	add("tensor count beyond data", "tensor", b)

	b = header(1, 0)
	putStr(b, "blk.0.attn_q.weight")
	putLE(b, uint32(1000))
	add("n_dims 1000", `tensor 0 ("blk.0.attn_q.weight"): 1000 dimensions exceeds the limit of 8`, b)

	b = header(2, 0)
	for range 2 {
		putStr(b, "output.weight")
		putLE(b, uint32(1))
		putLE(b, uint64(8))
		putLE(b, uint32(0))
		putLE(b, uint64(0))
	}
	add("duplicate tensor", `tensor 1 ("output.weight"): duplicate name`, b)

	b = header(0, 2)
	for range 2 {
		putStr(b, "general.name")
		putLE(b, ggufString)
		putStr(b, "x")
	}
	add("duplicate key", `metadata key 1 ("general.name"): duplicate key`, b)

	b = header(0, 1)
	putStr(b, "llama.block_count")
	putLE(b, uint32(99))
	putLE(b, uint32(32))
	add("unknown value type", `metadata key 0 ("llama.block_count"): unknown value type 99`, b)

	b = header(0, 1)
	putStr(b, "x")
	putLE(b, ggufArray)
	putLE(b, uint32(13))
	putLE(b, uint64(0))
	add("unknown element type", "array of unknown value type 13", b)

	b = header(0, 1)
	putStr(b, "x")
	putLE(b, ggufArray)
	for range 5 {
		putLE(b, ggufArray)
		putLE(b, uint64(1))
	}
	putLE(b, ggufUint8)
	putLE(b, uint64(1))
	b.WriteByte(1)
	add("deep nesting", "arrays nested deeper than 4", b)

	b = header(0, 1)
	putStr(b, "general.alignment")
	putLE(b, ggufUint32)
	putLE(b, uint32(48))
	add("alignment not a power of two", `"general.alignment": want a power of two, got 48`, b)

	add("bad magic", "not a GGUF file", bytes.NewBufferString("GGML\x03\x00\x00\x00"))

	b = bytes.NewBufferString("GGUF")
	putLE(b, uint32(1))
	add("version 1", "unsupported GGUF version 1", b)

	b = bytes.NewBufferString("GGUF\x00\x00\x00\x03")
	add("big-endian", "big-endian GGUF (version 3) is not supported", b)
	return out
}

// TestReadGGUFBad feeds lying and corrupt headers, sized and as a stream:
// each must fail with a message that says what is wrong, without allocating
// from the lie.
func TestReadGGUFBad(t *testing.T) {
	for _, tc := range badGGUFs() {
		for _, stream := range []bool{false, true} {
			var r io.Reader = bytes.NewReader(tc.data)
			if stream {
				r = opaque{r}
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := ReadGGUF(r)
			runtime.ReadMemStats(&after)
			if err == nil {
				t.Errorf("%s (stream=%v): no error", tc.name, stream)
				continue
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s (stream=%v): error %q, want it to contain %q", tc.name, stream, err, tc.want)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 512<<10 {
				t.Errorf("%s (stream=%v): allocated %d bytes", tc.name, stream, n)
			}
		}
	}
}

// FuzzReadGGUF checks that no input panics, and that knowing the size only
// makes errors earlier, never changes the result.
func FuzzReadGGUF(f *testing.F) {
	f.Add(writeGGUF(llamaKVs(3), llamaTensors(true)))
	f.Add(writeGGUF(llamaKVs(1100), llamaTensors(false)))
	f.Add(writeGGUF([]kv{
		{"general.architecture", "qwen2"},
		{"qwen2.embedding_length", uint64(896)},
		{"qwen2.block_count", int16(24)},
		{"qwen2.attention.head_count", int8(14)},
		{"qwen2.attention.head_count_kv", uint8(2)},
		{"qwen2.feed_forward_length", int64(4864)},
		{"qwen2.context_length", int32(32768)},
		{"qwen2.vocab_size", uint16(65535)},
	}, llamaTensors(false)[:1]))
	for _, tc := range badGGUFs() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g1, err1 := ReadGGUF(bytes.NewReader(data))
		g2, err2 := ReadGGUF(opaque{bytes.NewReader(data)})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("sized: %v, stream: %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		// %#v, not reflect.DeepEqual: NaN metadata would never compare equal.
		if a, b := fmt.Sprintf("%#v", g1), fmt.Sprintf("%#v", g2); a != b {
			t.Fatalf("sized and stream differ:\n%s\n%s", a, b)
		}
		if c, err := configFromGGUF(g1, "/models/x.gguf"); err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("configFromGGUF returned an invalid config: %v", err)
			}
		}
	})
}
