#!/usr/bin/env bash
# PyTorch (Debian's python3-torch) + transformers (PyPI, pinned) for /usr/bin/python3: what the
# fixture generators and the HF round-trip check use. Exit 1 if they cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if /usr/bin/python3 -c "import torch, transformers, safetensors, peft" >/dev/null 2>&1; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch python3-numpy python3-pip python3-psutil python3-yaml >/dev/null || exit 1
$SUDO /usr/bin/python3 -m pip install --quiet --break-system-packages -r tools/requirements-fixtures.txt || exit 1
# PEFT (and accelerate, which it imports) without their dependencies: pip would otherwise replace
# Debian's torch with a multi-GB wheel. Their other needs: psutil and yaml from Debian (above), tqdm
# and packaging with transformers.
$SUDO /usr/bin/python3 -m pip install --quiet --break-system-packages --no-deps -r tools/requirements-peft.txt || exit 1
/usr/bin/python3 -c "import torch, transformers, safetensors, peft" >/dev/null 2>&1
