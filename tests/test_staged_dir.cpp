// frost::io::crc32c and frost::io::StagedDirectory: the CRC-32C against the RFC 3720 vectors (both
// the table and the SSE4.2 paths), directories that appear complete or not at all (commit into an
// absent, empty, non-empty directory; merge with hard-linked checkpoints; the non-atomic fallback),
// verify_manifest on intact, corrupt and malformed directories, the cleanup of stale staging and
// trash directories, and crash safety: forked children SIGKILLed at each crash point.
// This translation unit does not include Eigen (fast to build).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <frost/io/crc32c.hpp>
#include <frost/io/staged_dir.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#ifdef EIGEN_WORLD_VERSION
#error "test_staged_dir.cpp must not include Eigen"
#endif

namespace {

namespace fs = std::filesystem;
using frost::io::StagedDirectory;
using Mode = frost::io::StagedDirectory::CommitMode;

// ---- helpers ------------------------------------------------------------------------------

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
  ASSERT_TRUE(out.good()) << p;
}

std::uint32_t sw_crc(const std::string& s) { return frost::io::detail::crc32c_sw(s.data(), s.size()); }

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::string s(n, '\0');
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

ino_t inode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

// The names in `dir` that start with `prefix`.
std::vector<std::string> entries_starting(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0) out.push_back(name);
  }
  return out;
}

// Runs `body` in a forked child; returns the raw waitpid status. The child exits 0 when `body`
// returns, 3 when it throws.
int run_in_child(const std::function<void()>& body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      body();
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

bool killed_by_sigkill(int status) { return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL; }

// Expects `fn` to throw frost::Error whose message contains every one of `parts`.
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no frost::Error thrown (expected one mentioning " << parts.front() << ")";
  } catch (const frost::Error& e) {
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << "\nlacks: " << p;
  }
}

class StagedDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "frost-staged-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
  }
  void TearDown() override {
    frost::io::detail::force_merge_fallback() = false;
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  // A committed directory `name` under root_ with two files.
  fs::path committed(const std::string& name) {
    StagedDirectory dir(root_ / name);
    dir.write_file("config.json", "{\"hidden_size\": 4}\n");
    dir.write_file("model.safetensors", std::string(1000, 'w'));
    dir.commit();
    return root_ / name;
  }

  std::vector<std::string> staging_left(const std::string& name) const {
    return entries_starting(root_, "." + name + ".frost-staging-");
  }

  fs::path root_;
};

// ---- CRC-32C ------------------------------------------------------------------------------

// Every implementation under test: the table path always, the SSE4.2 path where the CPU has it.
std::vector<std::pair<const char*, std::function<std::uint32_t(const void*, std::size_t, std::uint32_t)>>> paths() {
  std::vector<std::pair<const char*, std::function<std::uint32_t(const void*, std::size_t, std::uint32_t)>>> out;
  out.emplace_back("crc32c", [](const void* d, std::size_t n, std::uint32_t c) { return frost::io::crc32c(d, n, c); });
  out.emplace_back("sw",
                   [](const void* d, std::size_t n, std::uint32_t c) { return frost::io::detail::crc32c_sw(d, n, c); });
#if FROST_CRC32C_HW
  if (frost::io::detail::crc32c_hw_available()) {
    out.emplace_back(
        "hw", [](const void* d, std::size_t n, std::uint32_t c) { return frost::io::detail::crc32c_hw(d, n, c); });
  }
#endif
  return out;
}

TEST(Crc32c, Rfc3720Vectors) {
  std::vector<unsigned char> zeros(32, 0x00), ones(32, 0xFF), up(32), down(32);
  for (int i = 0; i < 32; ++i) {
    up[static_cast<std::size_t>(i)] = static_cast<unsigned char>(i);
    down[static_cast<std::size_t>(i)] = static_cast<unsigned char>(31 - i);
  }
  for (const auto& [name, crc] : paths()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(crc(zeros.data(), 32, 0), 0x8A9136AAu);
    EXPECT_EQ(crc(ones.data(), 32, 0), 0x62A8AB43u);
    EXPECT_EQ(crc(up.data(), 32, 0), 0x46DD794Eu);
    EXPECT_EQ(crc(down.data(), 32, 0), 0x113FDB5Cu);
  }
}

