// frost/io/staged_dir.hpp: write a directory so that it appears complete or not at all.
//
// A StagedDirectory collects its files in a hidden sibling of the target,
// `<parent>/.<name>.frost-staging-<pid>-<n>`. commit() fsyncs them, writes a manifest
// (frost-manifest.json: every top-level file's name, size and CRC-32C) last, and renames the
// staging directory to the target in one step, so a reader never sees a partial directory under
// the target's name, and a crash (kill -9, power cut) leaves either the old state or the whole new
// one. verify_manifest() is the reader's half: it finds files that were truncated, corrupted or
// swapped after they were written. Crash leftovers (staging and trash directories of dead
// processes) are removed by remove_stale_staging().
//
// POSIX (Linux for the atomic merge, renameat2 RENAME_EXCHANGE); all paths on a local file
// system. Filesystem failures are frost::Error naming the path and the system's reason.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "../detail/macros.hpp"
#include "atomic_file.hpp"
#include "crc32c.hpp"

namespace frost::io {

inline constexpr const char* kManifestName = "frost-manifest.json";
inline constexpr const char* kManifestFormat = "frost-manifest-1";

namespace detail {

using Path = std::filesystem::path;

inline std::string errno_text() { return std::strerror(errno); }

// ---- crash points (tests only) ----------------------------------------------------------

struct CrashPointState {
  std::mutex mutex;
  pid_t pid = 0;      // the process `label` and `at` were read in (0: not yet read)
  std::string label;  // FROST_TEST_CRASH_AT without its "@K"; empty when unset
  long at = 1;        // kill at this hit of `label`
  long hits = 0;
};

inline CrashPointState& crash_point_state() {
  static CrashPointState state;
  return state;
}

// Reads FROST_TEST_CRASH_AT ("label" or "label@K", K >= 1) for the calling process.
inline void load_crash_spec(CrashPointState& s) {
  s.pid = ::getpid();
  s.hits = 0;
  s.at = 1;
  const char* env = std::getenv("FROST_TEST_CRASH_AT");
  s.label = env != nullptr ? env : "";
  const auto at = s.label.rfind('@');
  if (at == std::string::npos) return;
  const char* begin = s.label.data() + at + 1;
  const char* end = s.label.data() + s.label.size();
  long k = 0;
  const auto [stop, ec] = std::from_chars(begin, end, k);
  if (ec != std::errc{} || stop != end || k < 1) return;  // not "@K": the whole value is the label
  s.at = k;
  s.label.resize(at);
}

}  // namespace detail

/// Test hook: when FROST_TEST_CRASH_AT is `label` (first hit) or `label@K` (K-th hit, K >= 1),
/// the process SIGKILLs itself here, as a power cut or `kill -9` would stop it. Hits are counted
/// per process (a forked child starts from zero and re-reads the variable); the variable is read
/// once per process. Costs a getpid() and an uncontended lock when unset.
inline void crash_point(const char* label) {
  auto& s = detail::crash_point_state();
  const std::lock_guard<std::mutex> lock(s.mutex);
  if (s.pid != ::getpid()) detail::load_crash_spec(s);
  if (s.label.empty() || s.label != label) return;
  if (++s.hits == s.at) ::kill(::getpid(), SIGKILL);
}

namespace detail {

// ---- names of staging and trash directories ---------------------------------------------

// `target` without a trailing slash ("out/" names "out").
inline Path named_target(const Path& target) { return target.has_filename() ? target : target.parent_path(); }

// ".<name>.frost-<kind>-": the start of every staging (kind "staging") or trash (kind "trash")
// directory of `target`.
inline std::string hidden_prefix(const Path& target, const char* kind) {
  return "." + named_target(target).filename().string() + ".frost-" + kind + "-";
}

// A fresh `<parent>/.<name>.frost-<kind>-<pid>-<n>` (n counts this process's names).
inline Path sibling_name(const Path& target, const char* kind) {
  static std::atomic<unsigned long> counter{0};
  const Path t = named_target(target);
  return t.parent_path() / (hidden_prefix(t, kind) + std::to_string(::getpid()) + "-" + std::to_string(counter++));
}

// The pid in a name "<prefix><pid>-<n>", or 0 when `name` is not of that form.
inline pid_t sibling_pid(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
  const char* begin = name.data() + prefix.size();
  const char* end = name.data() + name.size();
  long pid = 0;
  const auto [dash, ec] = std::from_chars(begin, end, pid);
  if (ec != std::errc{} || dash == end || *dash != '-' || pid <= 0) return 0;
  unsigned long n = 0;
  const auto [stop, ec2] = std::from_chars(dash + 1, end, n);
  if (ec2 != std::errc{} || stop != end) return 0;
  return static_cast<pid_t>(pid);
}

// Whether `name` is one of frost's staging or trash directories (of any target).
inline bool is_frost_scratch(const std::string& name) {
  return !name.empty() && name[0] == '.' &&
         (name.find(".frost-staging-") != std::string::npos || name.find(".frost-trash-") != std::string::npos);
}

// ---- this process's staging and trash directories still in use --------------------------

struct LiveDirs {
  std::mutex mutex;
  std::set<std::string> keys;
};

inline LiveDirs& live_dirs() {
  static LiveDirs dirs;
  return dirs;
}

inline std::string live_key(const Path& dir) { return std::filesystem::absolute(dir).lexically_normal().string(); }

inline void set_live(const std::string& key, bool live) {
  auto& d = live_dirs();
  const std::lock_guard<std::mutex> lock(d.mutex);
  if (live) {
    d.keys.insert(key);
  } else {
    d.keys.erase(key);
  }
}

inline bool is_live(const std::string& key) {
  auto& d = live_dirs();
  const std::lock_guard<std::mutex> lock(d.mutex);
  return d.keys.count(key) != 0;
}

// Marks a directory as in use by this process for as long as it lives (remove_stale_staging
// leaves it alone).
class LiveMark {
 public:
  explicit LiveMark(std::string key) : key_(std::move(key)) { set_live(key_, true); }
  ~LiveMark() { set_live(key_, false); }
  LiveMark(const LiveMark&) = delete;
  LiveMark& operator=(const LiveMark&) = delete;

