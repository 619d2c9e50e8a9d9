// frost::io::SafeTensorsFile: reading well-formed files (every dtype conversion, metadata,
// zero-size and 0-d tensors, the real PyTorch fixture) and rejecting malformed ones with a
// frost::Error that names the file and the tensor: one test per reader rule, a 1 TB tensor under
// RLIMIT_AS, the malformed corpus (tests/fixtures/malformed/safetensors, written by
// tools/make_malformed_safetensors.py) and the fuzz seed corpus (tests/fuzz/corpus/safetensors).
// This translation unit does not include Eigen (fast to build).
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <frost/io/safetensors.hpp>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#ifdef EIGEN_WORLD_VERSION
#error "test_safetensors.cpp must not include Eigen"
#endif

namespace {

using frost::io::DType;
using frost::io::SafeTensorsFile;

// ---- helpers ------------------------------------------------------------------------------

/// 8-byte little-endian length + header + data: a safetensors file, valid or not.
std::string st_bytes(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFFu);
  return out + header + data;
}

/// Little-endian bytes of a trivially copyable value array.
template <class T>
std::string le_bytes(std::initializer_list<T> values) {
  static_assert(std::endian::native == std::endian::little, "the tests assume a little-endian host");
  std::string out;
  for (T v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
  return out;
}

/// A temporary directory, removed with its contents at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("frost_test_safetensors_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string write(const std::string& name, const std::string& bytes) const {
    const auto p = path / name;
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
};

/// Runs `f`, expects a frost::Error, returns its message ("" and a test failure otherwise).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const frost::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected frost::Error, got another std::exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected frost::Error, nothing was thrown";
  return "";
}

/// `haystack` is evaluated once (it may be a call that opens a file).
#define EXPECT_HAS(haystack, needle)                                                  \
  do {                                                                                \
    const std::string haystack_ = (haystack);                                         \
    EXPECT_NE(haystack_.find(needle), std::string::npos) << "message: " << haystack_; \
  } while (0)

class SafeTensors : public ::testing::Test {
 protected:
  TempDir dir;
  /// Writes `bytes` to a fresh file and returns the message of opening it.
  std::string open_error(const std::string& bytes, std::string* path_out = nullptr) {
    const std::string path = dir.write("bad_" + std::to_string(n_++) + ".safetensors", bytes);
    if (path_out) *path_out = path;
    const std::string msg = error_of([&] { SafeTensorsFile f(path); });
    EXPECT_HAS(msg, path);  // every error names the file
    return msg;
  }
  std::string open_error(const std::string& header, const std::string& data) {
    return open_error(st_bytes(header, data));
  }

 private:
  int n_ = 0;
};

float from_bits(std::uint32_t b) { return std::bit_cast<float>(b); }

// ---- good files ---------------------------------------------------------------------------

