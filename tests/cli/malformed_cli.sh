#!/usr/bin/env bash
# tests/cli/malformed_cli.sh: the `frost` command line's malformed-input corpus (run by
# test_cli.sh, so by ctest's cli.contract).
#
# It generates every input it needs in a scratch directory (a tiny model directory copied and
# broken in one place each: config.json, vocab.txt, model.safetensors, tokenizer_config.json; data
# files with one bad row each; flag values out of range) and runs one `frost` command per case:
#   err  NAME FRAGMENT CMD...   exit 2; stderr exactly one line, 'frost: error: ...' containing
#                               FRAGMENT (the flag, file, field or line at fault); stdout empty
#                               (unless STDOUT_OK is set: compare's recipe banners);
#                               nothing written (the scratch directory is byte-for-byte unchanged,
#                               so --output does not exist, or is unchanged where it existed)
#   oom  NAME CMD...            exit 1; one line 'frost: internal error: ...'; nothing written
#   works NAME CHECK CMD...     exit 0 and the shell test CHECK holds (inputs real tools produce:
#                               UTF-8 BOM, CRLF, a missing or an extra final newline)
# Usage: malformed_cli.sh FROST_BINARY FIXTURES_DIR      (prints one line per failure and a count)
set -u
FROST=$(realpath "$1")
FIX=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/tiny_model.sh"
T=$(mktemp -d)   # the inputs (and the outputs of the cases that work)
L=$(mktemp -d)   # each case's stdout and stderr, outside T
trap 'rm -rf "$T" "$L"' EXIT
cd "$T" || exit 1
cases=0
pass=0
fail=0
bad() { fail=$((fail + 1)); echo "FAIL [$1]: $2"; }

# Everything under T (what "nothing written" compares): every path and its type, and each file's
# size and modification time (not a directory's: a staging directory created and removed again
# beside --output leaves nothing behind but its parent's mtime).
snapshot() { find "$T" \( -type d -printf '%P %y\n' \) -o -printf '%P %y %s %T@\n' | LC_ALL=C sort | md5sum; }

check_failure() {  # WANT_RC PREFIX NAME FRAGMENT CMD...
  local want=$1 prefix=$2 name=$3 frag=$4
  shift 4
  cases=$((cases + 1))
  local before after rc line
  before=$(snapshot)
  "$@" >"$L/out" 2>"$L/err" </dev/null
  rc=$?
  after=$(snapshot)
  line=$(head -n 1 "$L/err")
  if [ "$rc" -ne "$want" ]; then
    bad "$name" "exit $rc, expected $want; stderr: $(head -c 400 "$L/err")"
  elif [ "$(wc -l <"$L/err")" -ne 1 ] || [ -n "$(tail -c 1 "$L/err")" ]; then
    bad "$name" "stderr is not exactly one line: $(head -c 400 "$L/err")"
  elif [ "${line#"$prefix"}" = "$line" ]; then
    bad "$name" "stderr does not start with '$prefix': $line"
  elif ! grep -qF -- "$frag" "$L/err"; then
    bad "$name" "stderr does not name '$frag': $line"
  elif [ -s "$L/out" ] && [ -z "${STDOUT_OK:-}" ]; then
    bad "$name" "stdout is not empty: $(head -c 200 "$L/out")"
  elif [ "$before" != "$after" ]; then
    bad "$name" "a failed run wrote something: $(find "$T" -newer "$L/err" -o -name '*.partial-*' | head -3)"
  else
    pass=$((pass + 1))
  fi
}
err() { check_failure 2 "frost: error: " "$@"; }
oom() { local name=$1; shift; check_failure 1 "frost: internal error: " "$name" "internal error" "$@"; }
works() {  # NAME CHECK CMD...
  local name=$1 check=$2
  shift 2
  cases=$((cases + 1))
  "$@" >"$L/out" 2>"$L/err" </dev/null
  local rc=$?
  if [ "$rc" -ne 0 ]; then
    bad "$name" "exit $rc, expected 0; stderr: $(head -c 400 "$L/err")"
  elif ! (eval "$check"); then
    bad "$name" "check failed: $check"
  else
    pass=$((pass + 1))
  fi
}