 private:
  std::string key_;
};

// A leftover of a dead run: its pid is gone, or is this process's but no live object owns it.
inline bool is_stale(pid_t pid, const Path& dir) {
  if (pid == ::getpid()) return !is_live(live_key(dir));
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

// ---- small POSIX helpers -------------------------------------------------------------------

// Closes its descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// fsync of a regular file; frost::Error naming it on failure.
inline void fsync_file(const Path& file) {
  const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  FROST_CHECK(fd.get() >= 0, file.string() + ": cannot open it to flush it to disk (" + errno_text() + ")");
  FROST_CHECK(::fsync(fd.get()) == 0, file.string() + ": fsync failed (" + errno_text() + ")");
}

// fsync of a directory (its entries reach the disk). File systems that cannot fsync a directory
// (EINVAL, ENOTSUP) are accepted; other failures are frost::Error naming it.
inline void fsync_dir(const Path& dir) {
  const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  FROST_CHECK(fd.get() >= 0, dir.string() + ": cannot open the directory to flush it (" + errno_text() + ")");
  if (::fsync(fd.get()) == 0 || errno == EINVAL || errno == ENOTSUP) return;
  throw Error(dir.string() + ": fsync of the directory failed (" + errno_text() + ")");
}

// The names of every entry of `dir`, sorted; frost::Error naming it when it cannot be listed.
inline std::set<std::string> entry_names(const Path& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    names.insert(it->path().filename().string());
  }
  FROST_CHECK(!ec, dir.string() + ": cannot list the directory (" + ec.message() + ")");
  return names;
}

// The sorted names of the regular files (not symbolic links) at the top level of `dir`, the
// manifest excepted.
inline std::vector<std::string> top_level_files(const Path& dir) {
  std::vector<std::string> files;
  for (const auto& name : entry_names(dir)) {
    struct stat st {};
    const Path file = dir / name;
    FROST_CHECK(::lstat(file.c_str(), &st) == 0, file.string() + ": cannot inspect it (" + errno_text() + ")");
    if (S_ISREG(st.st_mode) && name != kManifestName) files.push_back(name);
  }
  return files;  // sorted: entry_names is a std::set
}

// A name that stays inside its directory: not empty, no '/', not "." or "..", no NUL.
inline bool is_plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// Writes all `n` bytes; false (errno set) on failure.
inline bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t put = ::write(fd, data, n);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) return false;
    data += put;
    n -= static_cast<std::size_t>(put);
  }
  return true;
}

