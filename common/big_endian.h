// Big-endian integers for RocksDB keys, so that byte order is numeric order.
// Both services' key encodings use these.
#ifndef JUNHENG_COMMON_BIG_ENDIAN_H_
#define JUNHENG_COMMON_BIG_ENDIAN_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace junheng {

inline void PutU32BE(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

inline void PutU64BE(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
}

// `in` must hold at least 8 bytes.
inline uint64_t GetU64BE(absl::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = v << 8 | static_cast<unsigned char>(in[i]);
  }
  return v;
}

}  // namespace junheng

#endif  // JUNHENG_COMMON_BIG_ENDIAN_H_