# ---- inputs --------------------------------------------------------------------------------
make_tiny_model m "$FIX"
make_tiny_data .
broken() { rm -rf "$1" && cp -r m "$1"; }  # a copy of the model directory to break in one place
crlf() { sed 's/$/\r/' "$1"; }
bom() { printf '\xef\xbb\xbf'; cat "$1"; }

broken cfg_json && printf '{"hidden_size": 32,' >cfg_json/config.json
broken cfg_type && sed -i 's/"hidden_size": 32/"hidden_size": "32"/' cfg_type/config.json
broken cfg_dropout && sed -i 's/"hidden_dropout_prob": 0.0/"hidden_dropout_prob": 1.5/' cfg_dropout/config.json
broken cfg_act && sed -i 's/"hidden_act": "gelu"/"hidden_act": "relu"/' cfg_act/config.json
broken cfg_missing && sed -i '/"num_hidden_layers"/d' cfg_missing/config.json
broken cfg_labels && sed -i 's/"2": "LABEL_2"/"7": "LABEL_2"/' cfg_labels/config.json
broken cfg_dir && rm cfg_dir/config.json && mkdir cfg_dir/config.json
broken cfg_ok && { bom m/config.json | sed 's/$/\r/' >cfg_ok/config.json; }
broken no_vocab && rm no_vocab/vocab.txt
broken vocab_unk && sed -i '/^\[UNK\]$/d' vocab_unk/vocab.txt
broken vocab_dup && echo good >>vocab_dup/vocab.txt
broken vocab_utf8 && printf 'caf\xe9\n' >>vocab_utf8/vocab.txt
broken vocab_big && for i in $(seq 23 40); do echo "w$i"; done >>vocab_big/vocab.txt
broken vocab_ok && { bom m/vocab.txt | sed 's/$/\r/' | head -c -1 >vocab_ok/vocab.txt; }  # no final newline
broken st_trunc && head -c 3000 m/model.safetensors >st_trunc/model.safetensors
broken st_empty && : >st_empty/model.safetensors
broken st_json && printf '#not json' | dd of=st_json/model.safetensors bs=1 seek=8 conv=notrunc status=none
broken st_len && printf '\xff\xff\xff\xff\xff\xff\xff\x7f' | dd of=st_len/model.safetensors bs=1 conv=notrunc status=none
broken cfg_five && sed -i 's/"2": "LABEL_2"/"2": "LABEL_2", "3": "LABEL_3", "4": "LABEL_4"/; s/"LABEL_2": 2/"LABEL_2": 2, "LABEL_3": 3, "LABEL_4": 4/' cfg_five/config.json
broken tok_json && printf '{"do_lower_case": tru' >tok_json/tokenizer_config.json
broken tok_type && printf '{"do_lower_case": "yes"}' >tok_type/tokenizer_config.json

printf 'sentence\tlabel\ngood\t1\nthis line has no label\n' >cols.tsv
printf 'sentence\tlabel\ngood\tnan\n' >label_nan.tsv
printf 'sentence\tlabel\ngood\t7\n' >label_range.tsv
printf 'sentence\tlabel\ngood\t1.5\n' >label_frac.tsv
printf 'sentence\tlabel\ngood\tpositive\n' >label_word.tsv
printf 'sentence\tlabel\n\t1\n' >empty_sentence.tsv
printf 'text\tlabel\ngood\t1\n' >header.tsv
: >empty.tsv
printf 'sentence\tlabel\n' >header_only.tsv
printf 'sentence\tlabel\nbad utf8 \xff here\t1\n' >utf8.tsv
printf 'sentence1\tsentence2\tlabel\nthe room\t2\n' >pairs_cols.tsv
printf 'sentence\tlabel\ngood\t1\nbad\t0\n' >two.tsv
bom two.tsv | sed 's/$/\r/' | head -c -1 >bom_crlf.tsv      # BOM, CRLF, no final newline
{ crlf two.tsv; printf '\r\n\r\n'; } >crlf_blank.tsv           # CRLF and trailing blank lines
head -c -1 two.tsv >no_newline.tsv                               # LF, no final newline
printf '\xef\xbb\xbfsentence\r\ngood food\r\nawful\r\n' >predict_bom.tsv
mkdir datadir
echo keep >a_file
mkdir existing && echo keep >existing/keep.txt
TR=("$FROST" train --model m --train train.tsv --num-labels 3 --no-progress --max-steps 1)
trm() { "$FROST" train --model "$1" --train "$2" --num-labels 3 --no-progress --max-steps 1 "${@:3}"; }  # MODEL TRAIN ...

