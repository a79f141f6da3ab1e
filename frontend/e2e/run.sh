#!/usr/bin/env bash
# Runs the end-to-end tests: for each GPU scenario, start `wails dev` under
# Xvfb with a fresh data folder, drive the UI in headless Chromium, stop it.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:$(go env GOPATH)/bin"
out=${HONE_E2E_OUT:-$(mktemp -d)}
mkdir -p "$out"

scenario() { # name gpus fake-spec
  local name=$1 gpus=$2 fake=$3 home log pid
  home=$(mktemp -d)
  log="$out/wails-dev-$name.log"
  echo "== e2e: $name"
  HONE_HOME="$home" HONE_FAKE_GPUS="$fake" setsid xvfb-run -a -s "-screen 0 1280x800x24" \
    wails dev -tags webkit2_41 -nocolour -m >"$log" 2>&1 &
  pid=$!
  trap "kill -- -$pid 2>/dev/null || true" RETURN
  for _ in $(seq 1 300); do
    curl -sf http://localhost:34115/ >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "wails dev exited"; return 1; }
    sleep 1
  done
  HONE_E2E_GPUS=$gpus HONE_E2E_SHOT="$out/system-$name.png" node frontend/e2e/system.e2e.mjs
}

scenario cpu-only 0 ""
scenario fake-2xrtx4090 2 2xrtx4090
