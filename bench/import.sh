#!/usr/bin/env bash
# Imports a generated JSONL file of ROWS prompt/completion rows with hone,
# and the same rows as CSV with sqlite3's own .import, in one run; prints
# rows/s and peak RSS of each. Targets: >= 50,000 rows/s, peak RSS < 300 MB,
# within 2x of sqlite3 .import.
#   bench/import.sh [HONE_BINARY] [ROWS]
set -euo pipefail
bin=$(realpath "${1:-build/bin/hone-headless}")
rows=${2:-1000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" "$rows" <<'PY'
import csv, json, random, sys
d, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
with open(f"{d}/rows.jsonl", "w") as j, open(f"{d}/rows.csv", "w", newline="") as c:
    w = csv.writer(c)
    w.writerow(["prompt", "completion"])
    for i in range(n):
        p = f"Question {i}: what is {rng.randint(0, 10**6)} plus {rng.randint(0, 10**6)}?"
        r = f"The answer is {rng.randint(0, 10**7)}."
        j.write(json.dumps({"prompt": p, "completion": r}) + "\n")
        w.writerow([p, r])
PY
echo "generated $rows rows: $(du -h "$dir/rows.jsonl" | cut -f1) JSONL, $(du -h "$dir/rows.csv" | cut -f1) CSV"

measure() { # label command...
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err"; exit 1; }
  read -r secs kb <"$dir/time"
  awk -v l="$label" -v n="$rows" -v s="$secs" -v kb="$kb" \
    'BEGIN {printf "%-22s %8.2f s  %10.0f rows/s  peak RSS %6.1f MB\n", l, s, n / s, kb / 1024}'
  echo "$secs" >"$dir/$label.secs"
}
measure hone "$bin" import --data-dir "$dir/hone" "$dir/rows.jsonl"
measure sqlite3 sqlite3 "$dir/sqlite.db" ".import --csv $dir/rows.csv rows"
awk -v a="$(cat "$dir/hone.secs")" -v b="$(cat "$dir/sqlite3.secs")" \
  'BEGIN {printf "hone takes %.2fx the time of sqlite3 .import (target: within 2x)\n", a / b}'
