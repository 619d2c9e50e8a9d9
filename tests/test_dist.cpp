// Data parallel without MPI: dist::Communicator is an interface, so two threads sharing memory
// (ThreadGroup below) are two ranks. Each rank runs half of a batch; after allreduce_grads() every
// trainable gradient equals the one-process gradient of the whole batch, only trainable tensors
// travel (4 bytes per trainable parameter), and DistributedSampler's sharding is what
// shard_order() does. The MPI communicator and `mpirun -np N frost train` are tested by
// tests/cli/ddp_test.sh (FROST_MPI builds).
#include <barrier>
#include <mutex>
#include <thread>

#include "support.hpp"

namespace {

using namespace frost;

/// p ranks in one process: each collective is barrier, rank 0 combines, barrier, everyone reads.
class ThreadGroup {
 public:
  explicit ThreadGroup(int p) : p_(p), sync_(p), slots_(static_cast<std::size_t>(p)) {}
  class Comm final : public dist::Communicator {
   public:
    Comm(ThreadGroup& g, int r) : g_(g), r_(r) {}
    [[nodiscard]] int rank() const override { return r_; }
    [[nodiscard]] int size() const override { return g_.p_; }
    void allreduce_sum(float* d, std::size_t n) override {
      g_.reduce(r_, d, n, [](float& a, float b) { a += b; });
    }
    void allreduce_sum(double* d, std::size_t n) override {
      g_.reduce(r_, d, n, [](double& a, double b) { a += b; });
    }
    void allreduce_min(std::uint64_t* d, std::size_t n) override {
      g_.reduce(r_, d, n, [](std::uint64_t& a, std::uint64_t b) { a = std::min(a, b); });
    }
    void broadcast(void* d, std::size_t bytes, int root) override {
      g_.slots_[static_cast<std::size_t>(r_)] = d;
      g_.sync_.arrive_and_wait();
      if (r_ != root) std::memcpy(d, g_.slots_[static_cast<std::size_t>(root)], bytes);
      g_.sync_.arrive_and_wait();
    }
    void barrier() override { g_.sync_.arrive_and_wait(); }
    [[noreturn]] void abort(int) override { std::abort(); }
    std::uint64_t calls = 0;

   private:
    ThreadGroup& g_;
    int r_;
  };

