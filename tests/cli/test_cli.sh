#!/usr/bin/env bash
# The `frost` command-line contract: a tiny model directory (the parity fixture's weights, a
# 50-token vocabulary) is trained, evaluated, explained, compared and used for prediction; bad
# input exits 2 with a one-line reason and leaves no output behind (malformed_cli.sh, run at the
# end, is the full corpus of bad flags, files and rows, and of inputs that must keep working).
# Usage: test_cli.sh FROST_BINARY FIXTURES_DIR
set -u
FROST=$1
FIX=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# A model directory in Hugging Face layout, and data.
. "$(dirname "$0")/tiny_model.sh"
M=$T/model
make_tiny_model "$M" "$FIX"
make_tiny_data "$T"

expect_error() {  # name, expected message fragment, command...
  local name=$1 frag=$2
  shift 2
  local out
  out=$("$@" 2>&1 >/dev/null)
  local rc=$?
  if [ $rc -eq 2 ] && printf '%s' "$out" | grep -qF -- "$frag" && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
    [ "${out#frost: error: }" != "$out" ]; then
    ok
  else
    bad "$name: rc=$rc, stderr: $out"
  fi
}

# Training works and writes the model, the log and the metrics.
if "$FROST" train --model "$M" --train "$T/train.tsv" --eval "$T/train.tsv" --output "$T/out" --num-labels 3 \
    --lr 1e-3 --epochs 2 --batch-size 4 --freeze embeddings,layers:0-1 --no-progress >"$T/train.json" 2>"$T/train.err"; then
  ok
else
  bad "train failed: $(cat "$T/train.err")"
fi
for f in config.json model.safetensors vocab.txt tokenizer.json tokenizer_config.json train_log.jsonl metrics.json; do
  [ -s "$T/out/$f" ] && ok || bad "missing output $f"
done
[ "$(grep -c '"grad_norm"' "$T/out/train_log.jsonl")" -eq 12 ] && ok || bad "train_log.jsonl should have 12 steps"
grep -q '"id2label"' "$T/out/config.json" && grep -q '"problem_type": "single_label_classification"' "$T/out/config.json" && ok || bad "config.json lacks labels/problem_type"
ls "$T" | grep -q partial && bad "staging directory left behind" || ok
# Pairs, SGD, max-steps, no-shuffle.
"$FROST" train --model "$M" --train "$T/pairs.tsv" --output "$T/out2" --num-labels 3 --optimizer sgd --momentum 0.9 \
  --nesterov --max-steps 3 --no-shuffle --no-progress >/dev/null 2>&1 && ok || bad "pair/sgd training failed"
[ "$(grep -c '"step"' "$T/out2/train_log.jsonl")" -eq 3 ] && ok || bad "--max-steps 3 should give 3 steps"
# eval / predict / explain on the trained model.
"$FROST" eval --model "$T/out" --data "$T/train.tsv" | grep -q '"eval_accuracy"' && ok || bad "eval"
[ "$("$FROST" predict --model "$T/out" --data "$T/train.tsv" | wc -l)" -eq 25 ] && ok || bad "predict should print a header + 24 rows"
# --throughput: the same predictions on stdout, one JSON line of timings on stderr.
"$FROST" predict --model "$T/out" --data "$T/train.tsv" > "$T/p_plain.tsv"
"$FROST" predict --model "$T/out" --data "$T/train.tsv" --throughput > "$T/p_tp.tsv" 2> "$T/p_tp.json"
cmp -s "$T/p_plain.tsv" "$T/p_tp.tsv" && ok || bad "predict --throughput changed the predictions"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["examples"] == 24 and j["model_seconds"] > 0 and j["model_examples_per_second"] > 0, j' \
  "$T/p_tp.json" && ok || bad "predict --throughput: expected {examples: 24, model_seconds > 0, ...}, got $(cat "$T/p_tp.json")"
"$FROST" explain --model "$M" --freeze layers:0-2 | grep -q "backward stops at: embeddings" && ok || bad "explain"
# The data-parallel wire volume (issue 15): whole body frozen on bert-base sends the classifier's
# 1,538 gradients, 6,152 bytes per step, instead of 438 MB.
"$FROST" explain --freeze bert | grep -q "data parallel: allreduce of 6,152 bytes per step" && ok ||
  bad "explain: data-parallel bytes for bert-base whole body frozen"