// Copies regular file `src` to a new file `dst` (permission bits `mode`) and fsyncs it.
inline void copy_file_synced(const Path& src, const Path& dst, mode_t mode) {
  const Fd in(::open(src.c_str(), O_RDONLY | O_CLOEXEC));
  FROST_CHECK(in.get() >= 0, src.string() + ": cannot open it to copy it (" + errno_text() + ")");
  const Fd out(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  FROST_CHECK(out.get() >= 0, dst.string() + ": cannot create it (" + errno_text() + ")");
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  const auto buffer = std::make_unique<char[]>(kChunk);
  for (;;) {
    const ssize_t got = ::read(in.get(), buffer.get(), kChunk);
    if (got < 0 && errno == EINTR) continue;
    FROST_CHECK(got >= 0, src.string() + ": read failed while copying it (" + errno_text() + ")");
    if (got == 0) break;
    FROST_CHECK(write_all(out.get(), buffer.get(), static_cast<std::size_t>(got)),
                dst.string() + ": write failed (" + errno_text() + ")");
  }
  FROST_CHECK(::fsync(out.get()) == 0, dst.string() + ": fsync failed (" + errno_text() + ")");
}

// A hard link `dst` to `src`, or a synced copy where the file system refuses the link (another
// file system, no hard links, too many links).
inline void link_or_copy(const Path& src, const Path& dst, mode_t mode) {
  if (::link(src.c_str(), dst.c_str()) == 0) return;
  FROST_CHECK(errno == EXDEV || errno == EPERM || errno == EMLINK,
              dst.string() + ": cannot hard-link it to " + src.string() + " (" + errno_text() + ")");
  copy_file_synced(src, dst, mode);
}

inline void carry(const Path& src, const Path& dst);

// Recreates directory `src` at `dst` (same permission bits), its entries carried recursively,
// and fsyncs it.
inline void carry_dir(const Path& src, const Path& dst, mode_t mode) {
  FROST_CHECK(::mkdir(dst.c_str(), 0700) == 0, dst.string() + ": cannot create the directory (" + errno_text() + ")");
  for (const auto& name : entry_names(src)) carry(src / name, dst / name);
  FROST_CHECK(::chmod(dst.c_str(), mode) == 0, dst.string() + ": chmod failed (" + errno_text() + ")");
  fsync_dir(dst);
}

// Recreates `src` at `dst` sharing its data: directories are made anew and filled recursively,
// regular files hard-linked (copied where links are refused), symbolic links recreated. Other
// kinds (sockets, FIFOs, devices) are a frost::Error naming `src`.
inline void carry(const Path& src, const Path& dst) {
  struct stat st {};
  FROST_CHECK(::lstat(src.c_str(), &st) == 0, src.string() + ": cannot inspect it (" + errno_text() + ")");
  const mode_t mode = st.st_mode & 07777;
  if (S_ISDIR(st.st_mode)) {
    carry_dir(src, dst, mode);
  } else if (S_ISREG(st.st_mode)) {
    link_or_copy(src, dst, mode);
  } else if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    std::filesystem::copy_symlink(src, dst, ec);
    FROST_CHECK(!ec, dst.string() + ": cannot recreate the symbolic link " + src.string() + " (" + ec.message() + ")");
  } else {
    throw Error(src.string() +
                ": not a file, directory or symbolic link; it cannot be carried into the merged directory");
  }
}

inline constexpr unsigned kRenameExchange = 1u << 1;  // RENAME_EXCHANGE of <linux/fs.h>
#ifdef RENAME_EXCHANGE
static_assert(kRenameExchange == RENAME_EXCHANGE);
#endif

// Test hook: when true, merges take the non-atomic fallback as if RENAME_EXCHANGE were unsupported.
inline bool& force_merge_fallback() {
  static bool force = false;
  return force;
}

// Swaps `a` and `b` atomically (Linux renameat2 RENAME_EXCHANGE): true when done, false when the
// kernel or file system cannot (EINVAL, ENOSYS); other failures are frost::Error.
inline bool exchange_paths(const Path& a, const Path& b) {
#if defined(SYS_renameat2)
  if (force_merge_fallback()) return false;
  if (::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), kRenameExchange) == 0) return true;
  FROST_CHECK(errno == EINVAL || errno == ENOSYS,
              b.string() + ": cannot exchange it with " + a.string() + " (" + errno_text() + "); nothing was replaced");
