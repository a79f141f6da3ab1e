#!/usr/bin/env bash
# Serving figures on one GGUF, one machine, one run:
#   (a) llama.cpp built for this CPU (llamacpp-native.sh): llama-bench's
#       prefill and tg128 decode, and time to first token of Hone's
#       engine-bench prompt (the same rendered chat, 37 tokens for
#       SmolLM2) through llama-server, one streaming request at a time;
#   (b) llama-server (-np 8 -c 8192 --cont-batching) under the load tool:
#       1 and 8 concurrent streams;
#   (c) the references bench/engine/run.sh prints for that prompt: Hone's
#       engine in process and node-llama-cpp's prebuilt CPU binary;
#   (d) `hone serve` under the same load tool, base and LoRA adapters (a
#       folder of adapters in HONE_ADAPTERS_DIR: 8 and 25 of them), when
#       the Hone binary has that command.
# Servers listen on 127.0.0.1 only and are stopped when the script ends.
#   bench/serve/run.sh [GGUF] [THREADS]
# Env: HONE_BIN (default build/bin/hone-headless), HONE_ADAPTERS_DIR,
# HONE_LOAD_EXTRA (JSON merged into Hone's requests), LLAMA_PORT, HONE_PORT,
# REQUESTS (per concurrent run, default 16), MAX_TOKENS (default 128).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
gguf=$(realpath "${1:-${HONE_SMOLLM2_GGUF:?set HONE_SMOLLM2_GGUF or pass the GGUF}}")
threads=${2:-$(nproc)}
hone_bin=${HONE_BIN:-$root/build/bin/hone-headless}
requests=${REQUESTS:-16}
max_tokens=${MAX_TOKENS:-128}
lport=${LLAMA_PORT:-18431}
hport=${HONE_PORT:-18432}
# A question whose answer runs past max_tokens, so that every stream
# decodes about as long (llama-server also gets ignore_eos).
load_prompt=${LOAD_PROMPT:-Write a long story about a dragon who learns to cook.}

