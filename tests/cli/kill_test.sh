#!/usr/bin/env bash
# Crash safety of `frost train` (issue 12, item 5): kill -9 at many moments of a run that writes
# checkpoints (--save-steps) and a final model leaves --output holding only complete things, a
# resumed run (--resume-from-checkpoint latest) ends bit-identical to an uninterrupted one (model
# and log), and a damaged latest checkpoint is detected, reported and skipped.
#
# Moments: every crash point of the writers (FROST_TEST_CRASH_AT, see frost/io/staged_dir.hpp:
# before the manifest, before the rename, before the final merge's exchange, after the rename,
# before a checkpoint's commit, before the final save), at several hits each, plus kills at random
# times. After each kill: every checkpoint-STEP/ and the final model verify (manifest + load with
# `frost eval`), the final files are all present or all absent; then the run is resumed (or
# restarted when no checkpoint exists) and compared with the reference byte for byte.
# Usage: kill_test.sh FROST_BINARY FIXTURES_DIR [RANDOM_TRIALS (default 12)]
set -u
FROST=$1
FIX=$2
RANDOM_TRIALS=${3:-12}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tiny_model.sh"
make_tiny_model "$T/model" "$FIX"
make_tiny_data "$T"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

EPOCHS=60  # 6 steps per epoch: 360 steps, a checkpoint every 25 (14 of them, 3 kept)
train_cmd() {  # OUT, extra flags...: sets CMD
  CMD=("$FROST" train --model "$T/model" --train "$T/train.tsv" --eval "$T/train.tsv" --output "$1" --num-labels 3
    --lr 1e-3 --epochs $EPOCHS --batch-size 4 --freeze embeddings --save-steps 25 --save-total-limit 3 --no-progress
    "${@:2}")
}
train() {  # OUT, extra flags...
  train_cmd "$@"
  "${CMD[@]}" >/dev/null
}
FINAL=(config.json model.safetensors vocab.txt tokenizer.json tokenizer_config.json metrics.json train_log.jsonl frost-manifest.json)

