package model

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A llama2.c checkpoint (the legacy, version 0 export of Karpathy's
// llama2.c) is a header of 7 little-endian int32 (dim, hidden_dim,
// n_layers, n_heads, n_kv_heads, vocab_size, seq_len) followed by float32
// weights in run.c's order. A negative vocab_size means the classifier is
// not tied to the embeddings and is stored last.

const llama2cHeaderSize = 7 * 4

// llama2cMagic starts the newer llama2.c exports (version 1 and 2).
const llama2cMagic = 0x616b3432

// LoadLlama2CConfig reads the configuration of a llama2.c checkpoint.
func LoadLlama2CConfig(path string) (Config, error) {
	c, _, err := readLlama2C(path)
	return c, err
}

// llama2cTensor is one tensor of a checkpoint, at off bytes into the file.
type llama2cTensor struct {
	TensorInfo
	off int64
}

// readLlama2C reads a checkpoint's header and lays out its tensors under
// Hugging Face names (query and key rows still in Meta's interleaved RoPE
// order). The tensors must add up to the file's size exactly.
func readLlama2C(path string) (Config, []llama2cTensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint: %w", err)
	}
	var h [7]int32
	if err := binary.Read(f, binary.LittleEndian, &h); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = fmt.Errorf("%d bytes is too short for the header", fi.Size())
		}
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint %s: %w", path, err)
	}
	if uint32(h[0]) == llama2cMagic {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint %s: export version %d is not supported; export with --version 0 (the legacy format)", path, h[1])
	}
	c, tensors, end, err := llama2cLayout(h, path)
	if err != nil {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint %s: %w", path, err)
	}
	if end != fi.Size() {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint %s: the header (dim %d, hidden_dim %d, %d layers, %d heads, %d KV heads, vocab %d, seq_len %d) needs %d bytes but the file has %d (truncated, or not a llama2.c checkpoint)",
			path, h[0], h[1], h[2], h[3], h[4], h[5], h[6], end, fi.Size())
	}
	return c, tensors, nil
}

// llama2cLayout is the config and tensors that a header describes, and
// where the file should end.
func llama2cLayout(h [7]int32, path string) (Config, []llama2cTensor, int64, error) {
	dim, hidden, layers, heads, kvHeads, vocab, seqLen := int(h[0]), int(h[1]), int(h[2]), int(h[3]), int(h[4]), int(h[5]), int(h[6])
	base := filepath.Base(path)
	c := Config{
		Name: strings.TrimSuffix(base, filepath.Ext(base)), Architecture: "llama",
		HiddenSize: dim, Layers: layers, Heads: heads, IntermediateSize: hidden,
		VocabSize: max(vocab, -vocab), TiedEmbeddings: vocab > 0, MaxPositions: seqLen,
		RopeTheta: 10000, NormEps: 1e-5, HiddenAct: "silu", // fixed in llama2.c
		Source: path,
	}
	if err := c.setAttention(kvHeads, true, 0, false); err != nil {
		return Config{}, nil, 0, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, nil, 0, fmt.Errorf("not a llama2.c checkpoint: %w", err)
	}
	qDim, kvDim := heads*c.HeadDim, kvHeads*c.HeadDim
	var ts []llama2cTensor
	off := int64(llama2cHeaderSize)
	add := func(name string, shape ...int) {
		t := llama2cTensor{TensorInfo{Name: name, Shape: shape, DType: "F32"}, off}
		ts = append(ts, t)
		off += 4 * int64(t.Len())
	}
	perLayer := func(name string, shape ...int) {
		for l := range layers {
			add("model.layers."+strconv.Itoa(l)+"."+name, shape...)
		}
	}
	add("model.embed_tokens.weight", c.VocabSize, dim)
	perLayer("input_layernorm.weight", dim)
	perLayer("self_attn.q_proj.weight", qDim, dim)
	perLayer("self_attn.k_proj.weight", kvDim, dim)
	perLayer("self_attn.v_proj.weight", kvDim, dim)
	perLayer("self_attn.o_proj.weight", dim, qDim)
	perLayer("post_attention_layernorm.weight", dim)
	perLayer("mlp.gate_proj.weight", hidden, dim) // w1
	perLayer("mlp.down_proj.weight", dim, hidden) // w2
	perLayer("mlp.up_proj.weight", hidden, dim)   // w3
	add("model.norm.weight", dim)
	// freq_cis_real and freq_cis_imag: unused, Hone computes RoPE.
	off += 2 * 4 * int64(seqLen) * int64(c.HeadDim/2)
	if !c.TiedEmbeddings {
		add("lm_head.weight", c.VocabSize, dim)
	}
	return c, ts, off, nil
}

// openLlama2C opens a checkpoint's weights under Hugging Face names, still
// in llama2.c's RoPE order (OpenModel reorders them).
func openLlama2C(path string) (Config, Weights, error) {
	c, tensors, err := readLlama2C(path)
	if err != nil {
		return Config{}, nil, err
	}
	b, err := openBlob(path)
	if err != nil {
		return Config{}, nil, fmt.Errorf("llama2.c checkpoint: %w", err)
	}
	w := &tensorFile{blob: b, entries: make(map[string]tensorEntry, len(tensors))}
	f32, _ := ggmlTypeOf(0)
	for _, t := range tensors {
		w.add(t.TensorInfo, f32, t.off, 4*int64(t.Len()))
	}
	return c, w, nil
}

// llama2cTokenizer finds the tokenizer.bin of a checkpoint: tokenizer.bin
// or tok{vocab}.bin next to it, "" when neither is there.
func llama2cTokenizer(path string, vocab int) string {
	for _, name := range []string{"tokenizer.bin", "tok" + strconv.Itoa(vocab) + ".bin"} {
		p := filepath.Join(filepath.Dir(path), name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}