work=$(mktemp -d)
server_pid=
stop_server() {
  [ -n "$server_pid" ] || return 0
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

"$here/llamacpp-native.sh" "$gguf"
bin=$root/.cache/llama.cpp-native/bin
(cd "$root" && go build -o "$work/load" ./bench/serve/load && go build -o "$work/hone-engine-bench" ./bench/engine/hone)

# start_server runs "$@" in the background, logging to $work/NAME.log, and
# waits for GET /v1/models to answer on PORT; a server that exits first
# fails the step with its log's tail.
start_server() {
  local name=$1 port=$2; shift 2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "port $port is in use (set LLAMA_PORT / HONE_PORT)" >&2
    return 1
  fi
  "$@" >"$work/$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 600); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "$name exited while starting:" >&2
      tail -20 "$work/$name.log" >&2
      server_pid=
      return 1
    fi
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "http://127.0.0.1:$port/v1/models" 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "$name not ready after 300 s" >&2
  return 1
}

# load runs the load tool against PORT; a failed run (errors, mismatches)
# is reported and the script goes on.
load() {
  local port=$1; shift
  "$work/load" -url "http://127.0.0.1:$port/v1" -max-tokens "$max_tokens" -prompt "$load_prompt" "$@" \
    || echo "  (load tool exited $?: see above)"
}

# Every figure is wall time: on a shared machine the load average says how
# much of the CPU the run had.
loadavg() { echo "load average $(cut -d' ' -f1-3 /proc/loadavg) ($1)"; }
echo "model $(basename "$gguf"), $threads threads, CPU:$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores"
loadavg "start"
"$work/hone-engine-bench" -gguf "$gguf" prompt >"$work/prompt.txt"
GOMAXPROCS=$threads "$work/hone-engine-bench" -gguf "$gguf" -n 128 decode >"$work/hone-decode.txt"
prompt_tokens=$(grep -o 'prompt [0-9]* tokens' "$work/hone-decode.txt" | grep -o '[0-9]*')

echo
echo "== (a) llama.cpp native: $(head -1 "$bin/build-info.txt")"
"$bin/llama-bench" -m "$gguf" -t "$threads" -p "$prompt_tokens" -n 128 -r 3 -o md 2>/dev/null
start_server llama-server "$lport" "$bin/llama-server" -m "$gguf" --host 127.0.0.1 --port "$lport" \
  -t "$threads" -tb "$threads" -np 8 -c 8192 --cont-batching
# cache_prompt false: every request prefills its prompt, as the first one does.
llama_extra='{"cache_prompt":false,"ignore_eos":true}'
load "$lport" -label "llama-server time to first token, engine-bench prompt, 1 token" \
  -chat=false -prompt-file "$work/prompt.txt" -max-tokens 1 -concurrency 1 -requests 5 -extra "$llama_extra"

echo
echo "== (b) llama-server native, -np 8 -c 8192 --cont-batching, $threads threads, chat, $max_tokens tokens (ignore_eos)"
load "$lport" -label "batch 1" -concurrency 1 -requests 4 -extra "$llama_extra"
load "$lport" -label "8 concurrent" -concurrency 8 -requests "$requests" -extra "$llama_extra" -verify
stop_server
loadavg "after llama.cpp"

echo
echo "== (c) the same engine-bench prompt in process (bench/engine/run.sh's decode figures)"
cat "$work/hone-decode.txt"
[ -d "$root/bench/engine/node_modules/node-llama-cpp" ] || npm ci --prefix "$root/bench/engine" --no-audit --no-fund >/dev/null 2>"$work/npm.log" \
  || { cat "$work/npm.log"; exit 1; }
(cd "$root/bench/engine" && node llamacpp.mjs "$gguf" "$threads" 128 "$work/prompt.txt") | sed 's/^llama.cpp/node-llama-cpp prebuilt/'

loadavg "after the references"

echo
echo "== (d) hone serve ($hone_bin)"
# A build without the command answers `serve --help` with the root help,
# exit 0, which lists no `hone serve`.
"$hone_bin" serve --help >"$work/hone-serve-help.txt" 2>&1 || true
if ! grep -qE '^\s*hone serve( |$)' "$work/hone-serve-help.txt"; then
  echo "hone serve: not available in this build"
  exit 0
fi
hone_extra=()
[ -z "${HONE_LOAD_EXTRA:-}" ] || hone_extra=(-extra "$HONE_LOAD_EXTRA")
# Loopback only: pass the address where the command takes one, and check
# what it listens on in any case.
hone_host=()
grep -q -- '--host' "$work/hone-serve-help.txt" && hone_host=(--host 127.0.0.1)
adapters=()
[ -z "${HONE_ADAPTERS_DIR:-}" ] || mapfile -t adapters < <(find "$HONE_ADAPTERS_DIR" -mindepth 1 -maxdepth 1 -type d | sort)

# start_hone runs hone serve with the adapters given as NAME=DIR.
start_hone() {
  local flags=() a
  for a in "$@"; do flags+=(--adapter "$a"); done
  start_server hone-serve "$hport" env GOMAXPROCS="$threads" "$hone_bin" serve --model "$gguf" \
    "${flags[@]}" --port "$hport" "${hone_host[@]}" || return 1
  if ! listens_on_loopback_only "$hport"; then
    echo "hone serve listens beyond 127.0.0.1 on port $hport: stopped" >&2
    stop_server
    return 1
  fi
}

# listens_on_loopback_only: every listening socket on PORT is 127.0.0.1 or
# ::1 (from /proc/net/tcp and tcp6: state 0A is LISTEN).
listens_on_loopback_only() {
  local hex; hex=$(printf '%04X' "$1")
  ! awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p &&
    $2 !~ /^0100007F:/ && $2 !~ /^00000000000000000000000001000000:/ { bad = 1 } END { exit !bad }' \
    /proc/net/tcp /proc/net/tcp6
}

echo "-- the base alone"
if start_hone; then
  load "$hport" -label "hone batch 1 (base)" -concurrency 1 -requests 4 "${hone_extra[@]}"
  load "$hport" -label "hone 8 concurrent (base)" -concurrency 8 -requests "$requests" -verify "${hone_extra[@]}"
  stop_server
fi
[ ${#adapters[@]} -gt 0 ] || { echo "HONE_ADAPTERS_DIR not set or empty: no adapter runs"; exit 0; }
for n in 8 25; do
  if [ ${#adapters[@]} -lt "$n" ]; then
    echo "-- $n adapters: only ${#adapters[@]} in $HONE_ADAPTERS_DIR, skipped"
    continue
  fi
  names=() specs=()
  for d in "${adapters[@]:0:n}"; do names+=("$(basename "$d")"); specs+=("$(basename "$d")=$d"); done
  echo "-- $n adapters loaded"
  start_hone "${specs[@]}" || continue
  all=$(IFS=,; echo "${names[*]}")
  load "$hport" -label "hone batch 1 (adapter ${names[0]})" -models "${names[0]}" -concurrency 1 -requests 4 "${hone_extra[@]}"
  load "$hport" -label "hone 8 concurrent over $n adapters" -models "$all" -concurrency 8 -requests "$(( n > requests ? n : requests ))" -verify "${hone_extra[@]}"
  load "$hport" -label "hone 8 concurrent on one adapter" -models "${names[0]}" -concurrency 8 -requests "$requests" -verify "${hone_extra[@]}"
  stop_server
done