"$FROST" explain --freeze none | grep -q "data parallel: allreduce of 437,935,112 bytes per step" && ok ||
  bad "explain: data-parallel bytes for bert-base nothing frozen"
for spec in none embeddings pooler bert bitfit layers:0-1 layers:0-12 embeddings,layers:0-12 "embeddings, layers:0-3"; do
  "$FROST" explain --freeze "$spec" >/dev/null 2>&1 && ok || bad "explain --freeze $spec"
done
# Any spec the grammar can say, at any depth, from the one binary: ranges anywhere, several of
# them, slices, with the pooler or BitFit; bert-large (24 layers) and a 2-layer geometry.
for spec in "layers:1-3" "layers:0-1,layers:2-3" "pooler,layers:0-2" "layers[1:]" "layers[-1]" "bitfit,layers:0-1" "encoder"; do
  "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/any" --num-labels 3 --max-steps 2 --freeze "$spec" \
    --no-progress >/dev/null 2>"$T/any.err" && ok || bad "train --freeze $spec: $(cat "$T/any.err")"
  rm -rf "$T/any"
done
sed 's/"num_hidden_layers": *[0-9]*/"num_hidden_layers": 24/' "$M/config.json" > "$T/large.json"
sed 's/"num_hidden_layers": *[0-9]*/"num_hidden_layers": 2/' "$M/config.json" > "$T/two.json"
grep -q '"num_hidden_layers": 24' "$T/large.json" && ok || bad "could not make a 24-layer config"
X=$("$FROST" explain --config "$T/large.json" --freeze "embeddings,layers:0-20")
printf '%s' "$X" | grep -q "frozen encoder layers (0-based, inclusive): 0-19 of 24" && ok || bad "explain bert-large: $X"
printf '%s' "$X" | grep -q "backward stops at: encoder.layer.20" && ok || bad "explain bert-large stop"
printf '%s' "$X" | grep -q "^trainable parameters: [0-9,]* of" && ok || bad "explain keeps its trainable parameters line"
X=$("$FROST" explain --config "$T/large.json" --freeze "layers:0-3,layers:6-9,layers[-2:]")
printf '%s' "$X" | grep -q "frozen encoder layers (0-based, inclusive): 0-2, 6-8, 22-23 of 24" && ok || bad "explain several ranges: $X"
"$FROST" bench --geometry "$T/large.json" --freeze "embeddings,layers:0-20" --batch-size 1 --seq-len 4 --steps 1 --forwards 1 \
  | grep -q '"frozen_layers":20' && ok || bad "bench bert-large depth"
"$FROST" bench --geometry "$T/two.json" --freeze "layers[:1]" --batch-size 1 --seq-len 4 --steps 1 --forwards 1 \
  | grep -q '"layers":2' && ok || bad "bench 2-layer"
expect_error "spec beyond bert-large" "names layer index 30 but the model has 24 encoder layers" "$FROST" explain --config "$T/large.json" --freeze layers:0-30
expect_error "none combined" "'none' cannot be combined" "$FROST" explain --freeze none,pooler
# Every command-line mistake exits 2 (CLI11's own codes differ), --help exits 0.
"$FROST" train --no-such-flag >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "unknown flag should exit 2"
"$FROST" --help >/dev/null 2>&1 && ok || bad "--help should exit 0"
"$FROST" --help | grep -q "^  2  bad input or usage" && ok || bad "--help should document exit status 2"
"$FROST" train --help | grep -q "^  1  internal error" && ok || bad "train --help should document exit status 1"
# bench: one policy timed on a synthetic batch, JSON on stdout.
B=$("$FROST" bench --geometry "$M/config.json" --freeze embeddings,layers:0-1 --batch-size 2 --seq-len 8 --steps 2 --forwards 2)
printf '%s' "$B" | grep -q '"frozen_layers":1' && ok || bad "bench: frozen_layers"
printf '%s' "$B" | grep -q '"step_ms":\[[0-9.e+-]*,[0-9.e+-]*\]' && ok || bad "bench: two timed steps"
printf '%s' "$B" | grep -q '"gemm_backend":"' && ok || bad "bench: gemm_backend"
# bench --ia3: the IA3 kind on the frozen base; every layer's vectors (160 here) plus the classifier train.
B=$("$FROST" bench --geometry "$M/config.json" --freeze bert --ia3 --batch-size 2 --seq-len 8 --steps 1 --forwards 1)
layers=$(sed -n 's/.*"num_hidden_layers": *\([0-9]*\).*/\1/p' "$M/config.json")
printf '%s' "$B" | grep -q '"policy":"bert+ia3"' && printf '%s' "$B" | grep -q "\"trainable_params\":$((layers * 160 + 99))" &&
  ok || bad "bench --ia3: $B"
