package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ggufBlockTensor maps the per-layer GGUF tensor names of the Llama family
// (llama.cpp's llama, qwen2, qwen3 and gemma2) to Hugging Face's.
func ggufBlockTensor(name, arch string) (string, bool) {
	if arch == "gemma2" {
		// gguf-py's tensor_mapping: Gemma 2's post_attention_layernorm is
		// ATTN_POST_NORM, and FFN_PRE_NORM is also named "ffn_norm".
		switch name {
		case "post_attention_norm":
			return "post_attention_layernorm", true
		case "ffn_norm":
			return "pre_feedforward_layernorm", true
		case "post_ffw_norm":
			return "post_feedforward_layernorm", true
		}
	}
	switch name {
	case "attn_norm":
		return "input_layernorm", true
	case "attn_q":
		return "self_attn.q_proj", true
	case "attn_k":
		return "self_attn.k_proj", true
	case "attn_v":
		return "self_attn.v_proj", true
	case "attn_output":
		return "self_attn.o_proj", true
	case "attn_q_norm":
		return "self_attn.q_norm", true
	case "attn_k_norm":
		return "self_attn.k_norm", true
	case "ffn_norm":
		return "post_attention_layernorm", true
	case "ffn_gate":
		return "mlp.gate_proj", true
	case "ffn_up":
		return "mlp.up_proj", true
	case "ffn_down":
		return "mlp.down_proj", true
	}
	return "", false
}

// hfTensorName is the Hugging Face name of a GGUF tensor of the Llama
// family for architecture arch; other tensors (rope_freqs.weight, ...)
// keep their GGUF name.
func hfTensorName(gguf, arch string) string {
	switch gguf {
	case "token_embd.weight":
		return "model.embed_tokens.weight"
	case "output_norm.weight":
		return "model.norm.weight"
	case "output.weight":
		return "lm_head.weight"
	}
	rest, ok := strings.CutPrefix(gguf, "blk.")
	if !ok {
		return gguf
	}
	layer, rest, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(layer); !ok || err != nil {
		return gguf
	}
	base, kind, ok := strings.Cut(rest, ".")
	hf, known := ggufBlockTensor(base, arch)
	if !ok || !known || (kind != "weight" && kind != "bias") {
		return gguf
	}
	return "model.layers." + layer + "." + hf + "." + kind
}

// hfView presents weights stored under other names and layouts (GGUF,
// llama2.c) under Hugging Face names and layout.
type hfView struct {
	inner Weights
	infos []TensorInfo
	src   map[string]hfSource
}

// hfSource is where a Hugging Face tensor comes from. ropeHeads > 0 means
// its rows are in the interleaved RoPE order of Meta's checkpoints (which
// llama.cpp keeps for the llama architecture and llama2.c uses) for that
// many heads and are reordered into Hugging Face's rotate-half order.
type hfSource struct {
	name      string
	ropeHeads int
	rows      int // the tensor's outermost dimension
	// minusOne: the file holds 1+w for Hugging Face's w. llama.cpp's
	// converter adds 1 to every Gemma norm weight (Gemma's RMSNorm scales by
	// 1+w; llama.cpp's by w); transformers keeps w.
	minusOne bool
}

// newHFView renames GGUF tensors (names already Hugging Face's, as
// llama2.c's, stay) and, for the llama architecture, reorders the query and
// key projections as transformers does when it loads a GGUF.
func newHFView(w Weights, c Config) (*hfView, error) {
	v := &hfView{inner: w, src: make(map[string]hfSource)}
	for _, t := range w.Tensors() {
		name := hfTensorName(t.Name, c.Architecture)
		if _, dup := v.src[name]; dup {
			return nil, fmt.Errorf("tensors %q and another both map to %q", t.Name, name)
		}
		s := hfSource{name: t.Name, minusOne: c.Architecture == "gemma2" && strings.HasSuffix(name, "norm.weight")}
		if c.Architecture == "llama" && len(t.Shape) > 0 {
			s.rows = t.Shape[0]
			switch {
			case strings.HasSuffix(name, ".self_attn.q_proj.weight"), strings.HasSuffix(name, ".self_attn.q_proj.bias"):
				s.ropeHeads = c.Heads
			case strings.HasSuffix(name, ".self_attn.k_proj.weight"), strings.HasSuffix(name, ".self_attn.k_proj.bias"):
				s.ropeHeads = c.KVHeads
			}
		}
		v.src[name] = s
		v.infos = append(v.infos, TensorInfo{Name: name, Shape: t.Shape, DType: t.DType})
	}
	return v, nil
}

func (v *hfView) Tensors() []TensorInfo { return v.infos }

func (v *hfView) ReadF32(name string) ([]float32, error) {
	s, ok := v.src[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNoTensor)
	}
	x, err := v.inner.ReadF32(s.name)
	if err == nil && s.minusOne {
		for i := range x {
			x[i]--
		}
	}
	if err != nil || s.ropeHeads == 0 {
		return x, err
	}
	x, err = ropeHalves(x, s.ropeHeads, s.rows)
	if err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return x, nil
}

func (v *hfView) readRaw(name string) (*RawTensor, error) {
	s, ok := v.src[name]
	if !ok {
		return nil, fmt.Errorf("tensor %q: %w", name, ErrNoTensor)
	}
	if s.minusOne {
		// Its blocks hold 1+w: callers read it with ReadF32, which subtracts.
		return nil, fmt.Errorf("tensor %q: raw blocks of a shifted norm: %w", name, errors.ErrUnsupported)
	}
	r, err := readRaw(v.inner, s.name)
	if err != nil || s.ropeHeads == 0 {
		return r, err
	}
	// A row is whole blocks, so reordering rows of bytes reorders the values.
	if r.Data, err = ropeHalves(r.Data, s.ropeHeads, s.rows); err != nil {
		return nil, fmt.Errorf("tensor %q: %w", name, err)
	}
	return r, nil
}

func (v *hfView) Close() error { return v.inner.Close() }

// ropeHalves reorders the rows of a query or key projection (or its bias)
// from interleaved RoPE pairs to Hugging Face's halves: within each head of
// d rows, row 2i+p moves to p*d/2+i. It undoes llama.cpp's
// LlamaModel.permute and matches transformers' permute of Meta checkpoints.
func ropeHalves[T any](x []T, heads, rows int) ([]T, error) {
	if heads <= 0 || rows%heads != 0 || (rows/heads)%2 != 0 || rows == 0 || len(x)%rows != 0 {
		return nil, fmt.Errorf("cannot reorder %d rows for RoPE in %d heads", rows, heads)
	}
	d, cols := rows/heads, len(x)/rows
	out := make([]T, len(x))
	for h := range heads {
		for i := range d / 2 {
			for p := range 2 {
				src := (h*d + 2*i + p) * cols
				dst := (h*d + p*d/2 + i) * cols
				copy(out[dst:dst+cols], x[src:src+cols])
			}
		}
	}
	return out, nil
}
