// frost/core/pages.hpp: handing a buffer's memory pages back to the kernel while its contents are
// dead, and taking them back (zeroed) just before they are written.
//
// Why: a training step's peak RSS is set at the start of backward, where every recorded activation
// and, with persistent gradient buffers, every gradient is resident at once. PyTorch avoids the
// second half with `zero_grad(set_to_none=True)` and its caching allocator. frost keeps its
// buffers (no per-step allocation, no fragmentation) and instead
//   * zero_grad() releases a gradient's pages: they read as zero afterwards, which is what zero_grad
//     means, and cost no memory until backward reaches that component and populates them;
//   * backward releases a layer's recorded activations as soon as that layer's backward is done;
//     the next forward faults them back in as it writes them.
// So gradients materialise in the memory the activations above them have just given up, and the
// step's peak drops by about the size of the gradients (bert-base: 418 MiB).
//
// Refaulting costs the kernel's page zeroing: with 2 MiB transparent huge pages that is about a
// memset of the buffer, with 4 KiB pages several times more. So release() asks for huge pages
// (MADV_HUGEPAGE) and pages are released only where the kernel grants them (THP "always" or
// "madvise"); elsewhere, and off Linux, release() is a no-op and zero_grad() a plain fill.
// FROST_RELEASE_PAGES=0 or 1 in the environment overrides the choice (read once per process).
// Only pages wholly inside a buffer are touched, never an allocator's header.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../detail/macros.hpp"

#if defined(__linux__)
#include <sys/mman.h>

#include <fstream>
#include <string>
#endif