#else
  (void)a;
  (void)b;
#endif
  return false;
}

}  // namespace detail

/// The staging path for `target`: `<parent>/.<name>.frost-staging-<pid>-<n>`, hidden (dot-named)
/// so it is never taken for an output; n counts this process's names, so each call gives a new one.
inline std::filesystem::path staging_path_for(const std::filesystem::path& target) {
  return detail::sibling_name(target, "staging");
}

/// Removes the leftovers of killed runs beside `target`: its staging directories
/// (`.<name>.frost-staging-<pid>-<n>`) and trash directories (`.<name>.frost-trash-<pid>-<n>`,
/// see remove_dir_atomic) whose process is gone (kill(pid, 0) fails with ESRCH), or is this
/// process while no live StagedDirectory / remove_dir_atomic of it owns the directory (a reused
/// pid). Directories of other live processes are kept. Best effort: returns how many were
/// removed; one that cannot be removed (or a parent that cannot be listed) is skipped.
inline int remove_stale_staging(const std::filesystem::path& target) {
  const detail::Path t = detail::named_target(target);
  const detail::Path parent = t.parent_path().empty() ? detail::Path(".") : t.parent_path();
  const std::string staging = detail::hidden_prefix(t, "staging");
  const std::string trash = detail::hidden_prefix(t, "trash");
  std::error_code ec;
  std::vector<detail::Path> stale;
  for (auto it = std::filesystem::directory_iterator(parent, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    pid_t pid = detail::sibling_pid(name, staging);
    if (pid == 0) pid = detail::sibling_pid(name, trash);
    if (pid != 0 && detail::is_stale(pid, it->path())) stale.push_back(it->path());
  }
  int removed = 0;
  for (const auto& dir : stale) {
    std::error_code rm;
    std::filesystem::remove_all(dir, rm);
    if (!rm) ++removed;
  }
  return removed;
}

/// Removes directory `dir` so that no partial copy of it is ever visible under its name: it is
/// renamed to `<parent>/.<name>.frost-trash-<pid>-<n>` (atomic), the parent is fsynced, then the
/// trash is deleted recursively. No-op when `dir` does not exist. frost::Error naming `dir` when
/// it is not a directory, cannot be renamed (nothing removed), or the trash cannot be deleted
/// (then `dir` is already gone from its name, and remove_stale_staging(dir) deletes the trash later).
inline void remove_dir_atomic(const std::filesystem::path& dir) {
  const detail::Path d = detail::named_target(dir);
  struct stat st {};
  if (::lstat(d.c_str(), &st) != 0) {
    FROST_CHECK(errno == ENOENT, d.string() + ": cannot inspect it (" + detail::errno_text() + ")");
    return;
  }
  FROST_CHECK(S_ISDIR(st.st_mode), d.string() + ": not a directory (remove_dir_atomic removes directories only)");
  const detail::Path trash = detail::sibling_name(d, "trash");
  const detail::LiveMark mark(detail::live_key(trash));
  FROST_CHECK(::rename(d.c_str(), trash.c_str()) == 0, d.string() + ": cannot rename it to " + trash.string() + " (" +
                                                           detail::errno_text() + "); nothing was removed");
  detail::sync_parent_dir(d.string());
  std::error_code ec;
  std::filesystem::remove_all(trash, ec);
  FROST_CHECK(!ec, d.string() + ": moved to " + trash.string() + ", but deleting that failed (" + ec.message() +
                       "); remove_stale_staging removes it later");
}

namespace detail {

// Makes room at `to` for `from` when rename(2) alone cannot replace it: an existing directory
// at `to` is removed (remove_dir_atomic), an existing non-directory is unlinked when `from` is a
// directory. A file replacing a file needs nothing (rename replaces it atomically).
inline void clear_for_move(const Path& from, const Path& to) {
  struct stat src {};
  struct stat dst {};
  if (::lstat(to.c_str(), &dst) != 0 || ::lstat(from.c_str(), &src) != 0) return;  // rename reports real errors
  if (S_ISDIR(dst.st_mode)) {
    remove_dir_atomic(to);
  } else if (S_ISDIR(src.st_mode)) {
    ::unlink(to.c_str());
  }
}

// The merge without RENAME_EXCHANGE: moves each entry `names` of `staging` into `target`,
// replacing same-named entries, the manifest last, then fsyncs `target`. NOT atomic as a set: a
// crash midway leaves `target` with some new entries beside its old manifest (if any), which
// verify_manifest then reports as a mismatch for the listed files already replaced.
inline void merge_by_rename(const Path& staging, const Path& target, const std::set<std::string>& names) {
  std::vector<std::string> order;
  for (const auto& name : names) {
    if (name != kManifestName) order.push_back(name);
  }
  if (names.count(kManifestName) != 0) order.emplace_back(kManifestName);
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Path from = staging / order[i];
    const Path to = target / order[i];
    clear_for_move(from, to);
    if (::rename(from.c_str(), to.c_str()) == 0) continue;
    const std::string why = errno_text();
    throw Error(target.string() + ": moving " + order[i] + " into it failed (" + why + "); " +
                (i == 0 ? std::string("nothing was replaced")
                        : "the merge is partial: " + std::to_string(i) + " of " + std::to_string(order.size()) +
                              " entries were moved"));
  }
  fsync_dir(target);
}

}  // namespace detail

