#!/usr/bin/env bash
# Sets everything up, builds the examples and runs the demo (then the five seed recipes' plans).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-debian.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFROST_BUILD_EXAMPLES=ON -DFROST_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target demo 02_freeze_all_bert 03_freeze_lower_layers
./build/examples/demo