TEST(Crc32c, CheckValueAndEmpty) {
  for (const auto& [name, crc] : paths()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(crc("123456789", 9, 0), 0xE3069283u);
    EXPECT_EQ(crc("", 0, 0), 0u);
    EXPECT_EQ(crc("", 0, 0xE3069283u), 0xE3069283u);  // no bytes: the running value is unchanged
  }
}

TEST(Crc32c, HardwarePathIsTested) {
#if FROST_CRC32C_HW
  if (!frost::io::detail::crc32c_hw_available()) GTEST_SKIP() << "this CPU has no SSE4.2";
  EXPECT_EQ(paths().size(), 3u);
#else
  GTEST_SKIP() << "not x86-64: only the table path exists";
#endif
}

TEST(Crc32c, ChunkedEqualsWholeAndPathsAgree) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<std::size_t> length(0, 5000);
  const auto impls = paths();
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t offset = static_cast<std::size_t>(trial % 8);  // unaligned starts too
    const std::string buffer = random_bytes(rng, length(rng) + offset);
    const char* data = buffer.data() + offset;
    const std::size_t n = buffer.size() - offset;
    const std::size_t split = std::uniform_int_distribution<std::size_t>(0, n)(rng);
    const std::uint32_t whole = frost::io::detail::crc32c_sw(data, n);
    for (const auto& [name, crc] : impls) {
      SCOPED_TRACE(std::string(name) + " n=" + std::to_string(n) + " split=" + std::to_string(split));
      EXPECT_EQ(crc(data, n, 0), whole);
      EXPECT_EQ(crc(data + split, n - split, crc(data, split, 0)), whole);
    }
  }
}

TEST(Crc32c, Hex) {
  EXPECT_EQ(frost::io::crc32c_hex(0xE3069283u), "e3069283");
  EXPECT_EQ(frost::io::crc32c_hex(0x0A1Bu), "00000a1b");
  EXPECT_EQ(frost::io::crc32c_hex(0u), "00000000");
  EXPECT_EQ(frost::io::crc32c_hex(0xFFFFFFFFu), "ffffffff");
}

TEST_F(StagedDirTest, Crc32cFileEqualsCrcOfItsBytes) {
  std::mt19937 rng(7);
  const std::string bytes = random_bytes(rng, (std::size_t{3} << 20) + 17);  // 3 chunks and a tail
  write_bytes(root_ / "blob", bytes);
  EXPECT_EQ(frost::io::crc32c_file((root_ / "blob").string()), sw_crc(bytes));
  write_bytes(root_ / "empty", "");
  EXPECT_EQ(frost::io::crc32c_file((root_ / "empty").string()), 0u);
}

TEST_F(StagedDirTest, Crc32cFileOnMissingFileNamesIt) {
  const std::string missing = (root_ / "nope.bin").string();
  expect_error([&] { (void)frost::io::crc32c_file(missing); }, {missing});
}

// ---- commit -------------------------------------------------------------------------------

TEST_F(StagedDirTest, StagingPathIsAHiddenSibling) {
  const fs::path p = frost::io::staging_path_for(root_ / "out");
  EXPECT_EQ(p.parent_path(), root_);
  const std::string prefix = ".out.frost-staging-" + std::to_string(::getpid()) + "-";
  EXPECT_EQ(p.filename().string().rfind(prefix, 0), 0u) << p;
  EXPECT_NE(frost::io::staging_path_for(root_ / "out"), p);  // each call a new name
  EXPECT_EQ(frost::io::staging_path_for(root_ / "out/").parent_path(), root_);
}

