#!/usr/bin/env bash
# Is the portable binary as fast as a native one? (the performance issue's item 1). Times `frost
# bench` (nothing frozen, full step and inference forward, medians) for:
#   native            build-native: -march=native (FROST_NATIVE=ON), everything compiled for this CPU
#   portable          build-bench-dnnl: no -march; oneDNN and frost's own kernels dispatch at run time
#   portable avx2     the same binary with FROST_KERNEL_ISA=avx2 (frost's kernels capped at AVX2)
#   portable baseline the same binary with FROST_KERNEL_ISA=baseline (SSE2 kernels)
# rounds interleaved (every configuration once per round) so that a drifting clock hits all alike,
# plus one `--profile` run per configuration for the non-GEMM time. Both builds use oneDNN.
# Writes out/bench/isa_runs.jsonl and out/bench/isa_dispatch.md (also printed).
# usage: bash benchmarks/isa_dispatch.sh      (about 15 minutes on 2 cores, builds included)
#        ROUNDS=3 bash benchmarks/isa_dispatch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=out/bench
mkdir -p "$OUT"
ROUNDS=${ROUNDS:-2}
export OMP_NUM_THREADS=2
bash tools/setup-debian.sh >/dev/null
bash benchmarks/build_bench.sh build-native frost_cli -DFROST_NATIVE=ON -DFROST_DNNL=ON
bash benchmarks/build_bench.sh build-bench-dnnl frost_cli -DFROST_NATIVE=OFF -DFROST_DNNL=ON

RUNS="$OUT/isa_runs.jsonl"
: > "$RUNS"
run() {  # config geometry steps [--profile]
  local cfg=$1 geom=$2 steps=$3 extra=${4:-} bin=./build-bench-dnnl/tools/cli/frost cap="" line
  case $cfg in
    native) bin=./build-native/tools/cli/frost ;;
    portable-avx2) cap=avx2 ;;
    portable-baseline) cap=baseline ;;
  esac
  line=$(env ${cap:+FROST_KERNEL_ISA=$cap} "$bin" bench --geometry "$geom" --freeze none --steps "$steps" --forwards 3 \
         $extra 2>/dev/null)
  echo "{\"config\": \"$cfg\", \"geometry\": \"$geom\", \"profile\": \"$extra\", \"result\": $line}" >> "$RUNS"
  printf 'isa_dispatch: %-18s %-9s %-9s %8.0f ms/step\n' "$cfg" "$geom" "$extra" \
    "$(echo "$line" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["step_ms_median"])')" >&2
}
CONFIGS=(native portable portable-avx2 portable-baseline)
for r in $(seq "$ROUNDS"); do
  for cfg in "${CONFIGS[@]}"; do
    run "$cfg" minilm 6
    run "$cfg" bert-base 3
  done
done
for cfg in "${CONFIGS[@]}"; do run "$cfg" minilm 4 --profile; done

/usr/bin/python3 - "$RUNS" "$OUT/isa_dispatch.md" <<'EOF'
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
timed = [r for r in runs if not r["profile"]]
prof = {r["config"]: r["result"] for r in runs if r["profile"]}
first = timed[0]["result"]
lines = [f"Portable vs native (nothing frozen, batch 8 x 128, {first['threads']} threads, {first['gemm_description']}; "
         "medians over the rounds of each run's median)", "",
         "| configuration | frost kernels | MiniLM step ms | MiniLM forward ms | bert-base step ms | bert-base forward ms "
         "| MiniLM non-GEMM share of the step |", "|---|---|---:|---:|---:|---:|---:|"]
configs = list(dict.fromkeys(r["config"] for r in timed))
def med(cfg, geom, key):
    return statistics.median(r["result"][key] for r in timed if r["config"] == cfg and r["geometry"] == geom)
def non_gemm(p):
    share = p.get("profile", {}).get("gemm_and_attention_share")
    return f"{100 * (1 - share):.1f}%" if share is not None else "-"
for c in configs:
    isa = next(r["result"]["kernel_isa"] for r in timed if r["config"] == c)
    lines.append(f"| {c} | {isa} | {med(c, 'minilm', 'step_ms_median'):.0f} | {med(c, 'minilm', 'forward_ms_median'):.0f} | "
                 f"{med(c, 'bert-base', 'step_ms_median'):.0f} | {med(c, 'bert-base', 'forward_ms_median'):.0f} | "
                 f"{non_gemm(prof[c]) if c in prof else '-'} |")
n = {g: med("native", g, "step_ms_median") for g in ("minilm", "bert-base")}
p = {g: med("portable", g, "step_ms_median") for g in ("minilm", "bert-base")}
lines += ["", f"portable / native step time: MiniLM {p['minilm'] / n['minilm']:.3f}, bert-base {p['bert-base'] / n['bert-base']:.3f}"]
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
EOF