# ---- flag values ---------------------------------------------------------------------------
err "lr nan" "--lr: expected a finite number > 0, got 'nan'" "${TR[@]}" --output out --lr nan
err "lr negative" "--lr: expected a finite number > 0, got '-1e-3'" "${TR[@]}" --output out --lr -1e-3
err "lr inf" "--lr: expected a finite number > 0, got 'inf'" "${TR[@]}" --output out --lr inf
err "lr overflow" "--lr:" "${TR[@]}" --output out --lr 1e999
err "lr zero" "--lr:" "${TR[@]}" --output out --lr 0
err "lr not a number" "--lr: expected a finite number > 0, got 'fast'" "${TR[@]}" --output out --lr fast
err "lr missing value" "--lr: expected a value, got none" "${TR[@]}" --output out --lr
err "lr twice" "--lr: expected at most once" "${TR[@]}" --output out --lr 1e-3 --lr 2e-3
err "batch size 0" "--batch-size: expected an integer in [1, 65536], got '0'" "${TR[@]}" --output out --batch-size 0
err "batch size overflow" "--batch-size:" "${TR[@]}" --output out --batch-size 99999999999999999999
err "batch size fraction" "--batch-size:" "${TR[@]}" --output out --batch-size 2.5
err "epochs 0" "--epochs:" "${TR[@]}" --output out --epochs 0
err "epochs negative" "--epochs:" "${TR[@]}" --output out --epochs -3
err "max-steps 0" "--max-steps:" "$FROST" train --model m --train train.tsv --output out --max-steps 0
err "max-seq-len beyond max_position_embeddings" "--max-seq-len: expected an integer in [2, 16] (at most max_position_embeddings = 16 of m/config.json), got 17" "${TR[@]}" --output out --max-seq-len 17
err "max-seq-len 1" "--max-seq-len:" "${TR[@]}" --output out --max-seq-len 1
err "max-seq-len huge" "--max-seq-len:" "${TR[@]}" --output out --max-seq-len 4294967296
err "weight decay negative" "--weight-decay:" "${TR[@]}" --output out --weight-decay -0.1
err "weight decay nan" "--weight-decay:" "${TR[@]}" --output out --weight-decay NaN
err "warmup negative" "--warmup-steps:" "${TR[@]}" --output out --warmup-steps -1
err "adam beta1 = 1" "--adam-beta1: expected a number in [0, 1)" "${TR[@]}" --output out --adam-beta1 1
err "adam beta2 negative" "--adam-beta2:" "${TR[@]}" --output out --adam-beta2 -0.5
err "adam epsilon 0" "--adam-epsilon:" "${TR[@]}" --output out --adam-epsilon 0
err "max grad norm nan" "--max-grad-norm:" "${TR[@]}" --output out --max-grad-norm nan
err "momentum 1.5" "--momentum:" "${TR[@]}" --output out --optimizer sgd --momentum 1.5
err "nesterov without momentum" "--nesterov: expected --momentum > 0" "${TR[@]}" --output out --optimizer sgd --nesterov
err "nesterov=maybe" "--nesterov:" "${TR[@]}" --output out --nesterov=maybe
err "num-labels 0" "--num-labels:" "$FROST" train --model m --train train.tsv --output out --num-labels 0
err "seed negative" "--seed:" "${TR[@]}" --output out --seed -1
err "optimizer" "--optimizer: expected adamw or sgd, got 'adam'" "${TR[@]}" --output out --optimizer adam
err "save-steps negative" "--save-steps:" "${TR[@]}" --output out --save-steps -1
err "save-total-limit without save-steps" "--save-total-limit: expected --save-steps N as well" "${TR[@]}" --output out --save-total-limit 2
err "resume from a missing directory" "--resume-from-checkpoint: nockpt/frost-manifest.json: missing" "${TR[@]}" --output out --resume-from-checkpoint nockpt
err "resume latest without checkpoints" "--resume-from-checkpoint latest: out holds no complete checkpoint-STEP directory" "${TR[@]}" --output out --resume-from-checkpoint latest
err "resume from a model directory" "--resume-from-checkpoint: m/frost-manifest.json: missing (not a complete frost checkpoint)" "${TR[@]}" --output out --resume-from-checkpoint m
err "absurd learning rate" "training stopped at step " "$FROST" train --model m --train train.tsv --num-labels 3 --no-progress --max-steps 20 --max-grad-norm 0 --lr 1e30 --output out
err "scheduler" "--scheduler: expected linear, cosine or constant, got 'step'" "${TR[@]}" --output out --scheduler step
err "freeze selector" "--freeze 'heads': unknown selector 'heads'" "${TR[@]}" --output out --freeze heads
err "freeze beyond depth" "--freeze 'layers:0-9': 'layers:0-9' names layer index 9 but the model has 3 encoder layers" "${TR[@]}" --output out --freeze layers:0-9
err "unknown flag" "--learning-rate: expected an option of 'frost train'" "${TR[@]}" --output out --learning-rate 1e-3
err "stray argument" "extra: expected an option of 'frost train'" "${TR[@]}" --output out extra
err "missing --output" "--output: expected a value (required by 'frost train')" "${TR[@]}"
err "missing --train" "--train: expected a value (required by 'frost train')" "$FROST" train --model m --output out
err "empty value" "--eval: expected a value, got ''" "${TR[@]}" --output out --eval ''
err "explain empty --config" "--config: expected a value, got ''" "$FROST" explain --config ''
err "no command" "command: expected train, eval" "$FROST"
err "unknown command" "fit: expected a command" "$FROST" fit --model m
err "eval batch size 0" "--batch-size:" "$FROST" eval --model m --data train.tsv --batch-size 0
err "predict batch size negative" "--batch-size:" "$FROST" predict --model m --data train.tsv --batch-size -4
err "eval max-seq-len beyond" "max_position_embeddings = 16" "$FROST" eval --model m --data train.tsv --max-seq-len 513
err "predict missing --data" "--data: expected a value" "$FROST" predict --model m
err "bench seq-len beyond" "--seq-len: expected an integer in [2, 16]" "$FROST" bench --geometry m/config.json --seq-len 17
err "bench seq-len beyond bert-base" "max_position_embeddings = 512 of --geometry bert-base" "$FROST" bench --seq-len 1024
err "bench steps 0" "--steps:" "$FROST" bench --geometry m/config.json --seq-len 8 --steps 0
err "bench geometry" "gpt2: --geometry: expected bert-base, minilm or a config.json file" "$FROST" bench --geometry gpt2
err "explain both" "--config: expected --model DIR or --config FILE, got both" "$FROST" explain --model m --config m/config.json
err "explain missing config" "nope.json: --config:" "$FROST" explain --config nope.json
err "compare epochs 0" "--epochs:" "$FROST" compare --model m --epochs 0
err "compare lr nan" "--lr-frozen: expected a finite number > 0" "$FROST" compare --model m --lr-frozen nan
err "compare policy" "--policy 'heads': unknown selector" "$FROST" compare --model m --train train.tsv --eval train.tsv --output cmp --policy heads

