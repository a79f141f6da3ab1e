#!/usr/bin/env bash
# Prints Hone's engine figures beside the references' on the same CPU and
# thread count, from the same GGUF (SmolLM2-135M-Instruct Q4_1):
#   decode:  time to first token and greedy tokens/s, Hone vs llama.cpp
#            (node-llama-cpp's prebuilt CPU binary);
#   train:   LoRA r=16 on all linears, batch 4x256: tokens/s and peak RSS,
#            Hone with an f32 base and with an NF4 base (QLoRA) vs PyTorch +
#            PEFT with the base in f32 (bitsandbytes has no CPU NF4 training).
# Targets (Hone issue 6): decode >= 1.0x llama.cpp; training >= 1.5x
# PyTorch's tokens/s with no more memory. Figures, not assertions.
#   bench/engine/run.sh [GGUF] [THREADS] [PYTHON]
# PYTHON must have torch, transformers, peft and gguf (default: python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gguf=$(realpath "${1:-${HONE_SMOLLM2_GGUF:?set HONE_SMOLLM2_GGUF or pass the GGUF}}")
threads=${2:-$(nproc)}
python=${3:-python3}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here/../.." && go build -o "$work/hone-engine-bench" ./bench/engine/hone)
[ -d "$here/node_modules/node-llama-cpp" ] || npm ci --prefix "$here" --no-audit --no-fund >/dev/null

echo "model $(basename "$gguf"), $threads threads, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
# Both sides get the same text: the question through the model's template.
"$work/hone-engine-bench" -gguf "$gguf" prompt >"$work/prompt.txt"
GOMAXPROCS=$threads "$work/hone-engine-bench" -gguf "$gguf" -n 128 decode
(cd "$here" && node llamacpp.mjs "$gguf" "$threads" 128 "$work/prompt.txt")
GOMAXPROCS=$threads "$work/hone-engine-bench" -gguf "$gguf" -seq 256 -batch 4 -rank 16 -steps 3 train
GOMAXPROCS=$threads "$work/hone-engine-bench" -gguf "$gguf" -seq 256 -batch 4 -rank 16 -steps 3 -nf4 train
"$python" "$here/torch_train.py" "$gguf" "$threads" 256 4 16 3 2>/dev/null | grep '^pytorch'
echo "(PyTorch trains on the f32 base in both comparisons: bitsandbytes has no CPU NF4 training path)"