namespace frost::pages {

namespace detail {
inline constexpr std::uintptr_t kPage = 4096;

/// True when transparent huge pages are available to a madvise()d range.
inline bool huge_pages_granted() {
#if defined(__linux__)
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string s;
  std::getline(f, s);
  return s.find("[always]") != std::string::npos || s.find("[madvise]") != std::string::npos;
#else
  return false;
#endif
}

/// The page-aligned interior [begin, end) of [p, p + bytes); begin == end when there is none.
struct Interior {
  char* begin;
  char* end;
};
/// `granule` is a power of two.
inline Interior interior(void* p, std::size_t bytes, std::uintptr_t granule = kPage) {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t b = (a + granule - 1) & ~(granule - 1);
  const std::uintptr_t e = (a + bytes) & ~(granule - 1);
  if (e <= b) return {static_cast<char*>(p), static_cast<char*>(p)};
  char* c = static_cast<char*>(p);  // offsets from p, not casts back from integers
  return {c + (b - a), c + (e - a)};
}
}  // namespace detail

/// Whether and from which size frost releases pages in this process. The defaults come from the
/// kernel and FROST_RELEASE_PAGES (see the file comment); tests and benchmarks may change them
/// between steps, not during one.
struct Settings {
  bool enabled = false;
  /// Buffers smaller than this are left alone (their pages would be 4 KiB ones anyway, and the
  /// syscalls would cost more than the memory is worth).
  std::size_t min_bytes = std::size_t{1} << 20;
  /// The huge-page size (a power of two, at least 4096): release() asks for huge pages on the
  /// whole ones inside a buffer (the small pages at its ends stay small), and a Populator faults a
  /// buffer in one huge page per piece, so that the threads share the work.
  std::size_t huge = std::size_t{2} << 20;
};
inline Settings& settings() {
  static Settings s = [] {
    Settings d;
    if (const char* e = std::getenv("FROST_RELEASE_PAGES"); e && *e) {
      d.enabled = std::strcmp(e, "0") != 0;
    } else {
      d.enabled = detail::huge_pages_granted();
    }
    return d;
  }();
  return s;
}

/// Gives the pages wholly inside [p, p + bytes) back to the kernel; afterwards they read as zero.
/// Returns the bytes released: 0 (the memory left as it was) when releasing is off or the buffer
/// is small.
inline std::size_t release(void* p, std::size_t bytes) {
#if defined(__linux__)
  if (!settings().enabled || bytes < settings().min_bytes) return 0;
  const detail::Interior r = detail::interior(p, bytes);
  const auto n = static_cast<std::size_t>(r.end - r.begin);
  if (n == 0) return 0;
#if defined(MADV_HUGEPAGE)
  // Advice only (without it the refault is slower, not wrong), and only on whole huge pages, so
  // that the ends of a buffer stay in a small-page mapping and never split one.
  const detail::Interior h = detail::interior(p, bytes, settings().huge);
  if (h.end > h.begin) (void)::madvise(h.begin, static_cast<std::size_t>(h.end - h.begin), MADV_HUGEPAGE);
#endif
  return ::madvise(r.begin, n, MADV_DONTNEED) == 0 ? n : 0;
#else
  (void)p, (void)bytes;
  return 0;
#endif
}

/// Sets [p, p + bytes) to zero bytes by releasing its pages (and filling the partial pages at its
/// ends). Returns false, leaving the memory as it was, where release() would: the caller fills.
inline bool release_zeroed(void* p, std::size_t bytes) {
  if (release(p, bytes) == 0) return false;
  const detail::Interior r = detail::interior(p, bytes);
  std::memset(p, 0, static_cast<std::size_t>(r.begin - static_cast<char*>(p)));
  std::memset(r.end, 0, static_cast<std::size_t>(static_cast<char*>(p) + bytes - r.end));
  return true;
}

namespace detail {
/// Faults the released pages of [begin, begin + n) (page-aligned) back in, writable, before a
/// kernel reads and writes them (a GEMM accumulating into a released gradient would otherwise map
/// the shared zero page on its first read and split the huge page on its first write). Contents
/// are unchanged.
inline void populate_range(char* begin, std::size_t n) {
#if defined(__linux__)
#if !defined(MADV_POPULATE_WRITE)
  constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older kernels answer EINVAL
#endif
  if (::madvise(begin, n, MADV_POPULATE_WRITE) == 0) return;
  // Older kernel: touch one byte per page with a write of its own value (a zero page stays zero).
  for (char* q = begin; q < begin + n; q += kPage) *reinterpret_cast<volatile char*>(q) = *q;
#else
  (void)begin, (void)n;
#endif
}
}  // namespace detail

/// The same for a dense Eigen object (Tensor<T>, a dropout mask).
template <class Dense>
std::size_t release(Dense& t) {
  return release(t.data(), static_cast<std::size_t>(t.size()) * sizeof(*t.data()));
}

/// Populates several buffers at once, their granules split across the OpenMP threads: the
/// kernel's page zeroing then runs on every core, outside the compute loops (a fault inside a
/// parallel GEMM stalls one thread while the others wait at its barrier).
class Populator {
 public:
  template <class Dense>
  void add(Dense& t) {
    add(t.data(), static_cast<std::size_t>(t.size()) * sizeof(*t.data()));
  }
  /// Adds what release(p, bytes) releases: each whole huge page, and the small pages before and
  /// after them, as one piece each.
  void add(void* p, std::size_t bytes) {
    if (!settings().enabled || bytes < settings().min_bytes) return;
    const std::size_t g = settings().huge;
    const detail::Interior h = detail::interior(p, bytes, g);
    for (char* q = h.begin; q < h.end; q += g) piece(q, g);
    const detail::Interior r = detail::interior(p, bytes);
    if (h.end == h.begin) {  // no whole huge page: the page interior is one piece
      if (r.end > r.begin) piece(r.begin, static_cast<std::size_t>(r.end - r.begin));
      return;
    }
    if (h.begin > r.begin) piece(r.begin, static_cast<std::size_t>(h.begin - r.begin));
    if (r.end > h.end) piece(h.end, static_cast<std::size_t>(r.end - h.end));
  }
  /// Bytes added since the last run().
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  /// Faults every piece added in (detail::populate_range) and forgets them.
  void run() {
    const auto n = static_cast<long>(pieces_.size());
    FROST_OMP(parallel for schedule(dynamic) if (n > 1))
    for (long i = 0; i < n; ++i) {
      const Piece& piece = pieces_[static_cast<std::size_t>(i)];
      detail::populate_range(piece.begin, piece.bytes);
    }
    pieces_.clear();
    bytes_ = 0;
  }

 private:
  struct Piece {
    char* begin;
    std::size_t bytes;
  };
  void piece(char* begin, std::size_t bytes) {
    pieces_.push_back({begin, bytes});
    bytes_ += bytes;
  }
  std::vector<Piece> pieces_;
  std::size_t bytes_ = 0;
};

}  // namespace frost::pages