# ---- --output ------------------------------------------------------------------------------
err "output is a file" "a_file: --output: expected a directory (new or existing), found a regular file" "${TR[@]}" --output a_file
err "output under a file" "a_file/x: --output: expected a path in a directory, but" "${TR[@]}" --output a_file/x
err "output under /etc/passwd" "/etc/passwd/x: --output:" "${TR[@]}" --output /etc/passwd/x
err "output dir kept on a bad row" "cols.tsv:3:" "$FROST" train --model m --train cols.tsv --output existing --num-labels 3
err "compare output is a file" "a_file: --output:" "$FROST" compare --model m --train train.tsv --eval train.tsv --output a_file
# The checkpoint is checked by the first child `frost train`: its line is the one line (the
# recipe banner before it is on stdout), and compare's staging directory is removed.
STDOUT_OK=1 err "compare: a child fails" "classifier.weight' has shape [3,32] but config.json implies [5,32]" "$FROST" compare --model cfg_five --train train.tsv --eval train.tsv --output cmp/ --epochs 1 --policy bert
works "output with a trailing slash" '[ -s out_slash/metrics.json ] && [ -z "$(ls -A out_slash | grep partial)" ]' "${TR[@]}" --output out_slash/
err "compare bad row" "label_range.tsv:2: column 2 (label)" "$FROST" compare --model m --train label_range.tsv --eval train.tsv --output cmp --epochs 1

