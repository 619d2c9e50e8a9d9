// Finite-difference gradient checks in double precision: every op's backward (ops/*.hpp) and the
// whole BertForSequenceClassification under several freeze policies and all three problem types.
//
// Method. For an op with output `out`, the scalar objective is L = sum(out * R) with a fixed random
// R, so dL/dout = R is what the backward receives; for the losses and the model the objective is
// the loss itself. Each analytic gradient g is compared with the central difference
//   n_i = (L(x + h e_i) - L(x - h e_i)) / ((x_i + h) - (x_i - h)),   h = 1e-6
// (the denominator is the step actually taken in floating point). The error of a tensor is
//   rel = max_i |g_i - n_i| / max(max_i |g_i|, max_i |n_i|)
// i.e. relative to the gradient's scale (per-entry relative error is meaningless for entries that
// are, or nearly are, zero; exact zeros are asserted separately where the semantics demand them).
//
// Tolerance. In double precision with h = 1e-6 the truncation error is ~h^2 |L'''| / 6 ~ 1e-13 and
// the rounding error is ~eps |L| / h ~ 2e-16 * |L| / 1e-6 ~ 2e-10 |L|. With |L| = O(1..10) and
// gradients of scale O(0.01..1) the expected rel is 1e-10..1e-7 at worst; kTol = 1e-6 leaves that
// margin while any real backward bug (a missing term, a wrong factor or sign, a wrong mask) gives
// rel = O(1e-3..1). The observed worst errors are printed ("[gradcheck]" lines and a summary).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <frost/frost.hpp>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace frost;
using Mat = Tensor<double>;

constexpr double kStep = 1e-6;
constexpr double kTol = 1e-6;

// ---- helpers ---------------------------------------------------------------------------------

/// Worst error per label, printed at the end of the run.
std::map<std::string, double>& summary() {
  static std::map<std::string, double> s;
  return s;
}

void record(const std::string& label, double rel) {
  auto& w = summary()[label];
  w = std::max(w, rel);
}

class SummaryPrinter : public ::testing::Environment {
 public:
  void TearDown() override {
    if (summary().empty()) return;
    std::printf("[gradcheck] worst relative error per check (tolerance %.0e):\n", kTol);
    for (const auto& [label, rel] : summary()) std::printf("  %-48s %.3e\n", label.c_str(), rel);
  }
};
[[maybe_unused]] auto* const kSummary =
    ::testing::AddGlobalTestEnvironment(new SummaryPrinter);  // gtest owns and deletes it

Mat random_mat(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& gen, double lo = -1.0, double hi = 1.0) {
  std::uniform_real_distribution<double> u(lo, hi);
  Mat m(rows, cols);
  for (Eigen::Index i = 0; i < numel(m); ++i) m.data()[i] = u(gen);
  return m;
}

double dot(const Mat& a, const Mat& r) { return a.cwiseProduct(r).sum(); }

/// One central difference of f with respect to the scalar x (restored exactly afterwards).
template <class F>
double central_difference(double& x, F&& f) {
  const double old = x;
  const double xp = old + kStep, xm = old - kStep;
  x = xp;
  const double fp = f();
  x = xm;
  const double fm = f();
  x = old;
  return (fp - fm) / (xp - xm);
}

/// Numerical gradient of the scalar f() with respect to every entry of x (x is read by f).
template <class F>
Mat numeric_grad(Mat& x, F&& f) {
  Mat g(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < numel(x); ++i) g.data()[i] = central_difference(x.data()[i], f);
  return g;
}

double rel_error(const Mat& analytic, const Mat& numeric) {
  const double diff = (analytic - numeric).cwiseAbs().maxCoeff();
  if (diff == 0.0) return 0.0;
  const double scale = std::max(analytic.cwiseAbs().maxCoeff(), numeric.cwiseAbs().maxCoeff());
  return diff / scale;
}

