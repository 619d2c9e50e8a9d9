// tools/cli/bench.cpp: `frost bench`, one process timing training steps of one freeze policy on a
// synthetic batch (the frost side of benchmarks/compare_pytorch.sh).
//
// One process per policy, so that peak RSS belongs to that policy alone. Prints one JSON object:
// median ms of a full training step (forward + backward + AdamW) and of an inference forward,
// the matmul FLOPs of each (frost's counters), the GEMM backend, threads, parameter and memory
// figures. Random weights (the timing does not depend on their values); batch B x S of
// deterministic token ids with every position attended, as in the PyTorch script.

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapter_flags.hpp"
#include "common.hpp"
#include "world.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace frost::cli {

inline BertConfig bench_config(const std::string& geometry) {
  if (geometry == "bert-base") return BertConfig::bert_base();
  if (geometry == "minilm") return BertConfig::minilm_l6();
  check_input_file("--geometry", geometry, "bert-base, minilm or a config.json file");
  return read_config(geometry);
}

inline double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : (n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]));
}

/// --profile: ms per step and GFLOP/s per (pass, op family) over the timed steps, "other" for
/// what no scope covers; a table on stderr (rank 0), the same rows in the JSON.
inline nlohmann::json profile_report(const Profile& prof, const std::vector<double>& step_ms, bool print) {
  const double steps = static_cast<double>(step_ms.size());
  double total_ms = 0, covered_ms = 0, gemm_ms = 0;
  for (const double m : step_ms) total_ms += m;
  total_ms /= steps;
  nlohmann::json rows = nlohmann::json::array();
  for (int p = 0; p < Profile::kPasses; ++p)
    for (int f = 0; f < Profile::kFamilies; ++f) {
      const double ms = 1000.0 * prof.seconds[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)] / steps;
      if (ms <= 0) continue;
      const double gf =
          static_cast<double>(prof.flops[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)]) / steps;
      covered_ms += ms;
      if (is_gemm(static_cast<OpFamily>(f)) || static_cast<OpFamily>(f) == OpFamily::attention) gemm_ms += ms;
      rows.push_back({{"pass", name(static_cast<Pass>(p))},
                      {"op", name(static_cast<OpFamily>(f))},
                      {"ms_per_step", ms},
                      {"share", ms / total_ms},
                      {"gflops", gf > 0 ? gf / ms / 1e6 : 0.0}});
    }
  rows.push_back({{"pass", "step"},
                  {"op", "other (not in a scope)"},
                  {"ms_per_step", total_ms - covered_ms},
                  {"share", (total_ms - covered_ms) / total_ms},
                  {"gflops", 0.0}});
  if (print) {
    std::fprintf(stderr, "%-9s %-30s %10s %7s %9s\n", "pass", "op family", "ms/step", "share", "GFLOP/s");
    for (const auto& r : rows)
      std::fprintf(stderr, "%-9s %-30s %10.1f %6.1f%% %9.0f\n", r["pass"].get<std::string>().c_str(),
                   r["op"].get<std::string>().c_str(), r["ms_per_step"].get<double>(), 100.0 * r["share"].get<double>(),
                   r["gflops"].get<double>());
    std::fprintf(stderr, "step %.1f ms: GEMMs + attention %.1f%%, the rest %.1f%%\n", total_ms,
                 100.0 * gemm_ms / total_ms, 100.0 * (1.0 - gemm_ms / total_ms));
  }
  return {{"rows", rows}, {"step_ms", total_ms}, {"gemm_and_attention_share", gemm_ms / total_ms}};
}