# ---- missing and broken files --------------------------------------------------------------
err "model missing" "nope: --model: expected a Hugging Face model directory" trm nope train.tsv --output out
err "model is a file" "a_file: --model:" trm a_file train.tsv --output out
err "train missing" "nope.tsv: --train: expected a data file (.tsv, .csv or .jsonl), found no such file" trm m nope.tsv --output out
err "train is a directory" "datadir: --train: expected a data file (.tsv, .csv or .jsonl), found a directory" trm m datadir --output out
err "eval missing" "nope.tsv: --eval:" "${TR[@]}" --eval nope.tsv --output out
err "data missing" "nope.tsv: --data:" "$FROST" eval --model m --data nope.tsv
err "config.json not JSON" "cfg_json/config.json: not valid JSON" trm cfg_json train.tsv --output out
err "config.json wrong type" "cfg_type/config.json: field 'hidden_size': expected an integer, got \"32\"" trm cfg_type train.tsv --output out
err "config.json dropout range" "cfg_dropout/config.json: field 'hidden_dropout_prob'" trm cfg_dropout train.tsv --output out
err "config.json activation" "cfg_act/config.json: field 'hidden_act'" trm cfg_act train.tsv --output out
err "config.json missing field" "cfg_missing/config.json: field 'num_hidden_layers'" trm cfg_missing train.tsv --output out
err "config.json id2label keys" "cfg_labels/config.json: field 'id2label'" "$FROST" eval --model cfg_labels --data train.tsv
err "config.json a directory" "cfg_dir/config.json: --model:" trm cfg_dir train.tsv --output out
err "vocab.txt missing" "no_vocab/vocab.txt: --model:" trm no_vocab train.tsv --output out
err "vocab.txt without [UNK]" "vocab_unk/vocab.txt: vocabulary has no [UNK] token" trm vocab_unk train.tsv --output out
err "vocab.txt duplicate" "vocab_dup/vocab.txt:" trm vocab_dup train.tsv --output out
err "vocab.txt invalid UTF-8" "vocab_utf8/vocab.txt:51" trm vocab_utf8 train.tsv --output out
err "vocab.txt beyond vocab_size" "vocab_big/vocab.txt: 68 tokens, more than vocab_size" trm vocab_big train.tsv --output out
err "safetensors truncated" "st_trunc/model.safetensors:" trm st_trunc train.tsv --output out
err "safetensors empty" "st_empty/model.safetensors:" trm st_empty train.tsv --output out
err "safetensors header not JSON" "st_json/model.safetensors:" "$FROST" predict --model st_json --data train.tsv
err "safetensors header length" "st_len/model.safetensors:" "$FROST" eval --model st_len --data train.tsv
err "checkpoint shape vs --num-labels" "classifier.weight' has shape [3,32] but config.json implies [5,32]" "$FROST" train --model m --train train.tsv --output out --num-labels 5
err "tokenizer_config.json not JSON" "tok_json/tokenizer_config.json: not valid JSON" trm tok_json train.tsv --output out
err "tokenizer_config.json type" "tok_type/tokenizer_config.json: field 'do_lower_case'" "$FROST" eval --model tok_type --data train.tsv