TEST_F(StagedDirTest, CommitIntoAbsentTarget) {
  const fs::path target = root_ / "run" / "out";  // the parent is created too
  const std::string config = "{\"hidden_size\": 4}\n";
  std::mt19937 rng(3);
  const std::string weights = random_bytes(rng, 4096);
  {
    StagedDirectory dir(target);
    EXPECT_EQ(dir.target(), target);
    EXPECT_TRUE(fs::is_directory(dir.path()));
    EXPECT_FALSE(fs::exists(target));
    dir.write_file("config.json", config);
    write_bytes(dir.file("model.safetensors"), weights);  // another writer, through file()
    fs::create_directory(dir.path() / "sub");             // subdirectories are not listed
    write_bytes(dir.path() / "sub" / "x", "x");
    dir.commit();
  }
  EXPECT_EQ(read_bytes(target / "config.json"), config);
  EXPECT_EQ(read_bytes(target / "model.safetensors"), weights);
  EXPECT_EQ(read_bytes(target / "sub" / "x"), "x");
  EXPECT_TRUE(entries_starting(root_ / "run", ".out.frost-staging-").empty());

  const auto manifest = nlohmann::json::parse(read_bytes(target / frost::io::kManifestName));
  EXPECT_EQ(manifest.at("format"), "frost-manifest-1");
  const nlohmann::json want = nlohmann::json::array(
      {{{"name", "config.json"}, {"size", config.size()}, {"crc32c", frost::io::crc32c_hex(sw_crc(config))}},
       {{"name", "model.safetensors"}, {"size", weights.size()}, {"crc32c", frost::io::crc32c_hex(sw_crc(weights))}}});
  EXPECT_EQ(manifest.at("files"), want) << manifest.dump(2);
  EXPECT_TRUE(frost::io::verify_manifest(target));
}

TEST_F(StagedDirTest, EmptyDirectoryGetsAnEmptyManifest) {
  {
    StagedDirectory dir(root_ / "out");
    dir.commit();
  }
  const auto manifest = nlohmann::json::parse(read_bytes(root_ / "out" / frost::io::kManifestName));
  EXPECT_EQ(manifest.at("files"), nlohmann::json::array());
  EXPECT_TRUE(frost::io::verify_manifest(root_ / "out"));
}

TEST_F(StagedDirTest, DestructorWithoutCommitRemovesStaging) {
  fs::path staging;
  {
    StagedDirectory dir(root_ / "out");
    staging = dir.path();
    dir.write_file("a", "aaa");
    ASSERT_TRUE(fs::exists(staging / "a"));
  }
  EXPECT_FALSE(fs::exists(staging));
  EXPECT_FALSE(fs::exists(root_ / "out"));
  EXPECT_TRUE(staging_left("out").empty());
}

TEST_F(StagedDirTest, CommitIntoEmptyExistingDirectory) {
  fs::create_directory(root_ / "out");
  {
    StagedDirectory dir(root_ / "out");
    dir.write_file("a", "aaa");
    dir.commit();
  }
  EXPECT_EQ(read_bytes(root_ / "out" / "a"), "aaa");
  EXPECT_TRUE(frost::io::verify_manifest(root_ / "out"));
  EXPECT_TRUE(staging_left("out").empty());
}

TEST_F(StagedDirTest, NonEmptyTargetWithReplaceEmptyThrowsAndLeavesItUntouched) {
  fs::create_directory(root_ / "out");
  write_bytes(root_ / "out" / "old", "old");
  StagedDirectory dir(root_ / "out");
  dir.write_file("a", "aaa");
  expect_error([&] { dir.commit(); }, {(root_ / "out").string(), "not empty"});
  EXPECT_FALSE(fs::exists(dir.path()));  // staging removed at once
  EXPECT_TRUE(staging_left("out").empty());
  EXPECT_EQ(read_bytes(root_ / "out" / "old"), "old");
  EXPECT_FALSE(fs::exists(root_ / "out" / "a"));
  EXPECT_FALSE(fs::exists(root_ / "out" / frost::io::kManifestName));
  expect_error([&] { dir.commit(); }, {"already called"});
}