/// A directory written so that it appears complete or not at all (see the top of this file).
///
/// Write files into path() (write_file, or any writer given file(name)), then commit(). Until
/// commit() succeeds the target is untouched; without a successful commit the destructor deletes
/// the staging directory. Not thread-safe: one thread writes and commits a StagedDirectory.
class StagedDirectory {
 public:
  /// replace_empty: the target must be absent or an empty directory. merge: an existing non-empty
  /// directory gets the new top-level entries and keeps its others (see commit()).
  enum class CommitMode { replace_empty, merge };

  /// Creates the staging directory beside `target` (and target's parent if missing). frost::Error
  /// naming the target on failure.
  explicit StagedDirectory(std::filesystem::path target) : target_(std::move(target)) {
    if (!target_.has_filename()) target_ = target_.parent_path();  // "out/" names "out"
    const std::string name = target_.filename().string();
    FROST_CHECK(!name.empty() && name != "." && name != "..",
                "StagedDirectory: \"" + target_.string() + "\" does not name a directory to create");
    const detail::Path parent = target_.parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    FROST_CHECK(!ec, target_.string() + ": cannot create its parent directory (" + ec.message() + ")");
    for (int attempt = 0;; ++attempt) {  // a stale directory of a reused pid may hold the first names
      path_ = staging_path_for(target_);
      if (::mkdir(path_.c_str(), 0755) == 0) break;
      FROST_CHECK(errno == EEXIST && attempt < 100, target_.string() + ": cannot create the staging directory " +
                                                        path_.string() + " (" + detail::errno_text() + ")");
    }
    live_key_ = detail::live_key(path_);
    detail::set_live(live_key_, true);
  }

  /// Deletes the staging directory (recursively) unless commit() succeeded. Never throws.
  ~StagedDirectory() {
    try {
      if (state_ != State::committed) discard();
      detail::set_live(live_key_, false);
    } catch (...) {  // nothing to report from a destructor
    }
  }

  StagedDirectory(const StagedDirectory&) = delete;
  StagedDirectory& operator=(const StagedDirectory&) = delete;

  /// The staging directory.
  const std::filesystem::path& path() const { return path_; }
  /// The directory commit() publishes.
  const std::filesystem::path& target() const { return target_; }
  /// (path() / name).string(): where a writer puts top-level file `name`.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  /// write_file_atomic of `bytes` to the staging directory's file `name` (a plain name, no '/').
  void write_file(const std::string& name, std::string_view bytes) {
    FROST_CHECK(state_ == State::open, target_.string() + ": write_file(\"" + name + "\") after commit()");
    FROST_CHECK(detail::is_plain_name(name), target_.string() + ": \"" + name + "\" is not a plain file name");
    write_file_atomic(file(name), bytes);
  }

