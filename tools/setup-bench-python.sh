#!/usr/bin/env bash
# PyTorch from PyPI (the newest wheel pip resolves; it bundles MKL and oneDNN) + transformers in
# a venv, for benchmarks/compare_pytorch.sh, plus ONNX Runtime and onnx for
# benchmarks/predict_throughput.sh. About 5.5 GB (the wheel pulls CUDA runtime packages
# even though the benchmark runs on the CPU). Prints the venv's python path on success.
# Usage: bash tools/setup-bench-python.sh [VENV_DIR]   (default: ./build-bench/venv-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-build-bench/venv-torch}
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import torch, transformers" >/dev/null 2>&1; then
  bash tools/setup-debian.sh >/dev/null
  dpkg-query -W -f='${Status}' python3-venv 2>/dev/null | grep -q "install ok installed" || \
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --upgrade pip >&2
  "$VENV/bin/pip" install --quiet torch "transformers==4.46.3" numpy >&2
fi
"$VENV/bin/python" -c "import onnxruntime, onnx" >/dev/null 2>&1 || "$VENV/bin/pip" install --quiet onnxruntime onnx >&2
echo "$(cd "$VENV" && pwd)/bin/python"