TEST_F(StagedDirTest, TargetThatIsAFileThrows) {
  write_bytes(root_ / "out", "a file");
  StagedDirectory dir(root_ / "out");
  expect_error([&] { dir.commit(Mode::merge); }, {(root_ / "out").string(), "not a directory"});
  EXPECT_EQ(read_bytes(root_ / "out"), "a file");
  EXPECT_TRUE(staging_left("out").empty());
}

TEST_F(StagedDirTest, WriteFileRejectsPathsAndWritesAfterCommit) {
  StagedDirectory dir(root_ / "out");
  expect_error([&] { dir.write_file("../escape", "x"); }, {"../escape"});
  expect_error([&] { dir.write_file("a/b", "x"); }, {"a/b"});
  dir.commit();
  expect_error([&] { dir.write_file("late", "x"); }, {"after commit"});
}

TEST_F(StagedDirTest, CommitsOneAfterAnotherInTheSameProcess) {
  for (int i = 0; i < 3; ++i) committed("out" + std::to_string(i));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(frost::io::verify_manifest(root_ / ("out" + std::to_string(i))));
}

// ---- merge --------------------------------------------------------------------------------

// An output directory as a Trainer leaves it: two checkpoints, an old top-level file, a dot entry.
void make_output_dir(const fs::path& out) {
  fs::create_directories(out / "checkpoint-2");
  fs::create_directories(out / "checkpoint-4");
  write_bytes(out / "checkpoint-2" / "a", "2a");
  write_bytes(out / "checkpoint-2" / "b", "2b");
  write_bytes(out / "checkpoint-4" / "a", "4a");
  write_bytes(out / "config.json", "old config");
  write_bytes(out / "train_log.jsonl", "{\"step\": 1}\n");
  write_bytes(out / ".junk", "dot");
}

void expect_checkpoints_kept(const fs::path& out) {
  EXPECT_EQ(read_bytes(out / "checkpoint-2" / "a"), "2a");
  EXPECT_EQ(read_bytes(out / "checkpoint-2" / "b"), "2b");
  EXPECT_EQ(read_bytes(out / "checkpoint-4" / "a"), "4a");
  EXPECT_EQ(read_bytes(out / "train_log.jsonl"), "{\"step\": 1}\n");
}

// Whether this file system swaps directories with renameat2 RENAME_EXCHANGE.
bool exchange_supported(const fs::path& root) {
  fs::create_directory(root / "swap-a");
  fs::create_directory(root / "swap-b");
  write_bytes(root / "swap-a" / "in-a", "");
  const bool swapped = frost::io::detail::exchange_paths(root / "swap-a", root / "swap-b");
  EXPECT_EQ(fs::exists(root / "swap-b" / "in-a"), swapped);
  fs::remove_all(root / "swap-a");
  fs::remove_all(root / "swap-b");
  return swapped;
}

TEST_F(StagedDirTest, ExchangeSwapsTwoDirectories) {
  if (!exchange_supported(root_)) GTEST_SKIP() << "no RENAME_EXCHANGE here: merges take the fallback";
}