expect_error "bench geometry" "nope.json" "$FROST" bench --geometry "$T/nope.json"
expect_error "bench seq" "--seq-len: expected an integer in [2, 16] (at most max_position_embeddings = 16" "$FROST" bench --geometry "$M/config.json" --seq-len 100000
expect_error "bench depth" "names layer index 9 but the model has 3 encoder layers" "$FROST" bench --geometry "$M/config.json" --seq-len 8 --freeze layers:0-9

# Performance round two. bench --profile: a table on stderr, the rows in the JSON.
B=$("$FROST" bench --geometry "$M/config.json" --freeze none --batch-size 2 --seq-len 8 --steps 2 --forwards 1 --profile 2>"$T/prof.err")
printf '%s' "$B" | grep -q '"profile":{' && grep -q 'GEMM FFN in' "$T/prof.err" && grep -q 'bias+GELU' "$T/prof.err" &&
  grep -q '^step .* ms: GEMMs + attention' "$T/prof.err" && ok || bad "bench --profile: $(cat "$T/prof.err")"
# --group-by-length trains and says so in metrics.json.
"$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/gbl" --num-labels 3 --epochs 2 --batch-size 4 \
  --group-by-length --no-progress >/dev/null 2>&1 && grep -q '"group_by_length": true' "$T/gbl/metrics.json" && ok ||
  bad "--group-by-length"
# --cache-frozen-features: whole body frozen, 3 epochs; the cache is filled, one time per epoch.
"$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/cache" --num-labels 3 --epochs 3 --batch-size 4 \
  --freeze bert --cache-frozen-features --no-progress >/dev/null 2>&1 &&
  grep -q '"feature_cache_bytes": [1-9]' "$T/cache/metrics.json" &&
  [ "$(tr -d ' \n' < "$T/cache/metrics.json" | sed -n 's/.*"train_epoch_seconds":\[\([^]]*\)\].*/\1/p' | tr ',' '\n' | grep -c .)" -eq 3 ] &&
  ok || bad "--cache-frozen-features: $(cat "$T/cache/metrics.json" 2>/dev/null)"
expect_error "cache without a frozen prefix" "--cache-frozen-features: nothing is frozen below the lowest trainable parameter" \
  "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/cachebad" --num-labels 3 --freeze layers:0-1 \
  --cache-frozen-features --no-progress
[ -e "$T/cachebad" ] && bad "--cache-frozen-features error left $T/cachebad" || ok
# --gradient-checkpointing recomputes the activations: the same weights, byte for byte.
for ck in 0 1; do
  flag=""
  [ "$ck" = 1 ] && flag="--gradient-checkpointing"
  "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/ck$ck" --num-labels 3 --max-steps 4 --batch-size 4 \
    --freeze embeddings --seed 5 $flag --no-progress >/dev/null 2>&1 || bad "train --gradient-checkpointing=$ck"
done
cmp -s "$T/ck0/model.safetensors" "$T/ck1/model.safetensors" && grep -q '"gradient_checkpointing": true' "$T/ck1/metrics.json" &&
  ok || bad "--gradient-checkpointing changed the trained weights"
# --bf16: where bf16 GEMMs run here, metrics.json says "bf16": true and the weights differ from fp32's;
# elsewhere stderr says why, "bf16": false, and the weights are fp32's byte for byte. bench --bf16
# then times bf16 (matmul_precision in its JSON) or refuses with the reason.
"$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/bf16" --num-labels 3 --max-steps 4 --batch-size 4 \
  --freeze embeddings --seed 5 --bf16 --no-progress >/dev/null 2>"$T/bf16.err" || bad "train --bf16: $(cat "$T/bf16.err")"
if grep -q '"bf16": true' "$T/bf16/metrics.json"; then
  ! cmp -s "$T/ck0/model.safetensors" "$T/bf16/model.safetensors" && ok || bad "--bf16 trained the fp32 weights"
  "$FROST" bench --geometry "$M/config.json" --seq-len 8 --steps 1 --forwards 1 --bf16 2>/dev/null |
    grep -q '"matmul_precision":"bf16"' && ok || bad "bench --bf16"
