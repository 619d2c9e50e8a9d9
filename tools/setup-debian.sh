#!/usr/bin/env bash
# Installs frost's build and test dependencies from Debian 12 packages (idempotent).
set -euo pipefail
# ocl-icd-opencl-dev: Debian's oneDNN CMake package (dnnl-config.cmake) requires OpenCL's headers and
# libOpenCL.so (its GPU runtime is OpenCL) although libdnnl-dev does not depend on them.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PKGS=(build-essential cmake ninja-build pkg-config clang libomp-dev libclang-rt-14-dev clang-format clang-tidy libeigen3-dev nlohmann-json3-dev xtensor-dev libgtest-dev libbenchmark-dev libutf8proc-dev libcli11-dev libopenblas-openmp-dev libdnnl-dev ocl-icd-opencl-dev gnuplot-nox python3-pip ccache libopenmpi-dev openmpi-bin)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all Debian packages present"
fi
