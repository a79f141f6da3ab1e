#!/usr/bin/env bash
# banking77 end to end on the CPU, as a user would: SmolLM2-135M-Instruct
# fine-tuned by `hone train` (LoRA, then QLoRA) on banking77 rows split by
# Hone, and the base model and both adapters scored by greedy exact match on
# the held-out rows, with the system prompt and settings of
# ../shared/bench/peft_banking77.py (LoRA r=16, alpha 32, dropout 0.05 on all
# linears, lr 2e-4, warm-up and cosine decay, ~8 examples a step, one epoch).
# With $PYTHON naming a Python that has torch, transformers, peft and gguf
# (make bench-train sets one up), the PEFT script then trains and scores on
# the same rows (exported from Hone's split) in the same run, as the
# side-by-side; without it, the figure recorded in ../shared/bench is printed.
#   bench/train/banking77.sh [HONE] [GGUF] [N_TRAIN] [N_EVAL]
# Defaults: build/bin/hone-headless, $HONE_SMOLLM2_GGUF, 2000, 400.
set -euo pipefail
cd "$(dirname "$0")/../.."
hone=${1:-build/bin/hone-headless}
gguf=$(realpath "${2:-${HONE_SMOLLM2_GGUF:?set HONE_SMOLLM2_GGUF or pass the GGUF}}")
ntrain=${3:-2000}
neval=${4:-400}
csv=${HONE_TESTDATA:-../shared/testdata}/datasets/banking77/train.csv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/banking77" ./bench/train/banking77

"$work/banking77" prepare "$csv" $((ntrain + neval)) "$work/rows.jsonl"
"$hone" --data-dir "$work/hone" import "$work/rows.jsonl" --name banking77 >/dev/null
frac=$(awk -v e="$neval" -v t="$ntrain" 'BEGIN { printf "%.4f", e / (e + t) }')
"$hone" --data-dir "$work/hone" dataset split 1 --eval "$frac" --seed 1 >/dev/null
"$hone" --data-dir "$work/hone" datasets
echo "model $(basename "$gguf"), $(nproc) threads, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"

"$work/banking77" eval -data-dir "$work/hone" -dataset 3 -model "$gguf"
for method in lora qlora; do
  start=$(date +%s)
  "$hone" --data-dir "$work/hone" train --model "$gguf" --dataset 2 --eval-dataset 3 --method "$method" \
    --out "$work/$method" --seq 256 --batch 2 --accum 1 --lr 2e-4 --rank 16 --alpha 32 --dropout 0.05 \
    --eval-every 100 --checkpoint-every 100
  echo "$method: trained in $(( $(date +%s) - start )) s"
  "$hone" --data-dir "$work/hone" run show "$([ $method = lora ] && echo 1 || echo 2)" | grep -E "^(Run|Trained)"
  "$work/banking77" eval -data-dir "$work/hone" -dataset 3 -model "$gguf" -adapter "$work/$method/adapter"
done
peft=${HONE_SHARED:-../shared}/bench/peft_banking77.py
if [ -n "${PYTHON:-}" ]; then
  "$work/banking77" export -data-dir "$work/hone" -dataset 2 "$work/train.csv"
  "$work/banking77" export -data-dir "$work/hone" -dataset 3 "$work/eval.csv"
  echo "PyTorch + PEFT on the same rows ($(basename "$peft"), $(nproc) threads):"
  "$PYTHON" "$peft" "$gguf" "$work/train.csv" "$work/eval.csv" "$ntrain" "$neval" "$(nproc)" 2>&1 | grep --line-buffered -v '^step '
else
  echo "PyTorch + PEFT (recorded in ../shared/bench/README.md, 2,000 rows, 400 held out, 2 threads): base 0.0%, LoRA 33.8%, training 669 s"
fi