elif grep -q '"bf16": false' "$T/bf16/metrics.json"; then
  grep -q '^frost: bf16 requested, but .*: training in fp32$' "$T/bf16.err" &&
    cmp -s "$T/ck0/model.safetensors" "$T/bf16/model.safetensors" && ok || bad "--bf16 fallback: $(cat "$T/bf16.err")"
  expect_error "bench --bf16 unsupported" "--bf16: " "$FROST" bench --geometry "$M/config.json" --seq-len 8 --bf16
else
  bad "--bf16: no bf16 field in metrics.json"
fi

# Bad input: one line, non-zero, nothing written.
expect_error "missing model" "nope: --model: expected a Hugging Face model directory" "$FROST" train --model "$T/nope" --train "$T/train.tsv" --output "$T/e1"
expect_error "missing train file" "nope.tsv: --train: expected a data file (.tsv, .csv or .jsonl), found no such file" "$FROST" train --model "$M" --train "$T/nope.tsv" --output "$T/e1" --num-labels 3
printf 'sentence\tlabel\ngood\t1\nthis line has no label\n' > "$T/malformed.tsv"
expect_error "malformed line" "malformed.tsv:3: expected 2 tab-separated columns" "$FROST" train --model "$M" --train "$T/malformed.tsv" --output "$T/e1" --num-labels 3
printf 'sentence\tlabel\ngood\t1\nbad\t7\n' > "$T/range.tsv"
expect_error "label range" "range.tsv:3: column 2 (label): expected an integer class index in [0, 3), got 7" "$FROST" train --model "$M" --train "$T/range.tsv" --output "$T/e1" --num-labels 3
printf 'text\tlabel\ngood\t1\n' > "$T/header.tsv"
expect_error "bad header" "header.tsv:1: header must be" "$FROST" train --model "$M" --train "$T/header.tsv" --output "$T/e1" --num-labels 3
expect_error "unknown selector" "unknown selector 'heads' (expected none, embeddings, layers:A-B" "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/e1" --freeze heads --num-labels 3
expect_error "policy deeper than model" "'layers:0-8' names layer index 8 but the model has 3 encoder layers" "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/e1" --freeze layers:0-8 --num-labels 3
expect_error "num-labels mismatch with checkpoint" "classifier.weight' has shape [3,32] but config.json implies [5,32]" "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/e1" --num-labels 5
printf 'sentence\tlabel\nbad utf8 \xff here\t1\n' > "$T/utf8.tsv"
expect_error "invalid utf-8 (where)" "utf8.tsv:2: " "$FROST" train --model "$M" --train "$T/utf8.tsv" --output "$T/e1" --num-labels 3
expect_error "invalid utf-8 (what)" "invalid UTF-8 at byte offset 9" "$FROST" train --model "$M" --train "$T/utf8.tsv" --output "$T/e1" --num-labels 3
expect_error "bad optimizer" "--optimizer: expected adamw or sgd, got 'adam'" "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/e1" --optimizer adam --num-labels 3
expect_error "bad scheduler" "--scheduler: expected linear, cosine or constant, got 'step'" "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/e1" --scheduler step --num-labels 3
[ -e "$T/e1" ] && bad "a failed run left $T/e1 behind" || ok
ls "$T" | grep -q partial && bad "a failed run left a staging directory" || ok

# Own data (issue 13): CSV with named columns and string labels -> config.json's id2label (sorted,
# as run_glue.py), eval with --metric first, predict printing names; JSONL multi-label ([] = no
# label); regression; the Trainer loop's best model and its checks.
printf 'text,topic\n' > "$T/news.csv"
for _ in 1 2 3 4 5 6; do
  printf '"the food, was very good",positive\nthe service was awful,negative\n"it is ""fine""",neutral\nnot nice and not good,negative\n' >> "$T/news.csv"
done
"$FROST" train --model "$M" --train "$T/news.csv" --eval "$T/news.csv" --text-column text --label-column topic \
  --output "$T/own" --epochs 2 --lr 1e-3 --eval-strategy steps --eval-steps 2 --load-best-model-at-end \
  --metric-for-best-model f1_macro --no-progress >"$T/own.json" 2>"$T/own.err" && ok || bad "CSV string labels: $(cat "$T/own.err")"