# ---- data rows -----------------------------------------------------------------------------
err "row without label" "cols.tsv:3: expected 2 tab-separated columns, got 1" trm m cols.tsv --output out
err "label nan" "label_nan.tsv:2: column 2 (label): expected an integer class index in [0, 3), got 'nan'" trm m label_nan.tsv --output out
err "label out of range" "label_range.tsv:2: column 2 (label)" trm m label_range.tsv --output out
err "label fraction" "label_frac.tsv:2: column 2 (label)" trm m label_frac.tsv --output out
err "label word" "label_word.tsv:2: column 2 (label)" "$FROST" eval --model m --data label_word.tsv
err "regression label nan" "label_nan.tsv:2: column 2 (label): expected a finite number" "$FROST" train --model m --train label_nan.tsv --output out --num-labels 1
err "empty sentence" "empty_sentence.tsv:2: column 1 (sentence)" trm m empty_sentence.tsv --output out
err "bad header" "header.tsv:1: header must be" trm m header.tsv --output out
err "empty file" "empty.tsv: empty file" trm m empty.tsv --output out
err "header only" "header_only.tsv: no data rows" trm m header_only.tsv --output out
err "invalid UTF-8 row" "utf8.tsv:2: " trm m utf8.tsv --output out
err "pair row columns" "pairs_cols.tsv:2: expected 3 tab-separated columns, got 2" trm m pairs_cols.tsv --output out
err "bad eval file" "cols.tsv:3:" "${TR[@]}" --eval cols.tsv --output out

# ---- internal errors -----------------------------------------------------------------------
# 400 MB of address space: the tiny model fits, a batch of 65536 x 16 tokens does not (std::bad_alloc).
oom "out of memory is an internal error" bash -c 'ulimit -v 400000; OMP_NUM_THREADS=1 exec "$0" bench --geometry m/config.json --batch-size 65536 --seq-len 16 --steps 1 --forwards 1' "$FROST"

# ---- inputs real tools produce keep working ------------------------------------------------
works "train: BOM, CRLF, no final newline" '[ -s out_bom/model.safetensors ] && grep -q "\"global_steps\": 1" out_bom/metrics.json' \
  trm m bom_crlf.tsv --eval bom_crlf.tsv --output out_bom
works "train: CRLF and trailing blank lines" '[ -s out_crlf/metrics.json ]' trm m crlf_blank.tsv --output out_crlf
works "eval: no final newline" 'grep -q "\"examples\": 2" "$L/out"' "$FROST" eval --model m --data no_newline.tsv
works "predict: BOM, CRLF, no label column" '[ "$(wc -l <"$L/out")" -eq 3 ]' "$FROST" predict --model m --data predict_bom.tsv
works "config.json with BOM and CRLF" 'grep -q eval_loss "$L/out"' "$FROST" eval --model cfg_ok --data train.tsv
"$FROST" predict --model m --data train.tsv >"$L/plain" 2>/dev/null
works "vocab.txt with BOM, CRLF, no final newline: same predictions" 'cmp -s "$L/out" "$L/plain"' \
  "$FROST" predict --model vocab_ok --data train.tsv
works "output: an existing directory keeps its other files" '[ -s existing/metrics.json ] && [ -s existing/keep.txt ]' \
  "${TR[@]}" --output existing
works "relative and absolute paths" '[ -s "$T/out_abs/config.json" ]' \
  "$FROST" train --model "$T/m" --train "$T/train.tsv" --output "$T/out_abs" --num-labels 3 --no-progress --max-steps 1
[ -z "$(find "$T" -name '*.partial-*')" ] || bad "staging" "a staging directory was left behind"

echo "malformed_cli: $cases cases, $pass passed, $fail failed"
[ "$fail" -eq 0 ]