TEST_F(StagedDirTest, MergeKeepsOldEntriesHardLinked) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  const bool exchange = exchange_supported(root_);
  const ino_t ino_out = inode_of(out);
  const ino_t ino2a = inode_of(out / "checkpoint-2" / "a");
  const ino_t ino2b = inode_of(out / "checkpoint-2" / "b");
  const ino_t ino4a = inode_of(out / "checkpoint-4" / "a");
  {
    StagedDirectory dir(out);
    dir.write_file("config.json", "new config");
    dir.write_file("model.safetensors", "weights");
    dir.commit(Mode::merge);
  }
  EXPECT_EQ(read_bytes(out / "config.json"), "new config");
  EXPECT_EQ(read_bytes(out / "model.safetensors"), "weights");
  expect_checkpoints_kept(out);
  EXPECT_EQ(inode_of(out / "checkpoint-2" / "a"), ino2a);
  EXPECT_EQ(inode_of(out / "checkpoint-2" / "b"), ino2b);
  EXPECT_EQ(inode_of(out / "checkpoint-4" / "a"), ino4a);
  EXPECT_EQ(inode_of(out) != ino_out, exchange);  // exchanged: `out` is now the staging directory
  // Dot entries that are not frost's scratch directories are carried too (deviation from the
  // first draft of the API, which dropped them: a model directory's .gitattributes would be lost).
  EXPECT_EQ(read_bytes(out / ".junk"), "dot");
  EXPECT_TRUE(frost::io::verify_manifest(out));
  EXPECT_TRUE(staging_left("out").empty());
  EXPECT_TRUE(entries_starting(root_, ".out.frost-trash-").empty());
  // Only what this commit wrote is listed.
  const auto manifest = nlohmann::json::parse(read_bytes(out / frost::io::kManifestName));
  ASSERT_EQ(manifest.at("files").size(), 2u);
  EXPECT_EQ(manifest.at("files")[0].at("name"), "config.json");
}

TEST_F(StagedDirTest, MergeDoesNotCarryFrostScratchEntries) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  fs::create_directory(out / ".checkpoint-6.frost-staging-1-0");  // another writer's half-written checkpoint
  write_bytes(out / ".checkpoint-6.frost-staging-1-0" / "partial", "p");
  {
    StagedDirectory dir(out);
    dir.write_file("model.safetensors", "weights");
    dir.commit(Mode::merge);
  }
  EXPECT_FALSE(fs::exists(out / ".checkpoint-6.frost-staging-1-0"));
  expect_checkpoints_kept(out);
}

TEST_F(StagedDirTest, MergeReplacesSameNamedSubdirectoryWhole) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  {
    StagedDirectory dir(out);
    fs::create_directory(dir.path() / "checkpoint-4");
    write_bytes(dir.path() / "checkpoint-4" / "c", "new 4c");
    dir.commit(Mode::merge);
  }
  EXPECT_EQ(read_bytes(out / "checkpoint-4" / "c"), "new 4c");
  EXPECT_FALSE(fs::exists(out / "checkpoint-4" / "a"));
  EXPECT_EQ(read_bytes(out / "checkpoint-2" / "a"), "2a");
}

TEST_F(StagedDirTest, MergeTwiceReplacesTheManifest) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  for (const char* weights : {"first", "second!"}) {
    StagedDirectory dir(out);
    dir.write_file("model.safetensors", weights);
    dir.commit(Mode::merge);
  }
  EXPECT_EQ(read_bytes(out / "model.safetensors"), "second!");
  EXPECT_TRUE(frost::io::verify_manifest(out));
  expect_checkpoints_kept(out);
}

TEST_F(StagedDirTest, MergeFallbackWithoutExchange) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  fs::create_directories(out / "checkpoint-6");
  write_bytes(out / "checkpoint-6" / "old", "old");
  const ino_t ino2a = inode_of(out / "checkpoint-2" / "a");
  frost::io::detail::force_merge_fallback() = true;
  {
    StagedDirectory dir(out);
    dir.write_file("config.json", "new config");
    fs::create_directory(dir.path() / "checkpoint-6");
    write_bytes(dir.path() / "checkpoint-6" / "new", "new");
    dir.commit(Mode::merge);
  }
  EXPECT_EQ(read_bytes(out / "config.json"), "new config");
  EXPECT_EQ(read_bytes(out / "checkpoint-6" / "new"), "new");
  EXPECT_FALSE(fs::exists(out / "checkpoint-6" / "old"));
  expect_checkpoints_kept(out);
  EXPECT_EQ(inode_of(out / "checkpoint-2" / "a"), ino2a);  // untouched in place
  EXPECT_EQ(read_bytes(out / ".junk"), "dot");
  EXPECT_TRUE(frost::io::verify_manifest(out));
  EXPECT_TRUE(staging_left("out").empty());
  EXPECT_TRUE(entries_starting(root_, ".out.frost-trash-").empty());
  EXPECT_TRUE(entries_starting(out, ".checkpoint-6.frost-trash-").empty());
}