grep -q '"0": "negative"' "$T/own/config.json" && grep -q '"2": "positive"' "$T/own/config.json" &&
  grep -q '"neutral": 1' "$T/own/config.json" && ok || bad "id2label/label2id from the training labels"
grep -q '"eval_f1_macro"' "$T/own.json" && grep -q '"eval_confusion_matrix"' "$T/own.json" &&
  grep -q '"best_step"' "$T/own.json" && ok || bad "metrics.json: task metrics and best step"
[ "$(grep -c '"eval_loss"' "$T/own/train_log.jsonl")" -eq 3 ] && ok || bad "--eval-steps 2 over 6 steps: 3 evaluations"
E=$("$FROST" eval --model "$T/own" --data "$T/news.csv" --text-column text --label-column topic --metric f1_macro)
[ "$(printf '%s\n' "$E" | sed -n 3p | tr -d ' ')" = "$(printf '%s\n' "$E" | grep '"eval_f1_macro"' | head -1 | tr -d ' ')" ] &&
  printf '%s' "$E" | sed -n 3p | grep -q eval_f1_macro && ok || bad "eval --metric f1_macro first: $E"
"$FROST" predict --model "$T/own" --data "$T/news.csv" --text-column text --label-column topic | head -1 |
  grep -q "p_negative	p_neutral	p_positive" && ok || bad "predict header names the classes"
"$FROST" predict --model "$T/own" --data "$T/news.csv" --text-column text | sed -n 2p |
  grep -qE "^0	(negative|neutral|positive)	" && ok || bad "predict prints label names"
: > "$T/ml.jsonl"
for _ in 1 2 3 4; do
  printf '{"sentence": "the food was very good", "label": ["food", "good"]}\n{"sentence": "the service was awful", "label": ["service"]}\n{"sentence": "it is fine", "label": []}\n' >> "$T/ml.jsonl"
done
# A base model without a classifier (as a pretrained checkpoint is): the tiny weights less classifier.*.
cp -r "$M" "$T/base"
python3 - "$M/model.safetensors" "$T/base/model.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
head = json.loads(raw[8:8 + n])
data, out, body, off = raw[8 + n:], {}, b"", 0
for k, v in head.items():
    if k == "__metadata__" or k.startswith("classifier."):
        continue
    b, e = v["data_offsets"]
    out[k] = dict(v, data_offsets=[off, off + e - b])
    body += data[b:e]
    off += e - b
h = json.dumps(out).encode()
open(sys.argv[2], "wb").write(struct.pack("<Q", len(h)) + h + body)
PY
python3 -c 'import json, sys; c = json.load(open(sys.argv[1])); [c.pop(k, None) for k in ("problem_type", "id2label", "label2id", "num_labels")]; json.dump(c, open(sys.argv[1], "w"), indent=2)' "$T/base/config.json"
"$FROST" train --model "$T/base" --train "$T/ml.jsonl" --eval "$T/ml.jsonl" --output "$T/ml" --epochs 2 --lr 1e-3 \
  --no-progress >"$T/ml.json" 2>"$T/ml.err" && ok || bad "JSONL multi-label: $(cat "$T/ml.err")"
grep -q '"problem_type": "multi_label_classification"' "$T/ml/config.json" && grep -q '"1": "good"' "$T/ml/config.json" &&
  ok || bad "multi-label config.json"
grep -q '"eval_f1_micro"' "$T/ml.json" && ok || bad "multi-label metrics"
"$FROST" predict --model "$T/ml" --data "$T/ml.jsonl" | head -1 | grep -q "^index	labels	p_food	p_good	p_service" &&
  ok || bad "multi-label predict header"
printf 'sentence\tscore\n' > "$T/sts.tsv"
for _ in 1 2 3 4; do printf 'the food was very good\t4.5\nthe service was awful\t0.5\nit is fine\t2.5\n' >> "$T/sts.tsv"; done
"$FROST" train --model "$T/base" --train "$T/sts.tsv" --eval "$T/sts.tsv" --label-column score --num-labels 1 \
  --output "$T/reg" --epochs 2 --lr 1e-3 --metric pearson --load-best-model-at-end --no-progress >"$T/reg.json" 2>"$T/reg.err" &&
  ok || bad "regression: $(cat "$T/reg.err")"