TEST_F(SafeTensors, F32ReadBackExactly) {
  const std::vector<float> v = {1.0f, -0.0f, 3.14159274f, 1e-38f, -1e30f, std::numeric_limits<float>::denorm_min(),
                                0.1f};
  std::string data(reinterpret_cast<const char*>(v.data()), v.size() * 4);
  data += le_bytes<float>({7.5f, -2.25f});
  const std::string path =
      dir.write("f32.safetensors", st_bytes(R"({"a":{"dtype":"F32","shape":[7],"data_offsets":[0,28]},)"
                                            R"("b":{"dtype":"F32","shape":[1,2],"data_offsets":[28,36]}})",
                                            data));
  SafeTensorsFile f(path);
  EXPECT_EQ(f.path(), path);
  EXPECT_EQ(f.tensors().size(), 2u);
  EXPECT_TRUE(f.contains("a"));
  EXPECT_FALSE(f.contains("c"));
  const auto a = f.floats("a");
  ASSERT_EQ(a.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint32_t>(a[i]), std::bit_cast<std::uint32_t>(v[i])) << i;
  EXPECT_EQ(f.floats("b"), (std::vector<float>{7.5f, -2.25f}));
  const auto& ib = f.info("b");
  EXPECT_EQ(ib.dtype, DType::F32);
  EXPECT_EQ(ib.shape, (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(ib.begin, 28u);
  EXPECT_EQ(ib.end, 36u);
  EXPECT_EQ(ib.numel(), 2);
  EXPECT_TRUE(f.metadata().empty());
}

TEST_F(SafeTensors, F16ToFloat) {
  // bit pattern -> expected float, derived independently of the header's converter
  const std::uint16_t bits[] = {0x3C00, 0xC000, 0x0001, 0x7C00, 0xFC00, 0x0000, 0x8000,
                                0x3555, 0x7BFF, 0x0400, 0x03FF, 0x8001, 0x7E00};
  const float expected[] = {1.0f,
                            -2.0f,
                            5.960464477539063e-08f,  // 2^-24, smallest subnormal
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            0.0f,
                            -0.0f,
                            0.333251953125f,         // 0x3555 = (1 + 341/1024) / 4
                            65504.0f,                // largest finite f16
                            6.103515625e-05f,        // 2^-14, smallest normal
                            6.097555160522461e-05f,  // largest subnormal: 1023 * 2^-24
                            -5.960464477539063e-08f,
                            std::numeric_limits<float>::quiet_NaN()};
  constexpr std::size_t n = std::size(bits);
  std::string data;
  for (auto b : bits) data += le_bytes<std::uint16_t>({b});
  const std::string header = R"({"h":{"dtype":"F16","shape":[)" + std::to_string(n) + R"(],"data_offsets":[0,)" +
                             std::to_string(2 * n) + "]}}";
  SafeTensorsFile f(dir.write("f16.safetensors", st_bytes(header, data)));
  EXPECT_EQ(f.info("h").dtype, DType::F16);
  const auto got = f.floats("h");
  ASSERT_EQ(got.size(), n);
  for (std::size_t i = 0; i + 1 < n; ++i)
    EXPECT_EQ(std::bit_cast<std::uint32_t>(got[i]), std::bit_cast<std::uint32_t>(expected[i]))
        << "f16 0x" << std::hex << bits[i] << " -> " << got[i] << ", expected " << expected[i];
  EXPECT_TRUE(std::isnan(got[n - 1]));
  // 2^-24 computed another way
  EXPECT_EQ(got[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(got[10], 1023.0f * std::ldexp(1.0f, -24));
}

TEST_F(SafeTensors, F16AllFiniteValuesMatchArithmetic) {
  // Every one of the 63488 finite f16 patterns against sign * 2^(e-15) * (1 + m/1024) (normal)
  // or sign * 2^-14 * (m/1024) (subnormal), computed in double.
  std::string data;
  std::vector<std::uint16_t> patterns;
  for (std::uint32_t b = 0; b < 0x10000; ++b)
    if (((b >> 10) & 0x1F) != 0x1F) patterns.push_back(static_cast<std::uint16_t>(b));
  for (auto b : patterns) data += le_bytes<std::uint16_t>({b});
  const std::string header = R"({"h":{"dtype":"F16","shape":[)" + std::to_string(patterns.size()) +
                             R"(],"data_offsets":[0,)" + std::to_string(data.size()) + "]}}";
  SafeTensorsFile f(dir.write("f16_all.safetensors", st_bytes(header, data)));
  const auto got = f.floats("h");
  ASSERT_EQ(got.size(), patterns.size());
  int bad = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const std::uint16_t b = patterns[i];
    const int e = (b >> 10) & 0x1F, m = b & 0x3FF;
    const double mag = e == 0 ? std::ldexp(m / 1024.0, -14) : std::ldexp(1.0 + m / 1024.0, e - 15);
    const double want = (b & 0x8000) ? -mag : mag;
    if (got[i] != static_cast<float>(want) || std::signbit(got[i]) != bool(b & 0x8000)) {
      if (++bad <= 5) ADD_FAILURE() << "f16 0x" << std::hex << b << ": got " << got[i] << ", want " << want;
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST_F(SafeTensors, BF16ToFloat) {
  const std::uint16_t bits[] = {0x3F80, 0xC040, 0x7F80, 0xFF80, 0x0001, 0x8000, 0x4049, 0x0080};
  const float expected[] = {1.0f,
                            -3.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            from_bits(0x00010000u),  // a float subnormal: 2^-133
                            -0.0f,
                            3.140625f,  // 0x4049 = pi truncated to bf16
                            std::numeric_limits<float>::min()};
  std::string data;
  for (auto b : bits) data += le_bytes<std::uint16_t>({b});
  const std::string header = R"({"w":{"dtype":"BF16","shape":[2,4],"data_offsets":[0,16]}})";
  SafeTensorsFile f(dir.write("bf16.safetensors", st_bytes(header, data)));
  EXPECT_EQ(f.info("w").dtype, DType::BF16);
  const auto got = f.floats("w");
  ASSERT_EQ(got.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i)
    EXPECT_EQ(std::bit_cast<std::uint32_t>(got[i]), std::bit_cast<std::uint32_t>(expected[i]))
        << "bf16 0x" << std::hex << bits[i];
  EXPECT_EQ(got[4], std::ldexp(1.0f, -133));
}

TEST_F(SafeTensors, F64ToFloat) {
  const std::string data = le_bytes<double>({0.5, -1e300, 1.0 / 3.0});
  const std::string header = R"({"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}})";
  SafeTensorsFile f(dir.write("f64.safetensors", st_bytes(header, data)));
  const auto got = f.floats("d");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], 0.5f);
  EXPECT_TRUE(std::isinf(got[1]) && got[1] < 0);
  EXPECT_EQ(got[2], static_cast<float>(1.0 / 3.0));
}

TEST_F(SafeTensors, IntegerDtypes) {
  std::string data;
  data += le_bytes<std::int64_t>(
      {-100, 0, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()});  // 32 bytes
  data += le_bytes<std::int32_t>({-7, 2147483647, -2147483647 - 1});                                   // 12 bytes
  data += le_bytes<std::int8_t>({-128, 127});                                                          // 2 bytes
  data += le_bytes<std::uint8_t>({255, 0});                                                            // 2 bytes
  data += le_bytes<std::uint8_t>({1, 0, 1, 1});                                                        // 4 bytes
  const std::string header = R"({"i64":{"dtype":"I64","shape":[2,2],"data_offsets":[0,32]},)"
                             R"("i32":{"dtype":"I32","shape":[3],"data_offsets":[32,44]},)"
                             R"("i8":{"dtype":"I8","shape":[2],"data_offsets":[44,46]},)"
                             R"("u8":{"dtype":"U8","shape":[2],"data_offsets":[46,48]},)"
                             R"("b":{"dtype":"BOOL","shape":[4],"data_offsets":[48,52]}})";
  SafeTensorsFile f(dir.write("ints.safetensors", st_bytes(header, data)));
  EXPECT_EQ(f.ints("i64"), (std::vector<std::int64_t>{-100, 0, std::numeric_limits<std::int64_t>::max(),
                                                      std::numeric_limits<std::int64_t>::min()}));
  EXPECT_EQ(f.ints("i32"), (std::vector<std::int64_t>{-7, 2147483647, -2147483648LL}));
  EXPECT_EQ(f.ints("i8"), (std::vector<std::int64_t>{-128, 127}));
  EXPECT_EQ(f.ints("u8"), (std::vector<std::int64_t>{255, 0}));
  EXPECT_EQ(f.ints("b"), (std::vector<std::int64_t>{1, 0, 1, 1}));
  EXPECT_EQ(f.info("i64").dtype, DType::I64);
  EXPECT_EQ(f.info("i32").dtype, DType::I32);
  EXPECT_EQ(f.info("b").dtype, DType::BOOL);
}

TEST_F(SafeTensors, MetadataRead) {
  const std::string header =
      R"({"__metadata__":{"format":"pt","note":"héllo"},"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
  SafeTensorsFile f(dir.write("meta.safetensors", st_bytes(header, le_bytes<float>({2.5f}))));
  EXPECT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("note"), "héllo");
  EXPECT_FALSE(f.contains("__metadata__"));
  EXPECT_EQ(f.tensors().size(), 1u);
  // a 0-d scalar: shape [], one element
  EXPECT_TRUE(f.info("x").shape.empty());
  EXPECT_EQ(f.info("x").numel(), 1);
  EXPECT_EQ(f.floats("x"), std::vector<float>{2.5f});
}

