"""Loads an adapter that Hone trained and saved (backend/engine
TestSaveLoRATrained) with transformers + PEFT on the same golden base and
compares the logits with Hone's: the check that Hone's adapters work in the
Python stack (and so in vLLM and friends) as they are written.

  HONE_PEFT_CHECK_DIR=/tmp/peft go test -run TestSaveLoRATrained ./backend/engine
  python check_adapter.py /tmp/peft

It needs the packages of requirements.txt beside this file."""

import json
import os
import shutil
import sys
import tempfile

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "golden", "llama_untied")


def main():
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as base:
        # The golden folder also holds PEFT's own adapter, which transformers
        # would try to apply: load the base from its two files alone.
        for f in ("config.json", "model.safetensors"):
            shutil.copy(os.path.join(GOLDEN, f), base)
        model = AutoModelForCausalLM.from_pretrained(base, torch_dtype=torch.float32)
        model = PeftModel.from_pretrained(model, os.path.join(out, "adapter")).eval()
        ref = json.load(open(os.path.join(out, "logits.json")))
        with torch.no_grad():
            got = model(input_ids=torch.tensor([ref["input_ids"]])).logits[0].flatten()
    hone = torch.tensor(ref["logits"])
    err = ((got - hone).abs() / (1 + got.abs())).max().item()
    print(f"transformers + PEFT on Hone's adapter: max relative logit difference {err:.2e} (tolerance 1e-4)")
    sys.exit(0 if err <= 1e-4 else 1)


if __name__ == "__main__":
    main()
