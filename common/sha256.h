// SHA-256 through OpenSSL (which uses the CPU's SHA extensions where
// present), and the hex form used in the API.
#ifndef JUNHENG_COMMON_SHA256_H_
#define JUNHENG_COMMON_SHA256_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace junheng {

using Sha256Digest = std::array<unsigned char, 32>;

// Incremental hashing. Not thread-safe; cheap to move.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(absl::string_view bytes);
  // Returns the digest; the object must not be used afterwards.
  Sha256Digest Finish();

  static Sha256Digest Of(absl::string_view bytes);

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

// 64 lowercase hex digits.
std::string ToHex(const Sha256Digest& digest);
std::string ToHex(absl::string_view raw_bytes);
// Accepts upper- or lowercase; nullopt unless exactly 64 hex digits.
std::optional<Sha256Digest> ParseSha256Hex(absl::string_view hex);

inline absl::string_view AsBytes(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace junheng

#endif  // JUNHENG_COMMON_SHA256_H_
