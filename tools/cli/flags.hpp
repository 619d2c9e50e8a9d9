// tools/cli/flags.hpp: the `frost` tool's command-line values and input paths, checked before any
// command runs. No Eigen and no CLI11 here (the option registry is flag_registry.hpp).
//
// Every numeric flag reaches CLI11 as text and is converted here, so that every mistake reads the
// same way, with the flag named, what was expected and what was given:
//   --lr: expected a finite number > 0, got 'nan'
//   --batch-size: expected an integer in [1, 65536], got '0'
//   data/nope.tsv: --train: expected a TSV data file, found no such file
// Each is a frost::Error, which main() prints as one `frost: error: ...` line with exit status 2.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <system_error>
#include <vector>

#include <frost/error.hpp>

namespace frost::cli {

namespace fs = std::filesystem;

/// Upper bounds of the integer flags (far above any real run; they keep sizes and step counts
/// from overflowing).
inline constexpr long long kMaxBatch = 65536;
inline constexpr long long kMaxSeqLen = 1 << 20;
inline constexpr long long kMaxEpochs = 1000000;
inline constexpr long long kMaxSteps = 1000000000;
inline constexpr long long kMaxLabels = 100000;
inline constexpr long long kMaxBenchSteps = 100000;
/// What a sequence-length flag takes, before the model is known (resolve_seq_len checks the rest).
inline constexpr const char* kSeqLenExpected =
    "an integer >= 2 ([CLS] and [SEP]) and at most the model's max_position_embeddings";

/// The text a value is shown as in an error: quoted, at most 60 characters.
inline std::string show_value(const std::string& s) {
  return "'" + (s.size() > 60 ? s.substr(0, 57) + "..." : s) + "'";
}

/// A number as errors and --help show it (%g).
inline std::string show_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// A real-valued flag's range: lo <(=) v <(=) hi, always finite.
struct RealRange {
  double lo = -std::numeric_limits<double>::infinity();
  bool lo_open = false;
  double hi = std::numeric_limits<double>::infinity();
  bool hi_open = false;
  const char* expected;  ///< "a finite number > 0", "a number in [0, 1)", ...
};
inline constexpr RealRange kPositive{0, true, std::numeric_limits<double>::infinity(), true, "a finite number > 0"};
inline constexpr RealRange kNonNegative{0, false, std::numeric_limits<double>::infinity(), true,
                                        "a finite number >= 0"};
inline constexpr RealRange kUnitOpen{0, false, 1, true, "a number in [0, 1)"};

/// `s` as a double in `r`, or a frost::Error naming `flag`.
inline double parse_real(const std::string& flag, const std::string& s, const RealRange& r) {
  const auto fail = [&](const std::string& why) -> double {
    throw Error(flag + ": expected " + r.expected + ", got " + show_value(s) + why);
  };
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return fail("");
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return fail(" (not a number)");
  if (!std::isfinite(v)) return fail(errno == ERANGE ? " (out of range)" : "");
  if (v < r.lo || (r.lo_open && v == r.lo) || v > r.hi || (r.hi_open && v == r.hi)) return fail("");
  return v;
}

/// `s` as a decimal integer in [lo, hi], or a frost::Error naming `flag` (`expected` replaces
/// "an integer in [lo, hi]" in it).
template <class T>
T parse_int(const std::string& flag, const std::string& s, T lo, T hi, const std::string& expected = "") {
  const std::string what =
      expected.empty() ? "an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]" : expected;
  const auto fail = [&](const std::string& why) -> T {
    throw Error(flag + ": expected " + what + ", got " + show_value(s) + why);
  };
  const char* b = s.data();
  const char* e = s.data() + s.size();
  if (b != e && *b == '+') ++b;
  if (b == e) return fail("");
  T v{};
  const auto [p, ec] = std::from_chars(b, e, v);
  if (ec == std::errc::result_out_of_range) return fail(" (out of range)");
  if (ec != std::errc() || p != e) return fail(*b == '-' && lo >= 0 ? "" : " (not an integer)");
  if (v < lo || v > hi) return fail("");
  return v;
}

/// One of `choices` (shown as "a, b or c"), or a frost::Error naming `flag`.
inline void check_choice(const std::string& flag, const std::string& v, const std::vector<std::string>& choices) {
  std::string list;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (v == choices[i]) return;
    list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
  }
  throw Error(flag + ": expected " + list + ", got " + show_value(v));
}

/// What is at `p`, for "found ..." in errors.
inline std::string describe_path(const fs::path& p) {
  std::error_code ec;
  const auto st = fs::status(p, ec);
  switch (st.type()) {
    case fs::file_type::not_found:
      return "no such file or directory";
    case fs::file_type::regular:
      return "a regular file";
    case fs::file_type::directory:
      return "a directory";
    case fs::file_type::character:
      return "a character device";
    case fs::file_type::block:
      return "a block device";
    case fs::file_type::fifo:
      return "a pipe";
    case fs::file_type::socket:
      return "a socket";
    default:
      return ec ? "nothing readable (" + ec.message() + ")" : "something else";
  }
}

/// An input file a flag names: it must exist and be a regular file (or a pipe, as from `<(...)`)
/// the process can read.
inline void check_input_file(const std::string& flag, const std::string& path, const std::string& what) {
  if (path.empty()) throw Error(flag + ": expected " + what + " (a path), got ''");
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (st.type() != fs::file_type::regular && st.type() != fs::file_type::fifo)
    throw Error(path + ": " + flag + ": expected " + what + ", found " + describe_path(path));
  if (::access(path.c_str(), R_OK) != 0)
    throw Error(path + ": " + flag + ": expected " + what + " this process can read, found it unreadable (" +
                std::strerror(errno) + ")");
}

/// Where a command assembles `out` before moving it into place: `<out>.partial-<pid>` beside it
/// (a trailing slash is dropped, so that it is never inside `out`).
inline fs::path staging_path(const std::string& out) {
  fs::path p = fs::path(out).lexically_normal();
  if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
  return fs::path(p.string() + ".partial-" + std::to_string(::getpid()));
}

/// An output directory a flag names, checked before anything runs: an existing directory, or a
/// path whose nearest existing ancestor is a directory this process may create entries in. The
/// staging directory (`<output>.partial-<pid>`) is created beside it, so its parent is checked too.
inline void check_output_dir(const std::string& flag, const std::string& out) {
  if (out.empty()) throw Error(flag + ": expected an output directory (a path), got ''");
  std::error_code ec;
  const fs::path p = fs::absolute(fs::path(out), ec).lexically_normal();
  if (ec) throw Error(out + ": " + flag + ": cannot resolve the path (" + ec.message() + ")");
  const auto st = fs::status(p, ec);
  if (st.type() != fs::file_type::not_found && st.type() != fs::file_type::directory)
    throw Error(out + ": " + flag + ": expected a directory (new or existing), found " + describe_path(p));
  fs::path anc = p.has_relative_path() ? p.parent_path() : p;
  while (!anc.empty() && fs::status(anc, ec).type() == fs::file_type::not_found && anc != anc.parent_path())
    anc = anc.parent_path();
  if (fs::status(anc, ec).type() != fs::file_type::directory)
    throw Error(out + ": " + flag + ": expected a path in a directory, but " + anc.string() + " is " +
                describe_path(anc));
  if (::access(anc.c_str(), W_OK | X_OK) != 0)
    throw Error(out + ": " + flag + ": expected a writable directory, but " + anc.string() + " is not (" +
                std::strerror(errno) + ")");
}

}  // namespace frost::cli
