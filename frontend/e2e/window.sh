#!/usr/bin/env bash
# Starts the production build in a real window under Xvfb and screenshots it.
# Fails unless a window titled "Hone" appears and paints the System screen.
#   window.sh BINARY [SCREENSHOT.png]
set -euo pipefail
bin=$(realpath "$1")
shot=${2:-$(mktemp -d)/window.png}

if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

home=$(mktemp -d)
HONE_HOME="$home" "$bin" >"$home/app.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

window=""
for _ in $(seq 1 60); do
  window=$(xwininfo -root -tree | grep -E '"Hone": \("hone" "Hone"\)' || true)
  [ -n "$window" ] && break
  kill -0 $pid 2>/dev/null || { cat "$home/app.log"; echo "window: FAIL, hone exited"; exit 1; }
  sleep 0.5
done
if [ -z "$window" ]; then
  cat "$home/app.log"
  echo "window: FAIL, no window titled Hone within 30 s"
  exit 1
fi
echo "window: $window"
id=$(awk '{print $1}' <<<"$window")

# A painted System screen has text and bars: many distinct colours. A blank
# or still-loading window has a handful.
for _ in $(seq 1 40); do
  /usr/bin/import -window "$id" "$shot"
  colours=$(/usr/bin/identify -format '%k' "$shot")
  [ "$colours" -gt 200 ] && break
  sleep 0.5
done
echo "window: screenshot $shot ($colours colours)"
if [ "$colours" -le 200 ]; then
  echo "window: FAIL, the window stayed blank"
  exit 1
fi
echo "window: 1 passed, 0 failed"
