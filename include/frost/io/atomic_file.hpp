// frost/io/atomic_file.hpp: write a file so that readers see the old file or the whole new one.
//
// The bytes go to "<path>.tmp-<pid>-<n>" in the same directory (n counts this process's writes, so
// two threads never share a temporary), are flushed and fsync'ed, then renamed over <path>, and the
// directory is fsync'ed so the rename itself survives a power cut. On any failure the temporary file
// is removed and frost::Error names the path; the old file (if any) is untouched.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "../detail/macros.hpp"

namespace frost::io {

namespace detail {

// "<path>: <step> failed (<why>); nothing was replaced", built in place (no temporaries).
inline std::string not_replaced_message(const std::string& path, const char* step, const std::string& why) {
  std::string m = path;
  m += ": ";
  m += step;
  m += " failed (";
  m += why;
  m += "); nothing was replaced";
  return m;
}

// fsync of the directory holding `path` (best effort: some file systems refuse it on directories).
inline void sync_parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return;
  (void)::fsync(dfd);
  ::close(dfd);
}

inline std::string temporary_name(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace detail

inline void write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::string tmp = detail::temporary_name(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  FROST_CHECK(fd >= 0, path + ": cannot create temporary file " + tmp + " (" + std::strerror(errno) + ")");
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(detail::not_replaced_message(path, "write", why));
    }
    done += static_cast<std::size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const std::string sync_why = synced ? "" : std::strerror(errno);
  const bool closed = ::close(fd) == 0;  // always closed, even when fsync failed
  if (!synced || !closed) {
    const std::string why = synced ? std::strerror(errno) : sync_why;
    ::unlink(tmp.c_str());
    throw Error(detail::not_replaced_message(path, "flushing", why));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(detail::not_replaced_message(path, "rename", why));
  }
  detail::sync_parent_dir(path);
}

}  // namespace frost::io
