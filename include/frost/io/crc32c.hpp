// frost/io/crc32c.hpp: CRC-32C (Castagnoli), the checksum frost's manifests (staged_dir.hpp) record.
//
// Reflected polynomial 0x82F63B78, initial value ~0, final xor ~0: the iSCSI (RFC 3720) CRC, which
// ext4, Btrfs, gRPC and Google's crc32c library compute. A portable slicing-by-8 table path runs
// everywhere; on x86-64 the SSE4.2 `crc32` instruction is used when the CPU has it (checked once at
// run time). Both give the same value for the same bytes.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "../detail/macros.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define FROST_CRC32C_HW 1
#else
#define FROST_CRC32C_HW 0
#endif

namespace frost::io {

namespace detail {

inline constexpr std::uint32_t kCrc32cPolynomial = 0x82F63B78u;  // 0x1EDC6F41 bit-reversed
using Crc32cTables = std::array<std::array<std::uint32_t, 256>, 8>;

// Table s maps a byte to the CRC of that byte followed by s zero bytes (slicing-by-8).
constexpr Crc32cTables make_crc32c_tables() {
  Crc32cTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) != 0 ? kCrc32cPolynomial : 0u);
    t[0][i] = c;
  }
  for (std::size_t s = 1; s < 8; ++s) {
    for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  }
  return t;
}

inline constexpr Crc32cTables kCrc32cTables = make_crc32c_tables();

// Four bytes as a little-endian word, whatever the host's byte order.
inline std::uint32_t load_le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

// The portable path: slicing-by-8 over the constexpr tables. Same contract as crc32c().
inline std::uint32_t crc32c_sw(const void* data, std::size_t n, std::uint32_t crc = 0) {
  const auto* p = static_cast<const unsigned char*>(data);
  const auto& t = kCrc32cTables;
  std::uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = c ^ load_le32(p);
    const std::uint32_t hi = load_le32(p + 4);
    c = t[7][lo & 0xFFu] ^ t[6][(lo >> 8) & 0xFFu] ^ t[5][(lo >> 16) & 0xFFu] ^ t[4][lo >> 24] ^ t[3][hi & 0xFFu] ^
        t[2][(hi >> 8) & 0xFFu] ^ t[1][(hi >> 16) & 0xFFu] ^ t[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ t[0][(c ^ *p) & 0xFFu];
  return ~c;
}

#if FROST_CRC32C_HW
// The SSE4.2 path (the `crc32` instruction computes exactly CRC-32C). Call it only where
// crc32c_hw_available() is true. Same contract as crc32c().
__attribute__((target("sse4.2"))) inline std::uint32_t crc32c_hw(const void* data, std::size_t n,
                                                                 std::uint32_t crc = 0) {
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p, 8);  // unaligned load; x86 is little-endian, as the instruction expects
    c = _mm_crc32_u64(c, word);
  }
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; ++p, --n) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
}

// Whether this CPU has SSE4.2 (asked once per process).
inline bool crc32c_hw_available() {
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
}
#endif

}  // namespace detail

/// CRC-32C of `n` bytes at `data`. `crc` is the value returned for the bytes before these (0 to
/// start), so crc32c(b, nb, crc32c(a, na)) == CRC-32C of a followed by b.
inline std::uint32_t crc32c(const void* data, std::size_t n, std::uint32_t crc = 0) {
#if FROST_CRC32C_HW
  if (detail::crc32c_hw_available()) return detail::crc32c_hw(data, n, crc);
#endif
  return detail::crc32c_sw(data, n, crc);
}

/// CRC-32C of a whole file, read in 1 MiB chunks. frost::Error naming the path when it cannot be
/// opened or read.
inline std::uint32_t crc32c_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  FROST_CHECK(fd >= 0, path + ": cannot open it to compute its CRC32C (" + std::strerror(errno) + ")");
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  const auto buffer = std::make_unique<unsigned char[]>(kChunk);
  std::uint32_t crc = 0;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.get(), kChunk);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      std::string message = path;
      message += ": read failed while computing its CRC32C (";
      message += std::strerror(errno);
      message += ")";
      ::close(fd);
      throw Error(message);
    }
    crc = crc32c(buffer.get(), static_cast<std::size_t>(got), crc);
  }
  ::close(fd);
  return crc;
}

/// The CRC as 8 lowercase hex digits, e.g. "e3069283" (the form manifests store).
inline std::string crc32c_hex(std::uint32_t crc) {
  std::array<char, 9> text{};
  std::snprintf(text.data(), text.size(), "%08x", static_cast<unsigned>(crc));
  return std::string(text.data(), 8);
}

}  // namespace frost::io
