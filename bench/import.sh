#!/usr/bin/env bash
# Imports a generated JSONL file of ROWS prompt/completion rows with hone,
# and the same rows as CSV with sqlite3's own .import, in one run; prints
# rows/s and peak RSS of each. Targets: >= 50,000 rows/s, peak RSS < 300 MB,
# within 2x of sqlite3 .import. With RUNS > 1 the two alternate RUNS times
# (each into a fresh database) and the summary compares the best and the
# median times: on a shared machine the best is the least disturbed. CPU is
# user + system time: hone parses and writes on two threads, so its wall time
# needs two idle cores.
#   bench/import.sh [HONE_BINARY] [ROWS] [RUNS]
set -euo pipefail
bin=$(realpath "${1:-build/bin/hone-headless}")
rows=${2:-1000000}
runs=${3:-1}
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
# Write the generated files out first: otherwise their writeback competes with
# the first importer's writes (and its fsyncs wait on it).
sync

measure() { # label command...
  local label=$1
  shift
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err"; exit 1; }
  read -r secs kb user sys <"$dir/time"
  awk -v l="$label" -v n="$rows" -v s="$secs" -v kb="$kb" -v cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" \
    'BEGIN {printf "%-22s %8.2f s  %10.0f rows/s  peak RSS %6.1f MB  (CPU %.2f s)\n", l, s, n / s, kb / 1024, cpu}'
  echo "$secs" >>"$dir/$label.secs"
}
for i in $(seq 1 "$runs"); do
  rm -rf "$dir/hone" "$dir/sqlite.db"
  measure hone "$bin" import --data-dir "$dir/hone" "$dir/rows.jsonl"
  measure sqlite3 sqlite3 "$dir/sqlite.db" ".import --csv $dir/rows.csv rows"
done
stat() { sort -g "$dir/$1.secs" | awk '{t[NR] = $1} END {print t[1], t[int((NR + 1) / 2)]}'; }
read -r hbest hmed < <(stat hone)
read -r sbest smed < <(stat sqlite3)
if [ "$runs" -gt 1 ]; then
  awk -v n="$rows" -v hb="$hbest" -v hm="$hmed" -v sb="$sbest" -v sm="$smed" -v r="$runs" 'BEGIN {
    printf "%d runs: hone best %.2f s (%.0f rows/s), median %.2f s; sqlite3 best %.2f s, median %.2f s\n", r, hb, n / hb, hm, sb, sm
    printf "hone takes %.2fx the time of sqlite3 .import, best to best (median to median: %.2fx; target: within 2x)\n", hb / sb, hm / sm }'
else
  awk -v a="$hbest" -v b="$sbest" 'BEGIN {printf "hone takes %.2fx the time of sqlite3 .import (target: within 2x)\n", a / b}'
fi