// ---- verify_manifest ----------------------------------------------------------------------

TEST_F(StagedDirTest, VerifyWithoutManifestIsFalse) {
  fs::create_directory(root_ / "hf");
  write_bytes(root_ / "hf" / "config.json", "{}");
  EXPECT_FALSE(frost::io::verify_manifest(root_ / "hf"));
  EXPECT_FALSE(frost::io::verify_manifest(root_ / "absent"));
}

TEST_F(StagedDirTest, VerifyAllowsUnlistedFiles) {
  const fs::path out = committed("out");
  write_bytes(out / "README.md", "added later");
  EXPECT_TRUE(frost::io::verify_manifest(out));
}

TEST_F(StagedDirTest, VerifyFindsAFlippedByte) {
  const fs::path out = committed("out");
  std::string bytes = read_bytes(out / "model.safetensors");
  bytes[500] = static_cast<char>(bytes[500] ^ 0x01);
  write_bytes(out / "model.safetensors", bytes);
  const std::string manifest = (out / frost::io::kManifestName).string();
  expect_error([&] { (void)frost::io::verify_manifest(out); },
               {(out / "model.safetensors").string(), "CRC32C mismatch", manifest,
                "found " + frost::io::crc32c_hex(sw_crc(bytes))});
}

TEST_F(StagedDirTest, VerifyFindsATruncatedFile) {
  const fs::path out = committed("out");
  fs::resize_file(out / "model.safetensors", 10);
  expect_error([&] { (void)frost::io::verify_manifest(out); },
               {(out / "model.safetensors").string(), "size 10 bytes", "says 1000"});
}

TEST_F(StagedDirTest, VerifyFindsAMissingFile) {
  const fs::path out = committed("out");
  fs::remove(out / "config.json");
  expect_error([&] { (void)frost::io::verify_manifest(out); }, {(out / "config.json").string(), "missing"});
}

TEST_F(StagedDirTest, VerifyFindsADirectoryWhereAFileWasListed) {
  const fs::path out = committed("out");
  fs::remove(out / "config.json");
  fs::create_directory(out / "config.json");
  expect_error([&] { (void)frost::io::verify_manifest(out); }, {(out / "config.json").string(), "not a regular file"});
}

TEST_F(StagedDirTest, VerifyRejectsMalformedManifests) {
  const fs::path out = committed("out");
  const fs::path manifest = out / frost::io::kManifestName;
  const std::string ok_entry = R"({"name": "config.json", "size": 19, "crc32c": "00000000"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", "not valid JSON"},
      {"[]", "JSON object"},
      {R"({"format": "frost-manifest-2", "files": []})", "format"},
      {R"({"files": []})", "format"},
      {R"({"format": "frost-manifest-1"})", "files"},
      {R"({"format": "frost-manifest-1", "files": {}})", "files"},
      {R"({"format": "frost-manifest-1", "files": [1]})", "files[0]"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": -1, "crc32c": "00000000"}]})", "size"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": 1.5, "crc32c": "00000000"}]})", "size"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": "1", "crc32c": "00000000"}]})", "size"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "../x", "size": 1, "crc32c": "00000000"}]})", "../x"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a/b", "size": 1, "crc32c": "00000000"}]})", "a/b"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "..", "size": 1, "crc32c": "00000000"}]})", "name"},
      {R"({"format": "frost-manifest-1", "files": [{"name": 7, "size": 1, "crc32c": "00000000"}]})", "name"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": 1, "crc32c": "E3069283"}]})", "crc32c"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": 1, "crc32c": "e306928"}]})", "crc32c"},
      {R"({"format": "frost-manifest-1", "files": [{"name": "a", "size": 1}]})", "crc32c"},
      {R"({"format": "frost-manifest-1", "files": [)" + ok_entry + ", " + ok_entry + "]}", "listed twice"},
  };
  for (const auto& [text, field] : cases) {
    SCOPED_TRACE(text);
    write_bytes(manifest, text);
    expect_error([&] { (void)frost::io::verify_manifest(out); }, {manifest.string(), field});
  }
}

