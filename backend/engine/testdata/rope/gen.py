"""Golden RoPE parameters for backend/engine/rope_test.go: for each case a
Llama config.json (as transformers writes it) and the inverse frequencies
and attention factor that transformers' ROPE_INIT_FUNCTIONS compute for it.
The Go test loads each config with Hone's config.json reader, computes
engine.NewRope and compares within 1e-6 relative; it never runs Python.

Regenerate (transformers 4.46.3, torch 2.5.1; output is deterministic):

    python backend/engine/testdata/rope/gen.py

from the repository root, which rewrites rope_golden.json beside this file."""

import json
import os

from transformers import LlamaConfig
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rope_golden.json")

# name: (head_dim, heads, rope_theta, max_position_embeddings, rope_scaling)
CASES = {
    "default": (64, 4, 10000.0, 2048, None),
    "linear": (128, 2, 10000.0, 8192, {"type": "linear", "factor": 2.0}),
    "llama3 (Llama 3.1 8B)": (128, 2, 500000.0, 131072, {
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192}),
    "llama3 (Llama 3.2 1B)": (64, 4, 500000.0, 131072, {
        "rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192}),
    "yarn (Qwen2.5)": (128, 2, 1000000.0, 32768, {
        "type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
    "yarn betas and attention_factor": (64, 4, 10000.0, 4096, {
        "rope_type": "yarn", "factor": 8.0, "beta_fast": 16.0, "beta_slow": 2.0, "attention_factor": 1.25}),
    "yarn mscale (ignored by 4.46)": (64, 4, 10000.0, 163840, {
        "rope_type": "yarn", "factor": 40.0, "original_max_position_embeddings": 4096, "beta_fast": 32.0, "beta_slow": 1.0,
        "mscale": 1.0, "mscale_all_dim": 1.0}),
}


def main():
    out = []
    for name, (head_dim, heads, theta, max_pos, scaling) in CASES.items():
        cfg = LlamaConfig(hidden_size=head_dim * heads, num_attention_heads=heads, num_key_value_heads=heads,
                          head_dim=head_dim, intermediate_size=64, num_hidden_layers=1, vocab_size=32,
                          rope_theta=theta, max_position_embeddings=max_pos, rope_scaling=scaling)
        rope_type = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
        inv_freq, attention_factor = ROPE_INIT_FUNCTIONS[rope_type](cfg, "cpu")
        out.append({"name": name, "config": cfg.to_dict(), "inv_freq": [float(v) for v in inv_freq.tolist()],
                    "attention_factor": float(attention_factor)})
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