TEST_F(SafeTensors, HeaderPaddedWithSpaces) {
  std::string header = R"({"x":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})";
  while (header.size() % 8 != 0) header.push_back(' ');
  header += "        ";
  SafeTensorsFile f(dir.write("pad.safetensors", st_bytes(header, le_bytes<std::int32_t>({42}))));
  EXPECT_EQ(f.ints("x"), std::vector<std::int64_t>{42});
}

TEST_F(SafeTensors, ZeroSizeTensors) {
  // a zero-size tensor next to a real one, and a file whose whole data buffer is empty
  const std::string header = R"({"empty":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},)"
                             R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  SafeTensorsFile f(dir.write("zero.safetensors", st_bytes(header, le_bytes<float>({1.0f}))));
  EXPECT_EQ(f.info("empty").numel(), 0);
  EXPECT_EQ(f.info("empty").shape, (std::vector<std::int64_t>{0, 3}));
  EXPECT_EQ(f.floats("x"), std::vector<float>{1.0f});

  const std::string only_empty =
      R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"i":{"dtype":"I64","shape":[2,0],"data_offsets":[0,0]}})";
  SafeTensorsFile g(dir.write("only_empty.safetensors", st_bytes(only_empty)));
  EXPECT_EQ(g.info("e").numel(), 0);
  EXPECT_TRUE(g.ints("i").empty());
}

// floats() of a zero-size F32 tensor: an empty vector. (Kept apart from ZeroSizeTensors because
// it is what UBSan flags in safetensors.hpp: memcpy(nullptr, p, 0), see the report.)
TEST_F(SafeTensors, ZeroSizeF32Floats) {
  const std::string header = R"({"empty":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},)"
                             R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
  SafeTensorsFile f(dir.write("zero.safetensors", st_bytes(header, le_bytes<float>({1.0f}))));
  EXPECT_TRUE(f.floats("empty").empty());
  const std::string only_empty = R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})";
  SafeTensorsFile g(dir.write("only_empty.safetensors", st_bytes(only_empty)));
  EXPECT_TRUE(g.floats("e").empty());
}

TEST_F(SafeTensors, ZeroSizeOtherFloatDtypes) {
  const std::string header = R"({"h":{"dtype":"F16","shape":[0],"data_offsets":[0,0]},)"
                             R"("b":{"dtype":"BF16","shape":[3,0],"data_offsets":[0,0]},)"
                             R"("d":{"dtype":"F64","shape":[0],"data_offsets":[0,0]}})";
  SafeTensorsFile f(dir.write("zero16.safetensors", st_bytes(header)));
  EXPECT_TRUE(f.floats("h").empty());
  EXPECT_TRUE(f.floats("b").empty());
  EXPECT_TRUE(f.floats("d").empty());
}

TEST_F(SafeTensors, EmptyHeaderObject) {
  SafeTensorsFile f(dir.write("nothing.safetensors", st_bytes("{}")));
  EXPECT_TRUE(f.tensors().empty());
  EXPECT_TRUE(f.metadata().empty());
}

TEST_F(SafeTensors, WriterRoundTrip) {
  frost::io::SafeTensorsWriter w;
  const float fv[] = {1.5f, -2.0f, 0.25f, 8.0f, 0.0f, -0.0f};
  const std::int64_t iv[] = {3, -4};
  w.add_f32("w", {2, 3}, fv);
  w.add_i64("ids", {2}, iv);
  w.set_metadata("step", "7");
  const std::string path = (dir.path / "rt.safetensors").string();
  w.write(path);
  SafeTensorsFile f(path);
  EXPECT_EQ(f.info("w").shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(f.floats("w"), std::vector<float>(std::begin(fv), std::end(fv)));
  EXPECT_EQ(f.ints("ids"), (std::vector<std::int64_t>{3, -4}));
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("step"), "7");
}

TEST(SafeTensorsFixture, RealPyTorchFile) {
  const std::string path = std::string(FROST_FIXTURES_DIR) + "/case_single.safetensors";
  SafeTensorsFile f(path);
  const auto& we = f.info("bert.embeddings.word_embeddings.weight");
  EXPECT_EQ(we.dtype, DType::F32);
  EXPECT_EQ(we.shape, (std::vector<std::int64_t>{50, 32}));
  EXPECT_EQ(f.floats("bert.embeddings.word_embeddings.weight").size(), 50u * 32u);
  const auto& loss = f.info("output.loss");
  EXPECT_TRUE(loss.shape.empty());
  EXPECT_EQ(loss.numel(), 1);
  EXPECT_EQ(loss.end - loss.begin, 4u);
  const auto lv = f.floats("output.loss");
  ASSERT_EQ(lv.size(), 1u);
  EXPECT_TRUE(std::isfinite(lv[0]) && lv[0] > 0.0f);
  EXPECT_EQ(f.info("input.input_ids").dtype, DType::I64);
  EXPECT_EQ(f.info("input.input_ids").shape, (std::vector<std::int64_t>{4, 8}));
  const auto ids = f.ints("input.input_ids");
  ASSERT_EQ(ids.size(), 32u);
  const std::vector<std::int64_t> row0 = {2, 7, 15, 7, 3, 41, 7, 49};  // see fixtures/tiny/README.md
  EXPECT_EQ(std::vector<std::int64_t>(ids.begin(), ids.begin() + 8), row0);
  EXPECT_EQ(f.ints("input.labels"), (std::vector<std::int64_t>{2, -100, 0, 1}));
  EXPECT_EQ(f.info("classifier.weight").shape, (std::vector<std::int64_t>{3, 32}));
  EXPECT_EQ(f.info("output.logits").shape, (std::vector<std::int64_t>{4, 3}));
  // 57 parameters + 57 grads + 4 inputs + 2 outputs
  EXPECT_EQ(f.tensors().size(), 57u * 2 + 4 + 2);
}

// ---- bad files ----------------------------------------------------------------------------

