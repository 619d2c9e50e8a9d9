#!/usr/bin/env bash
# Sets everything up and runs frost's whole test suite:
#   1. Debian packages (tools/setup-debian.sh)
#   2. Release build of tests + examples, ctest
#   3. AddressSanitizer + UBSan build of the tests, ctest
#   4. cmake --install, then a separate consumer project using find_package(frost CONFIG)
# Usage: bash tools/run-tests.sh            (FROST_SKIP_ASAN=1 skips step 3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
bash tools/setup-debian.sh

echo "== release build"
start=$(date +%s)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFROST_BUILD_EXAMPLES=ON >/dev/null
cmake --build build -j"$JOBS"
echo "release build: $(( $(date +%s) - start )) s"
ctest --test-dir build --output-on-failure -j"$JOBS"

if [ "${FROST_SKIP_ASAN:-0}" != "1" ]; then
  echo "== AddressSanitizer + UBSan build"
  start=$(date +%s)
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
        -DFROST_SANITIZE=ON -DFROST_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build build-asan -j"$JOBS"
  echo "sanitizer build: $(( $(date +%s) - start )) s"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j"$JOBS" -E '^compile_fail\.'
fi

echo "== install + find_package(frost CONFIG) from a separate project"
rm -rf build-install build-consumer
cmake --install build --prefix "$ROOT/build-install" >/dev/null
cmake -S tests/consumer -B build-consumer -DCMAKE_PREFIX_PATH="$ROOT/build-install" >/dev/null
cmake --build build-consumer -j"$JOBS"
ctest --test-dir build-consumer --output-on-failure
