// benchmarks/bench_frost.cpp: Google Benchmark microbenchmarks for frost's ops and whole training
// steps per freeze policy, with FLOP (or byte) counters. Build with -DFROST_BUILD_BENCHMARKS=ON.
//   ./build/benchmarks/bench_frost --benchmark_filter=Step --benchmark_repetitions=3
// Geometry: batch 8 x seq 128, bert-base (12 x 768) and all-MiniLM-L6 (6 x 384).
#include <benchmark/benchmark.h>

#include <frost/frost.hpp>

namespace {

using namespace frost;

constexpr int kBatch = 8, kSeq = 128;

Batch make_batch(const BertConfig& cfg) {
  Batch b;
  b.batch_size = kBatch;
  b.seq_len = kSeq;
  b.input_ids.resize(static_cast<std::size_t>(kBatch * kSeq));
  for (std::size_t i = 0; i < b.input_ids.size(); ++i)
    b.input_ids[i] = 1000 + static_cast<int>(i * 7919 % (cfg.vocab_size - 1000));
  return b;
}

// ---- ops ----------------------------------------------------------------------------------
void BM_LinearForward(benchmark::State& st) {
  const std::int64_t in = st.range(0), out = st.range(1), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, in), w = Tensor<float>::Random(out, in), b = Tensor<float>::Random(1, out),
                y;
  FlopCounter fc;
  for (auto _ : st) {
    ops::linear_forward(x, w, b, y, fc);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GFLOP/s"] =
      benchmark::Counter(static_cast<double>(gemm_flops(n, out, in)) * static_cast<double>(st.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LinearForward)
    ->Args({768, 768})
    ->Args({768, 3072})
    ->Args({3072, 768})
    ->Args({384, 1536})
    ->Unit(benchmark::kMillisecond);

// The three GEMM shapes of a Linear layer (forward nt, backward-input nn, backward-weight tn) on the
// build's default backend (see gemm_backend in the context line).
void BM_Gemm(benchmark::State& st) {
  const std::int64_t kind = st.range(0), in = st.range(1), out = st.range(2), n = kBatch * kSeq;
  FlopCounter fc;
  Tensor<float> x = Tensor<float>::Random(n, in), w = Tensor<float>::Random(out, in),
                dy = Tensor<float>::Random(n, out);
  Tensor<float> y(n, out), dx(n, in), dw = Tensor<float>::Zero(out, in);
  for (auto _ : st) {
    if (kind == 0)
      gemm_nt(y, x, w, fc, Phase::forward);
    else if (kind == 1)
      gemm_nn(dx, dy, w, fc, Phase::backward_input);
    else
      gemm_tn(dw, dy, x, fc, Phase::backward_weight, Accumulate::yes);
    benchmark::ClobberMemory();
  }
  st.SetLabel(kind == 0 ? "nt (forward)" : kind == 1 ? "nn (backward-input)" : "tn (backward-weight)");
  st.counters["GFLOP/s"] =
      benchmark::Counter(static_cast<double>(gemm_flops(n, out, in)) * static_cast<double>(st.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Gemm)
    ->ArgsProduct({{0, 1, 2}, {768}, {768, 3072}})
    ->ArgsProduct({{0, 1, 2}, {3072}, {768}})
    ->Unit(benchmark::kMillisecond);

void BM_LayerNormForward(benchmark::State& st) {
  const std::int64_t h = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, h), g = Tensor<float>::Ones(1, h), b = Tensor<float>::Zero(1, h), y;
  ops::LayerNormCache<float> c;
  for (auto _ : st) {
    ops::layer_norm_forward(x, g, b, 1e-12f, y, &c);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      3.0 * 4.0 * static_cast<double>(n * h) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LayerNormForward)->Arg(768)->Arg(384)->Unit(benchmark::kMicrosecond);

void BM_LayerNormBackward(benchmark::State& st) {
  const std::int64_t h = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, h), g = Tensor<float>::Ones(1, h), b = Tensor<float>::Zero(1, h), y;
  Tensor<float> dy = Tensor<float>::Random(n, h), dx, dg = Tensor<float>::Zero(1, h), db = Tensor<float>::Zero(1, h);
  ops::LayerNormCache<float> c;
  ops::layer_norm_forward(x, g, b, 1e-12f, y, &c);
  for (auto _ : st) {
    ops::layer_norm_backward_input(dy, g, c, dx);
    ops::layer_norm_backward_gamma(dy, c, dg);
    ops::layer_norm_backward_beta(dy, db);
    benchmark::DoNotOptimize(dx.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      5.0 * 4.0 * static_cast<double>(n * h) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LayerNormBackward)->Arg(768)->Arg(384)->Unit(benchmark::kMicrosecond);

void BM_BiasResidualLayerNorm(benchmark::State& st) {
  const std::int64_t h = st.range(0), n = kBatch * kSeq;
  Tensor<float> a = Tensor<float>::Random(n, h), r = Tensor<float>::Random(n, h), bias = Tensor<float>::Random(1, h);
  Tensor<float> g = Tensor<float>::Ones(1, h), b = Tensor<float>::Zero(1, h), y;
  ops::LayerNormCache<float> c;
  for (auto _ : st) {
    ops::bias_residual_layer_norm_forward(a, &bias, r, g, b, 1e-12f, y, &c);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      4.0 * 4.0 * static_cast<double>(n * h) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BiasResidualLayerNorm)->Arg(768)->Arg(384)->Unit(benchmark::kMicrosecond);

void BM_BiasGelu(benchmark::State& st) {
  const std::int64_t f = st.range(0), n = kBatch * kSeq;
  const Tensor<float> x0 = Tensor<float>::Random(n, f);
  Tensor<float> i = x0, b = Tensor<float>::Zero(1, f), g;
  for (auto _ : st) {
    ops::bias_gelu_forward(i, b, g);
    benchmark::DoNotOptimize(g.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      3.0 * 4.0 * static_cast<double>(n * f) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BiasGelu)->Arg(3072)->Arg(1536)->Unit(benchmark::kMicrosecond);

void BM_GeluBackward(benchmark::State& st) {
  const std::int64_t f = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, f), dy = Tensor<float>::Random(n, f), dx;
  for (auto _ : st) {
    ops::gelu_backward_input(dy, x, dx);
    benchmark::DoNotOptimize(dx.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      3.0 * 4.0 * static_cast<double>(n * f) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GeluBackward)->Arg(3072)->Arg(1536)->Unit(benchmark::kMicrosecond);

// The attention softmax alone: batch x heads blocks of [S, S] scores.
void BM_Softmax(benchmark::State& st) {
  const std::int64_t heads = 12;
  Tensor<float> s0 = Tensor<float>::Random(kSeq, kSeq), s;
  const Tensor<float> mask = Tensor<float>::Zero(kBatch, kSeq);
  for (auto _ : st) {
    for (std::int64_t bh = 0; bh < kBatch * heads; ++bh) {
      s = s0;
      ops::masked_softmax_rows(s, 8.0f, mask, bh / heads);
    }
    benchmark::DoNotOptimize(s.data());
  }
  st.counters["GB/s"] =
      benchmark::Counter(2.0 * 4.0 * kBatch * heads * kSeq * kSeq * static_cast<double>(st.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Softmax)->Unit(benchmark::kMicrosecond);

void BM_GeluForward(benchmark::State& st) {
  const std::int64_t f = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, f), y;
  for (auto _ : st) {
    ops::gelu_forward(x, y);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GB/s"] = benchmark::Counter(
      2.0 * 4.0 * static_cast<double>(n * f) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_GeluForward)->Arg(3072)->Arg(1536)->Unit(benchmark::kMicrosecond);

void BM_AttentionForward(benchmark::State& st) {
  const std::int64_t h = st.range(0), heads = st.range(1), n = kBatch * kSeq;
  Tensor<float> q = Tensor<float>::Random(n, h), k = Tensor<float>::Random(n, h), v = Tensor<float>::Random(n, h), ctx;
  const Tensor<float> mask = Tensor<float>::Zero(kBatch, kSeq);
  ops::AttentionCache<float> c;
  FlopCounter fc;
  for (auto _ : st) {
    ops::attention_forward(q, k, v, mask, {kBatch, kSeq, heads, h / heads}, 0.0, RandomStream{}, ctx, &c, fc);
    benchmark::DoNotOptimize(ctx.data());
  }
  st.counters["GFLOP/s"] =
      benchmark::Counter(4.0 * n * kSeq * h * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionForward)->Args({768, 12})->Args({384, 12})->Unit(benchmark::kMillisecond);

void BM_EmbeddingScatter(benchmark::State& st) {
  const BertConfig cfg = BertConfig::bert_base();
  Tensor<float> table = Tensor<float>::Zero(cfg.vocab_size, cfg.hidden_size),
                d = Tensor<float>::Random(kBatch * kSeq, cfg.hidden_size);
  const Batch b = make_batch(cfg);
  for (auto _ : st) ops::embedding_backward_weight(d, b.input_ids.data(), kBatch * kSeq, table, 0);
  st.counters["GB/s"] =
      benchmark::Counter(2.0 * 4.0 * kBatch * kSeq * cfg.hidden_size * static_cast<double>(st.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EmbeddingScatter)->Unit(benchmark::kMicrosecond);

void BM_AttentionBackward(benchmark::State& st) {
  const std::int64_t h = st.range(0), heads = st.range(1), n = kBatch * kSeq;
  Tensor<float> q = Tensor<float>::Random(n, h), k = Tensor<float>::Random(n, h), v = Tensor<float>::Random(n, h), ctx;
  Tensor<float> dctx = Tensor<float>::Random(n, h), dq, dk, dv;
  const Tensor<float> mask = Tensor<float>::Zero(kBatch, kSeq);
  ops::AttentionCache<float> c;
  FlopCounter fc;
  ops::attention_forward(q, k, v, mask, {kBatch, kSeq, heads, h / heads}, 0.1, RandomStream{}, ctx, &c, fc);
  for (auto _ : st) {
    ops::attention_backward_input(dctx, q, k, v, c, {kBatch, kSeq, heads, h / heads}, 0.1, dq, dk, dv, fc);
    benchmark::DoNotOptimize(dq.data());
  }
  st.counters["GFLOP/s"] =
      benchmark::Counter(8.0 * n * kSeq * h * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionBackward)->Args({768, 12})->Args({384, 12})->Unit(benchmark::kMillisecond);

void BM_EmbeddingGather(benchmark::State& st) {
  const BertConfig cfg = BertConfig::bert_base();
  const Tensor<float> table = Tensor<float>::Random(cfg.vocab_size, cfg.hidden_size);
  Tensor<float> out(kBatch * kSeq, cfg.hidden_size);
  const Batch b = make_batch(cfg);
  for (auto _ : st) {
    ops::embedding_forward(table, b.input_ids.data(), kBatch * kSeq, out, false, "word_embeddings");
    benchmark::DoNotOptimize(out.data());
  }
  st.counters["GB/s"] =
      benchmark::Counter(2.0 * 4.0 * kBatch * kSeq * cfg.hidden_size * static_cast<double>(st.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EmbeddingGather)->Unit(benchmark::kMicrosecond);

void BM_AdamWStepBertBase(benchmark::State& st) {
  BertForSequenceClassification<float> m(BertConfig::bert_base());
  AdamW<float> opt(m);
  for (auto _ : st) opt.step(m);
  st.counters["GB/s"] = benchmark::Counter(4.0 * 2.0 * 4.0 * 109483778.0 * static_cast<double>(st.iterations()) / 1e9,
                                           benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AdamWStepBertBase)->Unit(benchmark::kMillisecond)->Iterations(5);

// ---- whole training steps per policy -------------------------------------------------------
template <class Policy>
void BM_Step(benchmark::State& st, BertConfig cfg) {
  BertForSequenceClassification<float, Policy> m(cfg);
  m.init_weights(1);
  AdamW<float> opt(m, {.lr = 1e-5});
  Batch b = make_batch(cfg);
  Labels y;
  y.classes.assign(kBatch, 1);
  m.zero_grad();
  m.forward_backward(b, y);  // warm-up: first-touch allocations
  opt.step(m);
  double flops = 0;
  for (auto _ : st) {
    m.zero_grad();
    m.flops.reset();
    m.forward_backward(b, y);
    opt.step(m);
    flops += static_cast<double>(m.flops.total());
  }
  st.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}
#define FROST_BENCH_STEP(name, policy, cfg, iters)                        \
  void BM_Step_##name(benchmark::State& st) { BM_Step<policy>(st, cfg); } \
  BENCHMARK(BM_Step_##name)->Unit(benchmark::kMillisecond)->Iterations(iters);
FROST_BENCH_STEP(bert_base_none, NoFreeze, BertConfig::bert_base(), 3)
FROST_BENCH_STEP(bert_base_emb_layers8, FreezeEmbeddingsAndLowerLayers<8>, BertConfig::bert_base(), 3)
FROST_BENCH_STEP(bert_base_bitfit, BitFit, BertConfig::bert_base(), 3)
FROST_BENCH_STEP(bert_base_body, FreezeBert, BertConfig::bert_base(), 3)
FROST_BENCH_STEP(minilm_none, NoFreeze, BertConfig::minilm_l6(), 5)
FROST_BENCH_STEP(minilm_emb_layers4, FreezeEmbeddingsAndLowerLayers<4>, BertConfig::minilm_l6(), 5)
FROST_BENCH_STEP(minilm_bitfit, BitFit, BertConfig::minilm_l6(), 5)
FROST_BENCH_STEP(minilm_body, FreezeBert, BertConfig::minilm_l6(), 5)

}  // namespace

int main(int argc, char** argv) {
  benchmark::AddCustomContext("gemm_backend", frost::gemm::DefaultBackend::name);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
