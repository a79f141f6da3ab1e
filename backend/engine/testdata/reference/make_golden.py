"""Golden files for Hone's training engine: tiny random Llama, Qwen2, Qwen3,
Mistral (sliding window) and Gemma 2 models with a PEFT LoRA adapter, one
batch, and what transformers + PEFT compute for it in float32 (logits, loss,
every LoRA gradient, the adapter after 5 AdamW steps; for the newer families
also the logits of row 0 decoded token by token through transformers' KV
cache), and the same for llama_untied with every decoder linear replaced by
its NF4 quantisation (nf4.py), as QLoRA trains. The Go test
backend/engine/parity_test.go reads them; it never runs Python. Regenerate
with the command in README.md beside this file: the output is deterministic
for the pinned versions."""

import copy
import json
import os
import sys

import numpy as np

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import (Gemma2Config, Gemma2ForCausalLM, LlamaConfig, LlamaForCausalLM, MistralConfig,
                          MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nf4  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden")
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# eps 1e-3 rather than torch's 1e-8: an update is about lr*g/(|g|+eps), so
# its error is up to lr/eps times the gradient's. With 1e-8 a gradient entry
# near zero flips its update on float32 rounding (seen: 5e-4 relative error
# in one A after 5 steps), and the adapter could not be compared closely.
ADAMW = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-3, weight_decay=0.01)
STEPS = 5

# Small but not degenerate: GQA (4 heads over 2 KV heads), two layers.
SHAPE = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, vocab_size=64, max_position_embeddings=64, rope_theta=10000.0,
             rms_norm_eps=1e-6, initializer_range=0.1, attn_implementation="eager")
# name: (config class, model class, config fields over SHAPE, tokens per
# row, whether to dump logits_decode). The first four keep the batches and
# seeds they were made with; the newer families have rows longer than their
# sliding window (4), so that the window masks keys in every row.
MODELS = {
    "llama_untied": (LlamaConfig, LlamaForCausalLM, dict(tie_word_embeddings=False), 8, False),
    "llama_tied": (LlamaConfig, LlamaForCausalLM, dict(tie_word_embeddings=True), 8, False),
    "qwen2": (Qwen2Config, Qwen2ForCausalLM, dict(tie_word_embeddings=True, use_sliding_window=False), 8, False),
    # q_norm and k_norm over head_dim 16, which is not hidden/heads (8).
    "qwen3": (Qwen3Config, Qwen3ForCausalLM, dict(tie_word_embeddings=True, head_dim=16, use_sliding_window=False), 12, True),
    # Every layer sees the last 4 positions only (q - k < 4).
    "mistral": (MistralConfig, MistralForCausalLM, dict(tie_word_embeddings=False, sliding_window=4), 12, True),
    # Even layers slide (window 4), odd ones see everything; caps small
    # enough, and weights large enough (initializer_range), that tanh bends
    # most scores and logits; query_pre_attn_scalar 24 is not head_dim 16.
    "gemma2": (Gemma2Config, Gemma2ForCausalLM, dict(
        num_hidden_layers=4, head_dim=16, query_pre_attn_scalar=24, sliding_window=4,
        attn_logit_softcapping=2.0, final_logit_softcapping=3.0, hidden_activation="gelu_pytorch_tanh",
        initializer_range=0.3, tie_word_embeddings=True), 12, True),
}


def build(name, seed):
    cfg_cls, model_cls, extra, _, _ = MODELS[name]
    torch.manual_seed(seed)
    model = model_cls(cfg_cls(**{**SHAPE, **extra})).float().eval()  # eval: no dropout anywhere
    with torch.no_grad():
        # Default init leaves norms at 1 and biases at 0, which would hide
        # mistakes in their handling: perturb them.
        for n, p in model.named_parameters():
            if n.endswith("norm.weight"):
                p.add_(0.1 * torch.randn_like(p))
            elif n.endswith(".bias"):
                p.copy_(0.1 * torch.randn_like(p))
    return model


def batch(seed, vocab, tokens):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, vocab, (2, tokens), generator=g)
    labels = ids.clone()
    labels[0, :3] = -100  # a masked prompt
    labels[1, 5] = -100
    return ids, labels


def main():
    for i, name in enumerate(MODELS):
        golden(name, i, name)
    # QLoRA: llama_untied's weights, adapter and batch, the base linears NF4.
    golden("llama_untied", 0, "llama_untied_nf4", quantise=True)


