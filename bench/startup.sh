#!/usr/bin/env bash
# Prints the size of the desktop and headless binaries and the time from
# start to the first painted window (median of N runs, under Xvfb).
# Targets: binary under 40 MB without models; first paint under 1.5 s on 2 cores.
#   bench/startup.sh [DESKTOP_BINARY] [HEADLESS_BINARY] [RUNS]
set -euo pipefail
desktop=$(realpath "${1:-build/bin/hone}")
headless=${2:-build/bin/hone-headless}
runs=${3:-7}

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$desktop" "$headless" "$runs"
fi

size() { stat -c %s "$2" | awk -v name="$1" '{printf "%s: %.1f MB (%d bytes)\n", name, $1 / 1e6, $1}'; }
size "desktop binary " "$desktop"
[ -f "$headless" ] && size "headless binary" "$headless"

home=$(mktemp -d)
times=()
for i in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  ms=""
  # The app prints "hone: first paint" once the UI says its first screen is
  # painted, then quits (HONE_STARTUP_PROBE).
  while IFS= read -r line; do
    case $line in
      "hone: first paint"*) ms=$((($(date +%s%N) - start) / 1000000)); break ;;
    esac
  done < <(HONE_HOME="$home" HONE_STARTUP_PROBE=1 timeout 60 "$desktop" 2>/dev/null)
  [ -n "$ms" ] || { echo "run $i: no first paint within 60 s"; exit 1; }
  # The first run also creates the database: report it apart.
  echo "run $i: first paint after $ms ms"
  times+=("$ms")
  sleep 0.5
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "first paint: median $median ms over $runs runs (target < 1500 ms)"
