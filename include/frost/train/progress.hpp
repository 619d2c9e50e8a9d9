// frost/train/progress.hpp: a one-line terminal progress bar (stderr, redrawn with \r).
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace frost {

class ProgressBar {
 public:
  ProgressBar(std::string label, long total, bool enabled = true)
      : label_(std::move(label)),
        total_(total > 0 ? total : 1),
        enabled_(enabled),
        tty_(::isatty(STDERR_FILENO) != 0),
        start_(std::chrono::steady_clock::now()) {}

  /// Redraws the bar; `extra` is free text (e.g. "loss 0.412 lr 4.1e-05"). On a non-terminal
  /// stderr it prints a line every 10% instead of redrawing.
  void update(long done, const std::string& extra) {
    if (!enabled_) return;
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double rate = secs > 0 ? static_cast<double>(done) / secs : 0.0;
    const int width = 30;
    const int filled =
        static_cast<int>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total_));
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    if (tty_) {
      std::fprintf(stderr, "\r%s [%s] %ld/%ld %s %.2f it/s   ", label_.c_str(), bar.c_str(), done, total_,
                   extra.c_str(), rate);
      if (done >= total_) std::fprintf(stderr, "\n");
      std::fflush(stderr);
    } else if (done * 10 / total_ != last_decile_ || done == total_) {
      last_decile_ = done * 10 / total_;
      std::fprintf(stderr, "%s [%s] %ld/%ld %s %.2f it/s\n", label_.c_str(), bar.c_str(), done, total_, extra.c_str(),
                   rate);
    }
  }

 private:
  std::string label_;
  long total_;
  bool enabled_, tty_;
  long last_decile_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace frost