 private:
  template <class V, class Op>
  void reduce(int r, V* d, std::size_t n, Op op) {
    slots_[static_cast<std::size_t>(r)] = d;
    sync_.arrive_and_wait();
    if (r == 0)
      for (int k = 1; k < p_; ++k)
        for (std::size_t i = 0; i < n; ++i) op(d[i], static_cast<const V*>(slots_[static_cast<std::size_t>(k)])[i]);
    sync_.arrive_and_wait();
    if (r != 0) std::memcpy(d, slots_[0], n * sizeof(V));
    sync_.arrive_and_wait();
  }
  int p_;
  std::barrier<> sync_;
  std::vector<void*> slots_;
};

Batch rows(const Batch& b, int r0, int r1) {
  Batch out;
  out.batch_size = r1 - r0;
  out.seq_len = b.seq_len;
  const auto s = static_cast<std::size_t>(b.seq_len);
  auto cut = [&](const std::vector<int>& v) {
    return std::vector<int>(v.begin() + static_cast<std::ptrdiff_t>(r0 * s),
                            v.begin() + static_cast<std::ptrdiff_t>(r1 * s));
  };
  out.input_ids = cut(b.input_ids);
  out.token_type_ids = cut(b.token_type_ids);
  out.attention_mask = cut(b.attention_mask);
  return out;
}

class DataParallelMethod : public ::testing::TestWithParam<bool> {};

// GetParam(): false = allreduce_grads after backward; true = GradientReducer during backward.
TEST_P(DataParallelMethod, TwoRanksAveragedEqualOneProcessAndOnlyTrainableGradientsTravel) {
  const bool overlapped = GetParam();
  frost_test::Case c("single");  // 4 examples, dropout 0
  // The fixture ignores one label (-100): each rank's mean would then cover another number of
  // examples than the whole batch's (in PyTorch DDP too). Every label counts here.
  for (auto& y : c.labels.classes) y = y < 0 ? 1 : y;
  for (const char* spec : {"none", "bert", "embeddings,layers:0-2", "bitfit"}) {
    BertClassifier<float> whole(c.cfg, FreezeSpec::parse(spec));
    io::load_hf_weights(whole, c.file);
    whole.zero_grad();
    (void)whole.forward_backward(c.batch, c.labels);

    std::vector<BertClassifier<float>> ranks;
    ranks.reserve(2);
    for (int r = 0; r < 2; ++r) {
      ranks.emplace_back(c.cfg, FreezeSpec::parse(spec));
      io::load_hf_weights(ranks.back(), c.file);
    }
    ThreadGroup group(2);
    std::mutex compute;
    std::uint64_t bytes[2] = {0, 0};
    std::vector<std::thread> threads;
    for (int r = 0; r < 2; ++r)
      threads.emplace_back([&, r] {
        ThreadGroup::Comm comm(group, r);
        auto& m = ranks[static_cast<std::size_t>(r)];
        Labels half;
        half.classes = {c.labels.classes[static_cast<std::size_t>(2 * r)],
                        c.labels.classes[static_cast<std::size_t>(2 * r + 1)]};
        Batch mine = rows(c.batch, 2 * r, 2 * r + 2);
        m.zero_grad();
        if (overlapped) {  // each component's allreduce starts inside backward
          dist::GradientReducer<BertClassifier<float>> reducer(m, comm);
          reducer.arm();
          (void)m.forward_backward(mine, half);
          bytes[r] = reducer.finish();
        } else {
          {  // one rank computes at a time (real ranks are processes; these share one OpenMP runtime)
            const std::lock_guard<std::mutex> lock(compute);
            (void)m.forward_backward(mine, half);
          }
          bytes[r] = dist::allreduce_grads(m, comm);
        }
      });
    for (auto& t : threads) t.join();

    std::int64_t trainable = 0;
    double worst = 0;
    std::vector<const Tensor<float>*> want;
    double largest = 0;  // the attention key bias's true gradient is 0: both sides hold rounding noise
    whole.for_each_trainable([&](const ParamId&, auto& p) {
      want.push_back(&p.grad);
      largest = std::max(largest, static_cast<double>(p.grad.cwiseAbs().maxCoeff()));
    });
    for (int r = 0; r < 2; ++r) {
      std::size_t k = 0;
      ranks[static_cast<std::size_t>(r)].for_each_trainable([&](const ParamId& id, auto& p) {
        if (r == 0) trainable += p.grad.size();
        const Tensor<float>& w = *want[k++];
        const double zero = 1e-6 * largest;  // the key bias: zero up to rounding in both
        if (w.cwiseAbs().maxCoeff() < zero) {
          EXPECT_LT(p.grad.cwiseAbs().maxCoeff(), zero) << spec << " " << io::hf_name(id);
          return;
        }
        const double e = frost_test::scaled_error(p.grad, std::vector<float>(w.data(), w.data() + w.size()), 1e-6);
        worst = std::max(worst, e);
        EXPECT_LT(e, 1e-5) << spec << " rank " << r << " " << io::hf_name(id);
      });
    }
    EXPECT_EQ(bytes[0], static_cast<std::uint64_t>(4 * trainable)) << spec;
    EXPECT_EQ(bytes[1], bytes[0]);
    std::printf("[ dist %s%s ] 2 ranks x 2 vs 1 x 4: largest gradient error %.3g; %llu bytes per rank\n", spec,
                overlapped ? ", overlapped" : "", worst, static_cast<unsigned long long>(bytes[0]));
  }
}

INSTANTIATE_TEST_SUITE_P(Dist, DataParallelMethod, ::testing::Bool());

TEST(DataParallel, BroadcastAndDigestKeepRanksEqual) {
  const frost_test::Case c("single");
  std::vector<BertClassifier<float>> ranks;
  ranks.reserve(2);
  for (int r = 0; r < 2; ++r) ranks.emplace_back(c.cfg, FreezeSpec::parse("bert"));
  ranks[0].init_weights(1);
  ranks[1].init_weights(1);
  ranks[1].for_each_trainable([](const ParamId&, auto& p) { p.value.setConstant(3.0f); });  // differs
  ThreadGroup group(2);
  bool before[2], after[2];
  std::vector<std::thread> threads;
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&, r] {
      ThreadGroup::Comm comm(group, r);
      before[r] = dist::parameters_in_sync(ranks[static_cast<std::size_t>(r)], comm);
      dist::broadcast_params(ranks[static_cast<std::size_t>(r)], comm);
      after[r] = dist::parameters_in_sync(ranks[static_cast<std::size_t>(r)], comm);
    });
  for (auto& t : threads) t.join();
  EXPECT_FALSE(before[0]);
  EXPECT_FALSE(before[1]);
  EXPECT_TRUE(after[0]);
  EXPECT_TRUE(after[1]);
  EXPECT_EQ(dist::parameter_digest(ranks[0]), dist::parameter_digest(ranks[1]));
}

TEST(DataParallel, ShardsLikeDistributedSampler) {
  // DistributedSampler(drop_last=False): pad by wrapping to a multiple of p, rank r takes r::p.
  const std::vector<std::int64_t> order = {5, 3, 0, 4, 1, 2, 6};  // 7 examples
  EXPECT_EQ(dist::shard_order(order, 0, 2), (std::vector<std::int64_t>{5, 0, 1, 6}));
  EXPECT_EQ(dist::shard_order(order, 1, 2), (std::vector<std::int64_t>{3, 4, 2, 5}));  // 5: wrapped
  EXPECT_EQ(dist::shard_order(order, 2, 3), (std::vector<std::int64_t>{0, 2, 3}));     // 9 = 3 x 3
  EXPECT_EQ(dist::shard_order(order, 0, 1), order);
  EXPECT_EQ(dist::examples_per_rank(7, 2), 4u);
  EXPECT_EQ(dist::examples_per_rank(8, 4), 2u);
  // N ranks x batch b step k == one process x batch N b step k (when N b divides the data).
  const std::vector<std::int64_t> eight = {7, 6, 5, 4, 3, 2, 1, 0};
  const auto r0 = dist::shard_order(eight, 0, 2), r1 = dist::shard_order(eight, 1, 2);
  std::vector<std::int64_t> step0 = {r0[0], r1[0], r0[1], r1[1]};
  std::sort(step0.begin(), step0.end());
  EXPECT_EQ(step0, (std::vector<std::int64_t>{4, 5, 6, 7}));
}

}  // namespace
