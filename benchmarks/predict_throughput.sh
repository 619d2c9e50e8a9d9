#!/usr/bin/env bash
# `frost predict` throughput against PyTorch eager and ONNX Runtime (the performance issue's item 7),
# MiniLM and bert-base, batch 32, 2 threads, in one run. Two corpora: the SMS spam dev set (1,143
# real messages, dynamic padding: short batches) and the same messages repeated into long texts
# (every batch 32 x 128 tokens); bert-base reads the first BASE_EXAMPLES (default 320 = 10 batches)
# of each, to keep the run near 20 minutes. Every framework gets the batches `frost predict` forms (file order, padding to
# the longest example of the batch, truncation at 128) and is timed in the model only (tokenization
# excluded), median of 3 passes over the corpus after a warm-up batch; each reports its largest
# probability difference from frost's predictions.
#   bash benchmarks/predict_throughput.sh        (about 20 minutes on 2 cores after the builds)
# Writes out/bench/predict/{results.jsonl,predict_throughput.md}.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/bench/predict
mkdir -p "$OUT"
export OMP_NUM_THREADS=2
bash tools/setup-debian.sh >/dev/null
PY=$(bash tools/setup-bench-python.sh "${TORCH_VENV:-build-bench/venv-torch}")
MINILM=$(cd "$(bash tools/fetch-minilm.sh >/dev/null && echo models/all-MiniLM-L6-v2)" && pwd)

# The portable oneDNN build (the binary a user installs), as compare_pytorch.sh builds it.
bash benchmarks/build_bench.sh build-bench-dnnl frost_cli -DFROST_DNNL=ON
FROST=./build-bench-dnnl/tools/cli/frost

# Two classifier directories (seeded random heads; bert-base entirely random: no checkpoint here).
"$PY" - "$MINILM" "$OUT" <<'PY'
import os, shutil, sys, torch
from transformers import BertConfig, BertForSequenceClassification, AutoTokenizer
minilm, out = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
m = BertForSequenceClassification.from_pretrained(minilm, num_labels=2)
m.save_pretrained(f"{out}/minilm")
torch.manual_seed(0)
b = BertForSequenceClassification(BertConfig(num_labels=2))
b.save_pretrained(f"{out}/bert-base")
for d in ("minilm", "bert-base"):
    AutoTokenizer.from_pretrained(minilm).save_pretrained(f"{out}/{d}")
PY

# Corpora (text only: the heads are untrained): SMS dev as is; "long": each message repeated
# past 128 tokens.
"$PY" - data/sms_spam/dev.csv "$OUT/sms.csv" "$OUT/long.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
for path, make in ((sys.argv[2], lambda s: s), (sys.argv[3], lambda s: " ".join([s] * (200 // max(1, len(s.split())) + 1)))):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["sentence"])
        w.writeheader()
        for r in rows:
            w.writerow({"sentence": make(r["sentence"])})
PY

: > "$OUT/results.jsonl"
for model in minilm bert-base; do
  for corpus in sms long; do
    data="$OUT/$corpus.csv"
    if [ "$model" = bert-base ]; then
      data="$OUT/$corpus-head.csv"
      head -n "$((${BASE_EXAMPLES:-320} + 1))" "$OUT/$corpus.csv" > "$data"
    fi
    rates=()
    for _ in 1 2 3; do
      "$FROST" predict --model "$OUT/$model" --data "$data" --batch-size 32 --throughput \
        > "$OUT/frost-$model-$corpus.tsv" 2> "$OUT/frost-$model-$corpus.json"
      rates+=("$(cat "$OUT/frost-$model-$corpus.json")")
    done
    frost=$(printf '%s\n' "${rates[@]}" | "$PY" -c 'import json,sys,statistics
r=[json.loads(l) for l in sys.stdin]; m=sorted(r, key=lambda j: j["model_examples_per_second"])[len(r)//2]; print(json.dumps(m))')
    other=$("$PY" benchmarks/predict_throughput.py "$OUT/$model" "$data" \
              --frost-predictions "$OUT/frost-$model-$corpus.tsv" --workdir "$OUT" 2>/dev/null)
    echo "{\"model\": \"$model\", \"corpus\": \"$corpus\", \"frost\": $frost, \"others\": $other}" >> "$OUT/results.jsonl"
    echo "predict: $model $corpus done" >&2
  done
done

"$PY" - "$OUT/results.jsonl" > "$OUT/predict_throughput.md" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
o = rows[0]["others"]
print(f"frost ({rows[0]['frost']['gemm_description']}, kernels {rows[0]['frost']['kernel_isa']}) against "
      f"PyTorch {o['torch']} and ONNX Runtime {o['onnxruntime']}, batch 32, {o['threads']} threads; examples/s in the model, "
      "median of 3 passes (max |p - p_frost| in brackets)\n")
print("| model | corpus | examples | padded tokens | frost | torch eager | ORT | ORT + BERT optimizer | frost / best other |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    f, o = r["frost"], r["others"]
    cell = lambda k: (f"{o[k]['examples_per_second']:.1f} ({o[k]['max_prob_diff_vs_frost']:.1e})"
                      if "examples_per_second" in o.get(k, {}) else "-")
    best = max(o[k]["examples_per_second"] for k in ("torch-eager", "ort", "ort-bert") if "examples_per_second" in o.get(k, {}))
    print(f"| {r['model']} | {r['corpus']} | {o['examples']:,} | {o['padded_tokens']:,} | {f['model_examples_per_second']:.1f} | "
          f"{cell('torch-eager')} | {cell('ort')} | {cell('ort-bert')} | {f['model_examples_per_second'] / best:.2f}x |")
PY
cat "$OUT/predict_throughput.md"
