// frost/io/atomic_file.hpp: write a file so that readers see the old file or the whole new one.
//
// The bytes go to "<path>.tmp-<pid>" in the same directory, are flushed and fsync'ed, then
// renamed over <path>. On any failure the temporary file is removed and frost::Error names the path;
// the old file (if any) is untouched.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "../detail/macros.hpp"

namespace frost::io {

inline void write_file_atomic(const std::string& path, std::string_view bytes) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
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
      throw Error(path + ": write failed (" + why + "); nothing was replaced");
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path + ": flushing failed (" + why + "); nothing was replaced");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error(path + ": rename failed (" + why + "); nothing was replaced");
  }
}

}  // namespace frost::io