/// Compares a gradient with its finite-difference estimate, records and prints the error.
void expect_grad(const std::string& label, const Mat& analytic, const Mat& numeric) {
  ASSERT_EQ(analytic.rows(), numeric.rows()) << label;
  ASSERT_EQ(analytic.cols(), numeric.cols()) << label;
  ASSERT_TRUE(analytic.allFinite()) << label;
  // A check against an all-zero gradient would prove nothing.
  ASSERT_GT(numeric.cwiseAbs().maxCoeff(), 1e-6) << label << ": gradient is (nearly) zero";
  const double rel = rel_error(analytic, numeric);
  record(label, rel);
  std::printf("[gradcheck] %-40s rel %.3e  (scale %.2e)\n", label.c_str(), rel, numeric.cwiseAbs().maxCoeff());
  EXPECT_LE(rel, kTol) << label << "\nanalytic:\n" << analytic << "\nnumeric:\n" << numeric;
}

// ---- ops ---------------------------------------------------------------------------------------

TEST(GradCheck, LinearBackward) {
  std::mt19937_64 gen(101);
  const Eigen::Index N = 6, in = 5, out = 4;
  Mat x = random_mat(N, in, gen), w = random_mat(out, in, gen), b = random_mat(1, out, gen);
  const Mat R = random_mat(N, out, gen);
  FlopCounter fc;
  auto L = [&] {
    Mat y;
    ops::linear_forward(x, w, b, y, fc);
    return dot(y, R);
  };
  Mat dx;
  ops::linear_backward_input(R, w, dx, fc);
  Mat dw = Mat::Zero(out, in);
  ops::linear_backward_weight(R, x, dw, fc);
  Mat db = Mat::Zero(1, out);
  ops::linear_backward_bias(R, db);
  expect_grad("linear.backward_input", dx, numeric_grad(x, L));
  expect_grad("linear.backward_weight", dw, numeric_grad(w, L));
  expect_grad("linear.backward_bias", db, numeric_grad(b, L));

  // The weight/bias halves accumulate (+=), backward_input accumulates on request.
  Mat dw2 = dw, db2 = db, dx2 = dx;
  ops::linear_backward_weight(R, x, dw2, fc);
  ops::linear_backward_bias(R, db2);
  ops::linear_backward_input(R, w, dx2, fc, Accumulate::yes);
  EXPECT_LE((dw2 - 2 * dw).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_LE((db2 - 2 * db).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_LE((dx2 - 2 * dx).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(GradCheck, LayerNormBackward) {
  std::mt19937_64 gen(202);
  const Eigen::Index N = 5, H = 7;
  Mat x = random_mat(N, H, gen, -2.0, 2.0);
  Mat gamma = random_mat(1, H, gen, 0.5, 1.5), beta = random_mat(1, H, gen);
  const Mat R = random_mat(N, H, gen);
  const double eps = 1e-12;  // BERT's layer_norm_eps
  auto L = [&] {
    Mat y;
    ops::layer_norm_forward(x, gamma, beta, eps, y, static_cast<ops::LayerNormCache<double>*>(nullptr));
    return dot(y, R);
  };
  Mat y;
  ops::LayerNormCache<double> cache;
  ops::layer_norm_forward(x, gamma, beta, eps, y, &cache);
  // The cached and the inference paths agree.
  Mat y_nocache;
  ops::layer_norm_forward(x, gamma, beta, eps, y_nocache, static_cast<ops::LayerNormCache<double>*>(nullptr));
  EXPECT_LE((y - y_nocache).cwiseAbs().maxCoeff(), 1e-14);
  Mat dx;
  ops::layer_norm_backward_input(R, gamma, cache, dx);
  Mat dgamma = Mat::Zero(1, H), dbeta = Mat::Zero(1, H);
  ops::layer_norm_backward_gamma(R, cache, dgamma);
  ops::layer_norm_backward_beta(R, dbeta);
  expect_grad("layer_norm.backward_input", dx, numeric_grad(x, L));
  expect_grad("layer_norm.backward_gamma", dgamma, numeric_grad(gamma, L));
  expect_grad("layer_norm.backward_beta", dbeta, numeric_grad(beta, L));
}

TEST(GradCheck, GeluBackward) {
  std::mt19937_64 gen(303);
  Mat x = random_mat(6, 9, gen, -4.0, 4.0);
  x(0, 0) = 0.0;  // the kink-free origin
  const Mat R = random_mat(6, 9, gen);
  auto L = [&] {
    Mat y;
    ops::gelu_forward(x, y);
    return dot(y, R);
  };
  Mat dx;
  ops::gelu_backward_input(R, x, dx);
  expect_grad("gelu.backward_input", dx, numeric_grad(x, L));
  // Spot values of exact (erf) GELU.
  EXPECT_NEAR(ops::gelu(1.0), 0.8413447460685429, 1e-15);
  EXPECT_NEAR(ops::gelu_grad(0.0), 0.5, 1e-15);
}

TEST(GradCheck, DropoutBackwardWithFixedMask) {
  std::mt19937_64 gen(404);
  const double p = 0.3;
  const RandomStream rng{0x5EEDull};
  Mat x = random_mat(7, 9, gen);
  const Mat R = random_mat(7, 9, gen);
  auto L = [&] {
    Mat y = x;
    ops::dropout_forward(y, p, rng, static_cast<ops::DropoutMask*>(nullptr));
    return dot(y, R);
  };
  Mat y = x;
  ops::DropoutMask kept;
  ops::dropout_forward(y, p, rng, &kept);
  // The mask records kept positions (0/1), the forward is x * kept / (1-p), and the same stream
  // gives the same mask.
  Mat mask(x.rows(), x.cols());
  Eigen::Index dropped = 0;
  for (Eigen::Index i = 0; i < kept.size(); ++i) {
    EXPECT_TRUE(kept.data()[i] == 0 || kept.data()[i] == 1) << int(kept.data()[i]);
    mask.data()[i] = kept.data()[i] ? 1.0 / (1.0 - p) : 0.0;
    dropped += (kept.data()[i] == 0);
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, kept.size());
  EXPECT_EQ(y, Mat(x.cwiseProduct(mask)));
  Mat y2 = x;
  ops::DropoutMask kept2;
  ops::dropout_forward(y2, p, rng, &kept2);
  EXPECT_EQ(kept, kept2);
  // Backward is the Jacobian of the masked forward: dx = dy * mask.
  Mat dx = R;
  ops::dropout_backward_input(dx, kept, p);
  EXPECT_EQ(dx, Mat(R.cwiseProduct(mask)));
  expect_grad("dropout.backward_input", dx, numeric_grad(x, L));
}

struct AttentionProblem {
  ops::AttentionShape sh{2, 5, 2, 3};              // batch 2, seq 5, 2 heads, head_dim 3
  std::vector<int> attention_mask{1, 1, 1, 1, 1,   // example 0: all keys attended
                                  1, 1, 1, 0, 0};  // example 1: keys 3, 4 masked (padding)
  Mat mask_add, q, k, v, R;
  explicit AttentionProblem(std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    const Eigen::Index N = sh.batch * sh.seq, H = sh.heads * sh.head_dim;
    mask_add = ops::additive_mask<double>(attention_mask.data(), sh.batch, sh.seq);
    q = random_mat(N, H, gen, -1.5, 1.5);
    k = random_mat(N, H, gen, -1.5, 1.5);
    v = random_mat(N, H, gen);
    R = random_mat(N, H, gen);
  }
};

void check_attention(double p_drop, const std::string& tag) {
  AttentionProblem a(505);
  const RandomStream rng{0xA77Eull};
  FlopCounter fc;
  auto L = [&] {
    Mat ctx;
    ops::attention_forward(a.q, a.k, a.v, a.mask_add, a.sh, p_drop, rng, ctx,
                           static_cast<ops::AttentionCache<double>*>(nullptr), fc);
    return dot(ctx, a.R);
  };
  Mat ctx, ctx_nocache;
  ops::AttentionCache<double> cache;
  ops::attention_forward(a.q, a.k, a.v, a.mask_add, a.sh, p_drop, rng, ctx, &cache, fc);
  ops::attention_forward(a.q, a.k, a.v, a.mask_add, a.sh, p_drop, rng, ctx_nocache,
                         static_cast<ops::AttentionCache<double>*>(nullptr), fc);
  EXPECT_EQ(ctx, ctx_nocache);  // caching does not change the forward (same dropout mask)
  if (p_drop > 0.0) {           // the recorded stream draws a real mask: some positions dropped, not all
    const std::uint32_t thr = ops::dropout_threshold(p_drop);
    const Eigen::Index S0 = a.sh.seq, heads = a.sh.batch * a.sh.heads;
    Eigen::Index dropped = 0;
    for (Eigen::Index bh = 0; bh < heads; ++bh)
      for (Eigen::Index i = 0; i < S0 * S0; ++i)
        dropped +=
            ops::dropout_keeps(cache.drop_rng.fork(static_cast<std::uint64_t>(bh)), static_cast<std::uint32_t>(i), thr)
                ? 0
                : 1;
    EXPECT_GT(dropped, 0);
    EXPECT_LT(dropped, heads * S0 * S0);
    EXPECT_EQ(cache.drop_rng.key, rng.key);
  }
  // Masked keys get probability 0. "Numerically zero" (< 1e-300) rather than == 0: Eigen 3.4's
  // SSE2/AVX exp clamps its argument and returns a denormal (~5.6e-309) for exp(lowest - max),
  // only the AVX-512 path returns exactly 0, so the exact value depends on -march.
  constexpr double kZero = 1e-300;
  const Eigen::Index S = a.sh.seq;
  for (Eigen::Index h = 0; h < a.sh.heads; ++h)
    for (Eigen::Index i = 0; i < S; ++i)
      for (Eigen::Index j = 3; j < S; ++j) EXPECT_LT(std::abs(cache.probs((a.sh.heads + h) * S + i, j)), kZero);
  Mat dq, dk, dv;
  ops::attention_backward_input(a.R, a.q, a.k, a.v, cache, a.sh, p_drop, dq, dk, dv, fc);
  expect_grad("attention" + tag + ".dq", dq, numeric_grad(a.q, L));
  expect_grad("attention" + tag + ".dk", dk, numeric_grad(a.k, L));
  expect_grad("attention" + tag + ".dv", dv, numeric_grad(a.v, L));
  // Masked (padding) keys and values get (numerically) zero gradient.
  for (Eigen::Index j = 3; j < S; ++j) {
    EXPECT_LT(dk.row(S + j).cwiseAbs().maxCoeff(), kZero) << "dk row of masked key " << j;
    EXPECT_LT(dv.row(S + j).cwiseAbs().maxCoeff(), kZero) << "dv row of masked key " << j;
  }
}

TEST(GradCheck, AttentionBackwardWithPaddingMask) { check_attention(0.0, ""); }

TEST(GradCheck, AttentionBackwardWithDropout) { check_attention(0.2, "(p=0.2)"); }

TEST(GradCheck, EmbeddingScatterAddSkipsPaddingRow) {
  std::mt19937_64 gen(606);
  const Eigen::Index V = 6, H = 4;
  const int pad = 2;
  // Repeated ids (1 three times, 4 twice) and the padding id twice; id 5 never appears.
  const std::vector<int> ids{1, 4, pad, 1, 0, 4, pad, 3, 1};
  const auto n = static_cast<Eigen::Index>(ids.size());
  Mat table = random_mat(V, H, gen);
  const Mat R = random_mat(n, H, gen);
  auto L = [&] {
    Mat out;
    ops::embedding_forward(table, ids.data(), n, out, false, "test");
    return dot(out, R);
  };
  // The accumulating forward adds onto the existing rows.
  Mat out, out_acc = Mat::Ones(n, H);
  ops::embedding_forward(table, ids.data(), n, out, false, "test");
  ops::embedding_forward(table, ids.data(), n, out_acc, true, "test");
  EXPECT_LE((out_acc - out - Mat::Ones(n, H)).cwiseAbs().maxCoeff(), 1e-15);

  const Mat numeric = numeric_grad(table, L);
  // Without a padding index: the plain scatter-add gradient.
  Mat dtable = Mat::Zero(V, H);
  ops::embedding_backward_weight(R, ids.data(), n, dtable, -1);
  expect_grad("embedding.backward_weight", dtable, numeric);
  EXPECT_TRUE((dtable.row(5).array() == 0.0).all());  // unused id

  // With padding_idx: the padding row gets exactly zero gradient although it is used in forward
  // (its finite difference is not zero); every other row is unchanged.
  ASSERT_GT(numeric.row(pad).cwiseAbs().maxCoeff(), 0.1);
  Mat dpad = Mat::Zero(V, H);
  ops::embedding_backward_weight(R, ids.data(), n, dpad, pad);
  EXPECT_TRUE((dpad.row(pad).array() == 0.0).all()) << dpad.row(pad);
  Mat numeric_pad = numeric;
  numeric_pad.row(pad).setZero();
  expect_grad("embedding.backward_weight(padding_idx)", dpad, numeric_pad);
}

TEST(GradCheck, CrossEntropyWithIgnoredLabel) {
  std::mt19937_64 gen(707);
  Mat logits = random_mat(5, 3, gen, -3.0, 3.0);
  const std::vector<std::int64_t> labels{2, ops::kIgnoreIndex, 0, 1, 2};
  auto L = [&] {
    Mat d;
    return ops::cross_entropy(logits, labels, d);
  };
  Mat d;
  const double loss = ops::cross_entropy(logits, labels, d);
  // Reference value: mean over the 4 non-ignored rows of logsumexp - logit[label].
  double want = 0;
  for (Eigen::Index b = 0; b < 5; ++b) {
    if (labels[static_cast<std::size_t>(b)] == ops::kIgnoreIndex) continue;
    want += std::log(logits.row(b).array().exp().sum()) - logits(b, labels[static_cast<std::size_t>(b)]);
  }
  EXPECT_NEAR(loss, want / 4.0, 1e-14);
  EXPECT_TRUE((d.row(1).array() == 0.0).all()) << "ignored row must get zero gradient";
  expect_grad("loss.cross_entropy", d, numeric_grad(logits, L));
  // Every label ignored: NaN loss (PyTorch's 0/0) and zero gradient.
  Mat d_all;
  const double nan_loss = ops::cross_entropy(logits, std::vector<std::int64_t>(5, ops::kIgnoreIndex), d_all);
  EXPECT_TRUE(std::isnan(nan_loss));
  EXPECT_TRUE((d_all.array() == 0.0).all());
}

TEST(GradCheck, MseLoss) {
  std::mt19937_64 gen(808);
  Mat logits = random_mat(4, 1, gen, -2.0, 2.0);
  const std::vector<double> targets{0.5, -1.0, 1.25, 0.0};
  auto L = [&] {
    Mat d;
    return ops::mse(logits, targets, d);
  };
  Mat d;
  ops::mse(logits, targets, d);
  expect_grad("loss.mse", d, numeric_grad(logits, L));
}

TEST(GradCheck, BceWithLogitsLoss) {
  std::mt19937_64 gen(909);
  Mat logits = random_mat(3, 4, gen, -3.0, 3.0);
  logits(0, 0) = 12.0;  // the numerically stable branches for large |x|
  logits(2, 3) = -15.0;
  const std::vector<double> targets{1, 0, 0.25, 1, 0, 1, 0.5, 0, 0.75, 1, 0, 0};
  auto L = [&] {
    Mat d;
    return ops::bce_with_logits(logits, targets, d);
  };
  Mat d;
  const double loss = ops::bce_with_logits(logits, targets, d);
  double want = 0;
  for (Eigen::Index i = 0; i < 12; ++i) {
    const double x = logits.data()[i], y = targets[static_cast<std::size_t>(i)];
    const double s = 1.0 / (1.0 + std::exp(-x));
    want -= y * std::log(s) + (1 - y) * std::log1p(-s);
  }
  EXPECT_NEAR(loss, want / 12.0, 1e-12);
  expect_grad("loss.bce_with_logits", d, numeric_grad(logits, L));
}

// ---- the whole model ---------------------------------------------------------------------------

enum class Problem { single_label, multi_label, regression };

BertConfig model_config(Problem p) {
  BertConfig c;
  c.vocab_size = 20;
  c.hidden_size = 8;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 16;
  c.max_position_embeddings = 8;
  c.type_vocab_size = 2;
  c.hidden_dropout_prob = 0.0;
  c.attention_probs_dropout_prob = 0.0;
  c.classifier_dropout = 0.0;
  c.pad_token_id = 0;
  switch (p) {
    case Problem::single_label:
      c.num_labels = 3;
      c.problem_type = ProblemType::single_label_classification;
      break;
    case Problem::multi_label:
      c.num_labels = 3;
      c.problem_type = ProblemType::multi_label_classification;
      break;
    case Problem::regression:
      c.num_labels = 1;
      c.problem_type = ProblemType::regression;
      break;
  }
  c.validate("gradcheck config");
  return c;
}

/// 2 x 5: example 0 is full length and holds the pad id (0) at an attended position; example 1
/// has two padded positions. Ids repeat within and across examples; token types are 0 and 1.
Batch model_batch() {
  Batch b;
  b.batch_size = 2;
  b.seq_len = 5;
  b.input_ids = {2, 5, 0, 7, 5,  //
                 2, 9, 9, 0, 0};
  b.token_type_ids = {0, 0, 0, 1, 1,  //
                      0, 1, 1, 0, 0};
  b.attention_mask = {1, 1, 1, 1, 1,  //
                      1, 1, 1, 0, 0};
  return b;
}

Labels model_labels(Problem p) {
  Labels y;
  switch (p) {
    case Problem::single_label:
      y.classes = {2, 0};
      break;
    case Problem::multi_label:
      y.targets = {1.0, 0.0, 0.7, 0.0, 1.0, 0.2};
      break;
    case Problem::regression:
      y.targets = {0.8, -1.3};
      break;
  }
  return y;
}

std::string param_name(const ParamId& id) {
  switch (id.component) {
    case Component::embeddings:
      return std::string("embeddings.") + slot_name(id.component, id.slot);
    case Component::layer:
      return "layer." + std::to_string(id.layer) + "." + slot_name(id.component, id.slot);
    case Component::pooler:
      return std::string("pooler.") + slot_name(id.component, id.slot);
    default:
      return std::string("classifier.") + slot_name(id.component, id.slot);
  }
}

/// Moves every parameter (frozen ones too) away from the HF initialisation so that biases and
/// LayerNorm parameters are nonzero and no gradient is degenerate; the padding row too.
template <class Model>
void perturb(Model& m, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  m.for_each_param([&](const ParamId& id, auto& p) {
    const SlotKind kind = slot_kind(id.component, id.slot);
    const double sd = kind == SlotKind::weight || kind == SlotKind::embedding ? 0.4 : 0.2;
    for (Eigen::Index i = 0; i < numel(p.value); ++i) p.value.data()[i] += sd * noise(gen);
  });
}

template <class Policy, int Depth>
void check_model(Problem problem, const std::string& label) {
  using Model = BertForSequenceClassification<double, Policy, Depth>;
  const BertConfig cfg = model_config(problem);
  Model model(cfg);
  model.init_weights(1234);
  perturb(model, 4321);
  Batch batch = model_batch();
  const Labels labels = model_labels(problem);

  model.zero_grad();
  const double loss = model.forward_backward(batch, labels);
  auto eval_loss = [&] {
    const Tensor<double>& logits = model.forward(batch, Mode::eval);
    return compute_loss(model.config(), logits, labels).loss;
  };
  ASSERT_TRUE(std::isfinite(loss));
  EXPECT_NEAR(eval_loss(), loss, 1e-13 * std::max(1.0, std::abs(loss)));

  double worst = 0.0;
  std::string worst_name;
  int tensors = 0;
  std::int64_t entries = 0;
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    const std::string name = param_name(id);
    ASSERT_TRUE(p.grad.allFinite()) << label << " " << name;
    Mat numeric = numeric_grad(p.value, eval_loss);
    Mat analytic = p.grad;
    const bool word = id.component == Component::embeddings && id.slot == slot::word;
    if (word) {
      // HF padding_idx: the pad row gets no gradient although the pad token is attended (its
      // finite difference is clearly nonzero), so it is excluded from the comparison.
      EXPECT_TRUE((analytic.row(cfg.pad_token_id).array() == 0.0).all())
          << label << ": word-embedding padding row got gradient " << analytic.row(cfg.pad_token_id);
      EXPECT_GT(numeric.row(cfg.pad_token_id).cwiseAbs().maxCoeff(), 1e-4)
          << label << ": the pad token at an attended position should affect the loss";
      numeric.row(cfg.pad_token_id).setZero();
    }
    if (id.component == Component::layer && id.slot == slot::k_b) {
      // Softmax is shift invariant along each row: x Wk^T + bk adds q_i . bk to every score of
      // row i, so d(loss)/d(bk) = 0 exactly. Both estimates must be zero up to rounding (the
      // difference quotient's rounding floor is ~eps |L| / h ~ 1e-10).
      EXPECT_LE(analytic.cwiseAbs().maxCoeff(), 1e-12) << label << " " << name;
      EXPECT_LE(numeric.cwiseAbs().maxCoeff(), 1e-8) << label << " " << name;
      ++tensors;
      entries += numel(p.value);
      return;
    }
    EXPECT_GT(numeric.cwiseAbs().maxCoeff(), 1e-6) << label << " " << name << ": zero gradient";
    const double rel = rel_error(analytic, numeric);
    EXPECT_LE(rel, kTol) << label << " " << name << "\nanalytic:\n" << analytic << "\nnumeric:\n" << numeric;
    if (rel >= worst) worst = rel, worst_name = name;
    ++tensors;
    entries += numel(p.value);
  });
  ASSERT_GT(tensors, 0);
  // Exactly the plan's trainable parameters were visited (and checked entry by entry).
  EXPECT_EQ(entries, plan_report<Model>(cfg).trainable_params) << label;
  record("model." + label, worst);
  std::printf("[gradcheck] model %-36s rel %.3e  (worst tensor %s; %d tensors, %lld entries)\n", label.c_str(), worst,
              worst_name.c_str(), tensors, static_cast<long long>(entries));

  // Gradients accumulate: a second forward_backward without zero_grad doubles them.
  std::vector<Mat> first;
  model.for_each_trainable([&](const ParamId&, auto& p) { first.push_back(p.grad); });
  model.forward_backward(batch, labels);
  std::size_t k = 0;
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    const Mat& g1 = first[k++];
    EXPECT_LE((p.grad - 2.0 * g1).cwiseAbs().maxCoeff(), 1e-12 * (1.0 + g1.cwiseAbs().maxCoeff()))
        << label << " " << param_name(id) << ": gradients must accumulate";
  });
  model.zero_grad();
  model.for_each_trainable([&](const ParamId&, auto& p) { EXPECT_TRUE((p.grad.array() == 0.0).all()); });
}