TEST_F(SafeTensors, MissingFile) {
  const std::string path = (dir.path / "nope.safetensors").string();
  const std::string msg = error_of([&] { SafeTensorsFile f(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "cannot open");
}

TEST_F(SafeTensors, ShorterThan8Bytes) {
  for (std::size_t n : {0u, 1u, 7u}) {
    const std::string msg = open_error(std::string(n, '\x01'));
    EXPECT_HAS(msg, "file is " + std::to_string(n) + " bytes, too short");
  }
}

TEST_F(SafeTensors, HeaderLengthLargerThanFile) {
  std::string bytes = st_bytes(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", le_bytes<float>({1}));
  bytes[0] = static_cast<char>(0xFF);  // header length 255 + ..., more than the file
  const std::string msg = open_error(bytes);
  EXPECT_HAS(msg, "runs past the end of the file (" + std::to_string(bytes.size()) + " bytes)");
}

TEST_F(SafeTensors, HeaderLengthOverLimit) {
  for (std::uint64_t n : {std::uint64_t{100'000'001}, std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
    std::string bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFFu);
    bytes += "{}";
    const std::string msg = open_error(bytes);
    EXPECT_HAS(msg, "header length " + std::to_string(n) + " exceeds the limit of 100000000");
  }
}

TEST_F(SafeTensors, HeaderNotJson) {
  EXPECT_HAS(open_error("{\"x\": ", ""), "header is not valid JSON");
  EXPECT_HAS(open_error("", ""), "header is not valid JSON");  // header length 0
}

TEST_F(SafeTensors, HeaderNotObject) {
  EXPECT_HAS(open_error("[1,2,3]", ""), "header must be a JSON object");
  EXPECT_HAS(open_error("42", ""), "header must be a JSON object");
}

TEST_F(SafeTensors, TensorEntryNotAnObjectOrIncomplete) {
  std::string msg = open_error(R"({"t":[1,2]})", "");
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "expected an object with dtype, shape and data_offsets");
  msg = open_error(R"({"t":{"dtype":"F32","shape":[1]}})", le_bytes<float>({1}));
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "data_offsets");
}

TEST_F(SafeTensors, UnknownDtype) {
  std::string msg = open_error(R"({"t":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x");
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "unknown dtype \"F8_E4M3\"");
  msg = open_error(R"({"t":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "unknown dtype \"f32\"");  // dtype names are case-sensitive
  msg = open_error(R"({"t":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "unknown dtype 4");
}

TEST_F(SafeTensors, BadShape) {
  for (const char* shape : {"[-1]", "[2,-3]", "[1.5]", "[\"2\"]", "[null]", "[true]"}) {
    const std::string msg = open_error(
        std::string(R"({"t":{"dtype":"F32","shape":)") + shape + R"(,"data_offsets":[0,4]}})", le_bytes<float>({1}));
    EXPECT_HAS(msg, "tensor 't'");
    EXPECT_HAS(msg, "shape entries must be non-negative integers");
  }
  const std::string msg = open_error(R"({"t":{"dtype":"F32","shape":4,"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "shape must be an array");
}

TEST_F(SafeTensors, ShapeTooLarge) {
  const std::string msg =
      open_error(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "shape is too large");
}

TEST_F(SafeTensors, DataOffsetsNotTwoIntegers) {
  for (const char* off : {"[0]", "[0,4,8]", "[0,4.0]", "[-4,4]", "[\"0\",4]", "4", "null", "[]"}) {
    const std::string msg = open_error(std::string(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":)") + off + "}}",
                                       le_bytes<float>({1}));
    EXPECT_HAS(msg, "tensor 't'");
    EXPECT_HAS(msg, "data_offsets must be [begin, end] non-negative integers");
  }
}

TEST_F(SafeTensors, BeginAfterEnd) {
  const std::string msg =
      open_error(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", le_bytes<float>({1, 2}));
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "begin > end");
}

TEST_F(SafeTensors, EndBeyondBuffer) {
  const std::string msg = open_error(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", le_bytes<float>({1}));
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "data_offsets end 8 is beyond the data buffer (4 bytes)");
  // a huge end must not overflow anything
  const std::string huge =
      open_error(R"({"t":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551614,18446744073709551615]}})", "x");
  EXPECT_HAS(huge, "tensor 't'");
  EXPECT_HAS(huge, "beyond the data buffer");
}

TEST_F(SafeTensors, SpanDoesNotMatchShape) {
  std::string msg = open_error(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", le_bytes<float>({1, 2}));
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "data_offsets span 8 bytes but shape x dtype needs 12");
  msg = open_error(R"({"t":{"dtype":"I64","shape":[],"data_offsets":[0,4]}})", le_bytes<float>({1}));
  EXPECT_HAS(msg, "tensor 't'");
  EXPECT_HAS(msg, "span 4 bytes but shape x dtype needs 8");
}

TEST_F(SafeTensors, OverlappingTensors) {
  const std::string msg = open_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                     R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                     le_bytes<float>({1, 2, 3}));
  EXPECT_HAS(msg, "overlap in the data buffer at byte 4");
  // two tensors aliasing the same bytes
  const std::string alias = open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})",
                                       le_bytes<float>({1}));
  EXPECT_HAS(alias, "overlap");
}

TEST_F(SafeTensors, GapBetweenTensors) {
  const std::string msg = open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                     R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                     le_bytes<float>({1, 2, 3}));
  EXPECT_HAS(msg, "gap in the data buffer at byte");
  EXPECT_TRUE(msg.find("at byte 4") != std::string::npos || msg.find("at bytes [4,") != std::string::npos) << msg;
  // a gap before the first tensor
  EXPECT_HAS(open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", le_bytes<float>({1, 2})),
             "gap in the data buffer at byte");
}

TEST_F(SafeTensors, TrailingBytes) {
  std::string msg =
      open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", le_bytes<float>({1}) + "abc");
  EXPECT_HAS(msg, "3 trailing bytes after the last tensor");
  msg = open_error("{}", "z");
  EXPECT_HAS(msg, "1 trailing bytes");
}

TEST_F(SafeTensors, MetadataNotStrings) {
  std::string msg = open_error(R"({"__metadata__":{"format":"pt","epoch":3}})", "");
  EXPECT_HAS(msg, "__metadata__ value for 'epoch' must be a string");
  msg = open_error(R"({"__metadata__":{"nested":{"a":"b"}}})", "");
  EXPECT_HAS(msg, "__metadata__ value for 'nested' must be a string");
  msg = open_error(R"({"__metadata__":["format","pt"]})", "");
  EXPECT_HAS(msg, "__metadata__ must be an object of strings");
}

