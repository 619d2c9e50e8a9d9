#!/usr/bin/env bash
# Soak (issue 12, item 7): a long `frost train` on the tiny model (STEPS steps, evaluation every
# epoch, a checkpoint every 200 steps, 2 kept) whose resident set stops growing after warm-up and
# whose open file descriptors stay constant. /proc/PID/status (VmRSS) and /proc/PID/fd are sampled
# while it runs; the step of each sample is read from the live training log. Reports RSS and fds at
# 10% and at the end of the run; fails when RSS at the end exceeds RSS at 10% by more than 1 MiB
# (or peaks 4 MiB above it), or the open fds at rest are more in the last 10% than at 10-20% (a
# checkpoint being written may hold up to 2 more for a moment).
# Usage: soak_test.sh FROST_BINARY FIXTURES_DIR [EPOCHS (default 2000: 12000 steps)]
set -u
FROST=$1
FIX=$2
EPOCHS=${3:-2000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/tiny_model.sh"
make_tiny_model "$T/model" "$FIX"
make_tiny_data "$T"
STEPS=$((EPOCHS * 6))
"$FROST" train --model "$T/model" --train "$T/train.tsv" --eval "$T/train.tsv" --output "$T/out" --num-labels 3 \
  --lr 1e-4 --epochs "$EPOCHS" --batch-size 4 --save-steps 200 --save-total-limit 2 --no-progress >/dev/null 2>"$T/err" &
pid=$!
: >"$T/samples"
while kill -0 $pid 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status 2>/dev/null)
  fds=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
  log=$(ls "$T"/.out.frost-staging-*/train_log.jsonl 2>/dev/null | head -1)
  step=0
  [ -n "$log" ] && step=$(grep -c '"grad_norm"' "$log" 2>/dev/null)
  [ -n "$rss" ] && [ "$fds" -gt 0 ] && echo "$step $rss $fds" >>"$T/samples"
  sleep 0.05
done
wait $pid
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: soak run failed ($rc): $(cat "$T/err")"; exit 1; }
steps=$(grep -c '"grad_norm"' "$T/out/train_log.jsonl")
[ "$steps" -eq "$STEPS" ] || { echo "FAIL: soak run logged $steps steps, expected $STEPS"; exit 1; }
# RSS and fds at 10% (the first sample at or past 10% of the steps) and at the end (the last
# sample). A checkpoint being written holds a file open for a moment, so the fd count of each
# phase is its smallest over the phase's samples (10%-20%, the last 10%), the largest one reported.
awk -v steps="$STEPS" '
  # During training (step 0: before it, or after the commit); a sample taken while the process
  # exits (VmRSS 0, or a step count read from another staging log) is not a sample of the run.
  $1 > 0 && $1 <= steps && $2 > 0 { s[n] = $1; r[n] = $2; f[n] = $3; n++ }
  END {
    for (i = 0; i < n && s[i] < steps / 10; i++) {}
    if (i >= n) { print "FAIL: no sample after 10% of the run (" n " samples)"; exit 1 }
    i10 = i; fa = 1e9; fb = 1e9; fmax = 0; rmax = 0
    for (j = i10; j < n; j++) {
      if (s[j] <= 2 * steps / 10 && f[j] < fa) fa = f[j]
      if (s[j] >= 9 * steps / 10 && f[j] < fb) fb = f[j]
      if (f[j] > fmax) fmax = f[j]
      if (r[j] > rmax) rmax = r[j]
    }
    r10 = r[i10]; rl = r[n - 1]
    printf "soak_test: %d steps, %d samples; RSS %.1f MiB at step %d (10%%), %.1f MiB at step %d (end), peak after 10%% %.1f MiB; open fds %d at 10-20%%, %d in the last 10%%, at most %d\n",
           steps, n, r10 / 1024, s[i10], rl / 1024, s[n - 1], rmax / 1024, fa, fb, fmax
    if (rl - r10 > 1024) { print "FAIL: RSS grew by " (rl - r10) " KiB between 10% and the end of the run"; exit 1 }
    if (rmax - r10 > 4096) { print "FAIL: RSS peaked " (rmax - r10) " KiB above its value at 10% of the run"; exit 1 }
    if (fb == 1e9) { print "FAIL: no sample in the last 10% of the run"; exit 1 }
    # A leak grows: more descriptors at the end than early on. (Fewer is not a leak: with fast steps
    # a checkpoint is being written in nearly every early sample, whose minimum then counts its file.)
    if (fb > fa) { print "FAIL: " fa " open file descriptors at 10-20% of the run, " fb " at the end"; exit 1 }
    if (fmax > fa + 2) { print "FAIL: up to " fmax " open file descriptors (" fa " at rest)"; exit 1 }
  }' "$T/samples"
