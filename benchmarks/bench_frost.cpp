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
  for (std::size_t i = 0; i < b.input_ids.size(); ++i) b.input_ids[i] = 1000 + static_cast<int>(i * 7919 % (cfg.vocab_size - 1000));
  return b;
}

// ---- ops ----------------------------------------------------------------------------------
void BM_LinearForward(benchmark::State& st) {
  const std::int64_t in = st.range(0), out = st.range(1), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, in), w = Tensor<float>::Random(out, in), b = Tensor<float>::Random(1, out), y;
  FlopCounter fc;
  for (auto _ : st) {
    ops::linear_forward(x, w, b, y, fc);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GFLOP/s"] = benchmark::Counter(static_cast<double>(gemm_flops(n, out, in)) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LinearForward)->Args({768, 768})->Args({768, 3072})->Args({3072, 768})->Args({384, 1536})->Unit(benchmark::kMillisecond);

void BM_LayerNormForward(benchmark::State& st) {
  const std::int64_t h = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, h), g = Tensor<float>::Ones(1, h), b = Tensor<float>::Zero(1, h), y;
  ops::LayerNormCache<float> c;
  for (auto _ : st) {
    ops::layer_norm_forward(x, g, b, 1e-12f, y, &c);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GB/s"] = benchmark::Counter(3.0 * 4.0 * static_cast<double>(n * h) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LayerNormForward)->Arg(768)->Arg(384)->Unit(benchmark::kMicrosecond);

void BM_GeluForward(benchmark::State& st) {
  const std::int64_t f = st.range(0), n = kBatch * kSeq;
  Tensor<float> x = Tensor<float>::Random(n, f), y;
  for (auto _ : st) {
    ops::gelu_forward(x, y);
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["GB/s"] = benchmark::Counter(2.0 * 4.0 * static_cast<double>(n * f) * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
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
  st.counters["GFLOP/s"] = benchmark::Counter(4.0 * n * kSeq * h * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AttentionForward)->Args({768, 12})->Args({384, 12})->Unit(benchmark::kMillisecond);

void BM_EmbeddingScatter(benchmark::State& st) {
  const BertConfig cfg = BertConfig::bert_base();
  Tensor<float> table = Tensor<float>::Zero(cfg.vocab_size, cfg.hidden_size), d = Tensor<float>::Random(kBatch * kSeq, cfg.hidden_size);
  const Batch b = make_batch(cfg);
  for (auto _ : st) ops::embedding_backward_weight(d, b.input_ids.data(), kBatch * kSeq, table, 0);
  st.counters["GB/s"] = benchmark::Counter(2.0 * 4.0 * kBatch * kSeq * cfg.hidden_size * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EmbeddingScatter)->Unit(benchmark::kMicrosecond);

void BM_AdamWStepBertBase(benchmark::State& st) {
  BertForSequenceClassification<float> m(BertConfig::bert_base());
  AdamW<float> opt(m);
  for (auto _ : st) opt.step(m);
  st.counters["GB/s"] = benchmark::Counter(4.0 * 2.0 * 4.0 * 109483778.0 * static_cast<double>(st.iterations()) / 1e9, benchmark::Counter::kIsRate);
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
#define FROST_BENCH_STEP(name, policy, cfg, iters)                                     \
  void BM_Step_##name(benchmark::State& st) { BM_Step<policy>(st, cfg); }            \
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

BENCHMARK_MAIN();