TEST_F(SafeTensors, FloatsOfIntegerTensor) {
  const std::string path =
      dir.write("mixed.safetensors", st_bytes(R"({"ids":{"dtype":"I64","shape":[2],"data_offsets":[0,16]},)"
                                              R"("w":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}})",
                                              le_bytes<std::int64_t>({1, 2}) + le_bytes<float>({0.5f})));
  SafeTensorsFile f(path);
  std::string msg = error_of([&] { (void)f.floats("ids"); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "tensor 'ids' has dtype I64, expected a float dtype");
  msg = error_of([&] { (void)f.ints("w"); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "tensor 'w' has dtype F32, expected an integer dtype");
}

TEST_F(SafeTensors, MissingTensorName) {
  const std::string path = dir.write(
      "one.safetensors", st_bytes(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", le_bytes<float>({1})));
  SafeTensorsFile f(path);
  for (auto call : {+[](const SafeTensorsFile& s) { (void)s.info("missing.weight"); },
                    +[](const SafeTensorsFile& s) { (void)s.floats("missing.weight"); },
                    +[](const SafeTensorsFile& s) { (void)s.ints("missing.weight"); }}) {
    const std::string msg = error_of([&] { call(f); });
    EXPECT_HAS(msg, path);
    EXPECT_HAS(msg, "no tensor named 'missing.weight'");
  }
  // __metadata__ is not a tensor
  const std::string msg = error_of([&] { (void)f.info("__metadata__"); });
  EXPECT_HAS(msg, "no tensor named '__metadata__'");
}

TEST_F(SafeTensors, TruncatedRealFixture) {
  // the real fixture cut short at several points: always a frost::Error, never a crash
  std::ifstream in(std::string(FROST_FIXTURES_DIR) + "/case_single.safetensors", std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(whole.size(), 1000u);
  for (std::size_t cut : {std::size_t{4}, std::size_t{8}, std::size_t{100}, whole.size() / 2, whole.size() - 1}) {
    std::string path;
    const std::string msg = open_error(whole.substr(0, cut), &path);
    EXPECT_FALSE(msg.empty()) << "cut at " << cut;
  }
}

// ---- regressions: bugs these tests found in safetensors.hpp (now fixed) ---------------------

// nlohmann's lexer treats '\0' as end of input, so a NUL byte in the header and anything after it
// are silently ignored; the reference implementation rejects such a header.
TEST_F(SafeTensors, HeaderWithNulByteRejected) { EXPECT_HAS(open_error(std::string("{}\0garbage[", 11), ""), "NUL"); }

// numel * dtype_size wraps around 2^64: F32 x 2^62 elements "needs" 0 bytes, F64 x (2^61 + 1)
// elements "needs" 8 bytes, and the file opens; floats() then throws std::length_error.
TEST_F(SafeTensors, ShapeTimesDtypeSizeOverflowRejected) {
  std::string msg = open_error(R"({"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", "");
  EXPECT_HAS(msg, "tensor 't'");
  msg = open_error(R"({"t":{"dtype":"F64","shape":[2305843009213693953],"data_offsets":[0,8]}})", std::string(8, '\0'));
  EXPECT_HAS(msg, "tensor 't'");
}

// ints() checks the dtype inside the element loop, so a zero-size float tensor passes as ints.
TEST_F(SafeTensors, IntsOfZeroSizeFloatTensorThrows) {
  const std::string path =
      dir.write("zf.safetensors", st_bytes(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})"));
  SafeTensorsFile f(path);
  EXPECT_HAS(error_of([&] { (void)f.ints("t"); }), "expected an integer dtype");
}

// The overlap and gap messages name no tensor, which makes a bad file hard to debug.
TEST_F(SafeTensors, OverlapAndGapNameTheTensors) {
  const std::string overlap = open_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                         le_bytes<float>({1, 2, 3}));
  EXPECT_HAS(overlap, "'a'");
  EXPECT_HAS(overlap, "'b'");
  const std::string gap = open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                     R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                     le_bytes<float>({1, 2, 3}));
  EXPECT_HAS(gap, "'b'");
}

// A directory opens as an ifstream; tellg() fails, the 8-byte read fails and the header length is
// read from uninitialised bytes ("header length 140365286577353 exceeds the limit ...").
TEST_F(SafeTensors, DirectoryPathGivesClearError) {
  const std::string msg = error_of([&] { SafeTensorsFile f(dir.path.string()); });
  EXPECT_HAS(msg, dir.path.string());
  EXPECT_HAS(msg, "cannot open");
}

// ---- one test per reader rule (see the comment at the top of safetensors.hpp) --------------
// Each writes a malformed file and checks that the message names the file (open_error), the
// tensor or key, and the rule.

TEST_F(SafeTensors, RuleHeaderNotUtf8) {
  // a stray 0xFF in a tensor name, an overlong '/', an encoded surrogate, a cut-off sequence
  for (const auto& [bytes, offset] : {std::pair<std::string, std::string>{"{\"w\xff\":1}", "0xFF at header offset 3"},
                                      {"{\"\xc0\xaf\":1}", "0xC0 at header offset 2"},
                                      {"{\"\xed\xa0\x80\":1}", "0xED at header offset 2"},
                                      {"{\"\xe2\x82", "0xE2 at header offset 2"}}) {
    const std::string msg = open_error(bytes, "");
    EXPECT_HAS(msg, "header is not valid UTF-8: byte " + offset);
  }
}

TEST_F(SafeTensors, RuleHeaderByteOrderMark) {
  const std::string msg = open_error("\xef\xbb\xbf{}", "");
  EXPECT_HAS(msg, "header starts with a UTF-8 byte order mark (expected '{')");
}

TEST_F(SafeTensors, RuleHeaderLoneSurrogateEscape) {
  const std::string msg = open_error(R"({"\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "header is not valid JSON");
  EXPECT_HAS(msg, "surrogate");
}

TEST_F(SafeTensors, RuleHeaderTrailingGarbage) {
  // spaces after the object are padding; anything else is not
  const std::string msg = open_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} x)", "xxxx");
  EXPECT_HAS(msg, "header is not valid JSON");
}

TEST_F(SafeTensors, RuleNestingDepth) {
  // 128 levels are accepted (in an ignored key), 129 are not, whatever else is wrong after them
  auto nested = [](int levels) {
    return R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":)" +
           std::string(static_cast<std::size_t>(levels - 2), '[') +
           std::string(static_cast<std::size_t>(levels - 2), ']') + "}}";
  };
  SafeTensorsFile f(dir.write("deep128.safetensors", st_bytes(nested(128), "z")));
  EXPECT_EQ(f.ints("w"), std::vector<std::int64_t>{'z'});
  EXPECT_HAS(open_error(nested(129), "z"), "header is nested more than 128 levels deep");
  EXPECT_HAS(open_error(std::string(1'000'000, '['), ""), "header is nested more than 128 levels deep");
}

TEST_F(SafeTensors, RuleDuplicateTensorName) {
  const std::string msg = open_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                     R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                     le_bytes<float>({1, 2}));
  EXPECT_HAS(msg, "duplicate key 'w' in the header");
  EXPECT_HAS(open_error(R"({"__metadata__":{},"__metadata__":{"a":"b"}})", ""),
             "duplicate key '__metadata__' in the header");
}

TEST_F(SafeTensors, RuleDuplicateKeyInTensor) {
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    const std::string k = key;
    std::string header = R"({"bert.x":{"dtype":"F32","shape":[1],"data_offsets":[0,4],)";
    header += "\"" + k + "\":" + (k == "dtype" ? "\"F32\"" : k == "shape" ? "[1]" : "[0,4]") + "}}";
    const std::string msg = open_error(header, "xxxx");
    EXPECT_HAS(msg, "tensor 'bert.x': duplicate key '" + k + "'");
  }
  // duplicates of an ignored key, and inside its nested value
  EXPECT_HAS(open_error(R"({"w":{"dtype":"F32","x":1,"shape":[1],"x":2,"data_offsets":[0,4]}})", "xxxx"),
             "tensor 'w': duplicate key 'x'");
  EXPECT_HAS(open_error(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],)"
                        R"("x":[{"a":1},{"a":2,"b":{"c":1,"c":1}}]}})",
                        "xxxx"),
             "tensor 'w': duplicate key 'c' in a nested object");
}