# Everything under OUT that a reader could mistake for an output is complete (prints problems).
check_complete() {  # OUT
  local out=$1 n=0 f
  [ -e "$out" ] || return 0
  for f in "${FINAL[@]}"; do [ -e "$out/$f" ] && n=$((n + 1)); done
  if [ $n -ne 0 ] && [ $n -ne ${#FINAL[@]} ]; then echo "final files partial ($n of ${#FINAL[@]})"; fi
  if [ $n -eq ${#FINAL[@]} ] && ! "$FROST" eval --model "$out" --data "$T/train.tsv" >/dev/null 2>"$T/eval.err"; then
    echo "final model does not load: $(cat "$T/eval.err")"
  fi
  for d in "$out"/checkpoint-*; do
    [ -d "$d" ] || continue
    if [ ! -f "$d/frost-manifest.json" ] || ! "$FROST" eval --model "$d" --data "$T/train.tsv" >/dev/null 2>"$T/eval.err"; then
      echo "$(basename "$d") incomplete: $(cat "$T/eval.err" 2>/dev/null)"
    fi
  done
}

# Resumes (or restarts) a killed run and compares it with the reference.
finish_and_compare() {  # OUT, trial name[, pid of the killed process]
  local out=$1 name=$2 killed=${3:-} resumed=0
  if [ ! -f "$out/frost-manifest.json" ]; then
    resumed=1
    if ls -d "$out"/checkpoint-* >/dev/null 2>&1; then
      train "$out" --resume-from-checkpoint latest 2>"$T/resume.err" || { bad "$name: resume failed: $(cat "$T/resume.err")"; return; }
    else
      train "$out" 2>"$T/resume.err" || { bad "$name: restart failed: $(cat "$T/resume.err")"; return; }
    fi
  fi
  cmp -s "$out/model.safetensors" "$T/ref/model.safetensors" && ok || bad "$name: final weights differ from the uninterrupted run"
  cmp -s "$out/train_log.jsonl" "$T/ref/train_log.jsonl" && ok || bad "$name: training log differs from the uninterrupted run"
  local left
  if [ $resumed = 1 ] || [ -z "$killed" ]; then
    left=$(ls -A "$out" "$(dirname "$out")" | grep -c 'frost-staging\|frost-trash')
    [ "$left" -eq 0 ] && ok || bad "$name: $left staging/trash directories left after the resumed run"
  else
    # Killed after its final output was complete (e.g. while deleting a replaced tree): no run
    # follows, so the killed process's own trash may remain; the next run on this output removes
    # it (remove_stale_staging: its pid is dead). Nothing else may be left.
    left=$(ls -A "$out" "$(dirname "$out")" | grep 'frost-staging\|frost-trash' | grep -vc -- "-$killed-" || true)
    [ "$left" -eq 0 ] && ok || bad "$name: $left staging/trash directories of other processes left"
  fi
}

# The uninterrupted reference.
train "$T/ref" 2>/dev/null || { echo "FAIL: reference run failed"; exit 1; }
[ "$(ls -d "$T/ref"/checkpoint-* | wc -l)" -eq 3 ] && ok || bad "--save-total-limit 3 should keep 3 checkpoints"
problems=$(check_complete "$T/ref")
[ -z "$problems" ] && ok || bad "reference: $problems"

trial=0
kills=0
run_trial() {  # name, how ("point LABEL" or "after SECONDS")
  local name=$1 how=$2 arg=$3 out
  trial=$((trial + 1))
  out="$T/t$trial/out"
  mkdir -p "$T/t$trial"
  if [ "$how" = point ]; then
    FROST_TEST_CRASH_AT=$arg train "$out" 2>/dev/null
    local rc=$?
    [ $rc -eq 137 ] && kills=$((kills + 1)) || bad "$name: expected death by SIGKILL (137), got status $rc"
  else
    train_cmd "$out"
    "${CMD[@]}" >/dev/null 2>&1 &
    local pid=$!  # frost itself, not a subshell
    sleep "$arg"
    kill -9 $pid 2>/dev/null && kills=$((kills + 1))
    wait $pid 2>/dev/null
  fi
  local problems
  problems=$(check_complete "$out")
  [ -z "$problems" ] && ok || bad "$name: after the kill: $problems"
  finish_and_compare "$out" "$name" "${pid:-}"
}

for point in staged:before-manifest@1 staged:before-manifest@4 staged:before-rename@2 staged:before-rename@9 \
  staged:after-rename@3 staged:after-rename@14 checkpoint:before-commit@1 checkpoint:before-commit@7 \
  checkpoint:before-commit@14 train:before-final-save staged:before-manifest@15 staged:before-rename@15 \
  staged:before-exchange@1 staged:after-rename@15; do
  run_trial "kill at $point" point "$point"
done
# Random moments: the run's length measured, kills spread over it (and a little past its end).
start=$(date +%s%N)
train "$T/timing" 2>/dev/null
ms=$((($(date +%s%N) - start) / 1000000))
for _ in $(seq 1 "$RANDOM_TRIALS"); do
  d=$((RANDOM % (ms + ms / 10 + 1)))
  run_trial "kill after ${d} ms (run ${ms} ms)" after "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
done

# A damaged latest checkpoint: `latest` reports it and resumes from the previous one; naming it
# explicitly is an error that names the file.
out=$T/damaged/out
mkdir -p "$T/damaged"
FROST_TEST_CRASH_AT=train:before-final-save train "$out" 2>/dev/null
latest=$(ls -d "$out"/checkpoint-* | sort -t- -k2 -n | tail -1)
printf '\x00\x00\x00\x00' | dd of="$latest/model.safetensors" bs=1 seek=200 conv=notrunc 2>/dev/null
err=$(train "$out" --resume-from-checkpoint "$latest" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 2 ] && printf '%s' "$err" | grep -q "model.safetensors: CRC32C mismatch" && ok || bad "explicit damaged checkpoint: rc=$rc: $err"
err=$("$FROST" eval --model "$latest" --data "$T/train.tsv" 2>&1 >/dev/null)
rc=$?
[ $rc -eq 2 ] && printf '%s' "$err" | grep -q "^frost: error: .*model.safetensors: CRC32C mismatch" && ok || bad "eval of a damaged checkpoint: rc=$rc: $err"
err=$(train "$out" --resume-from-checkpoint latest 2>&1 >/dev/null)
rc=$?
[ $rc -eq 0 ] && printf '%s' "$err" | grep -q "$(basename "$latest") is damaged" && ok || bad "latest damaged checkpoint: rc=$rc: $err"
cmp -s "$out/model.safetensors" "$T/ref/model.safetensors" && ok || bad "resume past a damaged checkpoint: final weights differ"

echo "kill_test: $trial trials ($kills killed by SIGKILL), $pass checks passed, $fail failed"
[ $fail -eq 0 ]
