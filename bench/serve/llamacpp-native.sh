#!/usr/bin/env bash
# Builds llama.cpp's llama-server, llama-bench and llama-cli for this CPU
# (-march=native), from the llama.cpp source that the llama-cpp-python sdist
# vendors: the one copy of llama.cpp a user here can get through a package
# registry. node-llama-cpp's prebuilt binary is built for a generic x86-64;
# this is the figure llama.cpp gives at its best on the same machine.
#   bench/serve/llamacpp-native.sh [GGUF]
# Output: .cache/llama.cpp-native/bin/{llama-server,llama-bench,llama-cli}
# and build-info.txt beside them; a second run with both present does
# nothing. The GGUF (default $HONE_SMOLLM2_GGUF) is for the smoke run: a
# native build that dies on this CPU (an AVX-512 Xeon once gave SIGILL on
# AMX tile permission) is rebuilt with explicit instruction-set flags.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=$root/.cache/llama.cpp-native
bin=$cache/bin
version=${LLAMA_CPP_PYTHON_VERSION:-0.3.36}
gguf=${1:-${HONE_SMOLLM2_GGUF:-}}
jobs=${JOBS:-2}
targets=(llama-server llama-bench llama-cli)

if [ -x "$bin/llama-server" ] && [ -x "$bin/llama-bench" ] && [ -f "$bin/build-info.txt" ]; then
  echo "llama.cpp native: cached in $bin"
  cat "$bin/build-info.txt"
  exit 0
fi

# fetch_source unpacks llama-cpp-python's sdist and prints its vendored tree.
fetch_source() {
  local dl=$cache/dl src=$cache/src
  if [ ! -f "$src/CMakeLists.txt" ]; then
    mkdir -p "$dl" "$src"
    python3 -m pip download -q --no-deps --no-binary :all: "llama-cpp-python==$version" -d "$dl" >&2
    tar -xzf "$dl/llama_cpp_python-$version.tar.gz" -C "$src" --strip-components=3 \
      "llama_cpp_python-$version/vendor/llama.cpp"
    # The sdist has no git history: its changelog names the llama.cpp commit.
    tar -xzOf "$dl/llama_cpp_python-$version.tar.gz" "llama_cpp_python-$version/CHANGELOG.md" \
      | awk -v v="## [$version]" '$0 == v { on = 1; next } on && /^## / { exit } on' \
      | grep -m1 -o 'llama.cpp@[0-9a-f]*' >"$src/.upstream-commit" || true
    rm -rf "$dl"
  fi
  echo "$src"
}

ensure_cmake() {
  command -v cmake >/dev/null && return
  apt-get update -q >/dev/null && apt-get install -y -q cmake >/dev/null
}

# explicit_flags lists ggml's instruction-set options for what /proc/cpuinfo
# shows, AMX left out: the fallback for a native build that dies.
explicit_flags() {
  local f; f=$(grep -m1 '^flags' /proc/cpuinfo)
  local flags=(-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON)
  has() { [[ " $f " == *" $1 "* ]]; }
  has avx512f && flags+=(-DGGML_AVX512=ON)
  has avx512_vbmi && flags+=(-DGGML_AVX512_VBMI=ON)
  has avx512_vnni && flags+=(-DGGML_AVX512_VNNI=ON)
  has avx512_bf16 && flags+=(-DGGML_AVX512_BF16=ON)
  has avx_vnni && flags+=(-DGGML_AVX_VNNI=ON)
  has bmi2 && flags+=(-DGGML_BMI2=ON)
  has sse4_2 && flags+=(-DGGML_SSE42=ON)
  echo "${flags[@]}"
}

# build configures and compiles one variant; its binaries land in $2/bin.
build() {
  local src=$1 dir=$2; shift 2
  # No UI, no HTTPS, no downloads at build time: the server only has to
  # answer the load tool on loopback.
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
    -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
    -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF "$@" >"$dir.configure.log" 2>&1 \
    || { tail -30 "$dir.configure.log"; return 1; }
  grep -i 'CPU backend variant\|GGML_NATIVE\|Including CPU backend' "$dir.configure.log" || true
  cmake --build "$dir" -j "$jobs" --target "${targets[@]}" >"$dir.build.log" 2>&1 \
    || { tail -30 "$dir.build.log"; return 1; }
}

# smoke runs a tiny llama-bench; a build the CPU cannot run fails here.
smoke() {
  local dir=$1
  [ -n "$gguf" ] && [ -f "$gguf" ] || { echo "no GGUF for the smoke run: skipped"; return 0; }
  "$dir/bin/llama-bench" -m "$gguf" -p 8 -n 4 -r 1 -t "$(nproc)" >"$dir.smoke.log" 2>&1 \
    || { echo "smoke run failed (rc $?):"; tail -5 "$dir.smoke.log"; return 1; }
}

mkdir -p "$cache"
src=$(fetch_source)
ensure_cmake
variant=native
flags=(-DGGML_NATIVE=ON)
echo "llama.cpp native: building ${targets[*]} from llama-cpp-python $version's vendored llama.cpp, -j$jobs (this takes a while)"
if ! { build "$src" "$cache/build-native" "${flags[@]}" && smoke "$cache/build-native"; }; then
  variant=explicit
  read -r -a flags <<<"$(explicit_flags)"
  echo "llama.cpp native: native build failed or died; rebuilding with ${flags[*]}"
  build "$src" "$cache/build-explicit" "${flags[@]}"
  smoke "$cache/build-explicit"
fi

mkdir -p "$bin"
for t in "${targets[@]}"; do cp "$cache/build-$variant/bin/$t" "$bin/"; done
# What the build enabled: for a native build, what -march=native turns on
# here (the compiler's reading); for the fallback, the flags given.
if [ "$variant" = native ]; then
  march=-march=native
  isa=$(gcc -march=native -Q --help=target 2>/dev/null | awk '$2 == "[enabled]" {print $1}' \
    | grep -E '^-m(sse|avx|fma|f16c|bmi|amx)' | sed 's/^-m//' | tr '\n' ' ')
else
  march="-march left generic"
  isa=$(printf '%s\n' "${flags[@]}" | sed -n 's/^-DGGML_\(.*\)=ON$/\1/p' | tr 'A-Z\n' 'a-z ')
fi
commit=$(cat "$src/.upstream-commit" 2>/dev/null || true)
{
  echo "llama.cpp ${commit:-(commit unknown)} from llama-cpp-python $version, build $variant: ${flags[*]} -DCMAKE_BUILD_TYPE=Release"
  echo "compiler flags ${march:-(explicit)}; CPU features compiled in: $isa"
} >"$bin/build-info.txt"
cat "$bin/build-info.txt"
