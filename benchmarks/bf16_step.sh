#!/usr/bin/env bash
# bf16 mixed precision: step time per freeze policy, fp32 vs bf16, frost and PyTorch side by side in
# one run (the performance issue's item 8). frost: `frost bench` and `frost bench --bf16` (portable
# oneDNN build: bf16 GEMM inputs, float accumulation); PyTorch: benchmarks/pytorch_step.py with and
# without torch.autocast("cpu", torch.bfloat16), HF Trainer's --bf16 on a CPU. Same shapes (batch 8
# x 128 tokens), 2 threads, medians of repeated steps, runs interleaved (fp32 then bf16 per policy)
# so that a drifting clock hits both alike.
# Writes out/bench/bf16_runs.jsonl and out/bench/bf16_step.md (also printed).
# usage: bash benchmarks/bf16_step.sh      (about 15 minutes on 2 cores, build included)
#        TORCH_PYTHON=/path/to/python STEPS_BASE=3 STEPS_MINI=6 bash benchmarks/bf16_step.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/bench
mkdir -p "$OUT"
STEPS_BASE=${STEPS_BASE:-3}
STEPS_MINI=${STEPS_MINI:-6}
export OMP_NUM_THREADS=2
bash tools/setup-debian.sh >/dev/null
bash benchmarks/build_bench.sh build-bench-dnnl frost_cli -DFROST_DNNL=ON
FROST=./build-bench-dnnl/tools/cli/frost
if ! "$FROST" bench --geometry minilm --steps 1 --forwards 1 --batch-size 1 --seq-len 8 --bf16 >/dev/null 2>"$OUT/bf16_probe.err"; then
  echo "bf16_step: frost cannot run bf16 GEMMs here: $(cat "$OUT/bf16_probe.err")" >&2
  exit 1
fi
# The fastest PyTorch set up here: the PyPI venv of compare_pytorch.sh, else Debian's.
TORCH=${TORCH_PYTHON:-}
if [ -z "$TORCH" ]; then
  if [ -x build-bench/venv-torch/bin/python ]; then TORCH=build-bench/venv-torch/bin/python; else
    bash tools/setup-hf-python.sh >/dev/null 2>&1 && TORCH=/usr/bin/python3
  fi
fi

RUNS="$OUT/bf16_runs.jsonl"
: > "$RUNS"
run() {  # framework precision geometry policy steps
  local fw=$1 prec=$2 geom=$3 pol=$4 steps=$5 line flag=""
  [ "$prec" = bf16 ] && flag="--bf16"
  case $fw in
    frost) line=$("$FROST" bench --geometry "$geom" --freeze "$pol" --steps "$steps" --forwards 3 $flag) ;;
    torch) line=$("$TORCH" benchmarks/pytorch_step.py "$geom" "$pol" "$steps" 3 "$prec") ;;
  esac
  echo "{\"framework\": \"$fw\", \"precision\": \"$prec\", \"geometry\": \"$geom\", \"policy\": \"$pol\", \"result\": $line}" >> "$RUNS"
  printf 'bf16_step: %-6s %-5s %-9s %-22s %8.0f ms/step\n' "$fw" "$prec" "$geom" "$pol" \
    "$(echo "$line" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["step_ms_median"])')" >&2
}
FRAMEWORKS=(frost)
[ -n "$TORCH" ] && FRAMEWORKS+=(torch)
for geom in minilm bert-base; do
  if [ "$geom" = minilm ]; then steps=$STEPS_MINI; pols=("none" "embeddings,layers:0-4" "bert" "bitfit"); else
    steps=$STEPS_BASE; pols=("none" "embeddings,layers:0-8" "bert" "bitfit"); fi
  for pol in "${pols[@]}"; do
    for fw in "${FRAMEWORKS[@]}"; do
      run "$fw" fp32 "$geom" "$pol" "$steps"
      run "$fw" bf16 "$geom" "$pol" "$steps"
    done
  done
done

/usr/bin/python3 - "$RUNS" "$OUT/bf16_step.md" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
cell = {(r["framework"], r["precision"], r["geometry"], r["policy"]): r["result"] for r in runs}
frost = next(r["result"] for r in runs if r["framework"] == "frost")
torch = next((r["result"] for r in runs if r["framework"] == "torch"), None)
lines = [f"bf16 vs fp32 step time (batch 8 x 128, {frost['threads']} threads; frost {frost['gemm_description']}, "
         f"kernels {frost['kernel_isa']}" + (f"; PyTorch {torch['torch']}" if torch else "") + ")", "",
         "| geometry | policy | frost fp32 ms | frost bf16 ms | frost bf16 gain | PyTorch fp32 ms | PyTorch autocast bf16 ms "
         "| PyTorch bf16 gain | frost bf16 vs PyTorch bf16 |",
         "|---|---|---:|---:|---|---:|---:|---|---:|"]
for (fw, prec, geom, pol), r in cell.items():
    if fw != "frost" or prec != "fp32":
        continue
    fb = cell[("frost", "bf16", geom, pol)]["step_ms_median"]
    ff = r["step_ms_median"]
    tf = cell.get(("torch", "fp32", geom, pol))
    tb = cell.get(("torch", "bf16", geom, pol))
    t = (f"{tf['step_ms_median']:.0f} | {tb['step_ms_median']:.0f} | {tf['step_ms_median'] / tb['step_ms_median']:.2f}x | "
         f"{tb['step_ms_median'] / fb:.2f}x") if tf and tb else "- | - | - | -"
    lines.append(f"| {geom} | {pol} | {ff:.0f} | {fb:.0f} | {ff / fb:.2f}x | {t} |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