  /// Publishes the staging directory as the target:
  /// 1. fsyncs every regular top-level file; 2. writes frost-manifest.json last (name, size and
  ///    CRC-32C of each of them, sorted by name; subdirectories are not listed); 3. fsyncs the
  ///    staging directory; 4. publishes:
  ///    - target absent or an empty directory: one rename(2), atomic;
  ///    - target a non-empty directory and mode == merge: the target's entries that the staging
  ///      directory lacks are recreated in it (subdirectories rebuilt with hard links to the same
  ///      files, copies where links are refused; frost's own `.*.frost-staging-*` /
  ///      `.*.frost-trash-*` scratch entries are not carried), then staging and target are
  ///      swapped atomically (renameat2 RENAME_EXCHANGE) and the old tree is deleted. A new
  ///      entry replaces a same-named old one whole (a new subdirectory replaces the old one).
  ///      Where RENAME_EXCHANGE is unsupported, the new entries are renamed into the target one
  ///      by one, the manifest last: NOT atomic as a set (a crash may leave some replaced);
  ///    - otherwise (non-empty with replace_empty, or not a directory): frost::Error naming the
  ///      target, which is untouched;
  /// 5. fsyncs the target's parent.
  /// On any failure before the publishing rename the staging directory is deleted and the target
  /// is untouched. commit() runs once; crash points (crash_point) sit between the steps.
  void commit(CommitMode mode = CommitMode::replace_empty) {
    FROST_CHECK(state_ == State::open, target_.string() + ": commit() was already called");
    try {
      seal();
      crash_point("staged:before-rename");
      publish(mode);
    } catch (...) {
      if (state_ != State::committed) {
        state_ = State::failed;
        discard();
      }
      throw;
    }
    detail::sync_parent_dir(target_.string());
    crash_point("staged:after-rename");
  }

 private:
  enum class State { open, committed, failed };

  void discard() const {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  // Steps 1-3 of commit(): the files and their manifest on disk in the staging directory.
  void seal() const;

  // Step 4 of commit(); sets state_ to committed once the target holds the new files.
  void publish(CommitMode mode) {
    struct stat st {};
    if (::lstat(target_.c_str(), &st) != 0) {
      FROST_CHECK(errno == ENOENT, target_.string() + ": cannot inspect it (" + detail::errno_text() + ")");
      rename_into_place();
      return;
    }
    FROST_CHECK(S_ISDIR(st.st_mode), target_.string() + ": exists and is not a directory; nothing was written");
    std::error_code ec;
    const bool empty = std::filesystem::is_empty(target_, ec);
    FROST_CHECK(!ec, target_.string() + ": cannot list the directory (" + ec.message() + ")");
    if (empty) {
      rename_into_place();
      return;
    }
    FROST_CHECK(mode == CommitMode::merge,
                target_.string() + ": the directory exists and is not empty; nothing was written (choose a new " +
                    "directory, remove this one, or commit with CommitMode::merge to add the files to it)");
    merge_into_target();
  }

  void rename_into_place() {
    FROST_CHECK(::rename(path_.c_str(), target_.c_str()) == 0,
                target_.string() + ": cannot rename the staging directory " + path_.string() + " to it (" +
                    detail::errno_text() + "); nothing was written");
    state_ = State::committed;
  }

  void merge_into_target() {
    const std::set<std::string> fresh = detail::entry_names(path_);  // what this commit writes
    for (const auto& name : detail::entry_names(target_)) {
      if (fresh.count(name) == 0 && !detail::is_frost_scratch(name)) detail::carry(target_ / name, path_ / name);
    }
    detail::fsync_dir(path_);
    crash_point("staged:before-exchange");
    if (!detail::exchange_paths(path_, target_)) detail::merge_by_rename(path_, target_, fresh);
    state_ = State::committed;
    discard();  // the old tree (or, after the fallback, the carried links); a crash leaves it to remove_stale_staging
  }

  std::filesystem::path target_;
  std::filesystem::path path_;
  std::string live_key_;
  State state_ = State::open;
};

/// The reader's check of a directory written by StagedDirectory. false when `dir` has no
/// frost-manifest.json (directories written by transformers or PEFT have none and load as
/// before). Otherwise true once every listed file exists, is a regular file and has the listed
/// size and CRC-32C; the first that does not is a frost::Error naming the file and what differs.
/// A malformed manifest (not JSON, another format string, wrong field types, a name with '/' or
/// "..", a name listed twice) is a frost::Error naming the manifest and the field. Top-level files
/// that are not listed are allowed. Reads every listed file once.
FROST_DECL bool verify_manifest(const std::filesystem::path& dir);

}  // namespace frost::io

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/staged_dir.ipp"
#endif