TEST_F(SafeTensors, RuleDuplicateMetadataKey) {
  const std::string msg = open_error(R"({"__metadata__":{"format":"pt","format":"tf"}})", "");
  EXPECT_HAS(msg, "__metadata__: duplicate key 'format'");
}

TEST_F(SafeTensors, RuleMetadataFoundValueNamed) {
  EXPECT_HAS(open_error(R"({"__metadata__":{"epoch":3}})", ""),
             "__metadata__ value for 'epoch' must be a string, found 3");
  EXPECT_HAS(open_error(R"({"__metadata__":"pt"})", ""), "__metadata__ must be an object of strings, found \"pt\"");
  EXPECT_HAS(open_error(R"({"__metadata__":null})", ""), "__metadata__ must be an object of strings, found null");
}

TEST_F(SafeTensors, RuleTensorMissingField) {
  const std::map<std::string, std::string> without = {{"dtype", R"({"shape":[1],"data_offsets":[0,4]})"},
                                                      {"shape", R"({"dtype":"F32","data_offsets":[0,4]})"},
                                                      {"data_offsets", R"({"dtype":"F32","shape":[1]})"}};
  for (const auto& [key, body] : without) {
    const std::string msg = open_error("{\"t\":" + body + "}", "xxxx");
    EXPECT_HAS(msg, "tensor 't': missing '" + key + "'");
    EXPECT_HAS(msg, "expected an object with dtype, shape and data_offsets");
  }
  EXPECT_HAS(open_error(R"({"t":"F32"})", ""),
             "tensor 't': expected an object with dtype, shape and data_offsets, found \"F32\"");
}

TEST_F(SafeTensors, RuleUnknownDtypeListsTheKnownOnes) {
  const std::string msg = open_error(R"({"emb":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[0,1]}})", "x");
  EXPECT_HAS(msg, "tensor 'emb': unknown dtype \"F8_E5M2\"");
  EXPECT_HAS(msg, "expected one of F32, F16, BF16, F64, I64, I32, I8, U8, BOOL, I16, U16, U32");
  EXPECT_HAS(open_error(R"({"emb":{"dtype":["F32"],"shape":[1],"data_offsets":[0,4]}})", "xxxx"),
             "tensor 'emb': unknown dtype an array");
}

TEST_F(SafeTensors, RuleShapeEntryFoundAndIndex) {
  std::string msg = open_error(R"({"t":{"dtype":"F32","shape":[2,-3],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "tensor 't': shape entries must be non-negative integers, found -3 at shape index 1");
  msg = open_error(R"({"t":{"dtype":"F32","shape":[1e2],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "found 1e2 at shape index 0");
  msg = open_error(R"({"t":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,4]}})", "xxxx");
  EXPECT_HAS(msg, "found 18446744073709551616");  // beyond uint64: parsed as a float
  // "-0" is the integer 0
  SafeTensorsFile f(
      dir.write("minus0.safetensors", st_bytes(R"({"t":{"dtype":"F32","shape":[-0],"data_offsets":[-0,0]}})")));
  EXPECT_EQ(f.info("t").shape, std::vector<std::int64_t>{0});
}

TEST_F(SafeTensors, RuleShapeRank) {
  auto header = [](std::size_t rank) {
    std::string shape = "[0";
    for (std::size_t i = 1; i < rank; ++i) shape += ",1";
    return R"({"t":{"dtype":"F32","shape":)" + shape + R"(],"data_offsets":[0,0]}})";
  };
  SafeTensorsFile f(dir.write("rank1024.safetensors", st_bytes(header(1024))));
  EXPECT_EQ(f.info("t").shape.size(), 1024u);
  EXPECT_HAS(open_error(header(1025), ""), "tensor 't': shape has more than 1024 entries");
}

TEST_F(SafeTensors, RuleShapeEntryBeyondInt64) {
  // a zero dimension makes the product 0, but TensorInfo::shape is int64
  const std::string msg =
      open_error(R"({"t":{"dtype":"F32","shape":[0,9223372036854775808],"data_offsets":[0,0]}})", "");
  EXPECT_HAS(msg,
             "tensor 't': shape is too large: entry 9223372036854775808 at shape index 1 "
             "exceeds the int64 range");
}

TEST_F(SafeTensors, RuleElementCountOverflowsEvenBeforeAZero) {
  // like the Rust crate, every partial product must fit (TensorInfo::numel() computes them)
  const std::string msg =
      open_error(R"({"t":{"dtype":"U8","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})", "");
  EXPECT_HAS(msg,
             "tensor 't': shape is too large: the element count of [4294967296] x "
             "4294967296 overflows 64 bits");
  // 2^62 F32 elements: the count fits, the byte count does not
  EXPECT_HAS(open_error(R"({"t":{"dtype":"F32","shape":[2,2305843009213693952],"data_offsets":[0,0]}})", ""),
             "tensor 't': shape is too large: 4611686018427387904 elements of F32 (4 bytes each) "
             "overflow 64 bits");
}

TEST_F(SafeTensors, RuleDataOffsetsFoundValueNamed) {
  EXPECT_HAS(open_error(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", "xxxx"),
             "tensor 't': data_offsets must be [begin, end] non-negative integers, found 4.0 at index 1");
  EXPECT_HAS(open_error(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}})", "xxxx"),
             "found more than 2 entries");
  EXPECT_HAS(open_error(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":{"0":4}}})", "xxxx"), "found an object");
}

