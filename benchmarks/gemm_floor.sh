#!/usr/bin/env bash
# How far can the step go? benchmarks/gemm_floor (the sum of a step's matrix products, each timed
# alone with frost's GEMM backend: the floor under any implementation that uses these GEMMs),
# frost's step and PyTorch's step (PyPI torch, PEFT for LoRA) for compare_pytorch.sh's four freeze
# policies and compare_peft.sh's LoRA, back to back per policy in ROUNDS rounds so that all three
# see the same machine; medians per column. "PyTorch / floor" is the largest speed-up over
# PyTorch that any implementation with these GEMMs could reach, with everything else free.
#   bash benchmarks/gemm_floor.sh [ROUNDS] [GEOMETRY]
# Needs build-bench-dnnl (benchmarks/build_bench.sh) and tools/setup-bench-python.sh's venv with
# peft 0.13.2 (benchmarks/compare_peft.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
GEOM=${2:-bert-base}
BUILD=${BUILD:-build-bench-dnnl}
PYTHON=${PYTHON:-build-bench/venv-torch/bin/python}
export OMP_NUM_THREADS=2
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
F=$([ "$GEOM" = minilm ] && echo 4 || echo 8)
POLICIES=(none "embeddings,layers:0-$F" bert bitfit lora-r8)
frost_step() {  # policy
  local freeze=(--freeze "$1")
  [ "$1" = lora-r8 ] && freeze=(--freeze bert --lora-r 8)
  "$BUILD/tools/cli/frost" bench --geometry "$GEOM" "${freeze[@]}" --steps 4 --forwards 1
}
torch_step() { "$PYTHON" benchmarks/pytorch_step.py "$GEOM" "$1" 4 1 2>/dev/null; }
# Per policy, the floor, frost and PyTorch back to back (this VM's speed drifts within minutes),
# frost before PyTorch in odd rounds and after it in even ones.
for r in $(seq "$ROUNDS"); do
  peak=$("$BUILD/benchmarks/fma_peak" | tail -1)
  for pol in "${POLICIES[@]}"; do
    floor=$("$BUILD/benchmarks/gemm_floor" "$GEOM")
    if [ $((r % 2)) = 1 ]; then
      f=$(frost_step "$pol")
      p=$(torch_step "$pol")
    else
      p=$(torch_step "$pol")
      f=$(frost_step "$pol")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$pol" "$peak" "$floor" "$f" "$p" >>"$rows"
  done
done
/usr/bin/python3 - "$rows" "$GEOM" <<'PY'
import json, statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
pols = list(dict.fromkeys(r[1] for r in rows))
med = statistics.median
print(f"{sys.argv[2]}, batch 8 x 128, fp32, 2 threads; {len(rows) // len(pols)} rounds (floor, frost and PyTorch back to back per policy), medians")
print(f"(FMA peak {med([json.loads(r[2])['gflops'] for r in rows]):.0f} GFLOP/s)\n")
print("| policy | GEMM floor ms | frost ms | PyTorch ms | frost / floor | PyTorch / floor (largest speed-up possible) | frost / floor that 1.5x allows | PyTorch / frost |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for pol in pols:
    sel = [r for r in rows if r[1] == pol]
    floor = [json.loads(r[3])["floor_ms"][pol] for r in sel]
    frost = [json.loads(r[4])["step_ms_median"] for r in sel]
    torch = [json.loads(r[5])["step_ms_median"] for r in sel]
    name = "LoRA r = 8, query + value (PEFT)" if pol == "lora-r8" else pol
    print(f"| {name} | {med(floor):.0f} | {med(frost):.0f} | {med(torch):.0f} | "
          f"{med([a / b for a, b in zip(frost, floor)]):.2f} | {med([a / b for a, b in zip(torch, floor)]):.2f}x | "
          f"{med([a / b / 1.5 for a, b in zip(torch, floor)]):.2f} | {med([a / b for a, b in zip(torch, frost)]):.2f}x |")
print("\nPer round (floor / frost / PyTorch ms):")
for r in rows:
    print(f"- round {r[0]} {r[1]}: {json.loads(r[3])['floor_ms'][r[1]]:.0f} / {json.loads(r[4])['step_ms_median']:.0f} / "
          f"{json.loads(r[5])['step_ms_median']:.0f}")
PY
