// Package engine runs decoder-only transformers of the Llama family —
// Llama, Mistral, Qwen2, Qwen3, Gemma 2, SmolLM — on a compute.Device. The
// model is written once in Go (the llm.c way: a hand-written backward pass
// per op, no autograd); what a family changes is data, not code paths
// (family.go). One forward pass over [B, T] tokens (layer.go) serves
// inference with a KV cache (cache.go) and training (train.go), which adds
// LoRA adapters (lora.go) or trains every weight, with per-layer
// checkpointing, a chunked loss and AdamW over one flat parameter buffer.
// Weights load as f32, bf16, NF4 (QLoRA) or GGUF blocks (weights.go); the
// device owns every tensor, and this package never touches storage.
package engine

import "github.com/hone-ai/hone/backend/compute"

// Tensor is the device tensor every weight and activation is.
type Tensor = compute.Tensor

// Rope is the RoPE the kernels take (rope.go computes it per model).
type Rope = compute.Rope

// AdamW holds AdamW's hyper-parameters, as torch.optim.AdamW names them.
type AdamW = compute.AdamW