// ---- stale staging and trash ----------------------------------------------------------------

// A pid that was alive and is no longer (a forked child, exited and reaped).
pid_t dead_pid() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

TEST_F(StagedDirTest, RemoveStaleStagingRemovesDeadKeepsLive) {
  const pid_t dead = dead_pid();
  const fs::path dead_staging = root_ / (".out.frost-staging-" + std::to_string(dead) + "-0");
  const fs::path dead_trash = root_ / (".out.frost-trash-" + std::to_string(dead) + "-3");
  const fs::path live_staging = root_ / (".out.frost-staging-" + std::to_string(::getppid()) + "-0");
  const fs::path other_target = root_ / (".other.frost-staging-" + std::to_string(dead) + "-0");
  const fs::path not_ours = root_ / (".out.frost-staging-" + std::to_string(dead) + "-x");
  for (const auto& d : {dead_staging, dead_trash, live_staging, other_target, not_ours}) {
    fs::create_directory(d);
    write_bytes(d / "f", "f");
  }
  EXPECT_EQ(frost::io::remove_stale_staging(root_ / "out"), 2);
  EXPECT_FALSE(fs::exists(dead_staging));
  EXPECT_FALSE(fs::exists(dead_trash));
  EXPECT_TRUE(fs::exists(live_staging));
  EXPECT_TRUE(fs::exists(other_target));
  EXPECT_TRUE(fs::exists(not_ours));
  EXPECT_EQ(frost::io::remove_stale_staging(root_ / "absent-parent" / "out"), 0);
}

TEST_F(StagedDirTest, RemoveStaleStagingKeepsThisProcessesLiveStaging) {
  StagedDirectory live(root_ / "out");
  live.write_file("a", "a");
  const fs::path leftover = root_ / (".out.frost-staging-" + std::to_string(::getpid()) + "-999999");
  fs::create_directory(leftover);  // this pid, but no live object: a reused pid's leftover
  EXPECT_EQ(frost::io::remove_stale_staging(root_ / "out"), 1);
  EXPECT_FALSE(fs::exists(leftover));
  EXPECT_TRUE(fs::exists(live.path() / "a"));
  live.commit();
  EXPECT_TRUE(frost::io::verify_manifest(root_ / "out"));
}

// ---- crash points -------------------------------------------------------------------------

// Forks a child that sets FROST_TEST_CRASH_AT to `at` (when not null) and runs `body`.
int crash_child(const char* at, const std::function<void()>& body) {
  return run_in_child([&] {
    if (at != nullptr) {
      ::setenv("FROST_TEST_CRASH_AT", at, 1);
    } else {
      ::unsetenv("FROST_TEST_CRASH_AT");
    }
    body();
  });
}

TEST_F(StagedDirTest, CrashBeforeRenameLeavesNoTarget) {
  committed("warm-up");  // crash_point was called in the parent: the child must re-read the variable
  const fs::path out = root_ / "out";
  const int status = crash_child("staged:before-rename", [&] {
    StagedDirectory dir(out);
    dir.write_file("model.safetensors", "weights");
    dir.commit();
  });
  EXPECT_TRUE(killed_by_sigkill(status)) << "status " << status;
  EXPECT_FALSE(fs::exists(out));
  ASSERT_EQ(staging_left("out").size(), 1u);
  EXPECT_EQ(frost::io::remove_stale_staging(out), 1);
  EXPECT_TRUE(staging_left("out").empty());
}