grep -q '"eval_spearmanr"' "$T/reg.json" && grep -q '"problem_type": "regression"' "$T/reg/config.json" && ok || bad "regression metrics/config"
"$FROST" eval --model "$T/reg" --data "$T/sts.tsv" --label-column score --metric pearson | sed -n 3p | grep -q eval_pearson &&
  ok || bad "eval --metric pearson"
grep -q "^frost train: summary" "$T/own.err" && grep -q "best step  *[0-9]" "$T/own.err" &&
  grep -q "throughput  *[0-9.]* examples/s" "$T/own.err" && ok || bad "end-of-run summary: $(cat "$T/own.err")"
# Charts: written with the output, and by `frost plot` (gnuplot is a test dependency).
if command -v gnuplot >/dev/null; then
  [ -s "$T/own/training_curves.png" ] && [ -s "$T/own/training_curves.svg" ] && ok || bad "train wrote no charts"
  # A view of the log, outside the manifest: redrawing them leaves the model directory loadable.
  grep -q '"training_curves' "$T/own/frost-manifest.json" && bad "charts in the manifest" || ok
  rm "$T/own/training_curves.png"
  [ "$("$FROST" plot --output "$T/own")" = "$T/own/training_curves.png
$T/own/training_curves.svg" ] && [ -s "$T/own/training_curves.png" ] && ok || bad "frost plot"
  grep -q "eval_f1_macro" "$T/own/training_curves.svg" && ok || bad "the chart lacks the eval metrics"
  ls -a "$T/own" | grep -q '\.tmp-' && bad "plot left a temporary file" || ok
fi
cp -r "$T/own" "$T/badlog"
printf '{"step": 1, "loss": 1.0}\n' >> "$T/badlog/train_log.jsonl"
expect_error "plot: bad log line" "train_log.jsonl:10: expected a training step (loss, learning_rate, grad_norm) or an evaluation" \
  "$FROST" plot --output "$T/badlog"
expect_error "plot: no directory" "nope: expected the --output directory of frost train" "$FROST" plot --output "$T/nope"
expect_error "metric name checked first" "--metric-for-best-model: " "$FROST" train --model "$M" --train "$T/news.csv" \
  --text-column text --label-column topic --eval "$T/news.csv" --metric-for-best-model pearson --output "$T/e2"
expect_error "best model needs eval" "--load-best-model-at-end: expected --eval FILE as well" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --load-best-model-at-end --output "$T/e2" --num-labels 3
expect_error "eval-steps needs steps" "--eval-steps: expected --eval-strategy steps as well" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --eval "$T/train.tsv" --eval-steps 3 --output "$T/e2" --num-labels 3
expect_error "unknown column" "news.csv:1: " "$FROST" train --model "$M" --train "$T/news.csv" --output "$T/e2"
printf 'text,topic\ngood,positive\nso so,mixed\n' > "$T/unknown.csv"
expect_error "unknown label at eval" "unknown.csv:3: column 2 (topic): expected one of the 3 known labels ('negative', 'neutral', 'positive'), got 'mixed'" \
  "$FROST" eval --model "$T/own" --data "$T/unknown.csv" --text-column text --label-column topic
expect_error "bad format" "--format: expected tsv, csv or jsonl, got 'xml'" "$FROST" train --model "$M" --train "$T/news.csv" --format xml --output "$T/e2"
[ -e "$T/e2" ] && bad "a failed run left $T/e2 behind" || ok

# LoRA: a PEFT adapter directory out, predict/eval/merge/continue with --adapter, explain, errors.
if "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/lora" --num-labels 3 --lr 1e-2 --max-steps 6 \
    --lora-r 4 --lora-alpha 8 --lora-targets query,value,dense --lora-layers 1-3 --no-progress >"$T/lora.json" 2>"$T/lora.err"; then
  ok
else
  bad "lora train failed: $(cat "$T/lora.err")"
fi
for f in adapter_config.json adapter_model.safetensors config.json vocab.txt metrics.json train_log.jsonl; do
  [ -s "$T/lora/$f" ] && ok || bad "lora: missing output $f"
done
[ -e "$T/lora/model.safetensors" ] && bad "lora: a full model.safetensors was written" || ok
# layers 1-2, five Linears (query, value + the three denses) of hidden 32 / intermediate 64, r 4:
# 2 x 4 x (64 + 64 + 64 + 96 + 96) = 3,072, plus the classifier 3 x 33 = 99.
grep -q '"trainable_params": 3171' "$T/lora.json" && ok || bad "lora: trainable_params should be 3171: $(grep trainable_params "$T/lora.json")"
"$FROST" explain --model "$M" --num-labels 3 --lora-r 4 --lora-targets query,value,dense --lora-layers 1-3 |
  grep -q "trainable parameters: 3,171 of" && ok || bad "explain --lora-r: trainable count differs from train's"
[ "$("$FROST" predict --model "$M" --adapter "$T/lora" --data "$T/train.tsv" | wc -l)" -eq 25 ] && ok || bad "predict --adapter"
"$FROST" eval --model "$M" --adapter "$T/lora" --data "$T/train.tsv" | grep -q '"eval_accuracy"' && ok || bad "eval --adapter"
"$FROST" merge --model "$M" --adapter "$T/lora" --output "$T/merged" >/dev/null 2>&1 && ok || bad "merge failed"
"$FROST" predict --model "$M" --adapter "$T/lora" --data "$T/train.tsv" | cut -f3- > "$T/p_adapter.tsv"
"$FROST" predict --model "$T/merged" --data "$T/train.tsv" | cut -f3- > "$T/p_merged.tsv"
awk 'NR == FNR { for (i = 1; i <= NF; ++i) a[FNR, i] = $i; next }
     FNR > 1 { for (i = 1; i <= NF; ++i) { d = a[FNR, i] - $i; if (d < 0) d = -d; if (d > 1e-5) bad = 1 } }
     END { exit bad }' "$T/p_adapter.tsv" "$T/p_merged.tsv" && ok || bad "merged model's probabilities differ from the adapter's"
"$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/lora2" --num-labels 3 --lr 1e-2 --max-steps 2 \
  --adapter "$T/lora" --no-progress >/dev/null 2>&1 && ok || bad "train --adapter (continue) failed"
first=$(head -1 "$T/lora/train_log.jsonl" | sed 's/.*"loss": \([0-9.e-]*\).*/\1/')
again=$(head -1 "$T/lora2/train_log.jsonl" | sed 's/.*"loss": \([0-9.e-]*\).*/\1/')
[ "$first" != "$again" ] && ok || bad "train --adapter started from a fresh adapter (loss $first both times)"
expect_error "lora target" "--lora-targets: LoRA target 'querry' matches no Linear" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e3" --num-labels 3 --lora-r 4 --lora-targets querry
expect_error "lora layers beyond depth" "--lora-layers: " "$FROST" train --model "$M" --train "$T/train.tsv" \
  --output "$T/e3" --num-labels 3 --lora-r 4 --lora-layers 2-9
expect_error "rslora needs a rank" "--use-rslora: expected --lora-r R as well" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e3" --num-labels 3 --use-rslora
expect_error "lora on a trainable base" "adapter layers need a frozen base" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e3" --num-labels 3 --lora-r 4 --freeze none
expect_error "adapter is not a directory" "nope: --adapter: expected a LoRA or IA3 adapter directory" "$FROST" predict \
  --model "$M" --adapter "$T/nope" --data "$T/train.tsv"
expect_error "merge needs an adapter" "--adapter" "$FROST" merge --model "$M" --output "$T/e3"
[ -e "$T/e3" ] && bad "a failed LoRA run left $T/e3 behind" || ok

# IA3 (PEFT's defaults): the same adapter directory layout, counts as explain's, merge, continue, errors.
if "$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/ia3" --num-labels 3 --lr 1e-2 --max-steps 6 \
    --ia3 --no-progress >"$T/ia3.json" 2>"$T/ia3.err"; then
  ok
else
  bad "ia3 train failed: $(cat "$T/ia3.err")"
fi
grep -q '"peft_type": "IA3"' "$T/ia3/adapter_config.json" 2>/dev/null && ok || bad "ia3: adapter_config.json is not IA3's"
[ -e "$T/ia3/model.safetensors" ] && bad "ia3: a full model.safetensors was written" || ok
# Every layer: key + value (32 each), attention.output.dense input (32), output.dense input (64), plus the
# classifier 3 x 33 = 99.
layers=$(sed -n 's/.*"num_hidden_layers": *\([0-9]*\).*/\1/p' "$M/config.json")
want=$((layers * 160 + 99))
grep -q "\"trainable_params\": $want" "$T/ia3.json" && ok || bad "ia3: trainable_params should be $want: $(grep trainable_params "$T/ia3.json")"
"$FROST" explain --model "$M" --num-labels 3 --ia3 | grep -q "ia3: key,value,output.dense" && ok || bad "explain --ia3"
"$FROST" merge --model "$M" --adapter "$T/ia3" --output "$T/ia3merged" >/dev/null 2>&1 && ok || bad "ia3 merge failed"
"$FROST" predict --model "$M" --adapter "$T/ia3" --data "$T/train.tsv" | cut -f3- > "$T/p_adapter.tsv"
"$FROST" predict --model "$T/ia3merged" --data "$T/train.tsv" | cut -f3- > "$T/p_merged.tsv"
awk 'NR == FNR { for (i = 1; i <= NF; ++i) a[FNR, i] = $i; next }
     FNR > 1 { for (i = 1; i <= NF; ++i) { d = a[FNR, i] - $i; if (d < 0) d = -d; if (d > 1e-5) bad = 1 } }
     END { exit bad }' "$T/p_adapter.tsv" "$T/p_merged.tsv" && ok || bad "ia3: merged probabilities differ from the adapter's"
"$FROST" train --model "$M" --train "$T/train.tsv" --output "$T/ia3b" --num-labels 3 --lr 1e-2 --max-steps 2 \
  --adapter "$T/ia3" --no-progress >/dev/null 2>&1 && grep -q '"policy": "bert+ia3"' "$T/ia3b/metrics.json" && ok ||
  bad "train --adapter (continue IA3) failed"
expect_error "ia3 target" "--ia3-targets: IA3 on intermediate.dense is not supported" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e4" --num-labels 3 --ia3 --ia3-targets key,intermediate.dense
expect_error "ia3 and lora" "--ia3: not with --lora-r" "$FROST" train --model "$M" --train "$T/train.tsv" \
  --output "$T/e4" --num-labels 3 --ia3 --lora-r 4
expect_error "ia3 targets need ia3" "--ia3-targets: expected --ia3 as well" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e4" --num-labels 3 --ia3-targets key
expect_error "ia3 on a trainable base" "adapter layers need a frozen base" "$FROST" train --model "$M" \
  --train "$T/train.tsv" --output "$T/e4" --num-labels 3 --ia3 --freeze embeddings
expect_error "adapter with ia3" "--adapter: not with" "$FROST" train --model "$M" --train "$T/train.tsv" \
  --output "$T/e4" --num-labels 3 --ia3 --adapter "$T/ia3"
[ -e "$T/e4" ] && bad "a failed IA3 run left $T/e4 behind" || ok

# compare: each recipe a child `frost train`, the table on stdout, compare.json in --output.
"$FROST" compare --model "$M" --train "$T/train.tsv" --eval "$T/train.tsv" --output "$T/cmp" --epochs 1 --batch-size 8 \
  --policy none --policy bert --policy lora --policy ia3 --lr-ia3 0.02 >"$T/cmp.out" 2>"$T/cmp.err" && ok ||
  bad "compare failed: $(tail -3 "$T/cmp.err")"
grep -q '"freeze": "bert"' "$T/cmp/compare.json" 2>/dev/null && [ -s "$T/cmp/run-none/metrics.json" ] && ok || bad "compare outputs"
for row in "LoRA r8" "IA3 (PEFT defaults)"; do
  grep -q "^$row" "$T/cmp.out" && ok || bad "compare: no '$row' row in the table"
done
grep -q '"policy": "bert+ia3"' "$T/cmp/run-ia3/metrics.json" 2>/dev/null && ok || bad "compare: the IA3 row did not train IA3"
grep -q '"policy": "bert+lora"' "$T/cmp/run-lora-r8/metrics.json" 2>/dev/null && ok || bad "compare: the LoRA row did not train LoRA"
grep -q '^IA3 (PEFT defaults).* 0.02$' "$T/cmp.out" && ok || bad "compare --lr-ia3: the IA3 row's lr is not 0.02"
ls "$T" | grep -q partial && bad "compare left a staging directory" || ok

echo "$pass passed, $fail failed"
# The malformed-input corpus (every bad flag, file and row: exit 2, one line, nothing written).
bash "$(dirname "$0")/malformed_cli.sh" "$FROST" "$FIX" || fail=$((fail + 1))
[ "$fail" -eq 0 ]
