// benchmarks/runtime_vs_static.cpp: step time of the run-time-composed BertClassifier against the
// static BertForSequenceClassification<float, Policy> of the same policy, in one run.
//
// For each of the three Hugging Face recipes (+ nothing frozen) and a geometry (minilm, bert-base),
// both models get the same random weights and batch (8 x 128 by default); steps alternate static /
// runtime so both see the same machine load; one warm-up step each, then the median of the timed
// steps (forward + backward + AdamW). Prints one line per policy and the ratio runtime / static.
// Usage: runtime_vs_static [minilm|bert-base] [steps] [batch] [seq]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <frost/frost.hpp>
#include <string>
#include <vector>

namespace {

using namespace frost;
using clock_type = std::chrono::steady_clock;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

template <class Model>
double step_ms(Model& m, AdamW<float>& opt, Batch& b, const Labels& y) {
  const auto t0 = clock_type::now();
  m.zero_grad();
  m.forward_backward(b, y);
  opt.step(m);
  return std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
}

template <class Policy>
void compare(const char* name, const BertConfig& cfg, int steps, int batch, int seq) {
  BertForSequenceClassification<float, Policy> fixed(cfg);
  BertClassifier<float> composed(cfg, Policy::frozen);
  fixed.init_weights(1);
  composed.copy_weights_from(fixed);
  AdamW<float> oa(fixed, {.lr = 1e-5}), ob(composed, {.lr = 1e-5});
  Batch b;
  b.batch_size = batch;
  b.seq_len = seq;
  for (int i = 0; i < batch * seq; ++i) b.input_ids.push_back(1000 + (i * 7919) % (cfg.vocab_size - 1000));
  Labels y;
  y.classes.assign(static_cast<std::size_t>(batch), 1);
  std::vector<double> ta, tb;
  for (int s = 0; s <= steps; ++s) {
    const double a = step_ms(fixed, oa, b, y), c = step_ms(composed, ob, b, y);
    if (s > 0) ta.push_back(a), tb.push_back(c);
  }
  std::printf("%-28s static %9.1f ms  runtime %9.1f ms  ratio %.3f\n", name, median(ta), median(tb),
              median(tb) / median(ta));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string geometry = argc > 1 ? argv[1] : "minilm";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 5;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 8;
  const int seq = argc > 4 ? std::atoi(argv[4]) : 128;
  const BertConfig cfg = geometry == "bert-base" ? BertConfig::bert_base() : BertConfig::minilm_l6();
  std::printf("geometry %s, batch %d x %d, %d timed steps (median), GEMM backend %s\n", geometry.c_str(), batch, seq,
              steps, gemm::DefaultBackend::name);
  compare<NoFreeze>("nothing frozen", cfg, steps, batch, seq);
  compare<FreezeLowerLayers<4>>("layers[:4] (Example 2)", cfg, steps, batch, seq);
  compare<FreezeEmbeddingsAndLowerLayers<4>>("embeddings,layers[:4]", cfg, steps, batch, seq);
  compare<FreezeBert>("bert (Examples 1 and 3)", cfg, steps, batch, seq);
}
