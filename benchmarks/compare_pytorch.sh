#!/usr/bin/env bash
# frost vs PyTorch on the same CPU, same shapes, same threads, in one run (the performance issue's
# measurement). Every (framework, geometry, policy) runs in its own process so that its peak RSS is
# its own; each reports medians of repeated steps. Writes into out/bench/:
#   runs.jsonl          one JSON object per process run (raw data)
#   compare_pytorch.md  the tables (also printed)
#   compare_pytorch.json
#   fma_peak.json       the measured FP32 FMA peak (benchmarks/fma_peak.cpp; the median of one
#                       measurement per round), the "% of peak" base
#   freezing.png        step time vs frozen layers, measured vs FLOP theory, PyTorch alongside
#
#   frost-dnnl   frost with the oneDNN GEMM backend (Debian libdnnl-dev): the build the demo uses
#   frost-blas   frost with the BLAS GEMM backend (Debian OpenBLAS, OpenMP variant)
#   frost-eigen  frost with the default Eigen GEMM backend
#   torch-pypi   PyTorch from PyPI (the best build installable here: MKL + oneDNN), in a venv
#   torch-debian Debian's python3-torch (1.13, OpenBLAS), where installed
# usage: bash benchmarks/compare_pytorch.sh        (about 15 minutes on 2 cores, builds included)
#        STEPS_BASE=4 STEPS_MINI=8 TORCH_VENV=/path/to/venv bash benchmarks/compare_pytorch.sh
#        FRAMEWORKS="frost-dnnl torch-pypi" bash benchmarks/compare_pytorch.sh   (those only, ~10 min)
#        ROUNDS=3 ...                        (every cell three times, interleaved; medians per cell)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/bench
mkdir -p "$OUT"
STEPS_BASE=${STEPS_BASE:-4}
STEPS_MINI=${STEPS_MINI:-8}
ROUNDS=${ROUNDS:-1}
export OMP_NUM_THREADS=2
bash tools/setup-debian.sh >/dev/null

# Portable builds (no -march=native): the binaries a user installs. oneDNN and frost's own kernels
# choose their instruction set at run time.
ONLY=${FRAMEWORKS:-}
wanted() { [ -z "$ONLY" ] || [[ " $ONLY " == *" $1 "* ]]; }
for be in dnnl eigen blas; do
  wanted "frost-$be" || [ "$be" = dnnl ] || continue  # dnnl's build also measures the FMA peak
  extra=()
  [ "$be" = blas ] && extra=(-DFROST_BLAS=ON)
  [ "$be" = dnnl ] && extra=(-DFROST_DNNL=ON)
  echo "compare: building frost ($be GEMM backend)" >&2
  bash benchmarks/build_bench.sh "build-bench-$be" "frost_cli bench_frost fma_peak" "${extra[@]}"
done
TORCH_PYPI=$(bash tools/setup-bench-python.sh "${TORCH_VENV:-build-bench/venv-torch}")
TORCH_DEBIAN=""
if wanted torch-debian && bash tools/setup-hf-python.sh >/dev/null 2>&1; then TORCH_DEBIAN=/usr/bin/python3; fi

RUNS="$OUT/runs.jsonl"
: > "$RUNS"
run() {  # framework geometry policy steps forwards
  local fw=$1 geom=$2 pol=$3 steps=$4 fwds=$5 line
  case $fw in
    frost-dnnl) line=$(./build-bench-dnnl/tools/cli/frost bench --geometry "$geom" --freeze "$pol" --steps "$steps" --forwards "$fwds") ;;
    frost-eigen) line=$(./build-bench-eigen/tools/cli/frost bench --geometry "$geom" --freeze "$pol" --steps "$steps" --forwards "$fwds") ;;
    # OpenBLAS: the benchmark picks the CPU's own kernels (it may unset OPENBLAS_CORETYPE/L2_SIZE for
    # its own command only; the core it ran is in gemm_description).
    frost-blas) line=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ./build-bench-blas/tools/cli/frost bench \
                         --geometry "$geom" --freeze "$pol" --steps "$steps" --forwards "$fwds") ;;
    torch-pypi) line=$("$TORCH_PYPI" benchmarks/pytorch_step.py "$geom" "$pol" "$steps" "$fwds") ;;
    torch-debian) line=$("$TORCH_DEBIAN" benchmarks/pytorch_step.py "$geom" "$pol" "$steps" "$fwds") ;;
  esac
  echo "{\"framework\": \"$fw\", \"result\": $line}" >> "$RUNS"
  printf 'compare: %-12s %-9s %-22s %8.0f ms/step\n' "$fw" "$geom" "$pol" \
    "$(echo "$line" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["step_ms_median"])')" >&2
}

TABLE_BASE=("none" "embeddings,layers:0-8" "bert" "bitfit")
SWEEP_BASE=("embeddings,layers:0-2" "embeddings,layers:0-4" "embeddings,layers:0-6" "embeddings,layers:0-10" "embeddings,layers:0-12")
TABLE_MINI=("none" "embeddings,layers:0-4" "bert" "bitfit")
FRAMEWORKS=()
for fw in frost-dnnl frost-blas frost-eigen torch-pypi; do wanted "$fw" && FRAMEWORKS+=("$fw"); done
[ -n "$TORCH_DEBIAN" ] && wanted torch-debian && FRAMEWORKS+=(torch-debian)
# Cell by cell, every framework one after the other, so that the two sides of a ratio are
# measured minutes apart, not a whole table apart (this VM's speed drifts by up to 30% within
# minutes); ROUNDS > 1 repeats everything and report.py takes each cell's median over the rounds.
PEAKS="$OUT/fma_peaks.jsonl"
: > "$PEAKS"
for round in $(seq "$ROUNDS"); do
  ./build-bench-dnnl/benchmarks/fma_peak | tail -1 >> "$PEAKS"
  echo "compare: round $round, FMA peak $(tail -1 "$PEAKS")" >&2
  for p in "${TABLE_BASE[@]}"; do for fw in "${FRAMEWORKS[@]}"; do run "$fw" bert-base "$p" "$STEPS_BASE" 3; done; done
  for p in "${TABLE_MINI[@]}"; do for fw in "${FRAMEWORKS[@]}"; do run "$fw" minilm "$p" "$STEPS_MINI" 5; done; done
  for p in "${SWEEP_BASE[@]}"; do
    for fw in frost-dnnl torch-pypi; do wanted "$fw" && run "$fw" bert-base "$p" "$STEPS_BASE" 3; done
  done
done
# The "% of peak" base: the median round's peak.
/usr/bin/python3 -c 'import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted(rows, key=lambda r: r["gflops"])[len(rows) // 2]))' "$PEAKS" > "$OUT/fma_peak.json"
# Where the time goes (frost bench --profile), before (Eigen) and after (oneDNN), full step.
PROFILES="$OUT/profiles.jsonl"
: > "$PROFILES"
for be in eigen dnnl; do
  wanted "frost-$be" || continue
  for g in bert-base minilm; do
    line=$(./build-bench-$be/tools/cli/frost bench --geometry "$g" --freeze none --steps 2 --forwards 1 --profile 2>/dev/null)
    echo "{\"backend\": \"$be\", \"result\": $line}" >> "$PROFILES"
    echo "compare: profiled $be $g" >&2
  done
done
/usr/bin/python3 benchmarks/report.py "$RUNS" "$OUT"
