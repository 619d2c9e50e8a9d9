#!/usr/bin/env bash
# clang-tidy over frost's public headers (.clang-tidy at the root: its checks, zero warnings).
# One translation unit includes every public header and instantiates the float model, so template
# code is checked as it is used. Exit status non-zero on any warning.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build-tidy
# Inside the tree, so clang-tidy finds the root .clang-tidy.
cat > build-tidy/all_headers.cpp <<'CPP'
#include <frost/frost.hpp>
#include <frost/text/bert_tokenizer.hpp>
#include <frost/io/xtensor.hpp>
#include <frost/instances.hpp>
FROST_INSTANTIATE_FLOAT_MODEL()
CPP
EIGEN_INC=$(pkg-config --cflags-only-I eigen3 2>/dev/null | sed 's/-I//' || true)
EIGEN_INC=${EIGEN_INC:-/usr/include/eigen3}
TIDY=$(command -v clang-tidy || command -v clang-tidy-14)
out=$("$TIDY" build-tidy/all_headers.cpp --quiet -- -std=c++20 -Iinclude -isystem $EIGEN_INC -fopenmp 2>&1) || status=$?
echo "$out" | grep -E "warning:|error:" || true
n=$(echo "$out" | grep -cE "(warning|error):" || true)
echo "clang-tidy: $n finding(s) in include/frost"
exit $(( n > 0 || ${status:-0} != 0 ))
