// Package plan answers "can I fine-tune this model on this machine, how, and
// for how much": a memory estimator for full fine-tuning, LoRA and QLoRA, a
// recommender, and a life-cycle cost calculator.
//
// # Memory
//
// Sizes come from the architecture (model.Config): hidden size h, layers L,
// heads n_h and n_kv of size d, MLP width I, vocabulary V. Parameters:
//
//	linear per layer = h·n_h·d (q) + 2·h·n_kv·d (k, v) + n_h·d·h (o) + 3·h·I (gate, up, down)
//	embeddings       = V·h, twice when the output head is not tied
//
// Per method, in bytes per parameter (Dettmers et al., QLoRA, 2023, §2–3;
// Hugging Face, "Methods and tools for efficient training on a single GPU";
// the ZeRO paper, Rajbhandari et al. 2020, §3.1 for 16 bytes/param):
//
//	full:  weights 4 (fp32 master) + gradients 4 + AdamW 8 (32-bit) or 2 (8-bit)
//	LoRA:  base 2 (bf16), frozen; adapters 4 + gradients 4 + AdamW 8 or 2
//	QLoRA: linear layers NF4 in blocks of 64 with an 8-bit absmax, itself
//	       quantised in blocks of 256 with an fp32 scale:
//	       0.5 + 1/64 + 4/(64·256) = 0.5159 bytes/param; embeddings and
//	       norms stay bf16; adapters as LoRA
//
// LoRA of rank r on a module with in and out features adds r·(in+out)
// parameters.
//
// Activations, bf16, per token and layer (Korthikanti et al., "Reducing
// activation recomputation in large transformer models", 2022, adapted to
// SwiGLU and GQA): the tensors kept for backward are the block input, the
// two norm outputs, q, k, v, the attention output, the residual, and gate,
// up, SiLU(gate) and their product:
//
//	a = 4h + 2·n_h·d + 2·n_kv·d + 4I elements (+ n_h·T for the attention
//	    probabilities when attention is not tiled flash-style)
//
// Without checkpointing every layer keeps B·T·a·2 bytes. With per-layer
// checkpointing only each layer's input is kept (L·B·T·h·2) and one layer is
// recomputed in backward, with its gradients (2·B·T·a·2, "workspace").
//
// Logits: the usual implementation (transformers) materialises bf16 logits,
// an fp32 copy, fp32 log-probabilities and their fp32 gradient: B·T·V·14
// bytes. Chunked cross-entropy (Hone's trainer; Unsloth and Liger do the
// same) holds one chunk of 256 rows in fp32 and writes the gradient over it:
// min(B·T, 256)·V·4 bytes. transformers' prepare_model_for_kbit_training
// also keeps a QLoRA base's embeddings, head and norms in fp32 (Settings.UpcastFrozen).
//
// Workspace also holds, for QLoRA, the largest linear weight dequantised to
// bf16 (one at a time), and without flash attention one layer's fp32 score
// matrix B·n_h·T²·4.
//
// Overhead: the CUDA context, kernels and library handles (500 MB, as
// measured for a CUDA 12 context with lazy module loading) plus 10% of the
// transient memory for allocator fragmentation.
//
// The peak is the persistent memory (weights, adapters, gradients, optimizer
// states, stored activations) plus the larger of the two transient phases:
// the loss (logits) at the end of the forward pass, or the recomputation
// workspace in the backward pass. The total adds every line as if all were
// live at once: an upper bound.
//
// The validation table in estimate_test.go checks these against published
// measurements, each within ±15%.
//
// # Throughput and cost
//
// Training FLOPs per token: 6·P for full fine-tuning (forward 2P, backward
// 4P), 4·P for LoRA and QLoRA (no weight gradients for the frozen base),
// plus 2·P when checkpointing recomputes the forward, plus causal attention
// 6·L·T·n_h·d (Kaplan et al. 2020; Chinchilla appendix F). Tokens per second
// = peak dense BF16 FLOPS × MFU ÷ FLOPs per token, with MFU 40% for bf16
// weights and 30% for NF4 (the dequantisation costs). Prices and the life-
// cycle defaults are in prices.go, with their sources, and are written to
// prices.json in the data folder for the user to edit.
package plan
