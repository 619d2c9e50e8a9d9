#!/usr/bin/env bash
# Prints the CMake flag that selects frost's fastest CPU GEMM backend installed here: oneDNN
# (-DFROST_DNNL=ON, Debian libdnnl-dev: kernels picked from CPUID at run time, no environment
# variable to get right) when its CMake package is present, else the Eigen default
# (-DFROST_DNNL=OFF, with a note on stderr). Used by tools/run-demo.sh and tools/run-tests.sh.
set -euo pipefail
for d in /usr/lib/*/cmake/dnnl /usr/lib/cmake/dnnl /usr/local/lib/cmake/dnnl /usr/local/lib/*/cmake/dnnl; do
  if [ -f "$d/dnnl-config.cmake" ]; then
    echo "-DFROST_DNNL=ON"
    exit 0
  fi
done
echo "gemm-backend: oneDNN (libdnnl-dev) not found; building with the Eigen GEMM backend" >&2
echo "-DFROST_DNNL=OFF"
