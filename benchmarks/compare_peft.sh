#!/usr/bin/env bash
# frost's LoRA kind against Hugging Face PEFT on PyTorch, in one run: LoRA r = 8 on query + value
# (alpha 16, base frozen, classifier trained), batch 8 x 128 tokens, 2 threads, AdamW, medians of
# STEPS timed steps after a warm-up; one process per measurement so that peak RSS is its own.
#   bash benchmarks/compare_peft.sh [STEPS]     (needs build/tools/cli/frost and tools/setup-hf-python.sh)
# PyTorch: Debian's python3-torch (what tools/setup-hf-python.sh installs) with peft 0.13.2, or the
# Python in PYTHON (e.g. tools/setup-bench-python.sh's PyPI torch venv with `pip install peft==0.13.2`).
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-5}
FROST=${FROST:-build/tools/cli/frost}
PYTHON=${PYTHON:-/usr/bin/python3}
[ "$PYTHON" != /usr/bin/python3 ] || bash tools/setup-hf-python.sh >/dev/null
echo "PyTorch: $("$PYTHON" -c 'import torch, peft; print("torch", torch.__version__, "peft", peft.__version__)')" >&2
export OMP_NUM_THREADS=2
printf '| geometry | trainable (frost / PEFT) | frost ms/step | PEFT ms/step | speed-up | frost peak RSS | PEFT peak RSS | RSS ratio |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|\n'
for geom in minilm bert-base; do
  f=$("$FROST" bench --geometry "$geom" --freeze bert --lora-r 8 --steps "$STEPS" --forwards 1)
  p=$("$PYTHON" benchmarks/pytorch_step.py "$geom" lora-r8 "$STEPS" 1 2>/dev/null)
  /usr/bin/python3 - "$geom" "$f" "$p" <<'PY'
import json, sys
g, f, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
mib = lambda b: b / 2**20
print(f"| {g} | {f['trainable_params']:,} / {p['trainable_params']:,} | {f['step_ms_median']:.0f} | {p['step_ms_median']:.0f} | "
      f"{p['step_ms_median'] / f['step_ms_median']:.2f}x | {mib(f['peak_rss_bytes']):.0f} MiB | {mib(p['peak_rss_bytes']):.0f} MiB | "
      f"{f['peak_rss_bytes'] / p['peak_rss_bytes']:.2f} |")
PY
done