TEST_F(SafeTensors, RuleDataOffsetsOrdered) {
  const std::string msg = open_error(R"({"bert.pooler.dense.bias":{"dtype":"U8","shape":[2],"data_offsets":[10,8]}})",
                                     std::string(12, '\0'));
  EXPECT_HAS(msg, "tensor 'bert.pooler.dense.bias': data_offsets [10, 8] are not ordered");
}

TEST_F(SafeTensors, RuleDataOffsetsSpanNamesShapeAndDtype) {
  const std::string msg =
      open_error(R"({"w":{"dtype":"BF16","shape":[2,3],"data_offsets":[0,8]}})", std::string(8, '\0'));
  EXPECT_HAS(msg,
             "tensor 'w': data_offsets span 8 bytes but shape x dtype needs 12 (shape [2, 3], "
             "BF16, 2 bytes each)");
}

TEST_F(SafeTensors, RuleEmptyTensorInsideAnotherIsAnOverlap) {
  // the Rust reader's rule: sorted by offsets, each tensor starts where the previous one ended
  const std::string msg = open_error(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                     R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                                     le_bytes<float>({1, 2}));
  EXPECT_HAS(msg,
             "tensors 'a' (data_offsets [0, 8]) and 'e' (data_offsets [4, 4]) overlap in the "
             "data buffer at byte 4");
}

TEST_F(SafeTensors, RuleTrailingBytesNamesTheCoverage) {
  const std::string msg =
      open_error(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", le_bytes<float>({1, 2}));
  EXPECT_HAS(msg, "4 trailing bytes after the last tensor (data buffer is 8 bytes, the tensors cover 4)");
}

TEST_F(SafeTensors, LongNamesAreCutInMessages) {
  const std::string name(5000, 'n');
  const std::string msg = open_error("{\"" + name + R"(":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}})", "xxxx");
  EXPECT_HAS(msg, "tensor '" + name.substr(0, 200) + "...' (5000 bytes)");
  EXPECT_LT(msg.size(), 1000u);
}

// ---- what must keep loading ----------------------------------------------------------------

TEST_F(SafeTensors, UnknownTensorKeysAreIgnored) {
  const std::string header = R"({"w":{"offsets_note":"x","dtype":"I16","shape":[2],"data_offsets":[0,4],)"
                             R"("extra":[{"a":[1,{"b":null}]},true,1.5]}}  )";
  SafeTensorsFile f(dir.write("extra.safetensors", st_bytes(header, le_bytes<std::int16_t>({-2, 7}))));
  EXPECT_EQ(f.ints("w"), (std::vector<std::int64_t>{-2, 7}));
}

TEST_F(SafeTensors, SmallIntegerDtypes) {
  const std::string data = le_bytes<std::int16_t>({-32768, 32767}) + le_bytes<std::uint16_t>({65535, 1}) +
                           le_bytes<std::uint32_t>({4294967295u, 0});
  const std::string header = R"({"i16":{"dtype":"I16","shape":[2],"data_offsets":[0,4]},)"
                             R"("u16":{"dtype":"U16","shape":[2],"data_offsets":[4,8]},)"
                             R"("u32":{"dtype":"U32","shape":[2],"data_offsets":[8,16]}})";
  SafeTensorsFile f(dir.write("small_ints.safetensors", st_bytes(header, data)));
  EXPECT_EQ(f.ints("i16"), (std::vector<std::int64_t>{-32768, 32767}));
  EXPECT_EQ(f.ints("u16"), (std::vector<std::int64_t>{65535, 1}));
  EXPECT_EQ(f.ints("u32"), (std::vector<std::int64_t>{4294967295LL, 0}));
  EXPECT_EQ(f.info("u32").dtype, DType::U32);
  EXPECT_HAS(error_of([&] { (void)f.floats("i16"); }), "tensor 'i16' has dtype I16, expected a float dtype");
}

TEST_F(SafeTensors, EmptyTensorsWithAndWithoutMetadata) {
  for (const std::string meta : {"", R"("__metadata__":{"format":"pt"},)"}) {
    const std::string header = "{" + meta + R"("e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})";
    SafeTensorsFile f(dir.write("empty.safetensors", st_bytes(header)));
    EXPECT_EQ(f.info("e").numel(), 0);
    EXPECT_TRUE(f.floats("e").empty());
    EXPECT_EQ(f.metadata().size(), meta.empty() ? 0u : 1u);
  }
}

// ---- the in-memory entry points ----------------------------------------------------------