using FreezeLayer0 = Freeze<Layers<0, 1>>;
using FreezeEmbeddingsAndLayer0 = FreezeEmbeddingsAndLowerLayers<1>;

#define FROST_GRADCHECK_MODEL(Name, Policy, Depth)                                                                    \
  TEST(GradCheckModel, Name##SingleLabel) { check_model<Policy, Depth>(Problem::single_label, #Name "SingleLabel"); } \
  TEST(GradCheckModel, Name##MultiLabel) { check_model<Policy, Depth>(Problem::multi_label, #Name "MultiLabel"); }    \
  TEST(GradCheckModel, Name##Regression) { check_model<Policy, Depth>(Problem::regression, #Name "Regression"); }

// Static depth 2.
FROST_GRADCHECK_MODEL(NoFreeze, NoFreeze, 2)
FROST_GRADCHECK_MODEL(FreezeLayer0, FreezeLayer0, 2)
FROST_GRADCHECK_MODEL(FreezeEmbeddingsAndLayer0, FreezeEmbeddingsAndLayer0, 2)
FROST_GRADCHECK_MODEL(BitFit, BitFit, 2)
FROST_GRADCHECK_MODEL(LayerNormOnly, LayerNormOnly, 2)
FROST_GRADCHECK_MODEL(FreezeBert, FreezeBert, 2)
// Dynamic depth (read from the config): the typed-layer / shared-tail split differs per policy
// (NoFreeze: all layers in the tail; FreezeLayer0 and FreezeEmbeddingsAndLayer0: layer 0 typed,
// layer 1 in the tail, the latter with the backward stop inside the tail).
FROST_GRADCHECK_MODEL(DynamicDepthNoFreeze, NoFreeze, kDynamicDepth)
FROST_GRADCHECK_MODEL(DynamicDepthFreezeLayer0, FreezeLayer0, kDynamicDepth)
FROST_GRADCHECK_MODEL(DynamicDepthFreezeEmbeddingsAndLayer0, FreezeEmbeddingsAndLayer0, kDynamicDepth)

#undef FROST_GRADCHECK_MODEL

}  // namespace
