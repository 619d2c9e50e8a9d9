#!/usr/bin/env bash
# Training-loop features measured on real data (performance round two, items 4-6): all-MiniLM-L6-v2
# fine-tuned on the SMS Spam Collection (tools/fetch_real_corpus.sh: 4,431 training messages of
# 3..120+ tokens), one process per run, nothing else running. Writes out/bench/train_features.md
# (+ train_features.jsonl with every run's metrics.json or bench JSON):
#   1. --cache-frozen-features, whole body frozen (model.bert), 2 epochs: seconds per epoch with
#      and without; epochs after the first against today's (uncached) epochs.
#   2. --cache-frozen-features, embeddings + layers[:4] frozen: the same for a per-token boundary.
#   3. --group-by-length, embeddings + layers[:4] frozen, first STEPS steps: examples/s with and
#      without (dynamic padding either way).
#   4. --gradient-checkpointing: bert-base batch 32 x 128 step time and peak RSS (frost bench),
#      nothing frozen and embeddings + layers[:8].
# usage: bash benchmarks/train_features.sh [FROST_BINARY]   (default build/tools/cli/frost)
set -euo pipefail
cd "$(dirname "$0")/.."
FROST=${1:-build/tools/cli/frost}
OUT=out/bench
STEPS=${STEPS:-60}
mkdir -p "$OUT"
[ -x "$FROST" ] || { echo "train_features: $FROST not built (cmake --build build --target frost_cli)" >&2; exit 1; }
bash tools/fetch-minilm.sh >/dev/null
[ -f data/sms_spam/train.csv ] || bash tools/fetch_real_corpus.sh sms_spam >/dev/null
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RUNS="$OUT/train_features.jsonl"
: > "$RUNS"
train() {  # name, extra flags...
  local name=$1
  shift
  "$FROST" train --model models/all-MiniLM-L6-v2 --train data/sms_spam/train.csv --text-column sentence \
    --label-column label --output "$TMP/$name" --batch-size 16 --eval-strategy no --no-progress --seed 7 "$@" \
    > "$TMP/$name.json" 2>/dev/null
  /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[2])); print(json.dumps({"run": sys.argv[1], "flags": sys.argv[3:], "metrics": m}))' \
    "$name" "$TMP/$name.json" "$@" >> "$RUNS"
  echo "train_features: $name done" >&2
}
train body_recompute --freeze bert --lr 1e-2 --epochs 2
train body_cached --freeze bert --lr 1e-2 --epochs 2 --cache-frozen-features
train l4_recompute --freeze embeddings,layers:0-4 --lr 5e-5 --epochs 2
train l4_cached --freeze embeddings,layers:0-4 --lr 5e-5 --epochs 2 --cache-frozen-features
train l4_plain --freeze embeddings,layers:0-4 --lr 5e-5 --max-steps "$STEPS"
train l4_grouped --freeze embeddings,layers:0-4 --lr 5e-5 --max-steps "$STEPS" --group-by-length
for ck in 0 1; do
  for p in none embeddings,layers:0-8; do
    flag=""
    [ "$ck" = 1 ] && flag="--gradient-checkpointing"
    line=$("$FROST" bench --geometry bert-base --freeze "$p" --batch-size 32 --steps 2 --forwards 1 $flag 2>/dev/null)
    echo "{\"run\": \"ckpt$ck $p\", \"bench\": $line}" >> "$RUNS"
    echo "train_features: bench ckpt=$ck $p done" >&2
  done
done
/usr/bin/python3 - "$RUNS" "$OUT" <<'PY'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
R = {r["run"]: r for r in runs}
out = []
def ep(name):
    return R[name]["metrics"]["train_epoch_seconds"]
out.append("### --cache-frozen-features (MiniLM, SMS spam train 4,431, batch 16, seconds per epoch)\n")
out.append("| frozen | run | epoch 1 | epoch 2 | later epochs vs uncached | cache |")
out.append("|---|---|---|---|---|---|")
for frozen, a, b in (("whole body (model.bert)", "body_recompute", "body_cached"),
                     ("embeddings + layers[:4]", "l4_recompute", "l4_cached")):
    ea, eb = ep(a), ep(b)
    later_a = sum(ea[1:]) / len(ea[1:])
    later_b = sum(eb[1:]) / len(eb[1:])
    for name, e, later in ((a, ea, None), (b, eb, later_a / later_b)):
        cells = [f"{x:.3g}" for x in e] + ["-"] * (2 - len(e))
        cache = R[name]["metrics"].get("feature_cache_bytes")
        out.append(f"| {frozen} | {'cached' if 'cached' in name else 'recomputed (today)'} | " + " | ".join(cells) +
                   f" | {f'{later:.1f}x' if later else '-'} | {f'{cache / 2**20:.1f} MiB' if cache else '-'} |")
out.append("")
out.append(f"### --group-by-length (MiniLM, embeddings + layers[:4] frozen, batch 16, first steps of an epoch)\n")
out.append("| run | examples/s | ms/step |")
out.append("|---|---|---|")
for name in ("l4_plain", "l4_grouped"):
    m = R[name]["metrics"]
    out.append(f"| {'grouped by length' if 'grouped' in name else 'random batches'} | {m['train_examples_per_second']:.1f} | {m['ms_per_step']:.0f} |")
g = R["l4_grouped"]["metrics"]["train_examples_per_second"] / R["l4_plain"]["metrics"]["train_examples_per_second"]
out.append(f"\nspeedup from grouping: {g:.2f}x\n")
out.append("### --gradient-checkpointing (bert-base, batch 32 x 128, frost bench)\n")
out.append("| policy | checkpointing | step ms | peak RSS MiB |")
out.append("|---|---|---|---|")
for p in ("none", "embeddings,layers:0-8"):
    for ck in (0, 1):
        b = R[f"ckpt{ck} {p}"]["bench"]
        out.append(f"| {p} | {'on' if ck else 'off'} | {b['step_ms_median']:.0f} | {b['peak_rss_bytes'] / 2**20:.0f} |")
text = "\n".join(out) + "\n"
open(sys.argv[2] + "/train_features.md", "w").write(text)
print(text)
PY
