#!/usr/bin/env bash
# Data-parallel scaling (issue 15), measured on this machine and projected to clusters: writes
# out/scaling/{allreduce.jsonl,steps.jsonl} and docs/scaling.md + docs/scaling_volume.png.
#   1. allreduce latency and bandwidth between 2 ranks (shared memory): benchmarks/allreduce_bench
#   2. one training step, bert-base and MiniLM, 4 policies: 1 process x 2 threads x batch 8 against
#      2 processes x 1 thread x batch 4 (the same global batch), `frost bench` under mpirun
#   3. benchmarks/scaling.py: the table and a cost model projected to 8, 64, 256 nodes
# Needs an MPI build (libopenmpi-dev openmpi-bin); about 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFROST_MPI=ON -DFROST_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j"$(nproc)" --target frost_cli allreduce_bench
OUT=out/scaling
mkdir -p "$OUT"
: >"$OUT/steps.jsonl"
export OMPI_MCA_btl_vader_single_copy_mechanism=none
MPI=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
OMP_NUM_THREADS=1 "${MPI[@]}" -np 2 build/benchmarks/allreduce_bench >"$OUT/allreduce.jsonl"
for geo in minilm bert-base; do
  k=$([ "$geo" = minilm ] && echo 4 || echo 8)
  for spec in none "embeddings,layers:0-$k" bitfit bert; do
    OMP_NUM_THREADS=2 build/tools/cli/frost bench --geometry "$geo" --freeze "$spec" --batch-size 8 --seq-len 128 \
      --steps 3 --forwards 1 >>"$OUT/steps.jsonl"
    OMP_NUM_THREADS=1 "${MPI[@]}" -np 2 build/tools/cli/frost bench --geometry "$geo" --freeze "$spec" --batch-size 4 \
      --seq-len 128 --steps 3 --forwards 1 >>"$OUT/steps.jsonl"
    echo "scaling: $geo --freeze $spec measured"
  done
done
python3 benchmarks/scaling.py "$OUT" docs