def golden(name, i, outname, quantise=False):
    out = os.path.join(OUT, outname)
    os.makedirs(out, exist_ok=True)
    model = build(name, 1000 + i)
    model.save_pretrained(out, safe_serialization=True)  # f32: Hone quantises on load
    ids, labels = batch(3000 + i, model.config.vocab_size, MODELS[name][3])
    features_matter(model, ids, outname)
    dump = {}
    if quantise:
        dump.update(quantise_linears(model))
    # B non-zero (init_lora_weights=False keeps nn.Linear's random init
    # for both) so that gradients reach A.
    lcfg = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=TARGETS, init_lora_weights=False)
    torch.manual_seed(2000 + i)
    peft = get_peft_model(model, lcfg)
    peft.save_pretrained(out)
    os.remove(os.path.join(out, "README.md"))  # PEFT's model-card boilerplate
    sort_targets(os.path.join(out, "adapter_config.json"))
    if MODELS[name][4]:
        dump["logits_decode"] = decode(peft, ids[0])
    lora = {n: p for n, p in peft.named_parameters() if p.requires_grad}
    opt = torch.optim.AdamW(lora.values(), **ADAMW)
    for step in range(STEPS):
        opt.zero_grad()
        res = peft(input_ids=ids, labels=labels)
        res.loss.backward()
        if step == 0:
            dump["logits"] = res.logits.detach().clone()
            dump["loss"] = res.loss.detach().reshape(1).clone()
            for n, p in lora.items():
                dump["grad." + peft_name(n)] = p.grad.detach().clone()
        opt.step()
    for n, p in lora.items():
        dump["after." + peft_name(n)] = p.detach().clone()
    if "logits_decode" in dump:
        # The cache must not change the result (sliding-window layers keep
        # only the window's keys): a check on transformers, not on Hone.
        diff = (dump["logits_decode"] - dump["logits"][0]).abs().max().item()
        assert diff < 1e-5, "%s: cached decode differs from the full pass by %g" % (outname, diff)
        print(outname, "cached decode vs full pass: max difference %.2g" % diff)
    save_file({k: v.contiguous() for k, v in dump.items()}, os.path.join(out, "golden.safetensors"))
    with open(os.path.join(out, "batch.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "labels": labels.tolist(), "adamw": {
            "lr": ADAMW["lr"], "beta1": ADAMW["betas"][0], "beta2": ADAMW["betas"][1], "eps": ADAMW["eps"],
            "weight_decay": ADAMW["weight_decay"], "steps": STEPS}}, f, indent=1)
    print(outname, "loss", float(dump["loss"]))


# Per family, the features the golden files must exercise, each as a way to
# turn it off in a built model: the logits must move when it is off.
FEATURES = {
    "qwen3": {"q_norm and k_norm": lambda m: [setattr(l.self_attn, n, torch.nn.Identity())
                                               for l in m.model.layers for n in ("q_norm", "k_norm")]},
    "mistral": {"sliding window": lambda m: setattr(m.config, "sliding_window", None)},
    "gemma2": {
        "sliding window": lambda m: setattr(m.config, "sliding_window", 10**6),
        "attention soft-cap": lambda m: [setattr(l.self_attn, "attn_logit_softcapping", None) for l in m.model.layers],
        "final soft-cap": lambda m: setattr(m.config, "final_logit_softcapping", None),
    },
}


def features_matter(model, ids, name):
    """Asserts that each feature of FEATURES[name] changes the logits, on a
    copy of the model, so that a golden file cannot pass an engine that
    ignores it."""
    with torch.no_grad():
        want = model(input_ids=ids).logits
        for feature, turn_off in FEATURES.get(name, {}).items():
            m = copy.deepcopy(model)
            turn_off(m)
            diff = (m(input_ids=ids).logits - want).abs().max().item()
            assert diff > 1e-2, "%s: %s changes the logits by %g only" % (name, feature, diff)
            print("%s: without the %s the logits move by up to %.3g" % (name, feature, diff))


def decode(model, ids):
    """Logits [T, V] of one row fed a token at a time through transformers'
    KV cache (use_cache=True), for Hone's cached decode path."""
    out, past = [], None
    with torch.no_grad():
        for t in range(len(ids)):
            res = model(input_ids=ids[t:t + 1].reshape(1, 1), past_key_values=past, use_cache=True)
            past = res.past_key_values
            out.append(res.logits[0, -1].clone())
    return torch.stack(out)


def quantise_linears(model):
    """Replaces each decoder linear's weight by its NF4 round trip and
    returns the quantised state, for the Go test to compare bit for bit."""
    dump = {"nf4.code2": torch.from_numpy(nf4.DYNAMIC_MAP)}
    with torch.no_grad():
        for n, mod in model.named_modules():
            if n.split(".")[-1] not in TARGETS:
                continue
            st = nf4.quantise(mod.weight.detach().numpy())
            nf4.check_bitsandbytes(mod.weight.detach(), st)
            mod.weight.copy_(torch.from_numpy(nf4.dequantise(st)).reshape(mod.weight.shape))
            for k in ("packed", "qabsmax", "absmax2", "offset"):
                dump["nf4.%s.%s" % (n, k)] = torch.from_numpy(np.asarray(st[k], dtype=np.float32).reshape(-1))
    return dump


def sort_targets(path):
    """PEFT writes target_modules from a Python set, in an order that
    changes from run to run: sort it, so that the files are reproducible
    (PEFT's own format: indent 2, sorted keys, no final newline)."""
    with open(path) as f:
        cfg = json.load(f)
    cfg["target_modules"] = sorted(cfg["target_modules"])
    with open(path, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True))


def peft_name(n):
    # Parameter names carry the adapter name ("...lora_A.default.weight");
    # adapter_model.safetensors drops it ("...lora_A.weight").
    return n.replace(".default.", ".")


if __name__ == "__main__":
    main()