inline nlohmann::json run_bench(const BenchOptions& o, const BertConfig& cfg, const FreezeSpec& spec) {
  using Model = BertClassifier<float>;
  using clock = std::chrono::steady_clock;
  const auto ms_since = [](clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(clock::now() - t0).count();
  };
  FROST_CHECK(o.lora_r == 0 || !o.ia3, "--ia3: not with --lora-r (one adapter kind per run)");
  AdapterChoice adapter;
  if (o.lora_r > 0) {
    adapter.lora.emplace();
    adapter.lora->r = o.lora_r;
    adapter.lora->alpha = 2.0 * o.lora_r;
  }
  if (o.ia3) adapter.ia3.emplace();
  Model model = adapter.make<Model>(cfg, spec.mask(cfg.num_hidden_layers));
  model.init_weights(1);
  model.gradient_checkpointing = o.gradient_checkpointing;
  FROST_CHECK(!o.bf16 || gemm::bf16_unsupported_reason().empty(),
              "--bf16: " + gemm::bf16_unsupported_reason() + "; a benchmark of fp32 would be mislabelled");
  const ScopedMatmulPrecision precision(o.bf16 ? MatmulPrecision::bf16 : MatmulPrecision::fp32);
  AdamW<float> opt(model, {.lr = 1e-5});
  Batch b;
  b.batch_size = o.batch_size;
  b.seq_len = o.seq_len;
  b.input_ids.resize(static_cast<std::size_t>(o.batch_size) * static_cast<std::size_t>(o.seq_len));
  const int span = std::max(1, cfg.vocab_size - 1000);
  for (std::size_t i = 0; i < b.input_ids.size(); ++i)
    b.input_ids[i] = std::min(cfg.vocab_size - 1, 1000 + static_cast<int>(i * 7919 % static_cast<std::size_t>(span)));
  Labels y;
  if (cfg.problem_type == ProblemType::regression || cfg.num_labels == 1)
    y.targets.assign(static_cast<std::size_t>(o.batch_size), 0.5);
  else
    y.classes.assign(static_cast<std::size_t>(o.batch_size), 1);

  // Under mpirun (FROST_MPI build): data parallel, --batch-size per rank, the trainable gradients
  // averaged before each step as `frost train` does; rank 0 reports.
  dist::Communicator& comm = world();
  dist::broadcast_params(model, comm);
  dist::GradientReducer<Model> reducer(model, comm);  // allreduce overlapped with backward, as train
  std::vector<double> step_ms, fwd_ms, allreduce_ms;
  std::uint64_t step_flops = 0, fwd_flops = 0, allreduce_bytes = 0;
  Profile prof;                         // --profile: per op family, over the timed steps
  for (int s = 0; s <= o.steps; ++s) {  // step 0 warms up (first-touch allocations)
    comm.barrier();
    if (o.profile && s == 1) model.flops.profile = &prof;
    const auto t0 = clock::now();
    {
      const ProfileScope scope(model.flops, Pass::optimizer, OpFamily::pages);
      model.zero_grad();
    }
    model.flops.reset();
    reducer.arm();
    model.forward_backward(b, y);
    const auto t1 = clock::now();
    allreduce_bytes = reducer.finish();
    if (s > 0 && comm.size() > 1) allreduce_ms.push_back(ms_since(t1));
    {
      const ProfileScope scope(model.flops, Pass::optimizer, OpFamily::optimizer);
      opt.step(model);
    }
    if (s > 0) step_ms.push_back(ms_since(t0));
    step_flops = model.flops.total();
  }
  model.flops.profile = nullptr;
  for (int s = 0; s <= o.forwards; ++s) {
    const auto t0 = clock::now();
    model.flops.reset();
    (void)model.forward(b, Mode::eval);
    if (s > 0) fwd_ms.push_back(ms_since(t0));
    fwd_flops = model.flops.total();
  }
  const PlanReport plan = adapter.report(model.backward_plan(), cfg);
  nlohmann::json j;
  j["geometry"] = o.geometry;
  j["policy"] = spec.str() + (o.lora_r > 0 ? "+lora-r" + std::to_string(o.lora_r) : o.ia3 ? "+ia3" : "");
  j["batch_size"] = o.batch_size;
  j["gradient_checkpointing"] = o.gradient_checkpointing;
  j["matmul_precision"] = name(matmul_precision());
  j["seq_len"] = o.seq_len;
#if defined(_OPENMP)
  j["threads"] = omp_get_max_threads();
#else
  j["threads"] = 1;
#endif
  j["gemm_backend"] = gemm::DefaultBackend::name;
  j["gemm_description"] = gemm::DefaultBackend::description();
  j["kernel_isa"] = cpu::name(cpu::kernel_isa());  // frost's own elementwise kernels (FROST_KERNEL_ISA caps it)
  j["step_ms"] = step_ms;
  j["step_ms_median"] = median_of(step_ms);
  j["forward_ms"] = fwd_ms;
  j["forward_ms_median"] = median_of(fwd_ms);
  j["step_flops"] = step_flops;
  j["forward_flops"] = fwd_flops;
  j["trainable_params"] = plan.trainable_params;  // with LoRA: adapters + classifier (PEFT's count)
  j["total_params"] = plan.total_params();
  j["weights_bytes"] = plan.total_params() * static_cast<std::int64_t>(sizeof(float));
  j["grad_adamw_bytes"] = plan.gradient_bytes() + plan.adamw_state_bytes();
  j["layers"] = cfg.num_hidden_layers;
  j["frozen_layers"] = model.backward_plan().frozen_layer_count();
  j["peak_rss_bytes"] = peak_rss_bytes();
  j["world_size"] = comm.size();
  j["global_batch_size"] = o.batch_size * comm.size();
  j["allreduce_bytes_per_step"] = allreduce_bytes;
  j["allreduce_ms_median"] = allreduce_ms.empty() ? 0.0 : median_of(allreduce_ms);
  if (o.profile) j["profile"] = profile_report(prof, step_ms, comm.is_main());
  return j;
}

nlohmann::json cmd_bench(const BenchOptions& o) {
  FROST_CHECK(o.batch_size > 0, "--batch-size: expected a positive integer, got " + std::to_string(o.batch_size));
  FROST_CHECK(o.seq_len >= 2,
              "--seq-len: expected an integer >= 2 ([CLS] and [SEP]), got " + std::to_string(o.seq_len));
  FROST_CHECK(o.steps > 0, "--steps: expected a positive integer, got " + std::to_string(o.steps));
  FROST_CHECK(o.forwards > 0, "--forwards: expected a positive integer, got " + std::to_string(o.forwards));
  const BertConfig cfg = bench_config(o.geometry);
  (void)resolve_seq_len("--seq-len", o.seq_len, cfg,
                        o.geometry == "bert-base" || o.geometry == "minilm" ? "--geometry " + o.geometry : o.geometry);
  const FreezeSpec spec = FreezeSpec::parse(o.freeze);
  (void)spec.mask(cfg.num_hidden_layers);  // a range beyond the geometry's depth, before any allocation
  return run_bench(o, cfg, spec);
}

}  // namespace frost::cli
