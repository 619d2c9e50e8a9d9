#!/usr/bin/env bash
# Builds every libFuzzer target in tests/fuzz (fuzz_<name>.cpp) with clang and runs each for the
# given time on a copy of its seed corpus (tests/fuzz/corpus/<name>/) with its dictionary
# (tests/fuzz/<name>.dict), both optional. Prints executions per target; exits non-zero on any
# crash, sanitizer report, timeout or out-of-memory (the inputs are kept under
# build-fuzz/findings/<name>/: add each as a regression case, e.g. to tests/fuzz/corpus/<name>/).
#
#   bash tools/run-fuzz.sh [seconds-per-target (default 60)]
#
# Environment: FUZZ_TARGETS="safetensors config" runs only those; FUZZ_PARALLEL targets at once
# (default: the number of cores); FUZZ_BUILD_DIR (default
# <repo>/build-fuzz); FUZZ_JOBS build parallelism (default 2); FUZZ_ARGS extra libFuzzer flags.
# To add a target, drop tests/fuzz/fuzz_<name>.cpp (+ corpus/<name>/, <name>.dict): nothing here
# or in tests/fuzz/CMakeLists.txt needs to change.
set -euo pipefail

secs="${1:-60}"
[[ "$secs" =~ ^[0-9]+$ && "$secs" -gt 0 ]] || { echo "usage: $0 [seconds-per-target]" >&2; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
fuzz_dir="$root/tests/fuzz"
cxx="${CXX:-clang++}"
command -v "$cxx" >/dev/null || { echo "run-fuzz.sh: $cxx not found (libFuzzer needs clang)" >&2; exit 2; }

targets=()
if [[ -n "${FUZZ_TARGETS:-}" ]]; then
  for t in $FUZZ_TARGETS; do targets+=("${t#fuzz_}"); done
else
  for src in "$fuzz_dir"/fuzz_*.cpp; do
    [[ -e "$src" ]] || continue
    n="$(basename "$src" .cpp)"; targets+=("${n#fuzz_}")
  done
fi
[[ ${#targets[@]} -gt 0 ]] || { echo "run-fuzz.sh: no fuzz_*.cpp in $fuzz_dir" >&2; exit 2; }

gen=(); command -v ninja >/dev/null && gen=(-G Ninja)
mkdir -p "$build"
echo "== configure $build ($cxx)"
CXX="$cxx" cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DFROST_FUZZ=ON -DFROST_BUILD_TESTS=OFF -DFROST_BUILD_CLI=OFF -DFROST_BUILD_EXAMPLES=OFF \
  -DFROST_OPENMP=OFF >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 2; }
bins=(); for t in "${targets[@]}"; do bins+=("fuzz_$t"); done
echo "== build ${bins[*]}"
cmake --build "$build" -j"${FUZZ_JOBS:-2}" --target "${bins[@]}"

# Each target is one single-threaded libFuzzer process: FUZZ_PARALLEL of them (default: the number of
# cores) run at once, each writing its summary line to $build/summary_<name>.txt.
run_target() {
  local t="$1" bin="$build/tests/fuzz/fuzz_$1" work="$build/corpus/$1" findings="$build/findings/$1"
  local log="$build/fuzz_$1.log" rc=0 execs nfound ncorpus result
  rm -rf "$work" "$findings"; mkdir -p "$work" "$findings"
  [[ -d "$fuzz_dir/corpus/$t" ]] && cp -r "$fuzz_dir/corpus/$t/." "$work/"
  local args=(-max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -use_value_profile=1
              -print_final_stats=1 -artifact_prefix="$findings/")
  [[ -f "$fuzz_dir/$t.dict" ]] && args+=(-dict="$fuzz_dir/$t.dict")
  # shellcheck disable=SC2206
  [[ -n "${FUZZ_ARGS:-}" ]] && args+=($FUZZ_ARGS)
  "$bin" "${args[@]}" "$work" >"$log" 2>&1 || rc=$?
  execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
  execs="${execs:-?}"
  nfound="$(find "$findings" -type f | wc -l)"
  ncorpus="$(find "$work" -type f | wc -l)"
  if [[ $rc -ne 0 || $nfound -ne 0 ]]; then
    result="FINDING (exit $rc): $(find "$findings" -type f | tr '\n' ' ')"
    grep -m1 -E 'ERROR: |runtime error|==[0-9]+==|deadly signal|Timeout|out-of-memory' "$log" || true
  else
    result="ok"
  fi
  printf '%-24s %12s execs %6s corpus  %s\n' "fuzz_$t" "$execs" "$ncorpus" "$result" >"$build/summary_$t.txt"
}

parallel="${FUZZ_PARALLEL:-$(nproc)}"
for t in "${targets[@]}"; do
  rm -f "$build/summary_$t.txt"
  while [[ $(jobs -rp | wc -l) -ge $parallel ]]; do wait -n || true; done
  echo "== fuzz_$t for ${secs}s (log: $build/fuzz_$t.log)"
  run_target "$t" &
done
wait

failed=0
summary=()
for t in "${targets[@]}"; do
  line="$(cat "$build/summary_$t.txt" 2>/dev/null || echo "fuzz_$t: no result (the runner itself failed)")"
  [[ "$line" == *" ok" ]] || failed=1
  summary+=("$line")
done

echo "== summary (${secs}s per target)"
printf '%s\n' "${summary[@]}"
exit $failed
