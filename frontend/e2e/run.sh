#!/usr/bin/env bash
# Runs the end-to-end tests: for each GPU scenario, start `wails dev` under
# Xvfb with a fresh data folder, drive the UI in headless Chromium, stop it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:$(go env GOPATH)/bin"
out=${HONE_E2E_OUT:-$(mktemp -d)}
mkdir -p "$out"
# A failed check ends the script (set -e) without running the RETURN trap:
# stop the scenario's wails dev then too.
running=
trap '[ -z "$running" ] || kill -- -"$running" 2>/dev/null || true' EXIT

# HONE_E2E_ONLY=NAME runs one scenario (cpu-only, fake-2xrtx4090, train, chat, damaged-db).
only=${HONE_E2E_ONLY:-}

scenario() { # name gpus fake-spec [data-folder]
  local name=$1 gpus=$2 fake=$3 home=${4:-$(mktemp -d)} log pid
  [ -z "$only" ] || [ "$only" = "$name" ] || return 0
  log="$out/wails-dev-$name.log"
  echo "== e2e: $name"
  # The previous scenario's wails dev may take a moment to go; another one
  # still on the port would be tested instead of this one.
  for _ in $(seq 1 30); do
    curl -sf http://localhost:34115/ >/dev/null 2>&1 || break
    sleep 1
  done
  if curl -sf http://localhost:34115/ >/dev/null 2>&1; then
    echo "e2e: FAIL, something else serves http://localhost:34115 (another wails dev?)"
    return 1
  fi
  HONE_HOME="$home" HONE_FAKE_GPUS="$fake" setsid xvfb-run -a -s "-screen 0 1280x800x24" \
    wails dev -tags webkit2_41 -nocolour -m >"$log" 2>&1 &
  pid=$!
  running=$pid
  trap "kill -- -$pid 2>/dev/null || true; running=" RETURN
  for _ in $(seq 1 300); do
    curl -sf http://localhost:34115/ >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "wails dev exited"; return 1; }
    sleep 1
  done
  HONE_E2E_GPUS=$gpus HONE_E2E_SHOT="$out/system-$name.png" node frontend/e2e/system.e2e.mjs
  if [ -n "${E2E_PLAN:-}" ]; then
    HONE_E2E_GPUS=$gpus HONE_E2E_OUT="$out" node frontend/e2e/plan.e2e.mjs
  fi
  if [ -n "${E2E_DATASETS:-}" ]; then
    HONE_E2E_OUT="$out" node frontend/e2e/datasets.e2e.mjs
  fi
  if [ -n "${E2E_ADAPTERS:-}" ]; then
    HONE_E2E_OUT="$out" node frontend/e2e/adapters.e2e.mjs
  fi
  if [ -n "${E2E_TRAIN:-}" ]; then
    HONE_E2E_OUT="$out" node frontend/e2e/train.e2e.mjs
  fi
  if [ -n "${E2E_CHAT:-}" ]; then
    HONE_E2E_OUT="$out" node frontend/e2e/chat.e2e.mjs
  fi
}

# The Datasets screen imports banking77 (from $HONE_TESTDATA, else
# ../shared/testdata) into the fresh data folder of this scenario.
# The Adapters screen scans this machine's model caches and fails to
# download a repository that does not exist.
E2E_DATASETS=1 E2E_ADAPTERS=1 scenario cpu-only 0 ""
# The Plan screen against the real planner, with two fake 24 GB RTX 4090s.
E2E_PLAN=1 scenario fake-2xrtx4090 2 2xrtx4090

testdata=${HONE_TESTDATA:-$(pwd)/../shared/testdata}
bin=
# stories_home makes a data folder where the command line (the headless
# build of the same code, built once) imported 40 rows of banking77, split
# them into train (dataset 2) and eval parts and added stories260K's
# folder, and sets the variable named $1 to its path (no subshell: the
# binary built here is the caller's too).
stories_home() {
  local home
  home=$(mktemp -d)
  if [ -z "$bin" ]; then
    bin=$(mktemp -d)
    go build -o "$bin/hone" .
    head -n 41 "$testdata/datasets/banking77/train.csv" >"$bin/banking40.csv"
  fi
  "$bin/hone" --data-dir "$home" import "$bin/banking40.csv" --name banking40 --json >/dev/null
  "$bin/hone" --data-dir "$home" dataset split 1 --eval 0.25 --seed 1 >/dev/null
  "$bin/hone" --data-dir "$home" models add "$testdata/models/stories260K" >/dev/null
  printf -v "$1" '%s' "$home"
}

# The Train screen trains stories260K on 40 rows of banking77: the command
# line (the headless build of the same code) imports them into a fresh data
# folder, splits them into train and eval parts and adds the model's folder.
if [ -z "$only" ] || [ "$only" = train ]; then
  stories_home train_home
  E2E_TRAIN=1 scenario train 0 "" "$train_home"
  echo "e2e: the runs in $train_home:"
  "$bin/hone" --data-dir "$train_home" runs
fi

# The Chat screen compares stories260K with two adapters trained on it and
# runs an arena match: the command line adds the model's folder and trains
# the adapters (alpha, beta: a few steps each on 30 rows of banking77).
if [ -z "$only" ] || [ "$only" = chat ]; then
  stories_home chat_home
  # Different seeds and learning rates: two adapters that answer differently.
  for spec in alpha:1:0.005 beta:2:0.02; do
    IFS=: read -r name seed lr <<<"$spec"
    "$bin/hone" --data-dir "$chat_home" train --model "$testdata/models/stories260K/stories260K.bin" --dataset 2 \
      --max-steps 6 --seq 64 --batch 2 --accum 1 --seed "$seed" --lr "$lr" --name "$name" --json >/dev/null
  done
  E2E_CHAT=1 scenario chat 0 "" "$chat_home"
fi

# A damaged database: the window explains, and the file stays as it was.
damaged=$(mktemp -d)
printf 'my notes, not a database\n' >"$damaged/hone.db"
cp "$damaged/hone.db" "$out/damaged-before.db"
HONE_E2E_DAMAGED_DB="$damaged/hone.db" scenario damaged-db 0 "" "$damaged"
cmp "$damaged/hone.db" "$out/damaged-before.db" || { echo "e2e: FAIL, the damaged database was changed"; exit 1; }
echo "e2e: the damaged database is unchanged"
