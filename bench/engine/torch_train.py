"""PyTorch + PEFT's side of bench/engine/run.sh: the LoRA training step
that `hone-engine-bench train` times, on the same GGUF (dequantised to f32
by transformers' gguf_file loader), shapes, rank and thread count.

  python torch_train.py MODEL.gguf THREADS [SEQ BATCH RANK STEPS]
"""
import os
import resource
import sys
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def vm_hwm_mib():
    """Peak resident memory since the last reset_peak(), in MiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def reset_peak():
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0):
    # the training peak is then not the loader's.
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def main():
    path, threads = sys.argv[1], int(sys.argv[2])
    seq, batch, rank, steps = (int(a) for a in (sys.argv[3:7] + ["256", "4", "16", "3"][len(sys.argv[3:7]):]))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = AutoModelForCausalLM.from_pretrained(
        os.path.dirname(os.path.abspath(path)), gguf_file=os.path.basename(path), torch_dtype=torch.float32)
    model.config.use_cache = False
    # transformers' GGUF loader leaves lm_head untied (and random) for this
    # model; SmolLM2 ties it to the embedding, as Hone does.
    model.lm_head.weight = model.model.embed_tokens.weight
    model = get_peft_model(model, LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    vocab = model.config.vocab_size
    # Random tokens and targets, every target counting, as on Hone's side;
    # labels are given pre-shifted so that all seq positions count.
    tokens = torch.randint(vocab, (batch, seq))
    targets = torch.randint(vocab, (batch, seq))
    after_load = vm_hwm_mib()
    reset_peak()
    took = 0.0
    for step in range(steps + 1):
        start = time.perf_counter()
        logits = model(input_ids=tokens).logits
        loss = torch.nn.functional.cross_entropy(logits.view(-1, vocab), targets.view(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step > 0:  # the first step pays for allocations and first-touch
            took += time.perf_counter() - start
    print(f"pytorch   train:  threads {threads}, LoRA r={rank} all linears, batch {batch}x{seq}, "
          f"{steps * batch * seq / took:.1f} tokens/s ({took / steps:.2f} s/step), "
          f"peak RSS {max(vm_hwm_mib(), 0):.0f} MiB in training ({after_load:.0f} MiB while loading); "
          f"torch {torch.__version__}")


if __name__ == "__main__":
    main()
