"""Tiny random Llamas with scaled RoPE and the logits transformers computes
for them, for backend/engine/rope_test.go (TestRopeScaledParity): per case a
Hugging Face folder NAME/ (config.json, model.safetensors) and NAME/golden.json
(input_ids and float32 logits [T, V]). Head size 8 and short original
contexts make every scaling branch matter within 16 positions: llama3's
low, medium and high frequencies, YaRN's ramp and attention factor.

Regenerate (transformers 4.46.3, torch 2.5.1; deterministic), from the
repository root:

    /tmp/venv/bin/python backend/engine/testdata/rope/gen_models.py"""

import json
import os

import torch
from transformers import LlamaConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
SHAPE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=64, max_position_embeddings=64, rope_theta=10000.0,
             rms_norm_eps=1e-6, initializer_range=0.1, tie_word_embeddings=False, attn_implementation="eager")
CASES = {
    "llama_llama3": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                     "original_max_position_embeddings": 16},
    "llama_yarn": {"rope_type": "yarn", "factor": 4.0, "beta_fast": 32.0, "beta_slow": 1.0},
}


def main():
    for i, (name, scaling) in enumerate(CASES.items()):
        torch.manual_seed(2000 + i)
        model = LlamaForCausalLM(LlamaConfig(**SHAPE, rope_scaling=scaling)).float().eval()
        with torch.no_grad():
            for n, p in model.named_parameters():
                if n.endswith("norm.weight"):
                    p.add_(0.1 * torch.randn_like(p))
        out = os.path.join(HERE, name)
        os.makedirs(out, exist_ok=True)
        model.save_pretrained(out, safe_serialization=True)
        ids = torch.randint(0, SHAPE["vocab_size"], (1, 16), generator=torch.Generator().manual_seed(7 + i))
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0]
        with open(os.path.join(out, "golden.json"), "w") as f:
            json.dump({"input_ids": ids[0].tolist(), "logits": logits.tolist()}, f)
            f.write("\n")


if __name__ == "__main__":
    main()
