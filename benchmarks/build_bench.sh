#!/usr/bin/env bash
# The benchmark builds, one definition for every benchmarks/*.sh that times a portable (or native)
# frost: Release, tests and examples off, the CLI and benchmarks on, ccache when installed.
# usage: bash benchmarks/build_bench.sh DIR "TARGET..." [CMAKE_FLAG...]
#   e.g. bash benchmarks/build_bench.sh build-bench-dnnl frost_cli -DFROST_DNNL=ON
# Quiet on success; cmake's output on failure (set -e stops the caller).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1
targets=$2
shift 2
LAUNCHER=()
if command -v ccache >/dev/null 2>&1; then LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DFROST_BUILD_TESTS=OFF -DFROST_BUILD_EXAMPLES=OFF \
      -DFROST_BUILD_CLI=ON -DFROST_BUILD_BENCHMARKS=ON "$@" "${LAUNCHER[@]}" >/dev/null
# shellcheck disable=SC2086  # targets: a space-separated list
cmake --build "$dir" --target $targets -j"$(nproc)" >/dev/null
