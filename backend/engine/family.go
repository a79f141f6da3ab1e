package engine

import (
	"fmt"
	"math"

	"github.com/hone-ai/hone/backend/compute"
	"github.com/hone-ai/hone/backend/model"
)

// family is what a model family changes in the Llama decoder layer. load
// reads it from the config once; the forward and backward passes follow it
// and never ask which architecture they run.
type family struct {
	bias     [numLinear]bool // linears with a bias
	qkNorm   bool            // RMSNorm over each head of q and k before RoPE (Qwen3)
	sandwich bool            // RMSNorms on the attention and MLP outputs before each residual add (Gemma 2)
	// Norms scale by normOffset+w (Gemma's (1+w)); load adds it to the
	// stored weights once, so the kernels see a plain RMSNorm.
	normOffset float32
	embedScale float32 // embeddings times this (Gemma: sqrt(hidden)); 1 otherwise
	gelu       bool    // GeGLU with tanh GELU instead of SwiGLU
	attn       compute.AttnOpts
	window     []int   // each layer's sliding window; 0: full attention
	finalCap   float32 // soft cap on the output logits; 0: none
	// normNames are the Hugging Face names of a layer's norms, "" where the
	// family has none.
	normNames [numNorm]string
}

// A layer's norms, by role.
const (
	nAttnIn  = iota // before attention
	nMLPIn          // before the MLP
	nAttnOut        // on the attention output (sandwich)
	nMLPOut         // on the MLP output (sandwich)
	nQ              // per head of q (qkNorm)
	nK              // per head of k
	numNorm
)

// familyOf describes c's architecture, or names the config field whose
// value the engine does not implement (model.Config.CheckSupported): a
// model is refused, never run wrong.
func familyOf(c model.Config) (family, error) {
	if err := c.CheckSupported(); err != nil {
		return family{}, err
	}
	f := family{embedScale: 1}
	f.normNames[nAttnIn] = "input_layernorm"
	f.normNames[nMLPIn] = "post_attention_layernorm"
	attnBias := func() {
		if c.AttentionBias {
			f.bias[lq], f.bias[lk], f.bias[lv], f.bias[lo] = true, true, true, true
		}
		if c.MLPBias {
			f.bias[lgate], f.bias[lup], f.bias[ldown] = true, true, true
		}
	}
	switch c.Architecture {
	case "llama", "mistral":
		attnBias()
	case "qwen2": // query, key and value biases, always
		f.bias[lq], f.bias[lk], f.bias[lv] = true, true, true
	case "qwen3":
		f.qkNorm = true
		f.normNames[nQ], f.normNames[nK] = "self_attn.q_norm", "self_attn.k_norm"
		attnBias()
	case "gemma2":
		f.sandwich, f.normOffset, f.embedScale = true, 1, float32(math.Sqrt(float64(c.HiddenSize)))
		f.normNames[nAttnOut] = "post_attention_layernorm"
		f.normNames[nMLPIn] = "pre_feedforward_layernorm"
		f.normNames[nMLPOut] = "post_feedforward_layernorm"
		attnBias()
	default: // CheckSupported lists what runs; a family added there must be described here
		return family{}, fmt.Errorf("engine: config %s: architecture %q has no family description", c.Source, c.Architecture)
	}
	f.gelu = c.HiddenAct == "gelu_pytorch_tanh"
	f.attn = compute.AttnOpts{Scale: float32(c.QueryScale), SoftCap: float32(c.AttnSoftCap)}
	f.finalCap = float32(c.FinalSoftCap)
	f.window = make([]int, c.Layers)
	for l := range f.window {
		if c.SlidingLayers == nil || c.SlidingLayers[l] {
			f.window[l] = c.SlidingWindow
		}
	}
	return f, nil
}

// attnOpts are layer l's attention options.
func (f *family) attnOpts(l int) compute.AttnOpts {
	o := f.attn
	o.Window = f.window[l]
	return o
}