TEST_F(StagedDirTest, CrashBeforeManifestAtFirstHit) {
  const fs::path out = root_ / "out";
  const int status = crash_child("staged:before-manifest@1", [&] {
    StagedDirectory dir(out);
    dir.write_file("model.safetensors", "weights");
    dir.commit();
  });
  EXPECT_TRUE(killed_by_sigkill(status)) << "status " << status;
  EXPECT_FALSE(fs::exists(out));
  const auto left = staging_left("out");
  ASSERT_EQ(left.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ / left[0] / frost::io::kManifestName));
  EXPECT_EQ(frost::io::remove_stale_staging(out), 1);
}

TEST_F(StagedDirTest, CrashAtSecondHitLetsTheFirstCommitThrough) {
  const int status = crash_child("staged:before-manifest@2", [&] {
    for (const char* name : {"first", "second"}) {
      StagedDirectory dir(root_ / name);
      dir.write_file("a", name);
      dir.commit();
    }
  });
  EXPECT_TRUE(killed_by_sigkill(status)) << "status " << status;
  EXPECT_TRUE(frost::io::verify_manifest(root_ / "first"));
  EXPECT_FALSE(fs::exists(root_ / "second"));
  EXPECT_EQ(frost::io::remove_stale_staging(root_ / "second"), 1);
}

TEST_F(StagedDirTest, CrashBeforeExchangeLeavesTheMergeTargetAsItWas) {
  const fs::path out = root_ / "out";
  make_output_dir(out);
  const int status = crash_child("staged:before-exchange", [&] {
    StagedDirectory dir(out);
    dir.write_file("config.json", "new config");
    dir.commit(Mode::merge);
  });
  EXPECT_TRUE(killed_by_sigkill(status)) << "status " << status;
  EXPECT_EQ(read_bytes(out / "config.json"), "old config");
  EXPECT_FALSE(fs::exists(out / frost::io::kManifestName));
  expect_checkpoints_kept(out);
  EXPECT_EQ(frost::io::remove_stale_staging(out), 1);
  expect_checkpoints_kept(out);  // removing the carried links left the originals alone
}

TEST_F(StagedDirTest, CrashAfterRenameLeavesACompleteTarget) {
  const fs::path out = root_ / "out";
  const int status = crash_child("staged:after-rename", [&] {
    StagedDirectory dir(out);
    dir.write_file("model.safetensors", "weights");
    dir.commit();
  });
  EXPECT_TRUE(killed_by_sigkill(status)) << "status " << status;
  EXPECT_TRUE(frost::io::verify_manifest(out));
  EXPECT_TRUE(staging_left("out").empty());
}

TEST_F(StagedDirTest, NoCrashWhenTheVariableIsUnsetOrOtherwise) {
  int i = 0;
  for (const char* at : {static_cast<const char*>(nullptr), "staged:elsewhere", "staged:before-rename@0"}) {
    SCOPED_TRACE(at == nullptr ? "unset" : at);
    const fs::path out = root_ / ("out" + std::to_string(i++));
    const int status = crash_child(at, [&] {
      StagedDirectory dir(out);
      dir.write_file("a", "a");
      dir.commit();
    });
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_TRUE(frost::io::verify_manifest(out));
  }
}

// ---- remove_dir_atomic --------------------------------------------------------------------

TEST_F(StagedDirTest, RemoveDirAtomic) {
  const fs::path out = committed("out");
  fs::create_directory(out / "nested");
  write_bytes(out / "nested" / "x", "x");
  frost::io::remove_dir_atomic(out);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(entries_starting(root_, ".out.frost-trash-").empty());
  EXPECT_NO_THROW(frost::io::remove_dir_atomic(out));  // absent: no-op
  write_bytes(root_ / "file", "f");
  expect_error([&] { frost::io::remove_dir_atomic(root_ / "file"); }, {(root_ / "file").string(), "not a directory"});
  EXPECT_TRUE(fs::exists(root_ / "file"));
}

}  // namespace