TEST_F(SafeTensors, FromMemoryMatchesTheFile) {
  const std::string bytes =
      st_bytes(R"({"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
               R"("b":{"dtype":"I64","shape":[1],"data_offsets":[8,16]}})",
               le_bytes<float>({1.5f, -2}) + le_bytes<std::int64_t>({-9}));
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  const auto m = SafeTensorsFile::from_memory(p, bytes.size(), "mem");
  EXPECT_EQ(m.path(), "mem");
  EXPECT_EQ(m.floats("a"), (std::vector<float>{1.5f, -2}));
  EXPECT_EQ(m.ints("b"), std::vector<std::int64_t>{-9});
  EXPECT_EQ(m.metadata().at("k"), "v");
  const auto h = frost::io::parse_safetensors_header(p, bytes.size(), "mem");
  EXPECT_EQ(h.data_size, 16u);
  EXPECT_EQ(h.data_begin() + h.data_size, bytes.size());
  EXPECT_EQ(h.tensors.at("b").begin, 8u);
  // errors name `where`
  EXPECT_HAS(error_of([&] { (void)frost::io::parse_safetensors_header(p, 7, "buf"); }),
             "buf: file is 7 bytes, too short");
  EXPECT_HAS(error_of([&] { (void)frost::io::parse_safetensors_header(p, bytes.size() - 1, "buf"); }),
             "buf: tensor 'b': data_offsets end 16 is beyond the data buffer (15 bytes)");
  EXPECT_HAS(error_of([&] { (void)frost::io::parse_safetensors_header_json("{\"a\":1}", 0, "j"); }),
             "j: tensor 'a': expected an object with dtype, shape and data_offsets, found 1");
}

// ---- allocation is bounded by the file -----------------------------------------------------

std::uint64_t address_space_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t pages = 0;
  in >> pages;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// A ~100-byte file declaring a 1 TB F32 tensor must fail with frost::Error before allocating it:
// in a child whose address space may grow by only 512 MB (relative to its current size, so that
// it also works under ASan's huge reservations), exit 0 iff a frost::Error was thrown.
TEST_F(SafeTensors, OneTerabyteTensorFailsUnderAddressSpaceLimit) {
  const std::string beyond = dir.write(
      "1tb.safetensors", st_bytes(R"({"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,1099511627776]}})",
                                  le_bytes<float>({1})));
  const std::string span = dir.write(
      "1tb_span.safetensors",
      st_bytes(R"({"w":{"dtype":"F32","shape":[262144,1048576],"data_offsets":[0,4]}})", le_bytes<float>({1})));
  ASSERT_LT(std::filesystem::file_size(beyond), 120u);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    rlimit lim{};
    if (::getrlimit(RLIMIT_AS, &lim) != 0) ::_exit(10);
    const rlim_t want = address_space_bytes() + (rlim_t{512} << 20);
    lim.rlim_cur = lim.rlim_max == RLIM_INFINITY ? want : std::min(want, lim.rlim_max);
    if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(11);
    // the limit bites: 1 GiB of address space is refused
    void* big = ::mmap(nullptr, std::size_t{1} << 30, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (big != MAP_FAILED) ::_exit(12);
    for (const auto& [path, rule] :
         {std::pair{beyond, "is beyond the data buffer (4 bytes)"}, std::pair{span, "needs 1099511627776"}}) {
      try {
        SafeTensorsFile f(path);
        ::_exit(3);  // loaded?!
      } catch (const frost::Error& e) {
        const std::string msg = e.what();
        if (msg.find(path) == std::string::npos || msg.find("tensor 'w'") == std::string::npos ||
            msg.find(rule) == std::string::npos)
          ::_exit(4);
      } catch (const std::bad_alloc&) {
        ::_exit(2);
      } catch (...) {
        ::_exit(5);
      }
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "child killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "2: std::bad_alloc, 3: loaded, 4: wrong message, 5: another exception, 1x: setup";
}

// ---- the malformed-input corpus (tools/make_malformed_safetensors.py) -----------------------

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(SafeTensorsCorpus, ManifestCases) {
  const std::string dir = FROST_MALFORMED_DIR;
  std::ifstream in(dir + "/cases.json");
  ASSERT_TRUE(in.good()) << dir << "/cases.json";
  const auto cases = nlohmann::json::parse(in);
  int malformed = 0, valid = 0;
  for (const auto& c : cases) {
    const std::string path = dir + "/" + c.at("file").get<std::string>();
    SCOPED_TRACE(path);
    ASSERT_TRUE(std::filesystem::is_regular_file(path));
    const std::string bytes = read_all(path);
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    if (c.at("expect").is_null()) {
      EXPECT_NO_THROW({ SafeTensorsFile f(path); });
      EXPECT_NO_THROW({ (void)SafeTensorsFile::from_memory(p, bytes.size(), path); });
      ++valid;
      continue;
    }
    const std::string expect = c["expect"].get<std::string>();
    const std::string msg = error_of([&] { SafeTensorsFile f(path); });
    EXPECT_HAS(msg, path);
    EXPECT_HAS(msg, expect);
    // the in-memory entry point runs the same checks
    EXPECT_EQ(error_of([&] { (void)SafeTensorsFile::from_memory(p, bytes.size(), path); }), msg);
    ++malformed;
  }
  EXPECT_GE(malformed, 15);
  EXPECT_GE(valid, 3);
}

// Every file of the fuzz seed corpus (valid, invalid, and the fuzzer's past findings) loads or
// throws frost::Error; a loaded file's tensors all read. Runs without clang/libFuzzer.
TEST(SafeTensorsCorpus, FuzzSeedCorpusNeverCrashes) {
  const std::filesystem::path dir =
      std::filesystem::path(FROST_MALFORMED_DIR) / ".." / ".." / ".." / "fuzz" / "corpus" / "safetensors";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    SCOPED_TRACE(e.path().string());
    std::string bytes = read_all(e.path().string());
    if (!bytes.empty() && bytes[0] == '{') {  // header-first form, as the fuzz target reads it
      const std::uint64_t len = bytes.rfind('}') + 1;
      bytes = st_bytes(bytes.substr(0, len), bytes.substr(len));
    }
    try {
      const auto f =
          SafeTensorsFile::from_memory(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size(), "seed");
      for (const auto& [name, info] : f.tensors()) {
        const std::size_t got = frost::io::is_float_dtype(info.dtype) ? f.floats(name).size() : f.ints(name).size();
        EXPECT_EQ(got, static_cast<std::size_t>(info.numel()));
      }
    } catch (const frost::Error&) {
    }
    ++n;
  }
  EXPECT_GT(n, 5);
}

}  // namespace
